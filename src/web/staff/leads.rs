//! 诉转案 in the workbench (issue 17, item 7): the complaint's handling staff turn a violation
//! clue into a lead from the case page; the bureau's enforcement officers find the leads on
//! `/staff/leads`, accept one, decide 立案 or 不予立案 with reasons and record the result, which
//! the complaint's page then shows. Each form runs the step of `crate::leads` that the API's
//! handler runs.

use actix_session::Session;
use actix_web::{HttpRequest, web};
use askama::Template;
use askama_web::WebTemplate;
use chrono::{DateTime, Duration, Utc};

use super::act::{self, Answer, Offer, Text, again, done, done_at, station_case};
use super::signed_in::{Desk, SignedIn, take_notice};
use super::text_step::{Radios, StepInput, StepPage, TextBox, decision_fields, decision_of};
use super::words::{self, DeadlineWords, PartyBlock, party_block};
use crate::cases::CaseKind;
use crate::cases::access::works_lead;
use crate::domain::dates::{chinese_date, chinese_time};
use crate::entities::case;
use crate::http::ApiError;
use crate::leads::open::NewLead;
use crate::leads::steps::{self, LeadDecisionRequest, ResultRequest};
use crate::leads::view::{Identity, LeadView, view};
use crate::leads::{Error, LeadKind, LeadStatus, read};
use crate::state::AppState;
use crate::web::components::{Choice, FormErrors, SummaryRow};
use crate::web::page::Page;

const LEADS: &str = "/staff/leads";

/// The act a lead is about, as the API bounds it.
const ACT: Text<'static> = Text {
    field: "text",
    what: "涉嫌违法行为",
    min: 5,
    max: 2000,
    lines: true,
};

/// What came of the lead.
const RESULT: Text<'static> = Text {
    field: "text",
    what: "办理结果",
    min: 2,
    max: 4000,
    lines: true,
};

fn lead_href(id: i64) -> String {
    format!("{LEADS}/{id}")
}

/// The complaint a lead may be opened from: one its handling staff act on, without a lead yet.
async fn source(state: &AppState, me: &SignedIn, id: &str) -> Result<case::Model, ApiError> {
    let c = station_case(state, me, id, |c| c.kind == CaseKind::Complaint).await?;
    if read::of_case(&state.db, &c.id).await?.is_some() {
        return Err(Error::Exists.into());
    }
    Ok(c)
}

fn open_page(req: &HttpRequest, me: &SignedIn, c: &case::Model, input: &StepInput) -> StepPage {
    let kinds = [LeadKind::Case, LeadKind::Sampling, LeadKind::Supervision]
        .map(|k| Choice::new(k.as_str(), k.label()))
        .to_vec();
    StepPage {
        words: "投诉中发现经营者涉嫌违法的，移送本局执法人员核查。执法人员在 15 个工作日内作出是否立案的决定，结果会记入本案。调解照常进行。".into(),
        action: format!("/staff/cases/{}/lead", c.id),
        choice: Some(Radios {
            legend: "线索转为".into(),
            options: Choice::mark(kinds, &[input.choice.as_str()]),
        }),
        text: Some(TextBox {
            label: "涉嫌违法行为".into(),
            value: input.text.clone(),
            hint: "写明经营者做了什么、违反了什么规定，例如销售过期食品".into(),
            max: ACT.max,
        }),
        button: "移送执法人员核查".into(),
        ..StepPage::new(req, me, c, "转为诉转案线索")
    }
}

/// `GET /staff/cases/{id}/lead`
pub async fn open_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: SignedIn,
    path: web::Path<String>,
) -> Result<StepPage, ApiError> {
    let c = source(&state, &me, &path).await?;
    Ok(open_page(&req, &me, &c, &StepInput::default()))
}

/// `POST /staff/cases/{id}/lead`: the step of `POST /api/v1/cases/{id}/leads`.
pub async fn open(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    me: SignedIn,
    path: web::Path<String>,
    input: web::Form<StepInput>,
) -> Answer<StepPage> {
    let c = source(&state, &me, &path).await?;
    let mut errors = FormErrors::new();
    let kind = LeadKind::parse(&input.choice);
    if kind.is_none() {
        errors.add("choice", "请选择线索转为执法办案、产品抽检还是日常监管");
    }
    let text = input.text.trim();
    ACT.check(text, "请写明涉嫌违法的行为", &mut errors);
    if let (Some(kind), true) = (kind, errors.is_empty()) {
        let lead = NewLead {
            kind,
            act: text.to_owned(),
            act_on: None,
            place: None,
            goods_or_service: None,
            amount_fen: None,
            evidence: Vec::new(),
            suggested_basis: None,
        };
        act::rules(&lead, &mut errors);
        if errors.is_empty() {
            let txn = crate::db::begin_write(&state.db).await?;
            let now = state.clock.now();
            crate::leads::open::open(&txn, &state.env, &me.staff, &c.id, &lead, now).await?;
            txn.commit().await?;
            return done(
                &session,
                &c.id,
                "已移送本局执法人员核查，15 个工作日内作出是否立案的决定。",
            );
        }
    }
    again(open_page(&req, &me, &c, &input).errors(errors))
}

/// A lead on the list.
pub struct LeadLine {
    pub href: String,
    pub receipt_number: String,
    pub kind: &'static str,
    pub respondent: String,
    pub status: &'static str,
    pub deadline: Option<DeadlineWords>,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/leads.html")]
pub struct LeadsPage {
    page: Page,
    desk: Desk,
    notice: Option<String>,
    /// (heading, leads): those still to answer, then those answered.
    sections: Vec<(&'static str, Vec<LeadLine>)>,
}

fn clock(state: &AppState, l: &LeadView, now: DateTime<Utc>) -> Option<DeadlineWords> {
    let lead = Duration::hours(state.env.settings.reminder_lead_hours);
    let cal = state.env.calendar.current();
    l.verification_deadline
        .as_ref()
        .map(|d| words::deadline(d, &cal, now, lead))
}

/// `GET /staff/leads`: the bureau's leads, for its enforcement officers and admins.
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    me: SignedIn,
) -> Result<LeadsPage, ApiError> {
    let now = state.clock.now();
    let (mut open, mut closed) = (Vec::new(), Vec::new());
    for l in read::list(&state.db, &me.staff, None).await? {
        let line = LeadLine {
            href: lead_href(l.id),
            receipt_number: l.source_receipt_number.clone(),
            kind: l.kind.label(),
            respondent: l.respondent_name.clone(),
            status: l.status.label(),
            deadline: clock(&state, &l, now),
        };
        if l.status == LeadStatus::Closed {
            closed.push(line);
        } else {
            open.push(line);
        }
    }
    Ok(LeadsPage {
        page: Page::new(&req, "诉转案线索"),
        desk: Desk::of(&me),
        notice: take_notice(&session),
        sections: vec![("待办理", open), ("已办结", closed)],
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/lead.html")]
pub struct LeadPage {
    page: Page,
    desk: Desk,
    notice: Option<String>,
    id: i64,
    case_id: String,
    receipt_number: String,
    summary: Vec<SummaryRow>,
    complainants: Vec<PartyBlock>,
    deadline: Option<DeadlineWords>,
    files: Vec<crate::web::track::evidence::FileLine>,
    /// The lead waits to be accepted, and the caller works it.
    can_accept: bool,
    /// The next step's form, when the caller works the lead.
    next: Option<Offer>,
}

/// The lead's rows: what it is about and where it stands.
pub(super) fn rows(l: &LeadView) -> Vec<SummaryRow> {
    let row = |k: &str, v: String| SummaryRow::new(k, v, "");
    let mut rows = vec![
        row("线索转为", l.kind.label().to_owned()),
        row("状态", l.status.label().to_owned()),
        row("移送时间", chinese_time(l.created_at)),
        row("被投诉方", l.respondent_name.clone()),
    ];
    if let Some(uscc) = &l.respondent_uscc {
        rows.push(row("统一社会信用代码", uscc.clone()));
    }
    rows.push(row("被投诉方地址", l.respondent_address.clone()));
    rows.push(row("涉嫌违法行为", l.act.clone()));
    if let Some(on) = l.act_on {
        rows.push(row("行为发生日期", chinese_date(on)));
    }
    for (key, value) in [
        ("地点", &l.place),
        ("商品或服务", &l.goods_or_service),
        ("建议适用的依据", &l.suggested_basis),
    ] {
        if let Some(v) = value.as_ref().filter(|v| !v.is_empty()) {
            rows.push(row(key, v.clone()));
        }
    }
    if let Some(at) = l.accepted_at {
        rows.push(row("接收时间", chinese_time(at)));
    }
    if let (Some(d), Some(at)) = (l.decision, l.decided_at) {
        let reason = l.decision_reason.as_deref().unwrap_or_default();
        rows.push(row(
            "立案决定",
            format!("{}（{}）：{reason}", d.label(), chinese_time(at)),
        ));
    }
    if let Some(result) = &l.result {
        rows.push(row("办理结果", result.clone()));
    }
    if l.escalated_at.is_some() {
        rows.push(row(
            "督办",
            "超过核查期限未作决定，已报告本局负责人".to_owned(),
        ));
    }
    rows
}

/// `GET /staff/leads/{id}`: the lead with the complainant's identity (the read is audited).
pub async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    me: SignedIn,
    path: web::Path<i64>,
) -> Result<LeadPage, ApiError> {
    let now = state.clock.now();
    let mut l = read::get(&state.db, &me.staff, *path, now).await?;
    let files = std::mem::take(&mut l.evidence_files)
        .into_iter()
        .map(crate::web::track::evidence::line)
        .collect();
    let works = works_lead(&me.staff, &l.bureau_code).is_ok();
    let href = lead_href(l.id);
    let next = match l.status {
        LeadStatus::Accepted => Some(("作出立案决定", "decision")),
        LeadStatus::Decided => Some(("记录办理结果", "result")),
        _ => None,
    }
    .filter(|_| works)
    .map(|(label, step)| Offer {
        label: label.to_owned(),
        href: format!("{href}/{step}"),
    });
    Ok(LeadPage {
        page: Page::new(&req, format!("诉转案线索 {}", l.source_receipt_number))
            .with_back(format!("/staff/cases/{}", l.source_case_id)),
        desk: Desk::of(&me),
        notice: take_notice(&session),
        id: l.id,
        case_id: l.source_case_id.clone(),
        receipt_number: l.source_receipt_number.clone(),
        summary: rows(&l),
        complainants: l.complainants.iter().flatten().map(party_block).collect(),
        deadline: clock(&state, &l, now),
        files,
        can_accept: works && l.status == LeadStatus::Sent,
        next,
    })
}

/// `POST /staff/leads/{id}/accept`: the step of `POST /api/v1/leads/{id}/accept`.
pub async fn accept(
    state: web::Data<AppState>,
    session: Session,
    me: SignedIn,
    path: web::Path<i64>,
) -> Answer<StepPage> {
    let txn = crate::db::begin_write(&state.db).await?;
    let l = steps::accept(&txn, &me.staff, *path, state.clock.now()).await?;
    txn.commit().await?;
    done_at(
        &session,
        &lead_href(l.id),
        "已接收线索。请在核查期限内作出是否立案的决定。",
    )
}

/// The lead for its next step: one the caller works, `must_be` where it stands (409 otherwise).
async fn at_step(
    state: &AppState,
    me: &SignedIn,
    id: i64,
    must_be: LeadStatus,
) -> Result<LeadView, ApiError> {
    let l = read::load(&state.db, &me.staff, id).await?;
    if l.status != must_be {
        return Err(Error::Step {
            is: l.status,
            must_be,
        }
        .into());
    }
    Ok(view(&state.db, l, Identity::Withheld).await?)
}

fn decision_page(req: &HttpRequest, me: &SignedIn, l: &LeadView, input: &StepInput) -> StepPage {
    let (choice, text) = decision_fields(
        input,
        [
            "有违法事实，需要追究法律责任",
            "违法事实不成立，或依法不予处罚",
        ],
        "写明认定的事实和依据",
    );
    StepPage {
        words: format!(
            "核查来源于投诉 {} 的线索后作出决定。决定后核查期限即告完成，办理投诉的单位会看到决定。",
            l.source_receipt_number
        ),
        action: format!("{}/decision", lead_href(l.id)),
        choice: Some(choice),
        text: Some(text),
        button: "作出决定".into(),
        ..StepPage::about(
            req,
            me,
            &l.source_receipt_number,
            lead_href(l.id),
            "作出立案决定",
        )
    }
}

/// `GET /staff/leads/{id}/decision`
pub async fn decision_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: SignedIn,
    path: web::Path<i64>,
) -> Result<StepPage, ApiError> {
    let l = at_step(&state, &me, *path, LeadStatus::Accepted).await?;
    Ok(decision_page(&req, &me, &l, &StepInput::default()))
}

/// `POST /staff/leads/{id}/decision`: the step of `POST /api/v1/leads/{id}/decision`.
pub async fn decide(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    me: SignedIn,
    path: web::Path<i64>,
    input: web::Form<StepInput>,
) -> Answer<StepPage> {
    let l = at_step(&state, &me, *path, LeadStatus::Accepted).await?;
    let mut errors = FormErrors::new();
    if let Some((decision, reason)) = decision_of(&input, &mut errors) {
        let request = LeadDecisionRequest { decision, reason };
        let txn = crate::db::begin_write(&state.db).await?;
        steps::decide(&txn, &me.staff, l.id, &request, state.clock.now()).await?;
        txn.commit().await?;
        let text = format!(
            "已作出{}决定。请在执法办结后记录办理结果。",
            decision.label()
        );
        return done_at(&session, &lead_href(l.id), &text);
    }
    again(decision_page(&req, &me, &l, &input).errors(errors))
}

fn result_page(req: &HttpRequest, me: &SignedIn, l: &LeadView, input: &StepInput) -> StepPage {
    StepPage {
        words: "记录后线索办结，办理结果记入来源投诉，承办单位和投诉人都能得到回音。".into(),
        action: format!("{}/result", lead_href(l.id)),
        text: Some(TextBox {
            label: "办理结果".into(),
            value: input.text.clone(),
            hint: "例如作出的行政处罚决定、抽检结论，或不予处罚的理由".into(),
            max: RESULT.max,
        }),
        button: "记录结果并办结".into(),
        ..StepPage::about(
            req,
            me,
            &l.source_receipt_number,
            lead_href(l.id),
            "记录办理结果",
        )
    }
}

/// `GET /staff/leads/{id}/result`
pub async fn result_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: SignedIn,
    path: web::Path<i64>,
) -> Result<StepPage, ApiError> {
    let l = at_step(&state, &me, *path, LeadStatus::Decided).await?;
    Ok(result_page(&req, &me, &l, &StepInput::default()))
}

/// `POST /staff/leads/{id}/result`: the step of `POST /api/v1/leads/{id}/result`.
pub async fn record_result(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    me: SignedIn,
    path: web::Path<i64>,
    input: web::Form<StepInput>,
) -> Answer<StepPage> {
    let l = at_step(&state, &me, *path, LeadStatus::Decided).await?;
    let mut errors = FormErrors::new();
    let result = input.text.trim();
    RESULT.check(result, "请写明办理结果", &mut errors);
    if errors.is_empty() {
        let request = ResultRequest {
            result: result.to_owned(),
        };
        let txn = crate::db::begin_write(&state.db).await?;
        steps::record_result(&txn, &me.staff, l.id, &request, state.clock.now()).await?;
        txn.commit().await?;
        return done_at(&session, LEADS, "已记录办理结果，线索办结。");
    }
    again(result_page(&req, &me, &l, &input).errors(errors))
}
