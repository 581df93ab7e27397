//! The claimant's steps on an urgent item: first contact (whether it met its target is kept),
//! handing over to a colleague on duty, and resolving the urgent handling (the case itself goes
//! on under its normal clocks).

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use validator::Validate;

use super::queue::{UrgentView, load, view};
use super::{Error, UrgentStatus, on_duty_user_ids};
use crate::actor::{Actor, Staff};
use crate::cases::journal::{self, Entry};
use crate::deadlines::{DeadlineKind, store};
use crate::domain::faults::Invalid;
use crate::entities::urgent_item;

#[derive(Deserialize, Validate, ToSchema)]
pub struct NoteRequest {
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub note: String,
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct HandoverRequest {
    /// Another staff member of the bureau on duty now.
    pub to_user_id: String,
    #[validate(length(max = 2000))]
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct ResolveRequest {
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub resolution: String,
}

/// Records first contact with the consumer or reporter.
pub async fn first_contact(
    db: &impl ConnectionTrait,
    me: &Staff,
    id: i64,
    input: &NoteRequest,
    now: DateTime<Utc>,
) -> Result<UrgentView, Error> {
    let out = claimant_step(
        db,
        me,
        id,
        &[UrgentStatus::Claimed],
        |a, item| {
            a.status = Set(UrgentStatus::Contacted);
            a.first_contact_at = Set(Some(now));
            a.first_contact_on_time = Set(Some(now <= item.first_contact_due_at));
            a.first_contact_note = Set(Some(input.note.clone()));
        },
        (
            "urgent_first_contact",
            "urgent.first_contact",
            json!({"item": id}),
        ),
        now,
    )
    .await?;
    store::complete(db, &out.case_id, DeadlineKind::UrgentFirstContact, now).await?;
    Ok(out)
}

/// Hands the item to a colleague on duty (e.g. at the end of a shift).
pub async fn handover(
    db: &impl ConnectionTrait,
    me: &Staff,
    id: i64,
    input: &HandoverRequest,
    now: DateTime<Utc>,
) -> Result<UrgentView, Error> {
    let bureau = me.bureau_code.clone().unwrap_or_default();
    let on_duty = on_duty_user_ids(db, &bureau, now).await?;
    let to = input.to_user_id.clone();
    if to == me.user_id || !on_duty.contains(&to) {
        return Err(Invalid::field(
            "to_user_id",
            "must be another member of the bureau on duty now",
        )
        .into());
    }
    claimant_step(
        db,
        me,
        id,
        &[UrgentStatus::Claimed, UrgentStatus::Contacted],
        |a, _| a.claimed_by = Set(Some(to.clone())),
        (
            "urgent_handed_over",
            "urgent.handover",
            json!({"item": id, "to": to, "note": input.note}),
        ),
        now,
    )
    .await
}

/// Closes the urgent handling.
pub async fn resolve(
    db: &impl ConnectionTrait,
    me: &Staff,
    id: i64,
    input: &ResolveRequest,
    now: DateTime<Utc>,
) -> Result<UrgentView, Error> {
    claimant_step(
        db,
        me,
        id,
        &[UrgentStatus::Contacted],
        |a, _| {
            a.status = Set(UrgentStatus::Resolved);
            a.resolved_at = Set(Some(now));
            a.resolution = Set(Some(input.resolution.clone()));
        },
        ("urgent_resolved", "urgent.resolve", json!({"item": id})),
        now,
    )
    .await
}

/// Applies one step that only the current claimant may take, from the given states, with its
/// timeline entry (staff only) and audit entry `(event, action, detail)`.
async fn claimant_step(
    db: &impl ConnectionTrait,
    me: &Staff,
    id: i64,
    from: &[UrgentStatus],
    change: impl FnOnce(&mut urgent_item::ActiveModel, &urgent_item::Model),
    (event, action, detail): (&str, &str, serde_json::Value),
    now: DateTime<Utc>,
) -> Result<UrgentView, Error> {
    let (item, c) = load(db, me, id, now).await?;
    if item.claimed_by.as_deref() != Some(me.user_id.as_str()) {
        return Err(Error::NotClaimant);
    }
    if !from.contains(&item.status) {
        return Err(Error::WrongState(item.status));
    }
    let mut active: urgent_item::ActiveModel = item.clone().into();
    change(&mut active, &item);
    // Guard against a concurrent step: the row must still be as we read it.
    let updated = urgent_item::Entity::update_many()
        .set(active)
        .filter(urgent_item::Column::Id.eq(item.id))
        .filter(urgent_item::Column::Status.eq(item.status))
        .filter(urgent_item::Column::ClaimedBy.eq(me.user_id.as_str()))
        .exec(db)
        .await?;
    if updated.rows_affected != 1 {
        return Err(Error::Concurrent);
    }
    journal::record(
        db,
        &Actor::from(me),
        &c.id,
        Entry {
            event,
            public: false,
            detail: detail.clone(),
            action,
            audit: detail,
        },
        now,
    )
    .await?;
    let item = urgent_item::Entity::find_by_id(item.id)
        .one(db)
        .await?
        .ok_or(Error::Missing("the item"))?;
    Ok(view(item, &c))
}
