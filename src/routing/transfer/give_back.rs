//! Returning a transfer (退回): the receiving bureau is not competent either, so the two bureaus
//! disagree on jurisdiction and have 7 working days to settle it before it escalates.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::json;

use super::{Error, Side, TransferView, advance, find, for_side, view};
use crate::actor::{Actor, Staff};
use crate::cases::journal::{self, Entry};
use crate::deadlines::{self, DeadlineKind};
use crate::entities::{case, deadline, transfer};
use crate::env::Env;
use crate::routing::registry::bureau_name;
use crate::routing::transfer_status::TransferStatus;

/// Returns the pending transfer `transfer_id` with `reason` and opens the case's
/// `jurisdiction_dispute` deadline.
pub async fn give_back(
    db: &impl ConnectionTrait,
    env: &Env,
    staff: &Staff,
    transfer_id: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<TransferView, Error> {
    let t = for_side(db, staff, transfer_id, Side::Receiving).await?;
    let reason = reason.trim().to_owned();
    let c = case::Entity::find_by_id(t.case_id.clone())
        .one(db)
        .await?
        .ok_or(Error::MissingCase)?;
    let clock = deadlines::compute(
        &env.calendar.current(),
        &env.rules,
        c.rule_set,
        DeadlineKind::JurisdictionDispute,
        now,
    )
    .ok_or(Error::NoDisputeLimit)?;
    advance(
        db,
        &t.id,
        &[TransferStatus::Pending],
        TransferStatus::Returned,
        vec![
            (
                transfer::Column::ReturnReason,
                Expr::value(Some(reason.clone())),
            ),
            (
                transfer::Column::DisputeDueAt,
                Expr::value(Some(clock.due_at)),
            ),
        ],
        now,
    )
    .await?;
    // A case has one dispute deadline; an earlier transfer's (already closed) gives way to this one.
    deadline::Entity::delete_many()
        .filter(deadline::Column::CaseId.eq(&t.case_id))
        .filter(deadline::Column::Kind.eq(DeadlineKind::JurisdictionDispute))
        .exec(db)
        .await?;
    deadlines::store::insert(db, &t.case_id, &clock).await?;
    let from_name = bureau_name(db, &t.from_bureau_code).await?;
    let to_name = bureau_name(db, &t.to_bureau_code).await?;
    journal::record(
        db,
        &Actor::from(staff),
        &t.case_id,
        Entry {
            event: "transfer_returned",
            public: true,
            detail: json!({"description": format!("{to_name}退回移送，本案暂由{from_name}办理，两局协商管辖"), "transfer_id": t.id, "reason": reason, "dispute_due_at": clock.due_at}),
            action: "transfer.return",
            audit: json!({"transfer_id": t.id, "reason": reason}),
        },
        now,
    )
    .await?;
    Ok(view(db, find(db, &t.id).await?).await?)
}
