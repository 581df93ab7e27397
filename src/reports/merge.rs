//! Merging a related report into another of the same bureau (Order 121): it is handled with that
//! one, not again.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use validator::Validate;

use super::{Error, ReportState, load, state_of};
use crate::actor::{Actor, Staff};
use crate::cases::journal::{self, Entry};
use crate::cases::lifecycle::{self, Closure};
use crate::cases::{CaseKind, CaseStatus};
use crate::deadlines::DeadlineKind;
use crate::domain::faults::Invalid;
use crate::entities::case;
use crate::env::Env;

#[derive(Deserialize, Validate, ToSchema)]
pub struct MergeRequest {
    /// The report this one is merged into (same bureau).
    pub into: String,
}

pub async fn merge(
    db: &impl ConnectionTrait,
    env: &Env,
    me: &Staff,
    id: &str,
    input: &MergeRequest,
    now: DateTime<Utc>,
) -> Result<ReportState, Error> {
    let c = load(db, me, id).await?;
    let into = load(db, me, &input.into)
        .await
        .map_err(|_| Invalid::field("into", "no report of your bureau has this id"))?;
    if into.id == c.id || into.bureau_code != c.bureau_code {
        return Err(Invalid::field("into", "must be another report of the same bureau").into());
    }
    let c = lifecycle::close(
        db,
        env,
        &c,
        &[CaseStatus::PendingVerification],
        Closure {
            to: CaseStatus::Merged,
            outcome: None,
            meets: Some(DeadlineKind::ReportVerification),
            reason: c.outcome_reason.clone(),
            amount_recovered_fen: c.amount_recovered_fen,
            amount_in_dispute_fen: c.amount_in_dispute_fen,
        },
        now,
    )
    .await?;
    case::Entity::update_many()
        .col_expr(case::Column::DuplicateOfId, Expr::value(into.id.clone()))
        .filter(case::Column::Id.eq(c.id.as_str()))
        .exec(db)
        .await?;
    journal::record(
        db,
        &Actor::from(me),
        &c.id,
        Entry {
            event: "report_merged",
            public: true,
            detail: json!({"description": format!("相关举报已合并至 {} 一并处理", into.receipt_number)}),
            action: "report.merge",
            audit: json!({"into": into.id}),
        },
        now,
    )
    .await?;
    state_of(db, &c.id).await
}

/// The reports `id` may be merged into, as a page offers them: the other reports of its bureau
/// about the same business (its credit code, or its name when it has none), newest first, at
/// most 20.
pub async fn candidates(
    db: &impl ConnectionTrait,
    me: &Staff,
    id: &str,
) -> Result<Vec<case::Model>, Error> {
    let c = load(db, me, id).await?;
    Ok(case::Entity::find()
        .filter(case::Column::Kind.eq(CaseKind::Report))
        .filter(case::Column::BureauCode.eq(c.bureau_code.as_str()))
        .filter(case::Column::Id.ne(c.id.as_str()))
        .filter(case::Column::Status.ne(CaseStatus::Merged))
        .filter(case::Column::RespondentKey.eq(c.respondent_key.as_str()))
        .order_by_desc(case::Column::ReceivedAt)
        .limit(20)
        .all(db)
        .await?)
}
