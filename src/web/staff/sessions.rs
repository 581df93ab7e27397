//! Scheduling a mediation session from the case page, online or in person, beside the case
//! mediator's week (the slots taken that week, a link to the weeks before and after, no script);
//! a double booking is refused with the clashing session named; others taking part (an agent, an
//! expert, an interpreter) are named with the role they come in and get the notice by email. The same step as
//! `POST /api/v1/cases/{id}/sessions`; recording a held session is in `minutes`.

use actix_session::Session;
use actix_web::{HttpRequest, web};
use askama::Template;
use askama_web::WebTemplate;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Asia::Shanghai;
use serde::Deserialize;

use super::act::{self, Answer, Text, again, done, mediating, span, station_case};
use super::signed_in::{Desk, SignedIn};
use super::words::OTHER_ROLES;
use crate::deadlines::{local_date, start_of_local_day};
use crate::domain::dates::chinese_date_with_weekday;
use crate::entities::case;
use crate::http::ApiError;
use crate::mediation::sessions::{self, Participant};
use crate::mediation::states::SessionMode;
use crate::mediation::{self};
use crate::state::AppState;
use crate::web::components::{Choice, DateParts, FormErrors, Table};
use crate::web::journey::{Form, value};
use crate::web::page::Page;

/// A case whose mediator may be given a session.
fn schedulable(c: &case::Model) -> bool {
    mediating(c) && c.mediator_id.is_some()
}

/// The Monday of the week `date` falls in.
fn monday(date: NaiveDate) -> NaiveDate {
    date - Duration::days(i64::from(date.weekday().num_days_from_monday()))
}

fn iso(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// `09:30`, `9:30` or `９：３０` → the time.
fn clock_time(text: &str) -> Option<NaiveTime> {
    let ascii: String = text
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            '：' => ':',
            c => c,
        })
        .collect();
    NaiveTime::parse_from_str(&ascii, "%H:%M").ok()
}

/// The time a form requires at `field`, typed as on a clock; `what` names it in the errors.
pub(super) fn typed_time(
    field: &str,
    text: &str,
    what: &str,
    errors: &mut FormErrors,
) -> Option<NaiveTime> {
    if text.trim().is_empty() {
        errors.add(field, format!("请输入{what}"));
        return None;
    }
    let t = clock_time(text);
    if t.is_none() {
        errors.add(field, format!("请按 09:30 的格式输入{what}"));
    }
    t
}

/// A video meeting's link as the API takes it: http(s), at most 500 characters.
pub(super) fn is_web_link(text: &str) -> bool {
    (text.starts_with("https://") || text.starts_with("http://")) && text.chars().count() <= 500
}

pub(super) const WEB_LINK_RULE: &str = "请输入以 https:// 开头的链接，最多 500 个字符";

/// A Beijing date and time as an instant.
pub(super) fn instant(date: NaiveDate, time: NaiveTime) -> Option<DateTime<Utc>> {
    Shanghai
        .from_local_datetime(&date.and_time(time))
        .single()
        .map(|t| t.with_timezone(&Utc))
}

/// The mediator's sessions of one week, as the form shows them.
pub struct Week {
    pub label: String,
    pub table: Table,
    pub prev: String,
    pub next: String,
}

async fn week_of(
    state: &AppState,
    c: &case::Model,
    mediator_id: &str,
    mediator: &str,
    first: NaiveDate,
) -> Result<Week, ApiError> {
    let last = first + Duration::days(6);
    let taken = sessions::of_mediator(
        &state.db,
        mediator_id,
        start_of_local_day(first),
        start_of_local_day(first + Duration::days(7)),
    )
    .await?;
    let label = format!(
        "{}至{}",
        chinese_date_with_weekday(first),
        chinese_date_with_weekday(last)
    );
    let rows = taken
        .iter()
        .map(|s| {
            vec![
                chinese_date_with_weekday(local_date(s.starts_at)),
                span(s.starts_at, s.ends_at)
                    .rsplit(' ')
                    .next()
                    .unwrap_or_default()
                    .to_owned(),
                mode_words(s.mode).to_owned(),
                if s.case_id == c.id {
                    "本案".to_owned()
                } else {
                    "其他案件".to_owned()
                },
            ]
        })
        .collect();
    Ok(Week {
        table: Table {
            caption: format!("调解员{mediator}已安排的调解会（{label}）"),
            head: ["日期", "时间", "方式", "案件"].map(String::from).to_vec(),
            rows,
            numeric: Vec::new(),
        },
        label,
        prev: format!(
            "/staff/cases/{}/sessions/new?week={}",
            c.id,
            iso(first - Duration::days(7))
        ),
        next: format!(
            "/staff/cases/{}/sessions/new?week={}",
            c.id,
            iso(first + Duration::days(7))
        ),
    })
}

fn mode_words(mode: SessionMode) -> &'static str {
    match mode {
        SessionMode::Online => "线上视频调解",
        SessionMode::InPerson => "现场调解",
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/session_new.html")]
pub struct SchedulePage {
    page: Page,
    desk: Desk,
    id: String,
    receipt_number: String,
    mediator: String,
    week: Week,
    modes: Vec<Choice>,
    date: DateParts,
    input: ScheduleInput,
}

#[derive(Default)]
pub struct ScheduleInput {
    mode: String,
    date_year: String,
    date_month: String,
    date_day: String,
    starts: String,
    ends: String,
    video_url: String,
    room: String,
    address: String,
    others: Vec<Other>,
}

/// How many others the form has rows for.
const OTHERS: usize = 3;

/// A row of the form for someone else taking part (an agent, an expert, ...): the fields are
/// `other_{n}_name`, `other_{n}_role` and `other_{n}_email`.
#[derive(Default)]
pub struct Other {
    pub n: usize,
    pub who: String,
    pub role_code: String,
    pub mail: String,
    pub roles: Vec<Choice>,
}

impl Other {
    pub fn field(&self, part: &str) -> String {
        format!("other_{}_{part}", self.n)
    }
}

impl ScheduleInput {
    fn of(form: &Form) -> ScheduleInput {
        let others = (1..=OTHERS)
            .map(|n| {
                let v = |part: &str| value(form, &format!("other_{n}_{part}"));
                other_row(n, v("name"), v("role"), v("email"))
            })
            .collect();
        ScheduleInput {
            mode: value(form, "mode"),
            date_year: value(form, "date_year"),
            date_month: value(form, "date_month"),
            date_day: value(form, "date_day"),
            starts: value(form, "starts"),
            ends: value(form, "ends"),
            video_url: value(form, "video_url"),
            room: value(form, "room"),
            address: value(form, "address"),
            others,
        }
    }

    fn blank() -> ScheduleInput {
        ScheduleInput {
            others: (1..=OTHERS)
                .map(|n| other_row(n, String::new(), String::new(), String::new()))
                .collect(),
            ..ScheduleInput::default()
        }
    }

    fn date(&self) -> DateParts {
        DateParts {
            year: self.date_year.clone(),
            month: self.date_month.clone(),
            day: self.date_day.clone(),
        }
    }
}

fn other_row(n: usize, who: String, role_code: String, mail: String) -> Other {
    let roles = std::iter::once(Choice::new("", "请选择"))
        .chain(OTHER_ROLES.iter().map(|(code, w)| Choice::new(*code, *w)))
        .collect();
    Other {
        n,
        roles: Choice::mark(roles, &[role_code.as_str()]),
        who,
        role_code,
        mail,
    }
}

/// The others the form names, checked: a row left empty is skipped.
fn others_of(input: &ScheduleInput, errors: &mut FormErrors) -> Vec<Participant> {
    use validator::ValidateEmail;
    let mut out = Vec::new();
    for o in &input.others {
        let (who, mail) = (o.who.trim(), o.mail.trim());
        if who.is_empty() && mail.is_empty() {
            continue;
        }
        let field = o.field("name");
        let name = Text {
            field: &field,
            what: "参加人姓名",
            min: 1,
            max: 100,
            lines: false,
        };
        name.check(who, "请输入参加人的姓名，或清空这一行", errors);
        if !OTHER_ROLES.iter().any(|(code, _)| *code == o.role_code) {
            errors.add(&o.field("role"), "请选择参加人的身份");
        }
        if !mail.is_empty() && !mail.validate_email() {
            errors.add(
                &o.field("email"),
                "请输入有效的电子邮箱，例如 name@example.com；没有可以不填",
            );
        }
        out.push(Participant {
            name: who.to_owned(),
            role: o.role_code.clone(),
            email: (!mail.is_empty()).then(|| mail.to_owned()),
        });
    }
    out
}

#[derive(Deserialize)]
pub struct WeekQuery {
    week: Option<String>,
}

async fn schedule_page(
    req: &HttpRequest,
    state: &AppState,
    me: &SignedIn,
    c: &case::Model,
    first: NaiveDate,
    input: ScheduleInput,
    errors: FormErrors,
) -> Result<SchedulePage, ApiError> {
    let mediator_id = c.mediator_id.clone().unwrap_or_default();
    let mediator = mediation::station_mediator(&state.db, c, &mediator_id)
        .await?
        .map_or_else(|| "（不在岗）".to_owned(), |m| m.display_name);
    let week = week_of(state, c, &mediator_id, &mediator, first).await?;
    let modes = vec![
        Choice::new("in_person", "现场调解").hint("在调解室，填写调解室和地址"),
        Choice::new("online", "线上视频调解").hint("填写视频会议链接"),
    ];
    Ok(SchedulePage {
        page: Page::new(req, format!("安排调解会 {}", c.receipt_number))
            .with_back(format!("/staff/cases/{}", c.id))
            .with_errors(errors),
        desk: Desk::of(me),
        id: c.id.clone(),
        receipt_number: c.receipt_number.clone(),
        mediator,
        week,
        modes: Choice::mark(modes, &[input.mode.as_str()]),
        date: input.date(),
        input,
    })
}

/// `GET /staff/cases/{id}/sessions/new[?week=YYYY-MM-DD]`: the form beside the mediator's week.
pub async fn schedule_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: SignedIn,
    path: web::Path<String>,
    query: web::Query<WeekQuery>,
) -> Result<SchedulePage, ApiError> {
    let c = station_case(&state, &me, &path, schedulable).await?;
    let today = local_date(state.clock.now());
    let shown = query
        .week
        .as_deref()
        .and_then(|w| NaiveDate::parse_from_str(w, "%Y-%m-%d").ok())
        .unwrap_or(today);
    let input = ScheduleInput::blank();
    let page = schedule_page(
        &req,
        &state,
        &me,
        &c,
        monday(shown),
        input,
        FormErrors::new(),
    );
    page.await
}

/// The page's checks in words; the request for the step when there are none.
fn checked(
    input: &ScheduleInput,
    now: DateTime<Utc>,
    errors: &mut FormErrors,
) -> Option<sessions::SessionRequest> {
    let mode = match input.mode.as_str() {
        "online" => Some(SessionMode::Online),
        "in_person" => Some(SessionMode::InPerson),
        _ => {
            errors.add("mode", "请选择调解方式");
            None
        }
    };
    let date = input
        .date()
        .required("date", "请输入调解日期", "调解日期必须是真实的日期", errors);
    let starts = typed_time("starts", &input.starts, "开始时间", errors);
    let ends = typed_time("ends", &input.ends, "结束时间", errors);
    let participants = others_of(input, errors);
    let video_url = input.video_url.trim();
    let (room, address) = (input.room.trim(), input.address.trim());
    match mode {
        Some(SessionMode::Online) => {
            if video_url.is_empty() {
                errors.add("video_url", "线上调解请填写视频会议链接");
            } else if !is_web_link(video_url) {
                errors.add("video_url", WEB_LINK_RULE);
            }
        }
        Some(SessionMode::InPerson) => {
            let room_text = Text {
                field: "room",
                what: "调解室",
                min: 1,
                max: 100,
                lines: false,
            };
            room_text.check(room, "现场调解请填写调解室", errors);
            let address_text = Text {
                field: "address",
                what: "地址",
                min: 2,
                max: 300,
                lines: false,
            };
            address_text.check(address, "现场调解请填写调解地点的地址", errors);
        }
        None => {}
    }
    let (mode, date, starts, ends) = (mode?, date?, starts?, ends?);
    let (starts_at, ends_at) = (instant(date, starts)?, instant(date, ends)?);
    if ends_at <= starts_at {
        errors.add("ends", "结束时间必须晚于开始时间");
    } else if ends_at - starts_at > Duration::hours(8) {
        errors.add("ends", "一次调解会最长 8 小时");
    }
    if starts_at <= now {
        errors.add("date", "调解会须安排在今后的时间，以便提前通知双方");
    }
    let some = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    let request = sessions::SessionRequest {
        mode,
        starts_at,
        ends_at,
        video_url: some(video_url).filter(|_| mode == SessionMode::Online),
        room: some(room).filter(|_| mode == SessionMode::InPerson),
        address: some(address).filter(|_| mode == SessionMode::InPerson),
        participants,
    };
    act::rules(&request, errors);
    errors.is_empty().then_some(request)
}

/// `POST /staff/cases/{id}/sessions/new`: the step of `POST /api/v1/cases/{id}/sessions`.
pub async fn schedule(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    me: SignedIn,
    path: web::Path<String>,
    form: Form,
) -> Answer<SchedulePage> {
    let c = station_case(&state, &me, &path, schedulable).await?;
    let input = ScheduleInput::of(&form);
    let now = state.clock.now();
    let mut errors = FormErrors::new();
    if let Some(request) = checked(&input, now, &mut errors) {
        let txn = crate::db::begin_write(&state.db).await?;
        match sessions::schedule(&txn, &me.staff, &c.id, request, now).await {
            Ok(s) => {
                txn.commit().await?;
                let text = format!(
                    "已安排调解会（{}），双方会收到通知和日历邀请。",
                    span(s.starts_at, s.ends_at)
                );
                return done(&session, &c.id, &text);
            }
            Err(mediation::Error::DoubleBooked(from, to)) => {
                errors.add(
                    "starts",
                    format!("调解员在 {from} 至 {to} 已有调解会，请另选时间"),
                );
            }
            Err(mediation::Error::Invalid(invalid)) => {
                for f in &invalid.0 {
                    let field = match f.field.as_str() {
                        "starts_at" => "starts",
                        "ends_at" => "ends",
                        "video_url" | "room" | "address" => f.field.as_str(),
                        _ => "mode",
                    };
                    errors.add(field, "填写的内容不符合要求，请检查");
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    let shown = input
        .date()
        .parse()
        .unwrap_or_else(|| local_date(state.clock.now()));
    again(schedule_page(&req, &state, &me, &c, monday(shown), input, errors).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_typed_as_on_a_clock_and_weeks_start_on_monday() {
        assert_eq!(clock_time("9:30"), NaiveTime::from_hms_opt(9, 30, 0));
        assert_eq!(
            clock_time(" ０９：３０ "),
            NaiveTime::from_hms_opt(9, 30, 0)
        );
        assert_eq!(clock_time("25:00"), None);
        assert_eq!(clock_time("九点"), None);
        let wednesday = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        assert_eq!(
            monday(wednesday),
            NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
        );
        assert_eq!(monday(monday(wednesday)), monday(wednesday));
        // 09:30 in Beijing is 01:30 UTC.
        let at = instant(wednesday, NaiveTime::from_hms_opt(9, 30, 0).unwrap()).unwrap();
        assert_eq!(at.to_rfc3339(), "2026-11-25T01:30:00+00:00");
    }
}
