//! The bureau's duty roster: who is on duty when, set by its admins.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, NotSet, QueryFilter, QueryOrder,
    Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use validator::Validate;

use super::Error;
use crate::actor::{Actor, Role, Staff};
use crate::audit;
use crate::cases::access::own_bureau;
use crate::domain::faults::Faults;
use crate::entities::{duty_roster, user};

#[derive(Deserialize, Validate, ToSchema)]
pub struct DutyRequest {
    pub user_id: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct DutyView {
    pub id: i64,
    pub user_id: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

impl From<duty_roster::Model> for DutyView {
    fn from(r: duty_roster::Model) -> Self {
        DutyView {
            id: r.id,
            user_id: r.user_id,
            starts_at: r.starts_at,
            ends_at: r.ends_at,
        }
    }
}

/// Puts a member of the bureau `bureau_code` on duty for a period.
pub async fn add(
    db: &impl ConnectionTrait,
    me: &Staff,
    bureau_code: &str,
    input: &DutyRequest,
    now: DateTime<Utc>,
) -> Result<DutyView, Error> {
    me.require(&[Role::BureauAdmin, Role::SystemAdmin])?;
    own_bureau(me, bureau_code)?;
    let mut faults = Faults::default();
    if input.ends_at <= input.starts_at {
        faults.add("ends_at", "must be after starts_at");
    }
    let member = user::Entity::find_by_id(input.user_id.clone())
        .one(db)
        .await?;
    if member.as_ref().and_then(|u| u.bureau_code.as_deref()) != Some(bureau_code) {
        faults.add("user_id", "no active member of this bureau has this id");
    }
    faults.finish()?;
    let row = duty_roster::ActiveModel {
        id: NotSet,
        bureau_code: Set(bureau_code.to_owned()),
        user_id: Set(input.user_id.clone()),
        starts_at: Set(input.starts_at),
        ends_at: Set(input.ends_at),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    audit::record(
        db,
        &Actor::from(me),
        "duty.add",
        None,
        json!({"roster_id": row.id, "bureau": row.bureau_code, "user_id": row.user_id}),
        now,
    )
    .await?;
    Ok(DutyView::from(row))
}

/// The bureau's duty roster, current and future.
pub async fn list(
    db: &impl ConnectionTrait,
    me: &Staff,
    bureau_code: &str,
    now: DateTime<Utc>,
) -> Result<Vec<DutyView>, Error> {
    me.require(&[
        Role::BureauAdmin,
        Role::Mediator,
        Role::EnforcementOfficer,
        Role::SystemAdmin,
    ])?;
    own_bureau(me, bureau_code)?;
    let rows = duty_roster::Entity::find()
        .filter(duty_roster::Column::BureauCode.eq(bureau_code))
        .filter(duty_roster::Column::EndsAt.gt(now))
        .order_by_asc(duty_roster::Column::StartsAt)
        .all(db)
        .await?;
    Ok(rows.into_iter().map(DutyView::from).collect())
}
