//! The bureau's duty roster as a week (issue 17, item 9): each day with what kind of day it is on
//! the official calendar and who is on duty when, the weeks before and after a link away. The
//! bureau's admins put a member on duty (a duty ending at or before its start ends the next day)
//! and take one off: one not begun is deleted, one under way ends now. The same steps as
//! `POST /api/v1/bureaus/{code}/duty-roster` and `DELETE …/duty-roster/{duty_id}`.

use std::collections::HashMap;

use actix_session::Session;
use actix_web::{HttpRequest, web};
use askama::Template;
use askama_web::WebTemplate;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use chrono_tz::Asia::Shanghai;
use serde::Deserialize;

use super::act::{Answer, again, done_at};
use super::sessions::{instant, typed_time};
use super::signed_in::{Desk, SignedIn, take_notice};
use crate::calendar::schedule::DayKind;
use crate::deadlines::{local_date, start_of_local_day};
use crate::domain::dates::{chinese_date, chinese_date_with_weekday, chinese_weekday};
use crate::http::ApiError;
use crate::state::AppState;
use crate::urgent::Error;
use crate::urgent::roster::{self, DutyRequest, ROSTER_KEEPERS, Removed};
use crate::web::components::{Choice, DateParts, FormErrors};
use crate::web::page::Page;

const ROSTER: &str = "/staff/roster";

/// One duty on a day of the grid.
pub struct DutyLine {
    pub who: String,
    pub when: String,
    pub now: bool,
    /// Where its 移除 form posts, for the bureau's admins while it is not over.
    pub remove: Option<String>,
}

pub struct DayColumn {
    /// `12月7日`, and `星期一`.
    pub label: String,
    pub weekday: &'static str,
    /// 工作日, 休息日, the holiday's name, 调休上班.
    pub kind: String,
    pub off: bool,
    pub duties: Vec<DutyLine>,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/roster.html")]
pub struct RosterPage {
    page: Page,
    desk: Desk,
    notice: Option<String>,
    label: String,
    days: Vec<DayColumn>,
    prev: String,
    next: String,
    /// The form to put someone on duty, for the bureau's admins: who may be, and the values.
    members: Option<Vec<Choice>>,
    date: DateParts,
    input: DutyInput,
}

#[derive(Deserialize, Default)]
pub struct DutyInput {
    #[serde(default)]
    user_id: String,
    #[serde(default)]
    date_year: String,
    #[serde(default)]
    date_month: String,
    #[serde(default)]
    date_day: String,
    #[serde(default)]
    starts: String,
    #[serde(default)]
    ends: String,
}

impl DutyInput {
    fn date(&self) -> DateParts {
        DateParts {
            year: self.date_year.clone(),
            month: self.date_month.clone(),
            day: self.date_day.clone(),
        }
    }
}

#[derive(Deserialize)]
pub struct WeekQuery {
    week: Option<String>,
}

fn monday(date: NaiveDate) -> NaiveDate {
    date - Duration::days(i64::from(date.weekday().num_days_from_monday()))
}

fn week_href(first: NaiveDate) -> String {
    format!("{ROSTER}?week={}", first.format("%Y-%m-%d"))
}

fn hm(at: DateTime<Utc>) -> String {
    at.with_timezone(&Shanghai).format("%H:%M").to_string()
}

/// `08:00—20:00`, `18:00—次日 08:00`; a duty carried over from before `day` says when it began.
fn when(starts: DateTime<Utc>, ends: DateTime<Utc>, day: NaiveDate) -> String {
    let (from, to) = (local_date(starts), local_date(ends));
    let begin = if from < day {
        format!("{} {}", chinese_date(from), hm(starts))
    } else {
        hm(starts)
    };
    let end = if to == from {
        hm(ends)
    } else if to == from + Duration::days(1) {
        format!("次日 {}", hm(ends))
    } else {
        format!("{} {}", chinese_date(to), hm(ends))
    };
    format!("{begin}—{end}")
}

fn bureau_of(me: &SignedIn) -> String {
    me.staff.bureau_code.clone().unwrap_or_default()
}

async fn roster_page(
    req: &HttpRequest,
    state: &AppState,
    me: &SignedIn,
    first: NaiveDate,
    input: DutyInput,
) -> Result<RosterPage, ApiError> {
    let bureau = bureau_of(me);
    let now = state.clock.now();
    let until = start_of_local_day(first + Duration::days(7));
    let duties = roster::between(
        &state.db,
        &me.staff,
        &bureau,
        start_of_local_day(first),
        Some(until),
    )
    .await?;
    let members = roster::members(&state.db, &me.staff, &bureau).await?;
    let names: HashMap<&str, &str> = members
        .iter()
        .map(|u| (u.id.as_str(), u.display_name.as_str()))
        .collect();
    let keeps = ROSTER_KEEPERS.contains(&me.staff.role);
    let calendar = state.env.calendar.current();
    let days = (0..7)
        .map(|i| {
            let day = first + Duration::days(i);
            let (kind, off) = match calendar.day(day) {
                Ok(info) => match info.kind {
                    DayKind::Workday => ("工作日".to_owned(), false),
                    DayKind::Weekend => ("休息日".to_owned(), true),
                    DayKind::MakeupWorkday => ("调休上班".to_owned(), false),
                    DayKind::Holiday => (
                        format!("{}（法定节假日）", info.holiday_name.unwrap_or_default()),
                        true,
                    ),
                },
                Err(_) => (
                    "日历未载入".to_owned(),
                    day.weekday().number_from_monday() > 5,
                ),
            };
            let duties = duties
                .iter()
                .filter(|d| local_date(d.starts_at).max(first) == day)
                .map(|d| DutyLine {
                    who: names
                        .get(d.user_id.as_str())
                        .map_or_else(|| "（已离岗人员）".to_owned(), |n| (*n).to_owned()),
                    when: when(d.starts_at, d.ends_at, day),
                    now: d.starts_at <= now && now < d.ends_at,
                    remove: (keeps && d.ends_at > now).then(|| {
                        format!("{ROSTER}/{}/remove?week={}", d.id, first.format("%Y-%m-%d"))
                    }),
                })
                .collect();
            DayColumn {
                label: format!("{}月{}日", day.month(), day.day()),
                weekday: chinese_weekday(day),
                kind,
                off,
                duties,
            }
        })
        .collect();
    let members = keeps.then(|| {
        let options = members
            .iter()
            .map(|u| Choice::new(u.id.clone(), u.display_name.clone()));
        let all = std::iter::once(Choice::new("", "请选择"))
            .chain(options)
            .collect();
        Choice::mark(all, &[input.user_id.as_str()])
    });
    Ok(RosterPage {
        page: Page::new(req, "值班表"),
        desk: Desk::of(me),
        notice: None,
        label: format!(
            "{}至{}",
            chinese_date_with_weekday(first),
            chinese_date_with_weekday(first + Duration::days(6))
        ),
        days,
        prev: week_href(first - Duration::days(7)),
        next: week_href(first + Duration::days(7)),
        members,
        date: input.date(),
        input,
    })
}

/// `GET /staff/roster?week=`: the week holding that day (this week by default).
pub async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    me: SignedIn,
    q: web::Query<WeekQuery>,
) -> Result<RosterPage, ApiError> {
    let first = week_of(&q, state.clock.now());
    let page = roster_page(&req, &state, &me, first, DutyInput::default()).await?;
    Ok(RosterPage {
        notice: take_notice(&session),
        ..page
    })
}

/// `POST /staff/roster`: puts a member on duty.
pub async fn add(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    me: SignedIn,
    input: web::Form<DutyInput>,
) -> Answer<RosterPage> {
    me.staff.require(ROSTER_KEEPERS).map_err(Error::from)?;
    let input = input.into_inner();
    let mut errors = FormErrors::new();
    if input.user_id.is_empty() {
        errors.add("user_id", "请选择值班人员");
    }
    let date = input.date().required(
        "date",
        "请输入值班日期",
        "请输入真实存在的日期",
        &mut errors,
    );
    let starts = typed_time("starts", &input.starts, "开始时间", &mut errors);
    let ends = typed_time("ends", &input.ends, "结束时间", &mut errors);
    if let (Some(s), Some(e)) = (starts, ends)
        && s == e
    {
        errors.add("ends", "结束时间不能与开始时间相同");
    }
    let period = date.zip(starts).zip(ends).and_then(|((d, s), e)| {
        // Ending at or before the start: the duty runs through the night.
        let end_day = if e <= s { d + Duration::days(1) } else { d };
        instant(d, s).zip(instant(end_day, e))
    });
    let week = monday(date.unwrap_or_else(|| local_date(state.clock.now())));
    if let (Some((starts_at, ends_at)), true) = (period, errors.is_empty()) {
        let request = DutyRequest {
            user_id: input.user_id.clone(),
            starts_at,
            ends_at,
        };
        let txn = crate::db::begin_write(&state.db).await?;
        let now = state.clock.now();
        match roster::add(&txn, &me.staff, &bureau_of(&me), &request, now).await {
            Ok(_) => {
                txn.commit().await?;
                let day = local_date(starts_at);
                let text = format!(
                    "已安排值班：{} {}。",
                    chinese_date_with_weekday(day),
                    when(starts_at, ends_at, day)
                );
                return done_at(&session, &week_href(week), &text);
            }
            Err(Error::Invalid(_)) => errors.add("user_id", "请从列表中选择本局的工作人员"),
            Err(e) => return Err(e.into()),
        }
    }
    let page = roster_page(&req, &state, &me, week, input).await?;
    again(RosterPage {
        page: page.page.with_errors(errors),
        ..page
    })
}

/// The Monday of the week `?week=` names, or of this week.
fn week_of(q: &WeekQuery, now: DateTime<Utc>) -> NaiveDate {
    let day = q
        .week
        .as_deref()
        .and_then(|w| NaiveDate::parse_from_str(w, "%Y-%m-%d").ok())
        .unwrap_or_else(|| local_date(now));
    monday(day)
}

/// `POST /staff/roster/{id}/remove?week=`: takes a duty off the roster, back to its week.
pub async fn remove(
    state: web::Data<AppState>,
    session: Session,
    me: SignedIn,
    path: web::Path<i64>,
    q: web::Query<WeekQuery>,
) -> Answer<RosterPage> {
    let txn = crate::db::begin_write(&state.db).await?;
    let now = state.clock.now();
    let removed = roster::remove(&txn, &me.staff, &bureau_of(&me), *path, now).await?;
    txn.commit().await?;
    let text = match removed {
        Removed::Deleted => "已移除这次值班。",
        Removed::EndedNow => "这次值班已提前结束。",
    };
    done_at(&session, &week_href(week_of(&q, now)), text)
}
