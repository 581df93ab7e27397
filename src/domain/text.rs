//! Text typed by people. A name, an address or a subject is printed on one line of a notice, a
//! mail header or a form; a line break or a control character smuggled into it could forge another
//! line (a mail header, a row of a document) or hide part of it, so such fields refuse them.
//! Free text (facts, reasons, minutes) keeps its line breaks.

use validator::ValidationError;

pub const NOT_SINGLE_LINE: &str =
    "must be a single line: no line breaks, tabs or other control characters";

/// True when `s` holds no control character (C0, DEL, C1, so CR, LF and tab too) and no Unicode
/// line or paragraph separator.
pub fn is_single_line(s: &str) -> bool {
    !s.chars()
        .any(|c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}'))
}

/// The `validator` rule for every single-line field of a request body.
pub fn single_line(s: &str) -> Result<(), ValidationError> {
    if is_single_line(s) {
        Ok(())
    } else {
        Err(ValidationError::new("single_line").with_message(NOT_SINGLE_LINE.into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_breaks_and_controls_are_refused_ordinary_text_is_not() {
        for bad in [
            "a\nb",
            "a\rb",
            "a\tb",
            "\u{0}",
            "\u{7}",
            "\u{1b}[31m",
            "\u{7f}",
            "\u{85}",
            "\u{9b}",
            "a\u{2028}b",
            "a\u{2029}b",
        ] {
            assert!(!is_single_line(bad), "{bad:?}");
            assert!(single_line(bad).is_err());
        }
        for good in [
            "西塘某餐馆",
            "浙江省嘉兴市 嘉善县",
            "O'Brien & Sons (上海)",
            "全角　空格",
            "",
        ] {
            assert!(is_single_line(good), "{good:?}");
            assert!(single_line(good).is_ok());
        }
    }
}
