//! Built-in bureaus and stations: the Yangtze Delta pilot-area stations, 嘉善 天凝所 and their
//! county bureaus, and the pilot area itself. Loaded at every start; existing rows are left as they are.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, NotSet, Set};

use super::registry::default_bureau_name;
use crate::entities::{bureau, station, station_town};

/// (station id, county code, name, towns covered)
pub const STATIONS: &[(&str, &str, &str, &[&str])] = &[
    ("S310118104", "310118", "金泽市场监督管理所", &["310118104"]),
    (
        "S310118102",
        "310118",
        "朱家角市场监督管理所",
        &["310118102"],
    ),
    (
        "S320509110",
        "320509",
        "黎里市场监督管理所（汾湖）",
        &["320509110"],
    ),
    ("S330421103", "330421", "西塘市场监督管理所", &["330421103"]),
    ("S330421111", "330421", "姚庄市场监督管理所", &["330421111"]),
    ("S330421112", "330421", "天凝市场监督管理所", &["330421112"]),
];

pub const BUREAUS: &[&str] = &["310118", "320509", "330421", "320412"];

/// The pilot area (先行启动区) of the 长三角生态绿色一体化发展示范区: (town code, its 亲吾家 station).
pub const PILOT_AREA: &[(&str, &str)] = &[
    ("310118104", "S310118104"),
    ("310118102", "S310118102"),
    ("320509110", "S320509110"),
    ("330421103", "S330421103"),
    ("330421111", "S330421111"),
];

/// The county bureaus of the pilot towns: 青浦, 吴江, 嘉善.
pub const PILOT_COUNTIES: &[&str] = &["310118", "320509", "330421"];

pub fn is_pilot_town(code: &str) -> bool {
    PILOT_AREA.iter().any(|(town, _)| *town == code)
}

pub fn is_pilot_station(id: &str) -> bool {
    PILOT_AREA.iter().any(|(_, station)| *station == id)
}

pub fn is_pilot_county(code: &str) -> bool {
    PILOT_COUNTIES.contains(&code)
}

/// Loads the built-in reference data (the pilot-area bureaus and stations); idempotent, run at
/// every start after the migrations.
pub async fn load(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<(), DbErr> {
    let bureaus = BUREAUS.iter().map(|code| bureau::ActiveModel {
        code: Set((*code).to_owned()),
        name: Set(default_bureau_name(code)),
        document_prefix: NotSet,
        created_at: Set(now),
    });
    bureau::Entity::insert_many(bureaus)
        .on_conflict_do_nothing()
        .exec(db)
        .await?;
    let stations = STATIONS
        .iter()
        .map(|(id, county, name, _)| station::ActiveModel {
            id: Set((*id).to_owned()),
            bureau_code: Set((*county).to_owned()),
            name: Set((*name).to_owned()),
            created_at: Set(now),
        });
    station::Entity::insert_many(stations)
        .on_conflict_do_nothing()
        .exec(db)
        .await?;
    let towns = STATIONS.iter().flat_map(|(id, _, _, towns)| {
        towns.iter().map(move |t| station_town::ActiveModel {
            town_code: Set((*t).to_owned()),
            station_id: Set((*id).to_owned()),
        })
    });
    station_town::Entity::insert_many(towns)
        .on_conflict_do_nothing()
        .exec(db)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::divisions::Divisions;

    #[test]
    fn every_pilot_town_lies_in_a_pilot_county_and_has_its_built_in_station() {
        for (town, station) in PILOT_AREA {
            let county = Divisions::builtin().county_of(town).unwrap().code;
            assert!(is_pilot_county(county), "{town}");
            assert!(
                STATIONS
                    .iter()
                    .any(|(id, c, _, towns)| id == station && *c == county && towns.contains(town)),
                "{station}"
            );
        }
    }
}
