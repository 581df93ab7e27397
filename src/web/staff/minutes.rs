//! Recording a mediation session that has begun, from the case page: who of the parties and
//! the invited attended, and the minutes (调解笔录). The same step as
//! `POST /api/v1/cases/{id}/sessions/{session_id}/record`.

use actix_session::Session;
use actix_web::{HttpRequest, web};
use askama::Template;
use askama_web::WebTemplate;

use super::act::{self, Answer, Text, again, done, span, station_case};
use super::signed_in::{Desk, SignedIn};
use crate::cases::PartyRole;
use crate::cases::detail::detail;
use crate::entities::{case, mediation_session};
use crate::http::ApiError;
use crate::mediation::sessions::{self, Attendance, Participant, RecordSessionRequest};
use crate::mediation::states::SessionStatus;
use crate::state::AppState;
use crate::web::components::{Choice, FormErrors};
use crate::web::journey::{Form, value};
use crate::web::page::Page;

/// A session is recorded whatever became of its case since.
fn any(_: &case::Model) -> bool {
    true
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/session_record.html")]
pub struct RecordPage {
    page: Page,
    desk: Desk,
    id: String,
    session_id: i64,
    receipt_number: String,
    when: String,
    attendees: Vec<Choice>,
    minutes: String,
}

/// Who may attend: the complainants, the respondent's contact or the respondent, and the
/// participants invited; value = position in this list.
async fn attendees(
    state: &AppState,
    me: &SignedIn,
    c: &case::Model,
    s: &mediation_session::Model,
) -> Result<Vec<Attendance>, ApiError> {
    let read = detail(&state.db, &me.staff, &c.id, state.clock.now()).await?;
    let mut out: Vec<Attendance> = read
        .detail
        .parties
        .iter()
        .filter_map(|p| {
            let role = match p.role {
                PartyRole::Complainant => "complainant",
                PartyRole::Representative => "representative",
                PartyRole::Respondent => "respondent",
                PartyRole::Reporter => return None,
            };
            Some(Attendance {
                name: p.name.clone(),
                role: role.to_owned(),
                present: false,
            })
        })
        .collect();
    if !out.iter().any(|a| a.role == "respondent") {
        out.push(Attendance {
            name: c.respondent_name.clone(),
            role: "respondent".to_owned(),
            present: false,
        });
    }
    let invited: Vec<Participant> = serde_json::from_str(&s.participants).unwrap_or_default();
    out.extend(invited.into_iter().map(|p| Attendance {
        name: p.name,
        role: p.role,
        present: false,
    }));
    Ok(out)
}

fn role_words(role: &str) -> &str {
    match role {
        "complainant" => "投诉人",
        "representative" => "代表人",
        "respondent" => "被投诉方",
        "agent" => "代理人",
        "expert" => "专家",
        "interpreter" => "翻译",
        other => other,
    }
}

/// The case and its session, if it has begun and is not yet recorded.
async fn held(
    state: &AppState,
    me: &SignedIn,
    id: &str,
    session_id: i64,
) -> Result<(case::Model, mediation_session::Model), ApiError> {
    let c = station_case(state, me, id, any).await?;
    let s = sessions::list(&state.db, &c.id)
        .await?
        .into_iter()
        .find(|s| s.id == session_id)
        .ok_or_else(|| ApiError::not_found("no such session on this case"))?;
    if s.status != SessionStatus::Scheduled || s.starts_at > state.clock.now() {
        return Err(ApiError::conflict(
            "session_not_scheduled",
            "a session is recorded once, after it has begun",
        ));
    }
    Ok((c, s))
}

/// The attendees as checkboxes, those ticked last time ticked again.
fn ticks(people: &[Attendance], present: &[String]) -> Vec<Choice> {
    let attendees = people
        .iter()
        .enumerate()
        .map(|(i, a)| {
            Choice::new(
                i.to_string(),
                format!("{}：{}", role_words(&a.role), a.name),
            )
        })
        .collect();
    let present: Vec<&str> = present.iter().map(String::as_str).collect();
    Choice::mark(attendees, &present)
}

fn record_page(
    req: &HttpRequest,
    me: &SignedIn,
    c: &case::Model,
    s: &mediation_session::Model,
    attendees: Vec<Choice>,
    minutes: String,
    errors: FormErrors,
) -> RecordPage {
    RecordPage {
        page: Page::new(req, format!("记录调解会 {}", c.receipt_number))
            .with_back(format!("/staff/cases/{}", c.id))
            .with_errors(errors),
        desk: Desk::of(me),
        id: c.id.clone(),
        session_id: s.id,
        receipt_number: c.receipt_number.clone(),
        when: span(s.starts_at, s.ends_at),
        attendees,
        minutes,
    }
}

/// `GET /staff/cases/{id}/sessions/{session_id}/record`
pub async fn record_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: SignedIn,
    path: web::Path<(String, i64)>,
) -> Result<RecordPage, ApiError> {
    let (id, session_id) = path.into_inner();
    let (c, s) = held(&state, &me, &id, session_id).await?;
    let people = attendees(&state, &me, &c, &s).await?;
    let page = record_page(
        &req,
        &me,
        &c,
        &s,
        ticks(&people, &[]),
        String::new(),
        FormErrors::new(),
    );
    Ok(page)
}

/// `POST /staff/cases/{id}/sessions/{session_id}/record`: the step of
/// `POST /api/v1/cases/{id}/sessions/{session_id}/record`.
pub async fn record(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    me: SignedIn,
    path: web::Path<(String, i64)>,
    form: Form,
) -> Answer<RecordPage> {
    let (id, session_id) = path.into_inner();
    let (c, s) = held(&state, &me, &id, session_id).await?;
    let people = attendees(&state, &me, &c, &s).await?;
    let present: Vec<String> = form
        .iter()
        .filter(|(k, _)| k == "present")
        .map(|(_, v)| v.clone())
        .collect();
    let minutes = value(&form, "minutes");
    let mut errors = FormErrors::new();
    if present
        .iter()
        .any(|v| v.parse::<usize>().map_or(true, |i| i >= people.len()))
    {
        errors.add("present", "请只勾选列表中的参加人");
    }
    let text = Text {
        field: "minutes",
        what: "调解笔录",
        min: 1,
        max: 20000,
        lines: true,
    };
    text.check(minutes.trim(), "请填写调解笔录", &mut errors);
    let request = RecordSessionRequest {
        attendance: people
            .iter()
            .enumerate()
            .map(|(i, a)| Attendance {
                present: present.contains(&i.to_string()),
                ..a.clone()
            })
            .collect(),
        minutes: minutes.trim().to_owned(),
    };
    act::rules(&request, &mut errors);
    if errors.is_empty() {
        let txn = crate::db::begin_write(&state.db).await?;
        let now = state.clock.now();
        sessions::record(&txn, &me.staff, &c.id, s.id, &request, now).await?;
        txn.commit().await?;
        return done(&session, &c.id, "已记录调解会的出席情况和笔录。");
    }
    let attendees = ticks(&people, &present);
    again(record_page(&req, &me, &c, &s, attendees, minutes, errors))
}
