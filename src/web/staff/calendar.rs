//! The working-day calendar in the workbench (issue 17, item 12): bureau and system
//! administrators see each loaded year and load the next from the State Council's notice, one
//! holiday per line and the 调休 working days below it; every fault is shown at its line. The
//! form runs `calendar::upload`, the step of `PUT /api/v1/calendar/years/{year}`.

use actix_session::Session;
use actix_web::{HttpRequest, web};
use askama::Template;
use askama_web::WebTemplate;
use chrono::NaiveDate;
use serde::Deserialize;

use super::act::{Answer, again, done_at};
use super::signed_in::{Desk, SignedIn, take_notice};
use crate::calendar::schedule::{HolidayRange, ScheduleDoc};
use crate::calendar::upload::{self, CALENDAR_KEEPERS, Error};
use crate::http::ApiError;
use crate::state::AppState;
use crate::web::components::FormErrors;
use crate::web::page::Page;

const CALENDAR: &str = "/staff/calendar";

/// A loaded year on the page.
pub struct YearLine {
    pub year: i32,
    pub working_days: u32,
    pub change: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/calendar.html")]
pub struct CalendarPage {
    page: Page,
    desk: Desk,
    notice: Option<String>,
    years: Vec<YearLine>,
    /// The form: which year, as typed, and whether it replaces a loaded one.
    year: String,
    replaces: bool,
    holidays: String,
    makeup_workdays: String,
}

#[derive(Deserialize, Default)]
pub struct CalendarInput {
    #[serde(default)]
    year: String,
    #[serde(default)]
    holidays: String,
    #[serde(default)]
    makeup_workdays: String,
}

#[derive(Deserialize)]
pub struct YearQuery {
    year: Option<i32>,
}

fn page_of(
    req: &HttpRequest,
    state: &AppState,
    me: &SignedIn,
    notice: Option<String>,
    input: CalendarInput,
) -> CalendarPage {
    let calendar = state.env.calendar.current();
    let years = upload::loaded_years(&calendar)
        .into_iter()
        .map(|y| YearLine {
            year: y.year,
            working_days: y.working_days,
            change: format!("{CALENDAR}?year={}#year", y.year),
        })
        .collect();
    let replaces = input
        .year
        .trim()
        .parse()
        .is_ok_and(|y| calendar.schedule(y).is_some());
    CalendarPage {
        page: Page::new(req, "工作日历"),
        desk: Desk::of(me),
        notice,
        years,
        year: input.year,
        replaces,
        holidays: input.holidays,
        makeup_workdays: input.makeup_workdays,
    }
}

/// `GET /staff/calendar`: the loaded years, and the form for the next year (or, with `?year=`,
/// for a loaded one, filled in to correct it).
pub async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    me: SignedIn,
    q: web::Query<YearQuery>,
) -> Result<CalendarPage, ApiError> {
    me.staff.require(CALENDAR_KEEPERS)?;
    let calendar = state.env.calendar.current();
    let next = calendar.years().into_iter().max().map_or(2027, |y| y + 1);
    let input = match q.year.and_then(|y| calendar.schedule(y)) {
        Some(s) => {
            let doc = s.to_doc();
            CalendarInput {
                year: doc.year.to_string(),
                holidays: doc
                    .holidays
                    .iter()
                    .map(|h| format!("{} {} {}", h.name, h.start, h.end))
                    .collect::<Vec<_>>()
                    .join("\n"),
                makeup_workdays: doc
                    .makeup_workdays
                    .iter()
                    .map(NaiveDate::to_string)
                    .collect::<Vec<_>>()
                    .join("\n"),
            }
        }
        None => CalendarInput {
            year: next.to_string(),
            ..CalendarInput::default()
        },
    };
    Ok(page_of(&req, &state, &me, take_notice(&session), input))
}

/// What is wrong, field by field (`year`, `holidays`, `makeup_workdays`), a text box's every bad
/// line named.
type Faults = Vec<(&'static str, String)>;

/// The faults as the form shows them: each field's together at the field.
fn form_errors(faults: &Faults) -> FormErrors {
    let mut errors = FormErrors::new();
    for field in ["year", "holidays", "makeup_workdays"] {
        let at: Vec<&str> = faults
            .iter()
            .filter(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
            .collect();
        if !at.is_empty() {
            errors.add(field, at.join("；"));
        }
    }
    errors
}

/// The lines of a text box that hold something, with their numbers (from 1).
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty())
}

fn date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// `春节 2027-02-06 2027-02-13` (or `至` between the dates; one date for a single day) per line:
/// the holidays, and the line each came from.
fn holidays(text: &str, faults: &mut Faults) -> (Vec<HolidayRange>, Vec<usize>) {
    let (mut out, mut at) = (Vec::new(), Vec::new());
    for (n, line) in lines(text) {
        let words: Vec<&str> = line
            .split_whitespace()
            .filter(|w| !matches!(*w, "至" | "-" | "—" | "~"))
            .collect();
        let range = match words.as_slice() {
            [name, start] => date(start).map(|d| (name, d, d)),
            [name, start, end] => date(start).zip(date(end)).map(|(s, e)| (name, s, e)),
            _ => None,
        };
        match range {
            Some((name, start, end)) => {
                out.push(HolidayRange {
                    name: (*name).to_owned(),
                    start,
                    end,
                });
                at.push(n);
            }
            None => faults.push((
                "holidays",
                format!("第 {n} 行：请按“名称 首日 末日”填写，日期如 2027-02-06"),
            )),
        }
    }
    (out, at)
}

/// The 调休 working days, one or more per line (separated by spaces or commas), and the line of
/// each.
fn makeup_days(text: &str, faults: &mut Faults) -> (Vec<NaiveDate>, Vec<usize>) {
    let (mut out, mut at) = (Vec::new(), Vec::new());
    for (n, line) in lines(text) {
        for word in line
            .split(|c: char| c.is_whitespace() || matches!(c, ',' | '，' | '、'))
            .filter(|w| !w.is_empty())
        {
            match date(word) {
                Some(d) => {
                    out.push(d);
                    at.push(n);
                }
                None => faults.push((
                    "makeup_workdays",
                    format!("第 {n} 行：“{word}”不是日期，请写成 2027-02-14 这样"),
                )),
            }
        }
    }
    (out, at)
}

/// The line a fault of the schedule at `field` (`holidays[2].end`, `makeup_workdays[0]`,
/// `year`) points to: the form's field and the line's number.
fn at_line(
    field: &str,
    holiday_lines: &[usize],
    makeup_lines: &[usize],
) -> (&'static str, Option<usize>) {
    let index = |rest: &str| rest.split(']').next().and_then(|i| i.parse::<usize>().ok());
    if let Some(rest) = field.strip_prefix("holidays[") {
        let line = index(rest).and_then(|i| holiday_lines.get(i).copied());
        ("holidays", line)
    } else if let Some(rest) = field.strip_prefix("makeup_workdays[") {
        let line = index(rest).and_then(|i| makeup_lines.get(i).copied());
        ("makeup_workdays", line)
    } else {
        ("year", None)
    }
}

/// `POST /staff/calendar`: loads the year.
pub async fn upload(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    me: SignedIn,
    input: web::Form<CalendarInput>,
) -> Answer<CalendarPage> {
    me.staff.require(CALENDAR_KEEPERS)?;
    let input = input.into_inner();
    let mut faults = Faults::new();
    let year = input.year.trim().parse::<i32>().ok();
    if year.is_none() {
        faults.push(("year", "请填写年份，例如 2027".into()));
    }
    if input.holidays.trim().is_empty() {
        faults.push(("holidays", "请填写这一年的法定节假日".into()));
    }
    let (holidays, holiday_lines) = holidays(&input.holidays, &mut faults);
    let (makeup_workdays, makeup_lines) = makeup_days(&input.makeup_workdays, &mut faults);
    if let (Some(year), true) = (year, faults.is_empty()) {
        let doc = ScheduleDoc {
            year,
            holidays,
            makeup_workdays,
        };
        let txn = crate::db::begin_write(&state.db).await?;
        let now = state.clock.now();
        match upload::upload(&txn, &state.env, &me.staff, year, &doc, now).await {
            Ok(loaded) => {
                txn.commit().await?;
                let y = loaded.install(&state.env);
                let text = format!(
                    "已载入 {} 年的放假安排：全年 {} 个工作日。",
                    y.year, y.working_days
                );
                return done_at(&session, CALENDAR, &text);
            }
            Err(Error::Schedule { faults: found, .. }) => {
                for f in found {
                    let (field, line) = at_line(&f.field, &holiday_lines, &makeup_lines);
                    let words = match line {
                        Some(n) => format!("第 {n} 行：{}", f.words),
                        None => f.words,
                    };
                    faults.push((field, words));
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    let page = page_of(&req, &state, &me, None, input);
    again(CalendarPage {
        page: page.page.with_errors(form_errors(&faults)),
        ..page
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holiday_lines_are_read_with_their_numbers_and_a_bad_line_is_named() {
        let mut faults = Faults::new();
        let text = "元旦 2027-01-01 2027-01-03\n\n春节 2027-02-06 至 2027-02-13\n清明节 2027-04-05\n端午\n";
        let (got, at) = holidays(text, &mut faults);
        assert_eq!(got.len(), 3);
        assert_eq!(got[1].name, "春节");
        assert_eq!(got[2].start, got[2].end);
        assert_eq!(at, vec![1, 3, 4]);
        assert_eq!(faults.len(), 1);
        assert_eq!(faults[0].0, "holidays");
        assert!(faults[0].1.starts_with("第 5 行："), "{faults:?}");
        faults.push(("holidays", "第 7 行：不对".into()));
        let errors = form_errors(&faults);
        assert!(errors.get("holidays").contains("；第 7 行："));
    }

    #[test]
    fn a_fault_of_the_schedule_points_to_the_line_it_came_from() {
        assert_eq!(
            at_line("holidays[1].end", &[1, 3], &[]),
            ("holidays", Some(3))
        );
        assert_eq!(
            at_line("makeup_workdays[0]", &[], &[2]),
            ("makeup_workdays", Some(2))
        );
        assert_eq!(at_line("year", &[], &[]), ("year", None));
    }
}
