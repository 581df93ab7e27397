//! Administering accounts: a system admin any account, a bureau admin the mediators, enforcement
//! officers and admins of their own bureau. Create, list, change the role or station, disable
//! or enable (a disabled account's logins end at once), and reset a password to a temporary
//! one shown once to the admin.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use validator::Validate;

use super::{Error, NewUser, create_user, hash_password};
use crate::actor::{Actor, Role, Staff};
use crate::audit;
use crate::cases::access;
use crate::domain::faults::Invalid;
use crate::domain::text_enum;
use crate::entities::{auth_token, station, user};

/// Who administers accounts.
pub const ACCOUNT_KEEPERS: &[Role] = &[Role::SystemAdmin, Role::BureauAdmin];

/// The roles a bureau admin gives and manages: the bureau's own staff.
pub const BUREAU_ROLES: &[Role] = &[Role::Mediator, Role::EnforcementOfficer, Role::BureauAdmin];

text_enum! {
    /// The roles of a bureau's own staff, which an account changes between.
    pub enum StaffRole {
        Mediator = "mediator",
        EnforcementOfficer = "enforcement_officer",
        BureauAdmin = "bureau_admin",
    }
}

impl From<StaffRole> for Role {
    fn from(r: StaffRole) -> Role {
        match r {
            StaffRole::Mediator => Role::Mediator,
            StaffRole::EnforcementOfficer => Role::EnforcementOfficer,
            StaffRole::BureauAdmin => Role::BureauAdmin,
        }
    }
}

/// A change to an account; what is left out stays.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
pub struct AccountChange {
    /// `false` disables the account and ends its logins; `true` enables it again.
    pub active: Option<bool>,
    /// Only between the roles of bureau staff, for an account that has one.
    pub role: Option<StaffRole>,
    /// The station of a mediator (required when the role becomes `mediator`).
    pub station_id: Option<String>,
}

fn forbidden(why: &'static str) -> Error {
    Error::Access(access::Error::NotYours(why))
}

/// The bureau a new or changed staff account of `role` at `station_id` belongs to.
async fn bureau_of(
    db: &impl ConnectionTrait,
    role: Role,
    station_id: Option<&str>,
    bureau_code: Option<&str>,
) -> Result<Option<String>, Error> {
    Ok(match (role, station_id) {
        (Role::Mediator, Some(id)) => station::Entity::find_by_id(id.to_owned())
            .one(db)
            .await?
            .map(|s| s.bureau_code),
        _ => bureau_code.map(str::to_owned),
    })
}

/// Creates an account: a bureau admin only staff of their own bureau.
pub async fn create(
    db: &impl ConnectionTrait,
    me: &Staff,
    new: NewUser,
    now: DateTime<Utc>,
) -> Result<user::Model, Error> {
    me.require(ACCOUNT_KEEPERS)?;
    if me.role == Role::BureauAdmin {
        if !BUREAU_ROLES.contains(&new.role) {
            return Err(forbidden(
                "a bureau admin creates only staff of their bureau",
            ));
        }
        let target = bureau_of(
            db,
            new.role,
            new.station_id.as_deref(),
            new.bureau_code.as_deref(),
        )
        .await?;
        if target.is_some() && target != me.bureau_code {
            return Err(forbidden("that station or bureau is outside your bureau"));
        }
    }
    create_user(db, new, &Actor::from(me), now).await
}

/// The accounts `me` administers, by role and name: a bureau admin's bureau's staff, or every
/// account for a system admin.
pub async fn list(db: &impl ConnectionTrait, me: &Staff) -> Result<Vec<user::Model>, Error> {
    me.require(ACCOUNT_KEEPERS)?;
    let mut find = user::Entity::find();
    if me.role == Role::BureauAdmin {
        find = find
            .filter(user::Column::BureauCode.eq(me.bureau_code.clone().unwrap_or_default()))
            .filter(user::Column::Role.is_in(BUREAU_ROLES.iter().copied()));
    }
    Ok(find
        .order_by_asc(user::Column::Role)
        .order_by_asc(user::Column::DisplayName)
        .all(db)
        .await?)
}

/// The account `id`, if `me` administers it (404 otherwise, as for an unknown one).
pub async fn load(db: &impl ConnectionTrait, me: &Staff, id: &str) -> Result<user::Model, Error> {
    me.require(ACCOUNT_KEEPERS)?;
    let u = user::Entity::find_by_id(id.to_owned())
        .one(db)
        .await?
        .filter(|u| {
            me.role == Role::SystemAdmin
                || (u.bureau_code == me.bureau_code && BUREAU_ROLES.contains(&u.role))
        })
        .ok_or(Error::NoAccount)?;
    Ok(u)
}

/// Ends every login of the account.
async fn end_logins(
    db: &impl ConnectionTrait,
    user_id: &str,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    auth_token::Entity::update_many()
        .col_expr(auth_token::Column::RevokedAt, Expr::value(Some(now)))
        .filter(auth_token::Column::UserId.eq(user_id))
        .filter(auth_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Changes the account's role, station or whether it is active.
pub async fn change(
    db: &impl ConnectionTrait,
    me: &Staff,
    id: &str,
    input: &AccountChange,
    now: DateTime<Utc>,
) -> Result<user::Model, Error> {
    let u = load(db, me, id).await?;
    if u.id == me.user_id && (input.active == Some(false) || input.role.is_some()) {
        return Err(Error::OwnAccount);
    }
    let role = input.role.map_or(u.role, Role::from);
    if role != u.role && !BUREAU_ROLES.contains(&u.role) {
        return Err(Invalid::field("role", "only a bureau staff account changes its role").into());
    }
    let mut row: user::ActiveModel = u.clone().into();
    if role == Role::Mediator {
        let wanted = input.station_id.as_deref().or(u.station_id.as_deref());
        let Some(s) = wanted else {
            return Err(Invalid::field("station_id", "required for a mediator").into());
        };
        let bureau = bureau_of(db, role, Some(s), None).await?;
        if bureau.is_none() || bureau != u.bureau_code {
            return Err(Invalid::field(
                "station_id",
                "no station of the account's bureau has this id",
            )
            .into());
        }
        row.station_id = Set(Some(s.to_owned()));
    } else if input.station_id.is_some() {
        return Err(Invalid::field("station_id", "only a mediator belongs to a station").into());
    } else if BUREAU_ROLES.contains(&role) {
        row.station_id = Set(None);
    }
    row.role = Set(role);
    if let Some(active) = input.active {
        row.active = Set(active);
    }
    let changed = row.update(db).await?;
    if !changed.active || changed.role != u.role {
        end_logins(db, &changed.id, now).await?;
    }
    audit::record(
        db,
        &Actor::from(me),
        "user.change",
        None,
        json!({
            "user_id": changed.id,
            "active": changed.active,
            "role": changed.role,
            "station_id": changed.station_id,
        }),
        now,
    )
    .await?;
    Ok(changed)
}

/// Twelve characters without look-alikes (no 0/o, 1/l/i), to be read out or typed.
pub fn temporary_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    (0..12)
        .map(|_| ALPHABET[rand::random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// Gives the account a temporary password, ends its logins, and returns the password, to be
/// passed on once: only its hash is kept.
pub async fn reset_password(
    db: &impl ConnectionTrait,
    me: &Staff,
    id: &str,
    now: DateTime<Utc>,
) -> Result<String, Error> {
    let u = load(db, me, id).await?;
    let password = temporary_password();
    let mut row: user::ActiveModel = u.into();
    row.password_hash = Set(hash_password(&password)?);
    let u = row.update(db).await?;
    end_logins(db, &u.id, now).await?;
    audit::record(
        db,
        &Actor::from(me),
        "user.reset_password",
        None,
        json!({"user_id": u.id}),
        now,
    )
    .await?;
    Ok(password)
}
