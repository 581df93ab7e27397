//! The names of county bureaus, registered or derived, and which division codes are a bureau's.
//! A leaf that imports none of its siblings, so that routing's modules, tracking and the mediation
//! documents can all name a bureau without depending on each other.

use sea_orm::{ConnectionTrait, DbErr, EntityTrait};

use crate::divisions::Divisions;
use crate::entities::bureau;

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
) -> Result<Vec<crate::entities::station::Model>, DbErr> {
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
    crate::entities::station::Entity::find()
        .filter(crate::entities::station::Column::BureauCode.eq(county_code))
        .order_by_asc(crate::entities::station::Column::Name)
        .all(db)
        .await
}
