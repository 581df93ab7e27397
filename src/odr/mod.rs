//! Enterprise-first ODR settlement (先行和解): a complaint against an enrolled business whose consumer
//! chose ODR goes to the business's desk first, with 10 working days to settle that do not count
//! toward the regulator's limits. Offers, counters and acceptance are modelled on public dispute
//! APIs (make, accept, deny, escalate). A decline, a rejected last offer, silence past the limit or
//! unconfirmed performance escalates to the regulator — never a silent closure.

pub mod answer;
pub mod decline;
pub mod http;
pub mod negotiation;
pub mod offer;
pub mod performance;
pub mod performed;
pub mod reminders;
pub mod state;

pub use state::{OdrState, OfferKind, OfferParty, OfferStatus};

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Asia::Shanghai;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use validator::Validate;

use crate::actor::Actor;
use crate::cases::journal::{self, Entry};
use crate::cases::{CaseStatus, PartyRole, access, lifecycle};
use crate::db::Writes;
use crate::deadlines::{self, DeadlineKind, DeadlineStatus};
use crate::domain::faults::{Failure, Invalid, failure};
use crate::entities::{case, case_event, deadline, odr_offer, party};
use crate::env::Env;
use crate::mail::{self, Mail};
use crate::state::AppState;

/// What can go wrong with a step of the negotiation.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the case is {status} (settlement {}); that step is not possible now", .state.map_or("none", OdrState::as_str))]
    Step {
        status: CaseStatus,
        state: Option<OdrState>,
    },
    #[error("the case changed meanwhile; reload it")]
    Concurrent,
    #[error("that offer is not open for an answer")]
    OfferNotOpen,
    #[error("there is no agreed settlement to reopen")]
    NoAgreement,
    #[error("the business has until {0} to perform")]
    PerformanceNotDue(NaiveDate),
    #[error("no business {0}")]
    NoBusiness(String),
    #[error("you may not see this business's performance")]
    NotYourBusiness,
    /// A row the step relies on is gone: a fault of the service, not of the request.
    #[error("{0} missing")]
    Missing(&'static str),
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error(transparent)]
    Access(#[from] access::Error),
    #[error(transparent)]
    Lifecycle(#[from] lifecycle::Error),
    #[error(transparent)]
    Db(#[from] DbErr),
}

failure!(Error {
    Error::Step { .. } => Conflict, "invalid_transition";
    Error::Concurrent => Conflict, "concurrent_change";
    Error::OfferNotOpen => Conflict, "offer_not_open";
    Error::NoAgreement => Conflict, "invalid_transition";
    Error::PerformanceNotDue(_) => Conflict, "performance_not_due";
    Error::NoBusiness(_) => NotFound, "not_found";
    Error::NotYourBusiness => Forbidden, "forbidden";
    Error::Missing(_) => Internal, "internal_error";
} passes [Invalid, Access, Lifecycle, Db]);

// Why a side gives up on settlement (the desk declines, the consumer rejects the last offer or
// reopens an unperformed agreement): the regulator reads it with the history. A plain comment,
// since a doc comment would become the schema's description in the API document.
#[derive(Deserialize, Validate, ToSchema)]
pub struct ReasonRequest {
    #[validate(length(min = 2, max = 2000))]
    #[schema(min_length = 2, max_length = 2000)]
    pub reason: String,
}

/// Moves the case's ODR state if it is still one of `from`; two desk agents answering at once
/// resolve to one winner and a 409.
pub async fn advance(
    db: &impl ConnectionTrait,
    c: &case::Model,
    from: &[OdrState],
    to: OdrState,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let current = c.odr_state;
    if c.status != CaseStatus::WithBusiness || !current.is_some_and(|s| from.contains(&s)) {
        return Err(Error::Step {
            status: c.status,
            state: current,
        });
    }
    let updated = case::Entity::update_many()
        .col_expr(case::Column::OdrState, Expr::value(to))
        .col_expr(case::Column::UpdatedAt, Expr::value(now))
        .filter(case::Column::Id.eq(c.id.as_str()))
        .filter(case::Column::Status.eq(CaseStatus::WithBusiness))
        .filter(case::Column::OdrState.eq(current))
        .exec(db)
        .await?;
    if updated.rows_affected != 1 {
        return Err(Error::Concurrent);
    }
    Ok(())
}

/// At intake: the timeline says the case is with the business and until when, and the desk is
/// mailed; the entry joins the intake's `timeline`, the mail its `writes`.
pub async fn notify_desk(
    db: &impl ConnectionTrait,
    c: &case::Model,
    until: chrono::NaiveDate,
    now: DateTime<Utc>,
    timeline: &mut Vec<case_event::ActiveModel>,
    writes: &mut Writes,
) -> Result<(), DbErr> {
    let desk = deadlines::sweep::who_must_act(db, c, DeadlineKind::OdrSettlement, now).await?;
    timeline.push(journal::event(
        &c.id,
        "odr_started",
        &Actor::System,
        true,
        json!({"description": format!("已转被投诉企业先行和解，和解期限至{until}"), "until": until}),
        now,
    ));
    let mail = Mail {
        to: desk,
        subject: format!("【ODR新投诉】{} 请于{until}前处理", c.receipt_number),
        body: format!(
            "贵单位收到一件在线消费纠纷投诉（{}），请在{until}前与消费者协商和解并记录结果。逾期未和解的，投诉将转市场监管部门处理。\n商品或服务：{}\n",
            c.receipt_number, c.goods_or_service
        ),
        attachments: Vec::new(),
        secret: None,
    };
    writes.insert_many(mail::outbox_row(
        &mail,
        Some(&format!("odr:{}:started", c.id)),
        now,
    ));
    Ok(())
}

/// Mail addresses of the complainants who gave one.
pub async fn consumer_emails(
    db: &impl ConnectionTrait,
    case_id: &str,
) -> Result<Vec<String>, DbErr> {
    Ok(party::Entity::find()
        .filter(party::Column::CaseId.eq(case_id))
        .filter(party::Column::Role.is_in([PartyRole::Complainant, PartyRole::Representative]))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|p| p.email)
        .collect())
}

/// An offer in words, as the timeline and the mails give it.
pub fn describe_offer(o: &odr_offer::Model) -> String {
    format!(
        "{}{:.2}元，{}前履行。{}",
        o.kind.label(),
        o.amount_fen as f64 / 100.0,
        o.perform_by,
        o.message
    )
}

/// Sends an unsettled case to the regulator with its ODR history: status pending acceptance, the
/// settlement deadline closed, the acceptance clock started now, and everyone told by mail.
pub async fn escalate(
    db: &impl ConnectionTrait,
    env: &Env,
    c: &case::Model,
    reason: &str,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<case::Model, Error> {
    let c = lifecycle::transition(
        db,
        c,
        &[CaseStatus::WithBusiness],
        CaseStatus::PendingAcceptance,
        now,
    )
    .await?;
    case::Entity::update_many()
        .col_expr(case::Column::OdrState, Expr::value(OdrState::Escalated))
        .col_expr(case::Column::OdrEscalatedAt, Expr::value(now))
        .filter(case::Column::Id.eq(c.id.as_str()))
        .exec(db)
        .await?;
    odr_offer::Entity::update_many()
        .col_expr(
            odr_offer::Column::Status,
            Expr::value(OfferStatus::Superseded),
        )
        .filter(odr_offer::Column::CaseId.eq(c.id.as_str()))
        .filter(odr_offer::Column::Status.eq(OfferStatus::Open))
        .exec(db)
        .await?;
    deadlines::store::complete(db, &c.id, DeadlineKind::OdrSettlement, now).await?;
    // ODR time is not counted toward the regulator's limits: the acceptance clock starts now.
    deadlines::open(db, env, &c.id, c.rule_set, DeadlineKind::Acceptance, now).await?;
    let offers = odr_offer::Entity::find()
        .filter(odr_offer::Column::CaseId.eq(c.id.as_str()))
        .order_by_asc(odr_offer::Column::Id)
        .all(db)
        .await?;
    let history: Vec<serde_json::Value> = offers
        .iter()
        .map(|o| json!({"party": o.party, "kind": o.kind, "amount_fen": o.amount_fen, "perform_by": o.perform_by, "message": o.message, "status": o.status, "at": o.created_at}))
        .collect();
    journal::record(
        db,
        actor,
        &c.id,
        Entry {
            event: "odr_escalated",
            public: true,
            detail: json!({"description": "企业先行和解未成功，已转市场监管部门处理", "reason": reason, "odr_history": history}),
            action: "odr.escalate",
            audit: json!({"reason": reason}),
        },
        now,
    )
    .await?;
    let mut to = consumer_emails(db, &c.id).await?;
    to.extend(deadlines::sweep::who_must_act(db, &c, DeadlineKind::OdrSettlement, now).await?);
    to.extend(deadlines::sweep::who_must_act(db, &c, DeadlineKind::Acceptance, now).await?);
    to.sort();
    to.dedup();
    let history_text: Vec<String> = offers
        .iter()
        .map(|o| {
            format!(
                "- {} {}：{}（{}）",
                o.created_at
                    .with_timezone(&Shanghai)
                    .format("%Y-%m-%d %H:%M"),
                if o.party == OfferParty::Business {
                    "企业"
                } else {
                    "消费者"
                },
                describe_offer(o),
                o.status
            )
        })
        .collect();
    let mail = Mail {
        to,
        subject: format!("【转监管部门处理】投诉 {} 企业和解未成功", c.receipt_number),
        body: format!(
            "投诉 {} 未能通过企业先行和解解决（{}），已转市场监管部门处理。\n被投诉人：{}\n和解记录：\n{}\n",
            c.receipt_number,
            reason,
            c.respondent_name,
            if history_text.is_empty() {
                "（企业未作答复）".to_owned()
            } else {
                history_text.join("\n")
            }
        ),
        attachments: Vec::new(),
        secret: None,
    };
    mail::enqueue(db, &mail, Some(&format!("odr:{}:escalated", c.id)), now).await?;
    Ok(c)
}

/// Escalates every case whose settlement window passed without agreement. Safe with several
/// instances: the status transition is conditional, so each case escalates once.
pub async fn escalate_overdue(
    db: &DatabaseConnection,
    state: &AppState,
    now: DateTime<Utc>,
) -> Result<usize, DbErr> {
    let overdue = deadline::Entity::find()
        .filter(deadline::Column::Kind.eq(DeadlineKind::OdrSettlement))
        .filter(deadline::Column::Status.eq(DeadlineStatus::Open))
        .filter(deadline::Column::DueAt.lte(now))
        .all(db)
        .await?;
    let mut escalated = 0;
    for d in overdue {
        let Some(c) = case::Entity::find_by_id(d.case_id.clone()).one(db).await? else {
            continue;
        };
        let unsettled = matches!(
            c.odr_state,
            Some(OdrState::Negotiating | OdrState::Offered | OdrState::Countered)
        );
        if !unsettled {
            continue;
        }
        let txn = crate::db::begin_write(db).await?;
        match escalate(
            &txn,
            &state.env,
            &c,
            "企业未在和解期限内达成和解",
            &Actor::System,
            now,
        )
        .await
        {
            Ok(_) => {
                txn.commit().await?;
                escalated += 1;
            }
            // Another instance escalated it, or the case moved on meanwhile.
            Err(e) if matches!(e.code(), "invalid_transition" | "concurrent_change") => {
                txn.rollback().await?
            }
            Err(e) => {
                txn.rollback().await?;
                return Err(DbErr::Custom(e.to_string()));
            }
        }
    }
    Ok(escalated)
}
