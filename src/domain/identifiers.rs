//! Parse-don't-validate newtypes for phones, ID numbers, credit codes and names in complaints.

use std::fmt;
use std::str::FromStr;
use std::time::{SystemTime, UNIX_EPOCH};

// Shared plumbing: string access, Display, FromStr and serde as a plain string.
macro_rules! string_newtype {
    ($t:ident) => {
        impl $t {
            /// The normalized value.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $t {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl FromStr for $t {
            type Err = &'static str;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let raw = String::deserialize(deserializer)?;
                Self::parse(&raw).map_err(serde::de::Error::custom)
            }
        }
    };
}

// Debug shows the masked form so personal data never lands in logs by accident.
macro_rules! masked_debug {
    ($t:ident) => {
        impl fmt::Debug for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_tuple(stringify!($t)).field(&self.masked()).finish()
            }
        }
    };
}

// Chinese input methods often produce full-width digits, letters and symbols.
fn fold_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect()
}

const PHONE_EMPTY: &str = "phone number is empty";
const PHONE_CHARS: &str = "phone number may only contain digits, spaces, '-', a leading '+' and 转";
const PHONE_UNRECOGNISED: &str =
    "not a recognised phone number: use a mobile, area code + number, 400/800 or hotline number";
const PHONE_FOREIGN: &str = "only mainland China numbers (+86) are accepted";
const PHONE_PREFIX_MOBILE_ONLY: &str = "+86 may only be followed by an 11-digit mobile number";
const PHONE_MOBILE_LEN: &str = "a mobile number has 11 digits";
const PHONE_MOBILE_PREFIX: &str = "a mobile number starts with 13 to 19";
const PHONE_AREA: &str = "area code is not valid; it starts with 0, e.g. 010 or 0571";
const PHONE_SUBSCRIBER_LEN: &str = "a landline has 7 or 8 digits after the area code";
const PHONE_SUBSCRIBER_START: &str =
    "a landline number cannot start with 0 or 1 after the area code";
const PHONE_EXT: &str = "extension must be written as -123 or 转123, at most 6 digits";
const PHONE_NOT_PERSONAL: &str = "give a mobile or a landline with its area code: a service or hotline number cannot be called back";

/// What sort of number a [`Phone`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PhoneKind {
    Mobile,
    Landline,
    Service,
}

/// Mainland mobile, landline (optional extension), 400/800 or 5-digit hotline, normalized.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Phone(String);

string_newtype!(Phone);
masked_debug!(Phone);

impl Phone {
    /// Normalizes to `13800138000`, `0571-87654321[-123]`, `400-123-4567` or `12315`.
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let folded = fold_width(input);
        let s = folded.trim();
        if s.is_empty() {
            return Err(PHONE_EMPTY);
        }
        let body = s.strip_prefix('+');
        let allowed = |c: char| c.is_ascii_digit() || matches!(c, ' ' | '-' | '转');
        if !body.unwrap_or(s).chars().all(allowed) {
            return Err(PHONE_CHARS);
        }
        if !s.ends_with(|c: char| c.is_ascii_digit()) {
            return Err(PHONE_UNRECOGNISED);
        }
        if let Some(rest) = body {
            let after_cc = rest.strip_prefix("86").ok_or(PHONE_FOREIGN)?;
            return Self::parse_prefixed_mobile(after_cc);
        }
        if !s.starts_with(|c: char| c.is_ascii_digit()) {
            return Err(PHONE_UNRECOGNISED);
        }
        let digits: String = s.chars().filter(char::is_ascii_digit).collect();
        if digits.starts_with('0') {
            return parse_landline(s).map(Phone);
        }
        if s.contains('转') {
            return Err(PHONE_UNRECOGNISED);
        }
        if digits.len() == 13 && s.starts_with("86") {
            return Self::parse_prefixed_mobile(&s[2..]);
        }
        match (digits.as_bytes()[0], digits.len()) {
            (b'1' | b'9', 5) => Ok(Phone(digits)),
            (b'1', 11) => check_mobile(&digits).map(|()| Phone(digits)),
            (b'1', _) => Err(PHONE_MOBILE_LEN),
            (b'4' | b'8', 10) if digits.starts_with("400") || digits.starts_with("800") => {
                Ok(Phone(format!(
                    "{}-{}-{}",
                    &digits[..3],
                    &digits[3..6],
                    &digits[6..]
                )))
            }
            _ => Err(PHONE_UNRECOGNISED),
        }
    }

    /// A number a person can be called back on: a mobile or a landline. A 5-digit service number
    /// (`12345`, `95588`) or a 400/800 number belongs to an organisation, never to a consumer.
    pub fn parse_personal(input: &str) -> Result<Self, &'static str> {
        let phone = Self::parse(input)?;
        match phone.kind() {
            PhoneKind::Service => Err(PHONE_NOT_PERSONAL),
            PhoneKind::Mobile | PhoneKind::Landline => Ok(phone),
        }
    }

    fn parse_prefixed_mobile(rest: &str) -> Result<Self, &'static str> {
        if rest.contains('转') {
            return Err(PHONE_PREFIX_MOBILE_ONLY);
        }
        let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
        if digits.len() != 11 || !digits.starts_with('1') {
            return Err(PHONE_PREFIX_MOBILE_ONLY);
        }
        check_mobile(&digits).map(|()| Phone(digits))
    }

    /// Mobile, landline or service/hotline number.
    pub fn kind(&self) -> PhoneKind {
        if self.0.starts_with('0') {
            PhoneKind::Landline
        } else if self.0.len() == 11 && self.0.starts_with('1') {
            PhoneKind::Mobile
        } else {
            PhoneKind::Service
        }
    }

    /// `138****0000`, `0571-****4321` (extension dropped); service numbers are public.
    pub fn masked(&self) -> String {
        match self.kind() {
            PhoneKind::Mobile => format!("{}****{}", &self.0[..3], &self.0[7..]),
            PhoneKind::Landline => {
                let mut parts = self.0.split('-');
                let area = parts.next().unwrap_or_default();
                let sub = parts.next().unwrap_or_default();
                let keep = sub.len().saturating_sub(4);
                format!("{area}-{}{}", "*".repeat(keep), &sub[keep..])
            }
            PhoneKind::Service => self.0.clone(),
        }
    }
}

fn check_mobile(digits: &str) -> Result<(), &'static str> {
    match digits.as_bytes() {
        [b'1', b'3'..=b'9', ..] if digits.len() == 11 => Ok(()),
        _ if digits.len() != 11 => Err(PHONE_MOBILE_LEN),
        _ => Err(PHONE_MOBILE_PREFIX),
    }
}

fn parse_landline(s: &str) -> Result<String, &'static str> {
    // 010 and 020–029 are the only 3-digit area codes; all others have 4.
    let area_len = if s.starts_with("010") || s.starts_with("02") {
        3
    } else {
        4
    };
    let area = s
        .get(..area_len)
        .filter(|a| a.bytes().all(|b| b.is_ascii_digit()))
        .ok_or(PHONE_AREA)?;
    if area.starts_with("00") || (area.starts_with("01") && area != "010") {
        return Err(PHONE_AREA);
    }
    let rest = &s[area_len..];
    let rest = rest.strip_prefix(['-', ' ']).unwrap_or(rest);
    let sub_len = rest.bytes().take_while(u8::is_ascii_digit).count();
    if !(7..=8).contains(&sub_len) {
        return Err(PHONE_SUBSCRIBER_LEN);
    }
    if rest.starts_with(['0', '1']) {
        return Err(PHONE_SUBSCRIBER_START);
    }
    let (sub, tail) = rest.split_at(sub_len);
    let tail = tail.trim_start();
    if tail.is_empty() {
        return Ok(format!("{area}-{sub}"));
    }
    let ext = tail
        .strip_prefix('-')
        .or_else(|| tail.strip_prefix('转'))
        .map(str::trim_start)
        .filter(|e| (1..=6).contains(&e.len()) && e.bytes().all(|b| b.is_ascii_digit()))
        .ok_or(PHONE_EXT)?;
    Ok(format!("{area}-{sub}-{ext}"))
}

const ID_LENGTH: &str =
    "an ID number has 18 characters (old 15-digit numbers are no longer accepted)";
const ID_CHARS: &str = "an ID number is 17 digits followed by a digit or X";
const ID_REGION: &str = "the first two digits of the ID number are not a valid province code";
const ID_BIRTH: &str =
    "the birth date in the ID number (digits 7-14) is not a real date between 1900 and today";
const ID_CHECK: &str = "check digit does not match; re-enter the ID number";

const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK_CHARS: &[u8; 11] = b"10X98765432";
const PROVINCE_PREFIXES: [u8; 36] = [
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
    53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83, 91,
];

/// GB 11643 check character; `None` unless `first17` is exactly 17 ASCII digits.
pub fn resident_id_check_char(first17: &str) -> Option<char> {
    let b = first17.as_bytes();
    if b.len() != 17 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = b
        .iter()
        .zip(ID_WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    Some(char::from(ID_CHECK_CHARS[(sum % 11) as usize]))
}

/// GB 11643-1999 18-character resident identity number; a trailing `x` becomes `X`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResidentId(String);

string_newtype!(ResidentId);
masked_debug!(ResidentId);

impl ResidentId {
    /// Parses an identity number, checking against today's date in Beijing.
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        Self::parse_on(input, today_in_china())
    }

    // Separate from `parse` so tests can pin "today".
    fn parse_on(input: &str, today: (i32, u32, u32)) -> Result<Self, &'static str> {
        let s = fold_width(input).trim().to_ascii_uppercase();
        if s.chars().count() != 18 {
            return Err(ID_LENGTH);
        }
        let b = s.as_bytes();
        let well_formed = b.len() == 18
            && b[..17].iter().all(u8::is_ascii_digit)
            && (b[17].is_ascii_digit() || b[17] == b'X');
        if !well_formed {
            return Err(ID_CHARS);
        }
        let province = (b[0] - b'0') * 10 + (b[1] - b'0');
        if !PROVINCE_PREFIXES.contains(&province) {
            return Err(ID_REGION);
        }
        let birth = parse_ymd(&s[6..14]);
        if !is_real_date(birth) || birth < (1900, 1, 1) || birth > today {
            return Err(ID_BIRTH);
        }
        if resident_id_check_char(&s[..17]) != Some(char::from(b[17])) {
            return Err(ID_CHECK);
        }
        Ok(ResidentId(s))
    }

    /// Birth date encoded in digits 7–14 as (year, month, day).
    pub fn birth_date(&self) -> (i32, u32, u32) {
        parse_ymd(&self.0[6..14])
    }

    /// First 3 and last 4 characters kept, e.g. `330***********123X`.
    pub fn masked(&self) -> String {
        format!("{}{}{}", &self.0[..3], "*".repeat(11), &self.0[14..])
    }
}

// Caller guarantees 8 ASCII digits.
fn parse_ymd(s: &str) -> (i32, u32, u32) {
    let num = |r: std::ops::Range<usize>| s[r].parse::<u32>().unwrap_or(0);
    (num(0..4) as i32, num(4..6), num(6..8))
}

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn is_real_date((y, m, d): (i32, u32, u32)) -> bool {
    let days_in_month = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days_in_month).contains(&d)
}

// Howard Hinnant's days-from-epoch to proleptic Gregorian date algorithm.
fn civil_from_days(days: i64) -> (i32, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y as i32, m as u32, d as u32)
}

// Birth dates on ID cards are Beijing (UTC+8) calendar dates.
fn today_days_in_china() -> i64 {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    ((secs + 8 * 3600) / 86_400) as i64
}

fn today_in_china() -> (i32, u32, u32) {
    civil_from_days(today_days_in_china())
}

const USCC_LENGTH: &str = "a unified social credit code has 18 characters";
const USCC_CHARS: &str =
    "the credit code contains a character that is never used (I, O, S, V, Z or a symbol)";
const USCC_AUTHORITY: &str =
    "the first character of the credit code (registration authority) is not valid";
const USCC_DIVISION: &str =
    "characters 3-8 of the credit code (administrative division code) must be digits";
const USCC_CHECK: &str = "check character does not match; re-enter the credit code";

const USCC_CHARSET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_AUTHORITIES: &[u8] = b"123456789ABCDEFGHJKLMNPQRTUWY";
const USCC_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

fn uscc_value(b: u8) -> Option<u32> {
    let upper = b.to_ascii_uppercase();
    USCC_CHARSET
        .iter()
        .position(|&c| c == upper)
        .map(|p| p as u32)
}

/// GB 32100-2015 unified social credit code, upper-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Uscc(String);

string_newtype!(Uscc);

impl Uscc {
    /// Parses a credit code; lowercase input is accepted.
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let s = fold_width(input).trim().to_ascii_uppercase();
        if s.chars().count() != 18 {
            return Err(USCC_LENGTH);
        }
        let b = s.as_bytes();
        if !b.iter().all(|c| USCC_CHARSET.contains(c)) {
            return Err(USCC_CHARS);
        }
        if !USCC_AUTHORITIES.contains(&b[0]) {
            return Err(USCC_AUTHORITY);
        }
        if !b[2..8].iter().all(u8::is_ascii_digit) {
            return Err(USCC_DIVISION);
        }
        if Self::compute_check_char(&s[..17]) != Some(char::from(b[17])) {
            return Err(USCC_CHECK);
        }
        Ok(Uscc(s))
    }

    /// GB 32100 check character; `None` unless all 17 chars are in the charset (any case).
    pub fn compute_check_char(first17: &str) -> Option<char> {
        let b = first17.as_bytes();
        if b.len() != 17 {
            return None;
        }
        let mut sum = 0;
        for (&c, w) in b.iter().zip(USCC_WEIGHTS) {
            sum += uscc_value(c)? * w;
        }
        let check = (31 - sum % 31) % 31;
        Some(char::from(USCC_CHARSET[check as usize]))
    }

    /// The 6-digit administrative division code (characters 3–8).
    pub fn division_code(&self) -> &str {
        &self.0[2..8]
    }
}

const NAME_EMPTY: &str = "name is empty";
const NAME_TOO_LONG: &str = "name is longer than 50 characters";
const NAME_CONTROL: &str = "name contains control or invisible characters";
const NAME_DIGITS: &str = "name cannot be only digits";

// Kept whole when masking so `欧阳娜娜` shows the surname as `欧阳**`.
const COMPOUND_SURNAMES: [&str; 30] = [
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
    "令狐", "夏侯", "轩辕", "端木", "独孤", "南宫", "西门", "呼延", "万俟", "澹台", "闻人", "赫连",
    "钟离", "淳于", "申屠", "太史", "司空", "鲜于",
];

/// A trimmed person name of 1–50 characters.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PersonName(String);

string_newtype!(PersonName);
masked_debug!(PersonName);

// Zero-width and bidi-override characters can disguise a name on screen.
const INVISIBLE_RANGES: [(char, char); 5] = [
    ('\u{200B}', '\u{200F}'),
    ('\u{202A}', '\u{202E}'),
    ('\u{2060}', '\u{2064}'),
    ('\u{2066}', '\u{2069}'),
    ('\u{FEFF}', '\u{FEFF}'),
];

fn is_invisible(c: char) -> bool {
    c.is_control()
        || INVISIBLE_RANGES
            .iter()
            .any(|&(lo, hi)| (lo..=hi).contains(&c))
}

impl PersonName {
    /// Parses a name; surrounding whitespace is removed.
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let s = input.trim();
        if s.is_empty() {
            return Err(NAME_EMPTY);
        }
        if s.chars().count() > 50 {
            return Err(NAME_TOO_LONG);
        }
        if s.chars().any(is_invisible) {
            return Err(NAME_CONTROL);
        }
        if s.chars().all(|c| c.is_numeric() || c.is_whitespace()) {
            return Err(NAME_DIGITS);
        }
        Ok(PersonName(s.to_owned()))
    }

    /// Keeps the first char (or a compound surname) and stars the rest: `张*`, `欧阳**`.
    pub fn masked(&self) -> String {
        let total = self.0.chars().count();
        let keep = match COMPOUND_SURNAMES.iter().find(|p| self.0.starts_with(*p)) {
            Some(_) if total >= 3 => 2,
            _ => 1,
        };
        let mut out: String = self.0.chars().take(keep).collect();
        out.push_str(&"*".repeat(total - keep));
        out
    }
}

/// Keeps the first 6 characters of an address and appends `****`.
pub fn mask_address(s: &str) -> String {
    let mut out: String = s.trim().chars().take(6).collect();
    out.push_str("****");
    out
}

#[cfg(test)]
mod tests;
