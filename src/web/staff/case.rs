//! The case view (`/staff/cases/{id}`): the case as `cases::detail` reads it for the caller (the
//! API's case view: outside the caller's scope is the 404 page, parties masked as for the role),
//! every deadline in words, the timeline, transfers and links; and the steps the case's state and
//! the caller's role allow, offered only where `cases::access::admits` says yes. Accepting and
//! refusing run the same steps as `POST /api/v1/cases/{id}/accept|refuse`.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{CustomizeResponder, Either, HttpRequest, Responder, web};
use askama::Template;
use askama_web::WebTemplate;
use chrono::Duration;
use serde::Deserialize;

use super::act::{self, Facts, Offer, SessionRow};
use super::signed_in::{Desk, SignedIn, notice, take_notice};
use super::words::{self, DeadlineWords, PartyBlock, party_block};
use crate::actor::Role;
use crate::cases::access::{Act, act_on, admits, reads_lead};
use crate::cases::detail::detail;
use crate::cases::{CaseKind, CaseStatus};
use crate::deadlines::{DeadlineKind, DeadlineStatus};
use crate::domain::dates::{chinese_date, chinese_time};
use crate::domain::vocabulary::Demand;
use crate::entities::case;
use crate::http::ApiError;
use crate::leads::view::Identity;
use crate::mediation;
use crate::mediation::acceptance::{self, AcceptRequest, RefuseRequest};
use crate::mediation::states::AgreementStatus;
use crate::routing::transfer_status::TransferStatus;
use crate::state::AppState;
use crate::web::components::{Choice, FormErrors, SummaryRow};
use crate::web::page::Page;

/// What a refusal's reasons may hold, as the API allows.
const MAX_TEXT_CHARS: usize = 2000;

pub struct Event {
    pub at: String,
    pub who: &'static str,
    pub what: String,
    pub public: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/case.html")]
pub struct CasePage {
    page: Page,
    desk: Desk,
    notice: Option<String>,
    id: String,
    receipt_number: String,
    kind_words: &'static str,
    status: &'static str,
    summary: Vec<SummaryRow>,
    parties: Vec<PartyBlock>,
    dispute: Vec<SummaryRow>,
    facts: String,
    demands: Vec<&'static str>,
    evidence: Vec<String>,
    /// The evidence files, each downloadable.
    files: Vec<crate::web::track::evidence::FileLine>,
    deadlines: Vec<DeadlineWords>,
    timeline: Vec<Event>,
    transfers: Vec<String>,
    /// (label, case id) of the cases this one is linked to.
    links: Vec<(&'static str, String)>,
    incident: Option<String>,
    can_admit: bool,
    /// The steps the workbench has forms for, offered where the caller may take them.
    offers: Vec<Offer>,
    /// A recusal application is pending: the case is suspended until the bureau decides.
    suspended: bool,
    /// The case's sessions, for station staff.
    sessions: Vec<SessionRow>,
    /// Where the issued 调解书 is downloaded.
    pdf: Option<String>,
    /// The agreement reached and where its confirmations stand.
    agreement: Vec<SummaryRow>,
    /// Where its 调解书 (draft or issued) is read.
    document: Option<String>,
    /// Where its audit trail is read, for the bureau's admins.
    trail: Option<String>,
    /// The 诉转案 lead opened from the complaint, for the regulator's staff, and where its page
    /// is when the caller may read it.
    lead: Vec<SummaryRow>,
    lead_href: Option<String>,
    /// The return visit, for those who may read the consumer's satisfaction.
    visit: Vec<SummaryRow>,
    /// The negotiation, for the business's desk.
    odr: Option<super::odr::DeskOdr>,
}

fn row(key: &str, value: impl Into<String>) -> SummaryRow {
    SummaryRow::new(key, value, "")
}

fn yuan(fen: i64) -> String {
    format!("{}.{:02} 元", fen / 100, (fen % 100).abs())
}

fn actor_words(kind: &str) -> &'static str {
    match kind {
        "consumer" => "消费者",
        "business" => "经营者",
        "system" => "系统",
        other => Role::parse(other).map_or("工作人员", Role::label),
    }
}

/// Whether the case waits for the accept-or-refuse decision, and `me` may take it.
fn admissible(me: &SignedIn, c: &case::Model) -> bool {
    c.kind == CaseKind::Complaint
        && c.status == CaseStatus::PendingAcceptance
        && admits(&me.staff, c, Act::StationStep)
}

/// `GET /staff/cases/{id}`
pub async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    me: SignedIn,
    path: web::Path<String>,
) -> Result<CasePage, ApiError> {
    let now = state.clock.now();
    let read = detail(&state.db, &me.staff, &path, now).await?;
    let (c, d) = (read.case, read.detail);
    let (bureau, station, mediator) = (read.bureau_name, read.station_name, read.mediator_name);
    let lead = Duration::hours(state.env.settings.reminder_lead_hours);
    let cal = state.env.calendar.current();
    let mut summary = vec![
        row("办理状态", c.status.label()),
        row("类别", c.category.label()),
        row("登记时间", chinese_time(c.received_at)),
        row("被投诉方", d.summary.respondent_name.clone()),
    ];
    if let Some(uscc) = &d.respondent_uscc {
        summary.push(row("统一社会信用代码", uscc.clone()));
    }
    summary.push(row("被投诉方地址", d.respondent_address.clone()));
    summary.push(row("办理部门", bureau));
    summary.push(row(
        "承办单位",
        station.unwrap_or_else(|| "（尚未分派）".into()),
    ));
    if let Some(m) = mediator {
        summary.push(row("调解员", m));
    }
    if let Some(org) = &c.delegate_organisation {
        summary.push(row("委托调解组织", org.clone()));
    }
    summary.push(row("适用规定", d.rule_set.label()));
    if d.anonymous {
        summary.push(row("匿名", "是"));
    }
    if d.conceal_identity_from_business {
        summary.push(row("对经营者保密身份", "是"));
    }
    // The consumer's rating of the handling and the return visit are the regulator's to read,
    // not the business's.
    let reads_satisfaction = admits(&me.staff, &c, Act::ReadSatisfaction);
    let visit = if reads_satisfaction {
        crate::ratings::visit::read(&state.db, &me.staff, &c.id).await?
    } else {
        None
    };
    if reads_satisfaction {
        let window = state.env.settings.rating_window_days;
        let rating = crate::ratings::status(&state.db, &c, window, now).await?;
        match (rating.given, rating.closes_at) {
            (Some(given), _) => summary.push(row(
                "满意度评价",
                match given.comment {
                    Some(comment) => format!("{}（{comment}）", given.rating_label),
                    None => given.rating_label,
                },
            )),
            (None, Some(until)) if rating.open => summary.push(row(
                "满意度评价",
                format!("尚未评价，可评价至{}", chinese_time(until)),
            )),
            _ => {}
        }
    }
    let parties = d.parties.iter().map(party_block).collect();
    let mut dispute = Vec::new();
    if let Some(on) = d.occurred_on {
        dispute.push(row("发生日期", chinese_date(on)));
    }
    if !d.goods_or_service.is_empty() {
        dispute.push(row("商品或服务", d.goods_or_service.clone()));
    }
    if let Some(fen) = d.amount_fen {
        dispute.push(row("涉及金额", yuan(fen)));
    }
    let transfers = d
        .transfers
        .iter()
        .map(|t| {
            let state = match t.status {
                s if TransferStatus::OPEN.contains(&s) => "待对方处理",
                TransferStatus::Accepted => "已接收",
                _ => "已结束",
            };
            format!(
                "{}：{} 移送 {}（{}），理由：{}",
                chinese_time(t.requested_at),
                t.from_bureau_name,
                t.to_bureau_name,
                state,
                t.reason
            )
        })
        .collect();
    let mut links = Vec::new();
    if let Some(id) = &d.linked_case_id {
        links.push(("关联案件", id.clone()));
    }
    if let Some(id) = &d.duplicate_of_id {
        links.push(("可能重复的案件", id.clone()));
    }
    let station_staff = c.kind == CaseKind::Complaint && admits(&me.staff, &c, Act::StationStep);
    // The lead is the regulator's business: never shown to the business's desk.
    let lead_row = match me.staff.role {
        Role::EnterpriseAgent => None,
        _ => crate::leads::read::of_case(&state.db, &c.id).await?,
    };
    let lead_href = lead_row
        .as_ref()
        .filter(|l| {
            matches!(
                reads_lead(&me.staff, &l.bureau_code, l.handling_station_id.as_deref()),
                Ok(true)
            )
        })
        .map(|l| format!("/staff/leads/{}", l.id));
    let has_lead = lead_row.is_some();
    let lead_rows = match lead_row {
        Some(l) => {
            super::leads::rows(&crate::leads::view::view(&state.db, l, Identity::Withheld).await?)
        }
        None => Vec::new(),
    };
    let pause = crate::deadlines::pauses::running(&state.db, &c.id).await?;
    let facts = Facts {
        pause: pause.map(|p| (p.reason, p.id)),
        notice_open: d.deadlines.iter().any(|dl| {
            dl.kind == DeadlineKind::TerminationNotice
                && DeadlineStatus::RUNNING.contains(&dl.status)
        }),
        extendable: d
            .deadlines
            .iter()
            .filter(|dl| DeadlineStatus::RUNNING.contains(&dl.status))
            .filter(|dl| {
                state
                    .env
                    .rules
                    .limit(c.rule_set, dl.kind)
                    .is_some_and(|l| l.extension.is_some())
            })
            .map(|dl| dl.kind)
            .collect(),
        visit_due: visit.as_ref().is_some_and(|v| !v.recorded),
        transfer_to: d
            .transfers
            .iter()
            .find(|t| TransferStatus::OPEN.contains(&t.status))
            .map(|t| t.to_bureau_code.clone()),
        in_incident: d.incident_id.is_some(),
        has_lead,
    };
    let sessions = if station_staff {
        mediation::sessions::list(&state.db, &c.id)
            .await?
            .iter()
            .map(|s| SessionRow::of(&c, s, now))
            .collect()
    } else {
        Vec::new()
    };
    // The parties' side of the agreement: the station's, and the business's desk.
    let agreement = if station_staff || admits(&me.staff, &c, Act::DeskStep) {
        mediation::outcome::of_case(&state.db, &c.id).await.ok()
    } else {
        None
    };
    let issued = agreement
        .as_ref()
        .is_some_and(|a| a.status == AgreementStatus::Issued);
    let page = CasePage {
        page: Page::new(&req, format!("案件 {}", c.receipt_number)).with_back("/staff"),
        desk: Desk::of(&me),
        notice: take_notice(&session),
        id: c.id.clone(),
        receipt_number: c.receipt_number.clone(),
        kind_words: match c.kind {
            CaseKind::Complaint => "投诉",
            CaseKind::Report => "举报",
        },
        status: c.status.label(),
        summary,
        parties,
        dispute,
        facts: d.facts.clone(),
        demands: d
            .demands
            .iter()
            .filter_map(|code| Demand::parse(code).map(Demand::label))
            .collect(),
        evidence: d.evidence.clone(),
        files: crate::evidence::read::list_for_staff(&state.db, &me.staff, &c.id)
            .await?
            .into_iter()
            .map(crate::web::track::evidence::line)
            .collect(),
        deadlines: d
            .deadlines
            .iter()
            .map(|dl| words::deadline(dl, &cal, now, lead))
            .collect(),
        timeline: d
            .timeline
            .iter()
            .map(|e| Event {
                at: chinese_time(e.at),
                who: actor_words(&e.actor_kind),
                what: e.detail["description"]
                    .as_str()
                    .filter(|s| !s.is_empty())
                    .map_or_else(|| words::event_words(&e.kind), str::to_owned),
                public: e.public,
            })
            .collect(),
        transfers,
        links,
        incident: d.incident_id.clone(),
        can_admit: admissible(&me, &c),
        offers: act::offers(&me, &c, &facts),
        suspended: facts.suspended(),
        sessions,
        pdf: issued.then(|| format!("/staff/cases/{}/agreement/pdf", c.id)),
        agreement: agreement
            .as_ref()
            .map(act::agreement_rows)
            .unwrap_or_default(),
        trail: crate::cases::trail::TRAIL_READERS
            .contains(&me.staff.role)
            .then(|| format!("/staff/cases/{}/audit", c.id)),
        document: agreement
            .as_ref()
            .filter(|a| a.needs_document)
            .map(|_| format!("/staff/cases/{}/agreement/document", c.id)),
        lead: lead_rows,
        lead_href,
        visit: visit.as_ref().map(super::visits::rows).unwrap_or_default(),
        odr: if admits(&me.staff, &c, Act::DeskStep) {
            super::odr::section(&state, &c).await?
        } else {
            None
        },
    };
    Ok(page)
}

/// `POST /staff/cases/{id}/accept`: the same step as `POST /api/v1/cases/{id}/accept`.
pub async fn accept(
    state: web::Data<AppState>,
    session: Session,
    me: SignedIn,
    path: web::Path<String>,
) -> Result<web::Redirect, ApiError> {
    let txn = crate::db::begin_write(&state.db).await?;
    let (c, _) = acceptance::accept(
        &txn,
        &state.env,
        &me.staff,
        &path,
        &AcceptRequest { note: None },
        state.clock.now(),
    )
    .await?;
    txn.commit().await?;
    notice(&session, "已受理。调解期限自今天起算，投诉人会收到通知。");
    Ok(web::Redirect::to(format!("/staff/cases/{}", c.id)).see_other())
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/refuse.html")]
pub struct RefusePage {
    page: Page,
    desk: Desk,
    id: String,
    receipt_number: String,
    grounds: Vec<Choice>,
    text: String,
}

#[derive(Deserialize)]
pub struct RefuseInput {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    text: String,
}

fn refuse_page(
    req: &HttpRequest,
    me: &SignedIn,
    c: &case::Model,
    input: RefuseInput,
    errors: FormErrors,
) -> RefusePage {
    let grounds = mediation::grounds(c.rule_set)
        .refusal
        .iter()
        .map(|g| Choice::new(g.code.clone(), g.label.clone()))
        .collect();
    RefusePage {
        page: Page::new(req, format!("不予受理 {}", c.receipt_number))
            .with_back(format!("/staff/cases/{}", c.id))
            .with_errors(errors),
        desk: Desk::of(me),
        id: c.id.clone(),
        receipt_number: c.receipt_number.clone(),
        grounds: Choice::mark(grounds, &[input.reason.as_str()]),
        text: input.text,
    }
}

/// Loads the case for the decision: 404 outside the caller's scope, 403 for a role or station
/// that may not take it, 409 once it is no longer pending.
async fn pending(state: &AppState, me: &SignedIn, id: &str) -> Result<case::Model, ApiError> {
    let c = act_on(&state.db, &me.staff, id, Act::StationStep).await?;
    if !admissible(me, &c) {
        return Err(ApiError::conflict(
            "not_pending_acceptance",
            "the case is not waiting for acceptance",
        ));
    }
    Ok(c)
}

/// `GET /staff/cases/{id}/refuse`: the grounds of the case's rule set and the reasons in words.
pub async fn refuse_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: SignedIn,
    path: web::Path<String>,
) -> Result<RefusePage, ApiError> {
    let c = pending(&state, &me, &path).await?;
    let empty = RefuseInput {
        reason: String::new(),
        text: String::new(),
    };
    Ok(refuse_page(&req, &me, &c, empty, FormErrors::new()))
}

/// `POST /staff/cases/{id}/refuse`: the same checks and step as `POST /api/v1/cases/{id}/refuse`.
pub async fn refuse(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    me: SignedIn,
    path: web::Path<String>,
    input: web::Form<RefuseInput>,
) -> Result<Either<web::Redirect, CustomizeResponder<RefusePage>>, ApiError> {
    let c = pending(&state, &me, &path).await?;
    let input = input.into_inner();
    let mut errors = FormErrors::new();
    let text = input.text.trim();
    if input.reason.is_empty() {
        errors.add("reason", "请选择不予受理的理由");
    }
    if text.chars().count() < 2 {
        errors.add("text", "请写明不予受理的具体原因，投诉人会看到");
    } else if text.chars().count() > MAX_TEXT_CHARS {
        errors.add("text", format!("具体原因最多 {MAX_TEXT_CHARS} 字"));
    }
    if errors.is_empty() {
        let request = RefuseRequest {
            reason: input.reason.clone(),
            text: text.to_owned(),
        };
        let txn = crate::db::begin_write(&state.db).await?;
        match acceptance::refuse(
            &txn,
            &state.env,
            &me.staff,
            &c.id,
            &request,
            state.clock.now(),
        )
        .await
        {
            Ok(c) => {
                txn.commit().await?;
                notice(&session, "已决定不予受理，投诉人会收到理由。");
                return Ok(Either::Left(
                    web::Redirect::to(format!("/staff/cases/{}", c.id)).see_other(),
                ));
            }
            // The step's own checks: a ground not of this rule set, or one needing words.
            Err(mediation::Error::Invalid(invalid)) => {
                for f in &invalid.0 {
                    match f.field.as_str() {
                        "reason" => errors.add("reason", "请选择列表中的理由"),
                        _ => errors.add("text", "请写明不予受理的具体原因，投诉人会看到"),
                    }
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(Either::Right(
        refuse_page(&req, &me, &c, input, errors)
            .customize()
            .with_status(StatusCode::UNPROCESSABLE_ENTITY),
    ))
}

/// `GET /staff/cases/{id}/evidence/{evidence_id}`: the same download as the API's, a desk
/// receiving a consumer's photo only without its metadata.
pub async fn evidence_file(
    state: web::Data<AppState>,
    me: SignedIn,
    path: web::Path<(String, String)>,
) -> Result<actix_web::HttpResponse, ApiError> {
    let (case_id, id) = path.into_inner();
    let txn = crate::db::begin_write(&state.db).await?;
    let d = crate::evidence::read::download_for_staff(
        &txn,
        &me.staff,
        &case_id,
        &id,
        state.clock.now(),
    )
    .await?;
    txn.commit().await?;
    crate::http::files::send(&state, d).await
}
