//! Complaints about one incident filed in different cities (issue 17, item 8): a bureau admin
//! links them from a case's page by the other complaints' receipt numbers, and every involved
//! bureau and station reads the incident's page: its cases without personal data (a link to
//! those the caller may open) and its joint sessions. The same steps as `POST /api/v1/incidents`
//! and `GET /api/v1/incidents/{id}`.

use actix_session::Session;
use actix_web::{HttpRequest, web};
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use super::act::{Answer, Text, again};
use super::sessions::{WEB_LINK_RULE, instant, is_web_link, typed_time};
use super::signed_in::{Desk, SignedIn, notice, take_notice};
use crate::cases::access::{Act, act_on};
use crate::domain::dates::{chinese_date, chinese_time};
use crate::domain::text::is_single_line;
use crate::entities::case;
use crate::http::ApiError;
use crate::intake::receipt::normalize_receipt;
use crate::routing::incident::{
    self, Error, IncidentView, JOINT_SESSION_ROLES, NewIncident, NewSession,
};
use crate::routing::joint_session_mode::JointSessionMode;
use crate::state::AppState;
use crate::web::components::{Choice, DateParts, FormErrors, SummaryRow};
use crate::web::journey::{Form, values};
use crate::web::page::Page;

/// The API's limits: an incident links at most 50 complaints.
const MAX_CASES: usize = 50;
const MAX_DESCRIPTION_CHARS: usize = 2000;

#[derive(Template, WebTemplate)]
#[template(path = "staff/incident_new.html")]
pub struct LinkPage {
    page: Page,
    desk: Desk,
    id: String,
    receipt_number: String,
    input: LinkInput,
}

#[derive(Deserialize, Default)]
pub struct LinkInput {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// The other complaints' receipt numbers, one a line.
    #[serde(default)]
    pub others: String,
}

fn link_page(
    req: &HttpRequest,
    me: &SignedIn,
    c: &case::Model,
    input: LinkInput,
    errors: FormErrors,
) -> LinkPage {
    LinkPage {
        page: Page::new(req, format!("关联同一事件的投诉 {}", c.receipt_number))
            .with_back(format!("/staff/cases/{}", c.id))
            .with_errors(errors),
        desk: Desk::of(me),
        id: c.id.clone(),
        receipt_number: c.receipt_number.clone(),
        input,
    }
}

/// A complaint not yet linked to an incident, which its bureau's admin may link.
async fn linkable(state: &AppState, me: &SignedIn, id: &str) -> Result<case::Model, ApiError> {
    let c = act_on(&state.db, &me.staff, id, Act::BureauDecision).await?;
    if incident::of_case(&state.db, &c.id).await?.is_some() {
        return Err(ApiError::conflict(
            "already_in_incident",
            "the case is already linked to an incident",
        ));
    }
    Ok(c)
}

/// `GET /staff/cases/{id}/incident`
pub async fn link_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: SignedIn,
    path: web::Path<String>,
) -> Result<LinkPage, ApiError> {
    let c = linkable(&state, &me, &path).await?;
    Ok(link_page(
        &req,
        &me,
        &c,
        LinkInput::default(),
        FormErrors::new(),
    ))
}

/// `POST /staff/cases/{id}/incident`: the step of `POST /api/v1/incidents`, with this case first.
pub async fn link(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: SignedIn,
    path: web::Path<String>,
    input: web::Form<LinkInput>,
) -> Answer<LinkPage> {
    let c = linkable(&state, &me, &path).await?;
    let input = input.into_inner();
    let mut errors = FormErrors::new();
    Text {
        field: "title",
        what: "事件名称",
        min: 2,
        max: 200,
        lines: false,
    }
    .check(input.title.trim(), "请填写事件名称", &mut errors);
    if input.description.chars().count() > MAX_DESCRIPTION_CHARS {
        errors.add(
            "description",
            format!("事件说明最多 {MAX_DESCRIPTION_CHARS} 字"),
        );
    }
    let mut receipts = vec![c.receipt_number.clone()];
    receipts.extend(
        input
            .others
            .lines()
            .map(normalize_receipt)
            .filter(|r| !r.is_empty()),
    );
    if receipts.len() < 2 {
        errors.add("others", "请填写至少一件其他投诉的登记号");
    } else if receipts.len() > MAX_CASES {
        errors.add("others", format!("一个事件最多关联 {MAX_CASES} 件投诉"));
    } else if let Some(bad) = receipts.iter().find(|r| !is_single_line(r)) {
        errors.add("others", format!("登记号“{bad}”格式不正确"));
    }
    if !errors.is_empty() {
        return again(link_page(&req, &me, &c, input, errors));
    }
    let description = input.description.trim();
    let asked = NewIncident {
        title: input.title.trim(),
        description: (!description.is_empty()).then_some(description),
        receipt_numbers: &receipts,
    };
    let txn = crate::db::begin_write(&state.db).await?;
    match incident::create(&txn, &me.staff, asked, state.clock.now()).await {
        Ok(v) => {
            txn.commit().await?;
            Ok(actix_web::Either::Left(
                web::Redirect::to(format!("/staff/incidents/{}", v.id)).see_other(),
            ))
        }
        Err(Error::Invalid(faults)) => {
            for f in faults.0 {
                let index = f
                    .field
                    .trim_start_matches("receipt_numbers[")
                    .trim_end_matches(']')
                    .parse::<usize>();
                let receipt = index.ok().and_then(|i| receipts.get(i)).cloned();
                let message = match receipt {
                    Some(r) if receipts.iter().filter(|x| **x == r).count() > 1 => {
                        format!("登记号“{r}”重复填写")
                    }
                    Some(r) => format!("没有登记号为“{r}”的投诉"),
                    None => "填写的内容格式不正确，请检查".to_owned(),
                };
                errors.add("others", message);
            }
            again(link_page(&req, &me, &c, input, errors))
        }
        Err(Error::AlreadyLinked { case_id, .. }) => {
            let other = receipts_of(&state, &case_id).await?;
            errors.add("others", format!("投诉“{other}”已关联到另一个事件"));
            again(link_page(&req, &me, &c, input, errors))
        }
        Err(e) => Err(e.into()),
    }
}

async fn receipts_of(state: &AppState, case_id: &str) -> Result<String, ApiError> {
    use sea_orm::EntityTrait;
    Ok(case::Entity::find_by_id(case_id.to_owned())
        .one(&state.db)
        .await?
        .map(|c| c.receipt_number)
        .unwrap_or_default())
}

/// A linked case on the incident's page.
pub struct CaseLine {
    pub receipt_number: String,
    /// The case page, for a case the caller may open.
    pub href: Option<String>,
    pub bureau: String,
    pub what: String,
    pub status: &'static str,
}

/// A joint session on the incident's page.
pub struct SessionLine {
    pub when: String,
    pub how: String,
    pub bureaus: String,
    pub note: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/incident.html")]
pub struct IncidentPage {
    page: Page,
    desk: Desk,
    id: String,
    notice: Option<String>,
    /// The caller's role records joint sessions.
    can_schedule: bool,
    summary: Vec<SummaryRow>,
    cases: Vec<CaseLine>,
    sessions: Vec<SessionLine>,
}

/// `GET /staff/incidents/{id}`
pub async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    me: SignedIn,
    path: web::Path<String>,
) -> Result<IncidentPage, ApiError> {
    let v: IncidentView = incident::visible(&state.db, &me.staff, &path).await?;
    let name = |code: &str| {
        v.bureaus
            .iter()
            .find(|b| b.code == code)
            .map_or_else(|| code.to_owned(), |b| b.name.clone())
    };
    let mut summary = vec![
        SummaryRow::new("事件名称", v.title.clone(), ""),
        SummaryRow::new(
            "涉及的市场监管局",
            v.bureaus
                .iter()
                .map(|b| b.name.as_str())
                .collect::<Vec<_>>()
                .join("、"),
            "",
        ),
        SummaryRow::new(
            "关联时间",
            format!(
                "{}，{}",
                chinese_time(v.created_at),
                name(&v.created_by_bureau_code)
            ),
            "",
        ),
    ];
    if let Some(d) = &v.description {
        summary.insert(1, SummaryRow::new("事件说明", d.clone(), ""));
    }
    let cases = v
        .cases
        .iter()
        .map(|c| {
            let mut what = format!("{} · {}", c.category.label(), c.respondent_name);
            if !c.goods_or_service.is_empty() {
                what.push_str(&format!(" · {}", c.goods_or_service));
            }
            if let Some(day) = c.occurred_on {
                what.push_str(&format!(" · {}", chinese_date(day)));
            }
            if let Some(fen) = c.amount_fen {
                what.push_str(&format!(" · {} 元", crate::mediation::yuan(fen)));
            }
            CaseLine {
                receipt_number: c.receipt_number.clone(),
                href: c.yours.then(|| format!("/staff/cases/{}", c.id)),
                bureau: name(&c.bureau_code),
                what,
                status: c.status.label(),
            }
        })
        .collect();
    let sessions = v
        .sessions
        .iter()
        .map(|s| SessionLine {
            when: chinese_time(s.held_at),
            how: match &s.link {
                Some(link) => format!("{}（{link}）", s.mode.label()),
                None => s.mode.label().to_owned(),
            },
            bureaus: s
                .bureau_codes
                .iter()
                .map(|c| name(c))
                .collect::<Vec<_>>()
                .join("、"),
            note: s.note.clone(),
        })
        .collect();
    Ok(IncidentPage {
        page: Page::new(&req, format!("同一事件的投诉：{}", v.title)),
        desk: Desk::of(&me),
        id: v.id.clone(),
        notice: take_notice(&session),
        can_schedule: JOINT_SESSION_ROLES.contains(&me.staff.role),
        summary,
        cases,
        sessions,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/joint_session.html")]
pub struct JointPage {
    page: Page,
    desk: Desk,
    id: String,
    title: String,
    date: DateParts,
    input: JointInput,
    modes: Vec<Choice>,
    bureaus: Vec<Choice>,
}

#[derive(Deserialize, Default)]
pub struct JointInput {
    #[serde(default)]
    date_year: String,
    #[serde(default)]
    date_month: String,
    #[serde(default)]
    date_day: String,
    #[serde(default)]
    time: String,
    #[serde(default)]
    mode: String,
    #[serde(default)]
    link: String,
    #[serde(default)]
    note: String,
}

impl JointInput {
    fn date(&self) -> DateParts {
        DateParts {
            year: self.date_year.clone(),
            month: self.date_month.clone(),
            day: self.date_day.clone(),
        }
    }
}

fn joint_page(
    req: &HttpRequest,
    me: &SignedIn,
    v: &IncidentView,
    input: JointInput,
    chosen: &[String],
    errors: FormErrors,
) -> JointPage {
    let modes = [JointSessionMode::Online, JointSessionMode::VideoLink]
        .map(|m| Choice::new(m.as_str(), m.label()))
        .to_vec();
    let bureaus = v
        .bureaus
        .iter()
        .map(|b| Choice::new(b.code.clone(), b.name.clone()))
        .collect();
    let chosen: Vec<&str> = chosen.iter().map(String::as_str).collect();
    JointPage {
        page: Page::new(req, format!("联合调解会：{}", v.title))
            .with_back(format!("/staff/incidents/{}", v.id))
            .with_errors(errors),
        desk: Desk::of(me),
        id: v.id.clone(),
        title: v.title.clone(),
        date: input.date(),
        modes: Choice::mark(modes, &[input.mode.as_str()]),
        bureaus: Choice::mark(bureaus, &chosen),
        input,
    }
}

/// `GET /staff/incidents/{id}/sessions/new`: every involved bureau is ticked at first.
pub async fn joint_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: SignedIn,
    path: web::Path<String>,
) -> Result<JointPage, ApiError> {
    me.staff.require(JOINT_SESSION_ROLES)?;
    let v = incident::visible(&state.db, &me.staff, &path).await?;
    let all: Vec<String> = v.bureaus.iter().map(|b| b.code.clone()).collect();
    Ok(joint_page(
        &req,
        &me,
        &v,
        JointInput::default(),
        &all,
        FormErrors::new(),
    ))
}

/// `POST /staff/incidents/{id}/sessions/new`: the step of `POST /api/v1/incidents/{id}/sessions`.
pub async fn joint(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    me: SignedIn,
    path: web::Path<String>,
    form: Form,
) -> Answer<JointPage> {
    let v = incident::visible(&state.db, &me.staff, &path).await?;
    let fields = |name: &str| values(&form, name);
    let one = |name: &str| fields(name).into_iter().next().unwrap_or_default();
    let input = JointInput {
        date_year: one("date_year"),
        date_month: one("date_month"),
        date_day: one("date_day"),
        time: one("time"),
        mode: one("mode"),
        link: one("link"),
        note: one("note"),
    };
    let chosen = fields("bureaus");
    let mut errors = FormErrors::new();
    let date = input.date().required(
        "date",
        "请输入联合调解会的日期",
        "日期必须是真实的日期",
        &mut errors,
    );
    let time = typed_time("time", &input.time, "开始时间", &mut errors);
    let mode = JointSessionMode::parse(&input.mode);
    if mode.is_none() {
        errors.add("mode", "请选择联合调解的方式");
    }
    let link = input.link.trim();
    if !link.is_empty() && !is_web_link(link) {
        errors.add("link", WEB_LINK_RULE);
    }
    if chosen.is_empty() {
        errors.add("bureaus", "请选择参加的市场监管局");
    } else if chosen
        .iter()
        .any(|c| !v.bureaus.iter().any(|b| &b.code == c))
    {
        errors.add("bureaus", "只能选择办理本事件投诉的市场监管局");
    }
    let note = input.note.trim();
    if note.chars().count() > MAX_DESCRIPTION_CHARS {
        errors.add("note", format!("说明最多 {MAX_DESCRIPTION_CHARS} 字"));
    }
    let held_at = date.zip(time).and_then(|(d, t)| instant(d, t));
    if held_at.is_none() && date.is_some() && time.is_some() {
        errors.add("time", "这个时间在北京时间中不存在，请检查");
    }
    if let (Some(held_at), Some(mode), true) = (held_at, mode, errors.is_empty()) {
        let asked = NewSession {
            held_at,
            mode,
            link: (!link.is_empty()).then_some(link),
            bureau_codes: &chosen,
            note: (!note.is_empty()).then_some(note),
        };
        let txn = crate::db::begin_write(&state.db).await?;
        incident::record_session(&txn, &me.staff, &v.id, asked, state.clock.now()).await?;
        txn.commit().await?;
        notice(
            &session,
            "已记录联合调解会，各关联案件的办理记录中都会显示。",
        );
        return Ok(actix_web::Either::Left(
            web::Redirect::to(format!("/staff/incidents/{}", v.id)).see_other(),
        ));
    }
    again(joint_page(&req, &me, &v, input, &chosen, errors))
}
