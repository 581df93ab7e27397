//! Reading leads: the bureau's list (no complainant identity) and one lead in full (the read of
//! personal data is audited).

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::json;

use super::view::{Identity, LeadView, view};
use super::{Error, LeadStatus};
use crate::actor::{Actor, Role, Staff};
use crate::audit;
use crate::cases::access::{REPORT_HANDLERS, reads_lead, works_lead};
use crate::entities::lead;

/// The caller's bureau's leads, oldest first (at most 500).
pub async fn list(
    db: &impl ConnectionTrait,
    me: &Staff,
    status: Option<LeadStatus>,
) -> Result<Vec<LeadView>, Error> {
    me.require(REPORT_HANDLERS)?;
    let mut find = lead::Entity::find()
        .filter(lead::Column::BureauCode.eq(me.bureau_code.clone().unwrap_or_default()));
    if let Some(s) = status {
        find = find.filter(lead::Column::Status.eq(s));
    }
    let rows = find
        .order_by_asc(lead::Column::Id)
        .limit(500)
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for l in rows {
        out.push(view(db, l, Identity::Withheld).await?);
    }
    Ok(out)
}

/// Loads a lead the caller works.
pub async fn load(db: &impl ConnectionTrait, me: &Staff, id: i64) -> Result<lead::Model, Error> {
    me.require(REPORT_HANDLERS)?;
    let l = lead::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(Error::NoLead(id))?;
    works_lead(me, &l.bureau_code)?;
    Ok(l)
}

/// One lead with the complainant's identity; the read is audited.
pub async fn get(
    db: &impl ConnectionTrait,
    me: &Staff,
    id: i64,
    now: DateTime<Utc>,
) -> Result<LeadView, Error> {
    me.require(&[Role::Mediator, Role::EnforcementOfficer, Role::BureauAdmin])?;
    let l = lead::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(Error::NoLead(id))?;
    if !reads_lead(me, &l.bureau_code, l.handling_station_id.as_deref())? {
        return Err(Error::NoLead(id));
    }
    audit::record(
        db,
        &Actor::from(me),
        "lead.read_personal_data",
        Some(&l.case_id),
        json!({"lead_id": l.id}),
        now,
    )
    .await?;
    view(db, l, Identity::Shown).await
}

/// The lead opened from the complaint `case_id`, if any, for a page that has already found the
/// case visible to its reader.
pub async fn of_case(
    db: &impl ConnectionTrait,
    case_id: &str,
) -> Result<Option<lead::Model>, Error> {
    Ok(lead::Entity::find()
        .filter(lead::Column::CaseId.eq(case_id))
        .one(db)
        .await?)
}
