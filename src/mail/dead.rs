//! Mail that could not be delivered after every attempt (dead letters), for the system
//! administrator: seen, and sent again with a fresh series of attempts.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use crate::actor::{Actor, Role, Staff};
use crate::audit;
use crate::cases::access;
use crate::domain::faults::failure;
use crate::entities::outbox;
use crate::mail::status::OutboxStatus;

/// Who sees and resends dead mail: it may be addressed to any bureau.
pub const MAIL_KEEPERS: &[Role] = &[Role::SystemAdmin];

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("no outbox message {0}")]
    NoMessage(i64),
    #[error("the message is {0}, not dead")]
    NotDead(OutboxStatus),
    #[error(transparent)]
    Access(#[from] access::Error),
    #[error(transparent)]
    Db(#[from] DbErr),
}

failure!(Error {
    Error::NoMessage(_) => NotFound, "not_found";
    Error::NotDead(_) => Conflict, "not_dead";
} passes [Access, Db]);

/// The outbox's messages of `status` (`dead` by default), newest first, at most 200.
pub async fn list(
    db: &impl ConnectionTrait,
    me: &Staff,
    status: Option<OutboxStatus>,
) -> Result<Vec<outbox::Model>, Error> {
    me.require(MAIL_KEEPERS)?;
    Ok(outbox::Entity::find()
        .filter(outbox::Column::Status.eq(status.unwrap_or(OutboxStatus::Dead)))
        .order_by_desc(outbox::Column::Id)
        .limit(200)
        .all(db)
        .await?)
}

/// Sends a dead letter again: pending at once, its attempts counted afresh.
pub async fn resend(
    db: &impl ConnectionTrait,
    me: &Staff,
    id: i64,
    now: DateTime<Utc>,
) -> Result<outbox::Model, Error> {
    me.require(MAIL_KEEPERS)?;
    let msg = outbox::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(Error::NoMessage(id))?;
    if msg.status != OutboxStatus::Dead {
        return Err(Error::NotDead(msg.status));
    }
    let mut active: outbox::ActiveModel = msg.into();
    active.status = Set(OutboxStatus::Pending);
    active.attempts = Set(0);
    active.next_attempt_at = Set(now);
    active.locked_until = Set(None);
    active.claim_token = Set(None);
    let msg = active.update(db).await?;
    audit::record(
        db,
        &Actor::from(me),
        "outbox.resend",
        None,
        serde_json::json!({"outbox_id": msg.id}),
        now,
    )
    .await?;
    Ok(msg)
}
