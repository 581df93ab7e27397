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

/// Who may be put on the duty roster of `bureau_code`: its admins, mediators and enforcement
/// officers.
fn on_roster(u: &user::Model, bureau_code: &str) -> bool {
    u.bureau_code.as_deref() == Some(bureau_code) && DUTY_ROLES.contains(&u.role)
}

/// The roles that take duty.
const DUTY_ROLES: &[Role] = &[Role::BureauAdmin, Role::Mediator, Role::EnforcementOfficer];

/// Who reads the roster (of their own bureau).
const ROSTER_READERS: &[Role] = &[
    Role::BureauAdmin,
    Role::Mediator,
    Role::EnforcementOfficer,
    Role::SystemAdmin,
];

/// Who edits it.
pub const ROSTER_KEEPERS: &[Role] = &[Role::BureauAdmin, Role::SystemAdmin];

/// Puts a member of the bureau `bureau_code` on duty for a period.
pub async fn add(
    db: &impl ConnectionTrait,
    me: &Staff,
    bureau_code: &str,
    input: &DutyRequest,
    now: DateTime<Utc>,
) -> Result<DutyView, Error> {
    me.require(ROSTER_KEEPERS)?;
    own_bureau(me, bureau_code)?;
    let mut faults = Faults::default();
    if input.ends_at <= input.starts_at {
        faults.add("ends_at", "must be after starts_at");
    }
    let member = user::Entity::find_by_id(input.user_id.clone())
        .one(db)
        .await?;
    if !member
        .as_ref()
        .is_some_and(|u| u.active && on_roster(u, bureau_code))
    {
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
    let rows = between(db, me, bureau_code, now, None).await?;
    Ok(rows.into_iter().map(DutyView::from).collect())
}

/// The duties of the bureau's roster that overlap `[from, until)`, earliest first.
pub async fn between(
    db: &impl ConnectionTrait,
    me: &Staff,
    bureau_code: &str,
    from: DateTime<Utc>,
    until: Option<DateTime<Utc>>,
) -> Result<Vec<duty_roster::Model>, Error> {
    me.require(ROSTER_READERS)?;
    own_bureau(me, bureau_code)?;
    let mut find = duty_roster::Entity::find()
        .filter(duty_roster::Column::BureauCode.eq(bureau_code))
        .filter(duty_roster::Column::EndsAt.gt(from));
    if let Some(until) = until {
        find = find.filter(duty_roster::Column::StartsAt.lt(until));
    }
    Ok(find
        .order_by_asc(duty_roster::Column::StartsAt)
        .order_by_asc(duty_roster::Column::Id)
        .all(db)
        .await?)
}

/// The bureau's active members who may be put on duty, by name.
pub async fn members(
    db: &impl ConnectionTrait,
    me: &Staff,
    bureau_code: &str,
) -> Result<Vec<user::Model>, Error> {
    me.require(ROSTER_READERS)?;
    own_bureau(me, bureau_code)?;
    Ok(user::Entity::find()
        .filter(user::Column::BureauCode.eq(bureau_code))
        .filter(user::Column::Role.is_in(DUTY_ROLES.iter().copied()))
        .filter(user::Column::Active.eq(true))
        .order_by_asc(user::Column::DisplayName)
        .all(db)
        .await?)
}

/// What taking a duty off the roster did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Removed {
    /// It had not begun: it is gone.
    Deleted,
    /// It had begun: it ends now, and the roster keeps what was served.
    EndedNow,
}

/// Takes the duty `id` off the bureau's roster: one not yet begun is deleted, one under way ends
/// now; one that is over stays as the record of who was on duty (409).
pub async fn remove(
    db: &impl ConnectionTrait,
    me: &Staff,
    bureau_code: &str,
    id: i64,
    now: DateTime<Utc>,
) -> Result<Removed, Error> {
    me.require(ROSTER_KEEPERS)?;
    own_bureau(me, bureau_code)?;
    let row = duty_roster::Entity::find_by_id(id)
        .filter(duty_roster::Column::BureauCode.eq(bureau_code))
        .one(db)
        .await?
        .ok_or(Error::NoDuty(id))?;
    if row.ends_at <= now {
        return Err(Error::DutyOver);
    }
    let removed = if row.starts_at > now {
        duty_roster::Entity::delete_by_id(id).exec(db).await?;
        Removed::Deleted
    } else {
        let mut running: duty_roster::ActiveModel = row.clone().into();
        running.ends_at = Set(now);
        running.update(db).await?;
        Removed::EndedNow
    };
    audit::record(
        db,
        &Actor::from(me),
        "duty.remove",
        None,
        json!({"roster_id": id, "bureau": bureau_code, "user_id": row.user_id, "removed": removed}),
        now,
    )
    .await?;
    Ok(removed)
}
