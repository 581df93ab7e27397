//! The append-only audit trail: every state change and every staff read of personal data.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, NotSet, Set};

use crate::actor::Actor;
use crate::entities::audit_log;

/// The trail's entry for one action.
pub fn entry(
    actor: &Actor,
    action: &str,
    case_id: Option<&str>,
    detail: serde_json::Value,
    now: DateTime<Utc>,
) -> audit_log::ActiveModel {
    audit_log::ActiveModel {
        id: NotSet,
        at: Set(now),
        actor_user_id: Set(actor.user_id()),
        actor_role: Set(actor.kind().to_owned()),
        action: Set(action.to_owned()),
        case_id: Set(case_id.map(str::to_owned)),
        detail: Set(detail.to_string()),
    }
}

pub async fn record(
    db: &impl ConnectionTrait,
    actor: &Actor,
    action: &str,
    case_id: Option<&str>,
    detail: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    audit_log::Entity::insert(entry(actor, action, case_id, detail, now))
        .exec_without_returning(db)
        .await?;
    Ok(())
}
