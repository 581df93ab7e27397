//! Accepting a transfer: the case moves to the receiving bureau, to the station covering its
//! dispute town there (else the bureau itself); its deadlines keep running from the first receipt.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set};
use serde_json::json;

use super::{Error, Side, TransferView, advance, close_dispute_clock, find, for_side, view};
use crate::actor::{Actor, Staff};
use crate::cases::journal::{self, Entry};
use crate::entities::case;
use crate::routing::jurisdiction;
use crate::routing::rule::RoutingRule;
use crate::routing::transfer_status::TransferStatus;

/// Accepts the transfer `transfer_id` for the receiving bureau while it is pending, returned or
/// escalated (a superior's decision is carried out this way), settling any jurisdiction dispute.
pub async fn accept(
    db: &impl ConnectionTrait,
    staff: &Staff,
    transfer_id: &str,
    now: DateTime<Utc>,
) -> Result<TransferView, Error> {
    let t = for_side(db, staff, transfer_id, Side::Receiving).await?;
    advance(
        db,
        &t.id,
        &TransferStatus::OPEN,
        TransferStatus::Accepted,
        vec![],
        now,
    )
    .await?;
    let c = case::Entity::find_by_id(t.case_id.clone())
        .one(db)
        .await?
        .ok_or(Error::MissingCase)?;
    let towns: Vec<&str> = std::iter::once(c.dispute_division_code.as_str())
        .chain(c.respondent_division_code.as_deref())
        .collect();
    let (to_name, station) = jurisdiction(db, &t.to_bureau_code, &towns).await?;
    let handler = match &station {
        Some(s) => format!("{to_name}{}", s.name),
        None => to_name,
    };
    let mut moved: case::ActiveModel = c.into();
    moved.bureau_code = Set(t.to_bureau_code.clone());
    moved.station_id = Set(station.as_ref().map(|s| s.id.clone()));
    moved.routing_rule = Set(RoutingRule::Transferred);
    moved.updated_at = Set(now);
    moved.update(db).await?;
    close_dispute_clock(db, &t.case_id, true, now).await?;
    journal::record(
        db,
        &Actor::from(staff),
        &t.case_id,
        Entry {
            event: "transfer_accepted",
            public: true,
            detail: json!({"description": format!("移送已接收，改由{handler}办理"), "transfer_id": t.id, "bureau_code": t.to_bureau_code, "station_id": station.map(|s| s.id), "rule": RoutingRule::Transferred}),
            action: "transfer.accept",
            audit: json!({"transfer_id": t.id}),
        },
        now,
    )
    .await?;
    Ok(view(db, find(db, &t.id).await?).await?)
}
