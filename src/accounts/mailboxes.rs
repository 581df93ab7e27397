//! Where staff of a role are reached by mail: the active accounts with an address, in one
//! bureau, station or business.

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use crate::actor::Role;
use crate::entities::user;

/// What the accounts are bound to.
#[derive(Clone, Copy)]
pub enum Unit<'a> {
    Bureau(&'a str),
    Station(&'a str),
    Business(&'a str),
}

/// The addresses of the active accounts of `role` in `unit`, sorted, each once.
pub async fn of(
    db: &impl ConnectionTrait,
    role: Role,
    unit: Unit<'_>,
) -> Result<Vec<String>, DbErr> {
    let scope = match unit {
        Unit::Bureau(code) => user::Column::BureauCode.eq(code),
        Unit::Station(id) => user::Column::StationId.eq(id),
        Unit::Business(id) => user::Column::BusinessId.eq(id),
    };
    let mut emails: Vec<String> = user::Entity::find()
        .filter(user::Column::Role.eq(role))
        .filter(user::Column::Active.eq(true))
        .filter(user::Column::Email.is_not_null())
        .filter(scope)
        .all(db)
        .await?
        .into_iter()
        .filter_map(|u| u.email)
        .collect();
    emails.sort();
    emails.dedup();
    Ok(emails)
}
