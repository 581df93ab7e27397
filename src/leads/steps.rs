//! The enforcement officers' steps on a lead: accept it for verification, decide (立案 / 不予立案)
//! and record the result. Each is reported on the complaint's timeline; the decision is the
//! answer the verification deadline waits for.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, UpdateMany};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use validator::Validate;

use super::read::load;
use super::view::{Identity, LeadView, view};
use super::{Decision, Error, LeadStatus};
use crate::actor::{Actor, Staff};
use crate::cases::journal::{self, Entry};
use crate::deadlines::{DeadlineKind, store};
use crate::entities::lead;

#[derive(Deserialize, Validate, ToSchema)]
pub struct LeadDecisionRequest {
    pub decision: Decision,
    #[validate(length(min = 2, max = 2000))]
    #[schema(min_length = 2, max_length = 2000)]
    pub reason: String,
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct ResultRequest {
    /// What came of it: the penalty decided, the sampling result, or why nothing followed.
    #[validate(length(min = 2, max = 4000))]
    #[schema(min_length = 2, max_length = 4000)]
    pub result: String,
}

pub async fn accept(
    db: &impl ConnectionTrait,
    me: &Staff,
    id: i64,
    now: DateTime<Utc>,
) -> Result<LeadView, Error> {
    let user_id = me.user_id.clone();
    step(
        db,
        me,
        id,
        (LeadStatus::Sent, LeadStatus::Accepted),
        |u| {
            u.col_expr(lead::Column::AcceptedAt, Expr::value(now))
                .col_expr(lead::Column::AcceptedBy, Expr::value(user_id))
        },
        ("lead_accepted", |l: &lead::Model| json!({"lead_id": l.id})),
        now,
    )
    .await
}

pub async fn decide(
    db: &impl ConnectionTrait,
    me: &Staff,
    id: i64,
    input: &LeadDecisionRequest,
    now: DateTime<Utc>,
) -> Result<LeadView, Error> {
    let decision = input.decision;
    step(
        db,
        me,
        id,
        (LeadStatus::Accepted, LeadStatus::Decided),
        |u| {
            u.col_expr(lead::Column::Decision, Expr::value(decision))
                .col_expr(
                    lead::Column::DecisionReason,
                    Expr::value(input.reason.clone()),
                )
                .col_expr(lead::Column::DecidedAt, Expr::value(now))
        },
        ("lead_decided", |l: &lead::Model| {
            json!({
                "lead_id": l.id,
                "decision": decision,
                "description": format!("诉转案线索已作出决定：{}", decision.label()),
            })
        }),
        now,
    )
    .await
}

pub async fn record_result(
    db: &impl ConnectionTrait,
    me: &Staff,
    id: i64,
    input: &ResultRequest,
    now: DateTime<Utc>,
) -> Result<LeadView, Error> {
    step(
        db,
        me,
        id,
        (LeadStatus::Decided, LeadStatus::Closed),
        |u| {
            u.col_expr(lead::Column::Result, Expr::value(input.result.clone()))
                .col_expr(lead::Column::ResultAt, Expr::value(now))
        },
        // The station handling the complaint reads on its timeline what came of the lead.
        ("lead_closed", |l: &lead::Model| {
            json!({
                "lead_id": l.id,
                "decision": l.decision,
                "decided_at": l.decided_at,
                "decision_reason": l.decision_reason,
                "result": l.result,
                "result_at": l.result_at,
                "description": format!(
                    "诉转案线索办理结果：{}。{}",
                    l.decision.map_or("未作决定", Decision::label),
                    l.result.as_deref().unwrap_or_default()
                ),
            })
        }),
        now,
    )
    .await
}

/// Moves a lead from one status to the next if it is still in the first, and reports it on the
/// complaint's timeline (staff only) with the audit entry `lead.{to}`.
async fn step(
    db: &impl ConnectionTrait,
    me: &Staff,
    id: i64,
    (from, to): (LeadStatus, LeadStatus),
    set: impl FnOnce(UpdateMany<lead::Entity>) -> UpdateMany<lead::Entity>,
    (event, detail): (&str, impl FnOnce(&lead::Model) -> serde_json::Value),
    now: DateTime<Utc>,
) -> Result<LeadView, Error> {
    let l = load(db, me, id).await?;
    let updated = set(lead::Entity::update_many().col_expr(lead::Column::Status, Expr::value(to)))
        .filter(lead::Column::Id.eq(l.id))
        .filter(lead::Column::Status.eq(from))
        .exec(db)
        .await?;
    if updated.rows_affected != 1 {
        return Err(Error::Step {
            is: l.status,
            must_be: from,
        });
    }
    // The decision is the answer the verification deadline waits for.
    if to == LeadStatus::Decided {
        store::complete(db, &l.case_id, DeadlineKind::ClueVerification, now).await?;
    }
    let l = lead::Entity::find_by_id(l.id)
        .one(db)
        .await?
        .ok_or(Error::Missing("the lead"))?;
    let detail = detail(&l);
    let action = format!("lead.{to}");
    journal::record(
        db,
        &Actor::from(me),
        &l.case_id,
        Entry {
            event,
            public: false,
            detail: detail.clone(),
            action: &action,
            audit: detail,
        },
        now,
    )
    .await?;
    view(db, l, Identity::Withheld).await
}
