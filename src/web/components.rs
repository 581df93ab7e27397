//! What the macros of `templates/ui.html` take: plain data a page handler fills in. Field ids are
//! the form field names, so an error links to `#name` and the message sits at the field.

use chrono::NaiveDate;

use crate::http::FieldError;

/// The errors of one submitted form, in the order the fields appear on the page.
#[derive(Debug, Default, Clone)]
pub struct FormErrors(Vec<FieldError>);

impl FormErrors {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a message for a field; the first message for a field wins.
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        if self.get(field).is_empty() {
            self.0.push(FieldError::new(field, message));
        }
    }

    /// The message for a field, empty when it has none (the macros test `is_empty`).
    pub fn get(&self, field: &str) -> &str {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map_or("", |e| e.message.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &FieldError> {
        self.0.iter()
    }
}

/// The API's field errors (e.g. from a use case's 422) become the page's, field names kept; a
/// page whose inputs are named after the API's fields needs no mapping.
impl From<Vec<FieldError>> for FormErrors {
    fn from(errors: Vec<FieldError>) -> Self {
        let mut out = FormErrors::new();
        for e in errors {
            out.add(&e.field, e.message);
        }
        out
    }
}

/// One option of a radio group, a set of checkboxes or a select.
#[derive(Debug, Clone)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub hint: String,
    /// Checked (radios, checkboxes) or selected (select).
    pub checked: bool,
}

impl Choice {
    pub fn new(value: impl Into<String>, label: impl Into<String>) -> Self {
        Choice {
            value: value.into(),
            label: label.into(),
            hint: String::new(),
            checked: false,
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = hint.into();
        self
    }

    /// Marks the options whose value is among `current` (what the user chose last time).
    pub fn mark(choices: Vec<Choice>, current: &[&str]) -> Vec<Choice> {
        choices
            .into_iter()
            .map(|c| Choice {
                checked: current.contains(&c.value.as_str()),
                ..c
            })
            .collect()
    }
}

/// The three boxes of a date input as typed, kept when the form comes back with errors. The
/// inputs are named `{name}_year`, `{name}_month` and `{name}_day`.
#[derive(Debug, Default, Clone)]
pub struct DateParts {
    pub year: String,
    pub month: String,
    pub day: String,
}

impl DateParts {
    pub fn of(date: NaiveDate) -> Self {
        use chrono::Datelike;
        DateParts {
            year: date.year().to_string(),
            month: date.month().to_string(),
            day: date.day().to_string(),
        }
    }

    /// The date typed, if it is one; full-width digits and spaces are forgiven.
    pub fn parse(&self) -> Option<NaiveDate> {
        let num = |s: &str| -> Option<u32> {
            let ascii: String = s
                .trim()
                .chars()
                .map(|c| match c {
                    '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
                    c => c,
                })
                .collect();
            ascii.parse().ok()
        };
        let year = i32::try_from(num(&self.year)?).ok()?;
        NaiveDate::from_ymd_opt(year, num(&self.month)?, num(&self.day)?)
    }

    /// The date a form requires at `field`: `empty` is the error when nothing was typed,
    /// `unreal` when what was typed is no date.
    pub fn required(
        &self,
        field: &str,
        empty: &str,
        unreal: &str,
        errors: &mut FormErrors,
    ) -> Option<NaiveDate> {
        let date = self.parse();
        if date.is_none() {
            let blank = [&self.year, &self.month, &self.day]
                .iter()
                .all(|s| s.trim().is_empty());
            errors.add(field, if blank { empty } else { unreal });
        }
        date
    }
}

/// A row of a "check your answers" list; `change` is where 更改 leads (empty: no link).
#[derive(Debug, Clone)]
pub struct SummaryRow {
    pub key: String,
    pub value: String,
    pub change: String,
}

impl SummaryRow {
    pub fn new(
        key: impl Into<String>,
        value: impl Into<String>,
        change: impl Into<String>,
    ) -> Self {
        SummaryRow {
            key: key.into(),
            value: value.into(),
            change: change.into(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepState {
    Done,
    Current,
    Upcoming,
}

/// One stage of a step indicator (登记 → 受理 → 调解 → 办结). The state is written out in words
/// beside the label, never shown by colour alone.
#[derive(Debug, Clone)]
pub struct Step {
    pub label: String,
    pub state: StepState,
}

impl Step {
    /// Labels in order, the one at `current` in progress, those before it done.
    pub fn sequence(labels: &[&str], current: usize) -> Vec<Step> {
        labels
            .iter()
            .enumerate()
            .map(|(i, label)| Step {
                label: (*label).to_owned(),
                state: match i.cmp(&current) {
                    std::cmp::Ordering::Less => StepState::Done,
                    std::cmp::Ordering::Equal => StepState::Current,
                    std::cmp::Ordering::Greater => StepState::Upcoming,
                },
            })
            .collect()
    }

    pub fn is_done(&self) -> bool {
        self.state == StepState::Done
    }

    pub fn is_current(&self) -> bool {
        self.state == StepState::Current
    }

    pub fn state_words(&self) -> &'static str {
        match self.state {
            StepState::Done => "已完成",
            StepState::Current => "进行中",
            StepState::Upcoming => "未开始",
        }
    }
}

/// A table whose first column names the row; `numeric` columns are right-aligned.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub caption: String,
    pub head: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub numeric: Vec<usize>,
}

impl Table {
    pub fn is_numeric(&self, column: &usize) -> bool {
        self.numeric.contains(column)
    }
}

/// A horizontal bar chart drawn as inline SVG. It is a picture of [`BarChart::table`], which the
/// page shows beside it with the same numbers, so nothing is only in the picture.
#[derive(Debug, Clone)]
pub struct BarChart {
    pub title: String,
    /// What the numbers count, e.g. `件`.
    pub unit: String,
    pub bars: Vec<(String, u64)>,
}

/// One bar, laid out: `y` in px from the top, `percent` of the drawing's width.
#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    pub value: u64,
    pub label_y: u32,
    pub bar_y: u32,
    pub percent: String,
}

/// Each bar has its label on a line above it, so long Chinese names never squeeze the bar.
const ROW_PX: u32 = 48;
/// Bars end at most here, leaving room for the number after the longest.
const MAX_PERCENT: f64 = 80.0;

impl BarChart {
    pub fn height(&self) -> u32 {
        ROW_PX * self.bars.len() as u32
    }

    pub fn laid_out(&self) -> Vec<Bar> {
        let max = self.bars.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1);
        self.bars
            .iter()
            .enumerate()
            .map(|(i, (label, value))| Bar {
                label: label.clone(),
                value: *value,
                label_y: ROW_PX * i as u32 + 16,
                bar_y: ROW_PX * i as u32 + 22,
                percent: format!("{:.1}", *value as f64 / max as f64 * MAX_PERCENT),
            })
            .collect()
    }

    pub fn table(&self, label_head: &str) -> Table {
        Table {
            caption: self.title.clone(),
            head: vec![label_head.to_owned(), format!("数量（{}）", self.unit)],
            rows: self
                .bars
                .iter()
                .map(|(label, value)| vec![label.clone(), value.to_string()])
                .collect(),
            numeric: vec![1],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_typed_with_full_width_digits_parses_and_a_false_one_does_not() {
        let typed = DateParts {
            year: "２０２６".into(),
            month: " 2".into(),
            day: "28".into(),
        };
        assert_eq!(typed.parse(), NaiveDate::from_ymd_opt(2026, 2, 28));
        let false_date = DateParts {
            day: "30".into(),
            ..typed
        };
        assert_eq!(false_date.parse(), None);
    }

    #[test]
    fn bars_scale_to_the_largest_value() {
        let chart = BarChart {
            title: "每月投诉".into(),
            unit: "件".into(),
            bars: vec![("1月".into(), 10), ("2月".into(), 5), ("3月".into(), 0)],
        };
        let bars = chart.laid_out();
        assert_eq!(bars[0].percent, "80.0");
        assert_eq!(bars[1].percent, "40.0");
        assert_eq!(bars[2].percent, "0.0");
        assert_eq!(bars[1].bar_y, 70);
        assert_eq!(chart.table("月份").rows[1], vec!["2月", "5"]);
    }

    #[test]
    fn the_first_error_of_a_field_is_kept() {
        let mut errors = FormErrors::new();
        errors.add("phone", "请输入手机号码");
        errors.add("phone", "another");
        assert_eq!(errors.get("phone"), "请输入手机号码");
        assert_eq!(errors.get("name"), "");
        assert_eq!(errors.iter().count(), 1);
    }
}

/// Every macro of `templates/ui.html` on one page, rendered to
/// `$CARGO_TARGET_DIR/browser-artifacts/gallery.html`, where the browser tests check it with
/// axe-core and the Nu HTML Checker.
#[cfg(test)]
mod gallery {
    use askama::Template;

    use super::*;
    use crate::web::page::Page;

    #[derive(Template)]
    #[template(path = "tests/gallery.html")]
    struct Gallery {
        page: Page,
        steps: Vec<Step>,
        categories: Vec<Choice>,
        yes_no: Vec<Choice>,
        demands: Vec<Choice>,
        id_types: Vec<Choice>,
        date: DateParts,
        rows: Vec<SummaryRow>,
        table: Table,
        chart: BarChart,
    }

    fn gallery() -> Gallery {
        let req = actix_web::test::TestRequest::get()
            .uri("/gallery")
            .to_http_request();
        let mut errors = FormErrors::new();
        errors.add("name", "请输入姓名");
        errors.add("facts", "事情经过最多 2000 字");
        errors.add("category", "请选择投诉类别");
        errors.add("occurred_on", "消费日期必须是真实的日期");
        let chart = BarChart {
            title: "2026年每月收到的投诉".into(),
            unit: "件".into(),
            bars: vec![("9月".into(), 12), ("10月".into(), 30), ("11月".into(), 7)],
        };
        Gallery {
            page: Page::new(&req, "组件示例")
                .with_errors(errors)
                .with_back("/"),
            steps: Step::sequence(&["登记", "受理", "调解", "办结"], 1),
            categories: Choice::mark(
                vec![
                    Choice::new("catering", "餐饮").hint("饭店、外卖"),
                    Choice::new("ecommerce", "网络购物"),
                ],
                &[],
            ),
            yes_no: Choice::mark(
                vec![Choice::new("yes", "是"), Choice::new("no", "否")],
                &["yes"],
            ),
            demands: Choice::mark(
                vec![
                    Choice::new("refund", "退款"),
                    Choice::new("damages", "赔偿"),
                ],
                &["refund", "damages"],
            ),
            id_types: Choice::mark(
                vec![
                    Choice::new("resident_id", "居民身份证"),
                    Choice::new("passport", "护照"),
                ],
                &["passport"],
            ),
            date: DateParts {
                year: "2026".into(),
                month: "2".into(),
                day: "30".into(),
            },
            rows: vec![
                SummaryRow::new("经营者", "西塘某餐馆", "/complaints/new/business"),
                SummaryRow::new("事情经过", "第一行\n第二行", "/complaints/new/facts"),
                SummaryRow::new("登记号", "TS20261122-C31KVT78", ""),
            ],
            table: chart.table("月份"),
            chart,
        }
    }

    #[test]
    fn every_component_renders_its_label_hint_error_and_value() {
        let html = gallery().render().unwrap();
        assert!(html.contains("<title>错误：组件示例 - 消费投诉举报服务</title>"));
        // The summary links to each field, and each field carries its own message.
        for (field, message) in [
            ("name", "请输入姓名"),
            ("facts", "事情经过最多 2000 字"),
            ("category", "请选择投诉类别"),
            ("occurred_on", "消费日期必须是真实的日期"),
        ] {
            assert!(html.contains(&format!(r##"<a href="#{field}">{message}</a>"##)));
            assert!(html.contains(&format!(r#"id="{field}-error""#)), "{field}");
            assert!(
                html.contains(&format!(r#"id="{field}""#)),
                "{field} has an anchor"
            );
        }
        assert!(html.contains(r#"<label class="label" for="name">姓名</label>"#));
        assert!(html.contains(r#"value="张三" autocomplete="name" aria-describedby="name-error " aria-invalid="true">"#));
        assert!(html.contains(r#"aria-describedby="phone-hint ""#));
        assert!(html.contains(r#"aria-describedby="facts-hint facts-error facts-info""#));
        assert!(html.contains(">菜品中发现异物。</textarea>"));
        assert!(html.contains(r#"name="odr" type="radio" value="yes" checked>"#));
        assert!(
            html.contains(
                r#"id="demands-2" name="demands" type="checkbox" value="damages" checked>"#
            )
        );
        assert!(html.contains(r#"<option value="passport" selected>护照</option>"#));
        assert!(
            html.contains(r#"name="occurred_on_day" type="text" inputmode="numeric" value="30""#)
        );
        assert!(html.contains(r#"<a href="/" class="back-link">返回</a>"#));
        assert!(html.contains(r#"aria-current="step""#));
        assert!(html.contains(r#"<span class="steps__state">已完成</span>"#));
        assert!(html.contains("更改<span class=\"visually-hidden\">经营者</span>"));
        assert!(html.contains(r#"<td class="table__cell table__cell--numeric">30</td>"#));
        assert!(html.contains(r#"width="80.0%""#), "the largest bar");
        assert!(
            !html.contains("style="),
            "no inline style: the CSP forbids it"
        );

        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into()));
        let dir = dir.join("browser-artifacts");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("gallery.html"), html).unwrap();
    }
}
