use sea_orm::entity::prelude::*;

use crate::mail::status::OutboxStatus;

/// A mail written in the same transaction as the change it reports; a sender delivers it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Makes enqueueing idempotent, e.g. `deadline:42:overdue`.
    pub dedupe_key: Option<String>,
    /// JSON array of addresses.
    pub recipients: String,
    pub subject: String,
    pub body: String,
    /// A single-use secret written in the body (a confirmation code), cut out of the body and
    /// dropped once the mail is sent.
    pub secret: Option<String>,
    /// JSON array of `{filename, content_type, data_base64}`.
    pub attachments: String,
    pub status: OutboxStatus,
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    /// A sender's claim; another instance may take the message only after it lapses.
    pub locked_until: Option<DateTimeUtc>,
    /// The token of the sender round that holds the claim.
    pub claim_token: Option<String>,
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
