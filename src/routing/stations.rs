//! The registry of bureaus and stations. Every county has a bureau (a row only once registered;
//! otherwise its name is derived); stations (监管所) cover towns of their bureau's county and are
//! managed by that bureau's admins. A town no station covers is handled by the county bureau.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Set, SqlErr,
};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use super::reference::{is_pilot_county, is_pilot_station};
use super::registry::{default_bureau_name, is_county};
use crate::actor::{Actor, Role, Staff};
use crate::audit;
use crate::cases::access;
use crate::divisions::{Divisions, Level};
use crate::domain::faults::{FieldError, Invalid, failure};
use crate::entities::{bureau, station, station_town};

/// What can go wrong with the registry.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Access(#[from] access::Error),
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error("only admins of bureau {0} manage its stations")]
    NotYourBureau(String),
    #[error("no county has the code {0}")]
    NoCounty(String),
    #[error("no station {0}")]
    NoStation(String),
    #[error("a station with the id {0} exists; choose another id")]
    StationExists(String),
    #[error(
        "town {town} is already covered by station {station}; remove it from that station first"
    )]
    TownCovered { town: String, station: String },
    #[error("another station claimed one of these towns at the same moment; reload and retry")]
    TownClaimed,
    #[error(transparent)]
    Db(#[from] DbErr),
}

failure!(Error {
    Error::NotYourBureau(_) => Forbidden, "forbidden";
    Error::NoCounty(_) => NotFound, "not_found";
    Error::NoStation(_) => NotFound, "not_found";
    Error::StationExists(_) => Conflict, "station_exists";
    Error::TownCovered { .. } => Conflict, "town_already_covered";
    Error::TownClaimed => Conflict, "town_already_covered";
} passes [Access, Invalid, Db]);

#[derive(Serialize, ToSchema)]
pub struct TownView {
    pub code: String,
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct StationView {
    pub id: String,
    pub bureau_code: String,
    pub name: String,
    /// One of the five 亲吾家 stations of the Yangtze Delta pilot area.
    pub pilot_area: bool,
    pub towns: Vec<TownView>,
}

#[derive(Serialize, ToSchema)]
pub struct BureauView {
    /// The county's GB/T 2260 code.
    pub code: String,
    pub name: String,
    /// False when the bureau has no row yet and its name is derived from the county's name.
    pub registered: bool,
    /// 青浦, 吴江 or 嘉善: the counties of the pilot area.
    pub pilot_area: bool,
    pub stations: Vec<StationView>,
}

/// The station views of `stations`, with their towns.
async fn views(
    db: &impl ConnectionTrait,
    stations: Vec<station::Model>,
) -> Result<Vec<StationView>, DbErr> {
    let towns = station_town::Entity::find()
        .filter(station_town::Column::StationId.is_in(stations.iter().map(|s| s.id.clone())))
        .order_by_asc(station_town::Column::TownCode)
        .all(db)
        .await?;
    let divisions = Divisions::builtin();
    Ok(stations
        .into_iter()
        .map(|s| StationView {
            pilot_area: is_pilot_station(&s.id),
            towns: towns
                .iter()
                .filter(|t| t.station_id == s.id)
                .map(|t| TownView {
                    name: divisions
                        .get(&t.town_code)
                        .map(|d| d.name.to_owned())
                        .unwrap_or_default(),
                    code: t.town_code.clone(),
                })
                .collect(),
            id: s.id,
            bureau_code: s.bureau_code,
            name: s.name,
        })
        .collect())
}

async fn bureau_view(db: &impl ConnectionTrait, code: &str) -> Result<BureauView, DbErr> {
    let row = bureau::Entity::find_by_id(code.to_owned()).one(db).await?;
    let stations = station::Entity::find()
        .filter(station::Column::BureauCode.eq(code))
        .order_by_asc(station::Column::Id)
        .all(db)
        .await?;
    Ok(BureauView {
        code: code.to_owned(),
        registered: row.is_some(),
        name: row
            .map(|b| b.name)
            .unwrap_or_else(|| default_bureau_name(code)),
        pilot_area: is_pilot_county(code),
        stations: views(db, stations).await?,
    })
}

async fn find_station(db: &impl ConnectionTrait, id: &str) -> Result<station::Model, Error> {
    station::Entity::find_by_id(id.to_owned())
        .one(db)
        .await?
        .ok_or_else(|| Error::NoStation(id.to_owned()))
}

/// The view of one station, loaded again after a change.
async fn station_view(db: &impl ConnectionTrait, s: station::Model) -> Result<StationView, DbErr> {
    Ok(views(db, vec![s]).await?.remove(0))
}

/// A bureau's admins manage its stations; a system admin manages any.
fn may_manage(staff: &Staff, bureau_code: &str) -> Result<(), Error> {
    staff.require(&[Role::BureauAdmin, Role::SystemAdmin])?;
    if staff.role == Role::BureauAdmin && staff.bureau_code.as_deref() != Some(bureau_code) {
        return Err(Error::NotYourBureau(bureau_code.to_owned()));
    }
    Ok(())
}

fn require_county(code: &str) -> Result<(), Error> {
    if is_county(code) {
        Ok(())
    } else {
        Err(Error::NoCounty(code.to_owned()))
    }
}

/// The registered bureaus with their stations, by code.
pub async fn bureaus(db: &impl ConnectionTrait) -> Result<Vec<BureauView>, DbErr> {
    let rows = bureau::Entity::find()
        .order_by_asc(bureau::Column::Code)
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for b in rows {
        out.push(bureau_view(db, &b.code).await?);
    }
    Ok(out)
}

/// The bureau of a county, registered or derived.
pub async fn bureau(db: &impl ConnectionTrait, code: &str) -> Result<BureauView, Error> {
    require_county(code)?;
    Ok(bureau_view(db, code).await?)
}

/// Registers the bureau of county `code` under `name`, or renames it: system admins only.
pub async fn register_bureau(
    db: &impl ConnectionTrait,
    staff: &Staff,
    code: &str,
    name: &str,
    now: DateTime<Utc>,
) -> Result<BureauView, Error> {
    staff.require(&[Role::SystemAdmin])?;
    require_county(code)?;
    let name = name.trim().to_owned();
    ensure_bureau(db, code, now).await?;
    bureau::Entity::update_many()
        .col_expr(bureau::Column::Name, name.clone().into())
        .filter(bureau::Column::Code.eq(code))
        .exec(db)
        .await?;
    audit::record(
        db,
        &Actor::from(staff),
        "bureau.register",
        None,
        json!({"code": code, "name": name}),
        now,
    )
    .await?;
    Ok(bureau_view(db, code).await?)
}

/// Gives a county its bureau row, named after the county, unless it has one.
async fn ensure_bureau(
    db: &impl ConnectionTrait,
    code: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    bureau::Entity::insert(bureau::ActiveModel {
        code: Set(code.to_owned()),
        name: Set(default_bureau_name(code)),
        created_at: Set(now),
        document_prefix: sea_orm::NotSet,
    })
    .on_conflict_do_nothing()
    .exec(db)
    .await?;
    Ok(())
}

/// The stations, of one county's bureau when `bureau_code` is given, by id.
pub async fn stations(
    db: &impl ConnectionTrait,
    bureau_code: Option<&str>,
) -> Result<Vec<StationView>, DbErr> {
    let mut find = station::Entity::find();
    if let Some(code) = bureau_code {
        find = find.filter(station::Column::BureauCode.eq(code));
    }
    let rows = find.order_by_asc(station::Column::Id).all(db).await?;
    views(db, rows).await
}

/// One station with the towns it covers.
pub async fn station(db: &impl ConnectionTrait, id: &str) -> Result<StationView, Error> {
    let s = find_station(db, id).await?;
    Ok(station_view(db, s).await?)
}

/// Checks that every town is a town of `county` listed once, then that no other station covers one.
async fn check_towns(
    db: &impl ConnectionTrait,
    county: &str,
    station_id: &str,
    towns: &[String],
) -> Result<(), Error> {
    let divisions = Divisions::builtin();
    let mut faults = Vec::new();
    for (i, code) in towns.iter().enumerate() {
        let field = format!("towns[{i}]");
        match divisions.get(code) {
            Some(d) if d.level == Level::Town && d.code == code => {
                let own = divisions.county_of(code).map(|c| c.code);
                if own != Some(county) {
                    faults.push(FieldError::new(
                        field,
                        format!(
                            "{} lies in county {}, not in this bureau's county {county}",
                            divisions.full_name(code).unwrap_or_default(),
                            own.unwrap_or_default()
                        ),
                    ));
                } else if towns[..i].contains(code) {
                    faults.push(FieldError::new(field, "listed twice"));
                }
            }
            _ => faults.push(FieldError::new(field, "not a town (9-digit) code")),
        }
    }
    if !faults.is_empty() {
        return Err(Invalid(faults).into());
    }
    let taken = station_town::Entity::find()
        .filter(station_town::Column::TownCode.is_in(towns.iter().cloned()))
        .filter(station_town::Column::StationId.ne(station_id))
        .one(db)
        .await?;
    match taken {
        Some(t) => Err(Error::TownCovered {
            town: t.town_code,
            station: t.station_id,
        }),
        None => Ok(()),
    }
}

/// Replaces the towns a station covers. A concurrent claim on a town loses on the primary key.
async fn write_towns(
    db: &impl ConnectionTrait,
    station_id: &str,
    towns: &[String],
) -> Result<(), Error> {
    station_town::Entity::delete_many()
        .filter(station_town::Column::StationId.eq(station_id))
        .exec(db)
        .await?;
    if towns.is_empty() {
        return Ok(());
    }
    station_town::Entity::insert_many(towns.iter().map(|t| station_town::ActiveModel {
        town_code: Set(t.clone()),
        station_id: Set(station_id.to_owned()),
    }))
    .exec(db)
    .await
    .map_err(|e| match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => Error::TownClaimed,
        _ => e.into(),
    })?;
    Ok(())
}

/// A new station, as its bureau describes it.
pub struct StationInput<'a> {
    pub id: &'a str,
    pub bureau_code: &'a str,
    pub name: &'a str,
    /// Town codes of the bureau's county; a town belongs to at most one station.
    pub towns: &'a [String],
}

/// Creates a station covering towns of its bureau's county, registering the bureau if needed.
pub async fn create_station(
    db: &impl ConnectionTrait,
    staff: &Staff,
    new: StationInput<'_>,
    now: DateTime<Utc>,
) -> Result<StationView, Error> {
    if !is_county(new.bureau_code) {
        return Err(Invalid::field("bureau_code", "not a county code").into());
    }
    may_manage(staff, new.bureau_code)?;
    check_towns(db, new.bureau_code, new.id, new.towns).await?;
    ensure_bureau(db, new.bureau_code, now).await?;
    station::ActiveModel {
        id: Set(new.id.to_owned()),
        bureau_code: Set(new.bureau_code.to_owned()),
        name: Set(new.name.trim().to_owned()),
        created_at: Set(now),
    }
    .insert(db)
    .await
    .map_err(|e| match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => Error::StationExists(new.id.to_owned()),
        _ => e.into(),
    })?;
    write_towns(db, new.id, new.towns).await?;
    audit::record(
        db,
        &Actor::from(staff),
        "station.create",
        None,
        json!({"station_id": new.id, "bureau_code": new.bureau_code, "towns": new.towns}),
        now,
    )
    .await?;
    let s = find_station(db, new.id).await?;
    Ok(station_view(db, s).await?)
}

/// Replaces the towns station `id` covers. Cases already routed stay where they are.
pub async fn set_towns(
    db: &impl ConnectionTrait,
    staff: &Staff,
    id: &str,
    towns: &[String],
    now: DateTime<Utc>,
) -> Result<StationView, Error> {
    let s = find_station(db, id).await?;
    may_manage(staff, &s.bureau_code)?;
    check_towns(db, &s.bureau_code, &s.id, towns).await?;
    write_towns(db, &s.id, towns).await?;
    audit::record(
        db,
        &Actor::from(staff),
        "station.set_towns",
        None,
        json!({"station_id": s.id, "towns": towns}),
        now,
    )
    .await?;
    Ok(station_view(db, s).await?)
}

/// Renames station `id` (a merger, a new official name). Its id, towns and cases stay.
pub async fn rename(
    db: &impl ConnectionTrait,
    staff: &Staff,
    id: &str,
    name: &str,
    now: DateTime<Utc>,
) -> Result<StationView, Error> {
    let s = find_station(db, id).await?;
    may_manage(staff, &s.bureau_code)?;
    let name = name.trim();
    let n = name.chars().count();
    if !(2..=100).contains(&n) || !crate::domain::text::is_single_line(name) {
        return Err(Invalid::field("name", "2 to 100 characters on one line").into());
    }
    let before = s.name.clone();
    let mut row: station::ActiveModel = s.into();
    row.name = Set(name.to_owned());
    let s = row.update(db).await?;
    audit::record(
        db,
        &Actor::from(staff),
        "station.rename",
        None,
        json!({"station_id": s.id, "from": before, "to": s.name}),
        now,
    )
    .await?;
    Ok(station_view(db, s).await?)
}
