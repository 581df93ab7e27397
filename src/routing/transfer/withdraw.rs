//! Withdrawing a transfer: the sending bureau keeps the case after all.

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use serde_json::json;

use super::{Error, Side, TransferView, advance, close_dispute_clock, find, for_side, view};
use crate::actor::{Actor, Staff};
use crate::cases::journal::{self, Entry};
use crate::routing::registry::bureau_name;
use crate::routing::transfer_status::TransferStatus;

/// Withdraws the transfer `transfer_id` for the sending bureau while it is pending, returned or
/// escalated, settling any jurisdiction dispute.
pub async fn withdraw(
    db: &impl ConnectionTrait,
    staff: &Staff,
    transfer_id: &str,
    now: DateTime<Utc>,
) -> Result<TransferView, Error> {
    let t = for_side(db, staff, transfer_id, Side::Sending).await?;
    advance(
        db,
        &t.id,
        &TransferStatus::OPEN,
        TransferStatus::Withdrawn,
        vec![],
        now,
    )
    .await?;
    close_dispute_clock(db, &t.case_id, true, now).await?;
    let from_name = bureau_name(db, &t.from_bureau_code).await?;
    journal::record(
        db,
        &Actor::from(staff),
        &t.case_id,
        Entry {
            event: "transfer_withdrawn",
            public: true,
            detail: json!({"description": format!("移送已撤回，本案由{from_name}继续办理"), "transfer_id": t.id}),
            action: "transfer.withdraw",
            audit: json!({"transfer_id": t.id}),
        },
        now,
    )
    .await?;
    Ok(view(db, find(db, &t.id).await?).await?)
}
