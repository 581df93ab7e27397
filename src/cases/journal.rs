//! What a step leaves behind on a case: a timeline entry (public ones are what the consumer sees
//! on tracking) and the append-only audit trail's entry, written in the step's transaction.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, NotSet, Set};

use crate::actor::Actor;
use crate::audit;
use crate::entities::case_event;

/// A step's record: its timeline entry and its audit entry.
pub struct Entry<'a> {
    /// The timeline entry's kind, e.g. `accepted`.
    pub event: &'a str,
    /// Whether the consumer sees it on tracking.
    pub public: bool,
    pub detail: serde_json::Value,
    /// The audit trail's action, e.g. `case.accept`.
    pub action: &'a str,
    pub audit: serde_json::Value,
}

/// Writes the step's timeline entry and audit entry.
pub async fn record(
    db: &impl ConnectionTrait,
    actor: &Actor,
    case_id: &str,
    entry: Entry<'_>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    append_event(
        db,
        case_id,
        entry.event,
        actor,
        entry.public,
        entry.detail,
        now,
    )
    .await?;
    audit::record(db, actor, entry.action, Some(case_id), entry.audit, now).await
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
