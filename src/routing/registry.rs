//! The names of county bureaus, registered or derived, and which division codes are a bureau's.
//! A leaf that imports none of its siblings, so that routing's modules, tracking and the mediation
//! documents can all name a bureau without depending on each other.

use sea_orm::{ConnectionTrait, DbErr, EntityTrait};

use crate::divisions::Divisions;
use crate::entities::{bureau, station};

/// Whether `code` is a county (or a city without counties, which acts as one): a bureau's code.
pub fn is_county(code: &str) -> bool {
    Divisions::builtin()
        .county_of(code)
        .is_some_and(|c| c.code == code)
}

/// A county's bureau name: from the registry when configured, else derived from the division name.
pub async fn bureau_name(db: &impl ConnectionTrait, county_code: &str) -> Result<String, DbErr> {
    if let Some(b) = bureau::Entity::find_by_id(county_code.to_owned())
        .one(db)
        .await?
    {
        return Ok(b.name);
    }
    Ok(default_bureau_name(county_code))
}

/// The name of a station, when there is one.
pub async fn station_name(
    db: &impl ConnectionTrait,
    station_id: Option<&str>,
) -> Result<Option<String>, DbErr> {
    let Some(id) = station_id else {
        return Ok(None);
    };
    Ok(station::Entity::find_by_id(id.to_owned())
        .one(db)
        .await?
        .map(|s| s.name))
}

pub fn default_bureau_name(county_code: &str) -> String {
    let full = Divisions::builtin()
        .full_name(county_code)
        .unwrap_or_else(|| county_code.to_owned());
    format!("{full}市场监督管理局")
}

/// The stations of a county bureau, by name.
pub async fn stations_of(
    db: &impl ConnectionTrait,
    county_code: &str,
) -> Result<Vec<station::Model>, DbErr> {
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
    station::Entity::find()
        .filter(station::Column::BureauCode.eq(county_code))
        .order_by_asc(station::Column::Name)
        .all(db)
        .await
}
