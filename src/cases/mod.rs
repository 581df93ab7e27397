//! Cases after intake: their status, timeline, staff views and consumer tracking.

pub mod access;
pub mod http;
pub mod status;
pub mod track;

pub use status::{CaseKind, CaseStatus, Outcome, PartyRole};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, NotSet, QueryFilter, Set,
};

use crate::actor::Actor;
use crate::entities::{case, case_event};
use crate::http::{ApiError, ApiResult};

/// Moves a case from one of `from` to `to`. The update is conditional on the status read, so of
/// two concurrent steps on one case exactly one wins; the other gets 409.
pub async fn transition(
    db: &impl ConnectionTrait,
    c: &case::Model,
    from: &[CaseStatus],
    to: CaseStatus,
    now: DateTime<Utc>,
) -> ApiResult<case::Model> {
    let current = Some(c.status);
    if !current.is_some_and(|s| from.contains(&s)) {
        return Err(ApiError::conflict(
            "invalid_transition",
            format!("the case is {}; it cannot become {}", c.status, to.as_str()),
        ));
    }
    let updated = case::Entity::update_many()
        .col_expr(case::Column::Status, Expr::value(to.as_str()))
        .col_expr(case::Column::UpdatedAt, Expr::value(now))
        .filter(case::Column::Id.eq(c.id.as_str()))
        .filter(case::Column::Status.eq(c.status.as_str()))
        .exec(db)
        .await?;
    if updated.rows_affected != 1 {
        return Err(ApiError::conflict(
            "concurrent_change",
            "the case changed meanwhile; reload it",
        ));
    }
    case::Entity::find_by_id(c.id.clone())
        .one(db)
        .await?
        .ok_or_else(|| ApiError::internal("case vanished"))
}

/// One timeline entry, not yet written; `append_event` writes one, `insert_many` several at once.
pub fn event(
    case_id: &str,
    kind: &str,
    actor: &Actor,
    public: bool,
    detail: serde_json::Value,
    now: DateTime<Utc>,
) -> case_event::ActiveModel {
    case_event::ActiveModel {
        id: NotSet,
        case_id: Set(case_id.to_owned()),
        at: Set(now),
        kind: Set(kind.to_owned()),
        actor_kind: Set(actor.kind().to_owned()),
        actor_id: Set(actor.user_id()),
        public: Set(public),
        detail: Set(detail.to_string()),
    }
}

/// Appends to a case's timeline. Public entries are what the consumer sees on tracking.
pub async fn append_event(
    db: &impl ConnectionTrait,
    case_id: &str,
    kind: &str,
    actor: &Actor,
    public: bool,
    detail: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    event(case_id, kind, actor, public, detail, now)
        .insert(db)
        .await?;
    Ok(())
}
