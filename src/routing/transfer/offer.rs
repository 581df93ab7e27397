//! Offering a case to the competent bureau (移送): the case stays where it is until that bureau
//! accepts; meanwhile both bureaus see it.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;

use super::{Error, TransferView, view};
use crate::actor::{Actor, Staff};
use crate::cases::access::{Act, act_on};
use crate::cases::journal::{self, Entry};
use crate::divisions::Divisions;
use crate::domain::faults::Invalid;
use crate::entities::{case, transfer};
use crate::routing::reference::is_pilot_town;
use crate::routing::registry::{bureau_name, is_county};
use crate::routing::transfer_status::TransferStatus;

/// What the handling bureau asks.
pub struct Offer<'a> {
    /// County code of the competent bureau.
    pub to_bureau_code: &'a str,
    /// Why the case is not this bureau's and is that bureau's.
    pub reason: &'a str,
}

/// Whether the case is never transferred: its dispute arose in the pilot area, in the county of
/// the bureau holding it (同城待遇 cases are never refused for jurisdiction).
pub fn stays_here(c: &case::Model) -> bool {
    let dispute_county = Divisions::builtin()
        .county_of(&c.dispute_division_code)
        .map(|d| d.code);
    is_pilot_town(&c.dispute_division_code) && dispute_county == Some(c.bureau_code.as_str())
}

/// Offers the case `case_id` to another bureau. Only one transfer of a case is open at a time;
/// a pilot-area case in the county where its dispute arose is never transferred (同城待遇).
pub async fn offer(
    db: &impl ConnectionTrait,
    staff: &Staff,
    case_id: &str,
    input: Offer<'_>,
    now: DateTime<Utc>,
) -> Result<TransferView, Error> {
    let c = act_on(db, staff, case_id, Act::Transfer).await?;
    let to = input.to_bureau_code.trim();
    if !is_county(to) {
        return Err(Invalid::field(
            "to_bureau_code",
            "not a county code; bureaus are county-level",
        )
        .into());
    }
    if to == c.bureau_code {
        return Err(
            Invalid::field("to_bureau_code", "the case is already with this bureau").into(),
        );
    }
    if stays_here(&c) {
        return Err(Error::ZoneCase);
    }
    let open = transfer::Entity::find()
        .filter(transfer::Column::CaseId.eq(&c.id))
        .filter(transfer::Column::Status.is_in(TransferStatus::OPEN))
        .one(db)
        .await?;
    if let Some(t) = open {
        return Err(Error::StillOpen {
            id: t.id,
            to: t.to_bureau_code,
            status: t.status,
        });
    }
    let reason = input.reason.trim().to_owned();
    let t = transfer::ActiveModel {
        id: Set(uuid::Uuid::now_v7().to_string()),
        case_id: Set(c.id.clone()),
        from_bureau_code: Set(c.bureau_code.clone()),
        to_bureau_code: Set(to.to_owned()),
        reason: Set(reason.clone()),
        status: Set(TransferStatus::Pending),
        requested_at: Set(now),
        updated_at: Set(now),
        return_reason: Set(None),
        dispute_due_at: Set(None),
        escalated_at: Set(None),
        escalated_to_code: Set(None),
        escalated_to_name: Set(None),
    }
    .insert(db)
    .await?;
    let to_name = bureau_name(db, to).await?;
    journal::record(
        db,
        &Actor::from(staff),
        &c.id,
        Entry {
            event: "transfer_requested",
            public: true,
            detail: json!({"description": format!("本案拟移送{to_name}办理，待其确认"), "transfer_id": t.id, "to_bureau_code": to, "reason": reason}),
            action: "transfer.request",
            audit: json!({"transfer_id": t.id, "to_bureau_code": to}),
        },
        now,
    )
    .await?;
    Ok(view(db, t).await?)
}
