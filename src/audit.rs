//! The append-only audit trail: every state change and every staff read of personal data.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, NotSet, Set};

use crate::entities::audit_log;
use crate::http::Principal;

/// Who did something.
#[derive(Debug, Clone)]
pub enum Actor {
    Staff {
        user_id: String,
        role: &'static str,
    },
    /// A consumer acting with a receipt number and access secret.
    Consumer,
    /// The respondent business acting with a single-use code mailed to it.
    Business,
    /// The service itself: sweeps, escalations, the CLI.
    System,
}

impl Actor {
    pub fn kind(&self) -> &'static str {
        match self {
            Actor::Staff { role, .. } => role,
            Actor::Consumer => "consumer",
            Actor::Business => "business",
            Actor::System => "system",
        }
    }

    pub fn user_id(&self) -> Option<String> {
        match self {
            Actor::Staff { user_id, .. } => Some(user_id.clone()),
            _ => None,
        }
    }
}

impl From<&Principal> for Actor {
    fn from(p: &Principal) -> Self {
        Actor::Staff {
            user_id: p.user_id.clone(),
            role: p.role.as_str(),
        }
    }
}

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
