//! The Yangtze Delta pilot area (先行启动区) studio: the cross-province view of its cases, and the
//! registry of brands promising no-reason returns at any of their stores in the area
//! (异地异店无理由退换货), which complaints about a refused return cite for the mediator.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, SqlErr,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::reference::{PILOT_AREA, is_pilot_county, is_pilot_station, is_pilot_town};
use crate::actor::{Actor, Role, Staff};
use crate::audit;
use crate::cases::access;
use crate::cases::views::CaseSummary;
use crate::divisions::Divisions;
use crate::domain::faults::{Invalid, failure};
use crate::domain::vocabulary::Demand;
use crate::entities::{case, return_brand};

/// What can go wrong in the zone studio.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Access(#[from] access::Error),
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error(
        "only staff of the five pilot-area stations and of the 青浦, 吴江 and 嘉善 bureaus use the zone studio"
    )]
    NotZoneStaff,
    #[error("only admins of the 青浦, 吴江 and 嘉善 bureaus keep the pilot-area brand registry")]
    NotPilotAdmin,
    #[error("no registered brand {0}")]
    NoBrand(String),
    #[error("the brand {0} is already registered")]
    BrandExists(String),
    #[error(transparent)]
    Db(#[from] DbErr),
}

failure!(Error {
    Error::NotZoneStaff => Forbidden, "forbidden";
    Error::NotPilotAdmin => Forbidden, "forbidden";
    Error::NoBrand(_) => NotFound, "not_found";
    Error::BrandExists(_) => Conflict, "brand_exists";
} passes [Access, Invalid, Db]);

/// Staff of the five pilot stations and of the three pilot county bureaus.
fn require_zone_staff(staff: &Staff) -> Result<(), Error> {
    let zone = match staff.role {
        Role::Mediator => staff.station_id.as_deref().is_some_and(is_pilot_station),
        Role::BureauAdmin | Role::EnforcementOfficer => {
            staff.bureau_code.as_deref().is_some_and(is_pilot_county)
        }
        Role::EnterpriseAgent | Role::SystemAdmin => false,
    };
    if zone {
        Ok(())
    } else {
        Err(Error::NotZoneStaff)
    }
}

#[derive(Serialize, ToSchema)]
pub struct ZoneCase {
    #[serde(flatten)]
    pub case: CaseSummary,
    pub dispute_division_code: String,
    pub dispute_town: String,
}

/// Which pilot-area cases a list shows.
pub struct ZoneFilter<'a> {
    /// Only cases whose dispute arose in this pilot town.
    pub town: Option<&'a str>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<u64>,
    /// Only cases received before this instant (for the next page).
    pub before: Option<DateTime<Utc>>,
}

/// Pilot-area cases (dispute in one of the five towns) across the three provinces, newest first,
/// for zone staff.
pub async fn cases(
    db: &impl ConnectionTrait,
    staff: &Staff,
    filter: ZoneFilter<'_>,
) -> Result<Vec<ZoneCase>, Error> {
    require_zone_staff(staff)?;
    let towns: Vec<&str> = match filter.town {
        Some(t) if is_pilot_town(t) => vec![t],
        Some(_) => return Err(Invalid::field("town", "not one of the five pilot towns").into()),
        None => PILOT_AREA.iter().map(|(town, _)| *town).collect(),
    };
    let mut find = case::Entity::find().filter(case::Column::DisputeDivisionCode.is_in(towns));
    if let Some(before) = filter.before {
        find = find.filter(case::Column::ReceivedAt.lt(before));
    }
    let rows = find
        .order_by_desc(case::Column::ReceivedAt)
        .limit(filter.limit.unwrap_or(50).clamp(1, 200))
        .all(db)
        .await?;
    let divisions = Divisions::builtin();
    Ok(rows
        .into_iter()
        .map(|c| ZoneCase {
            dispute_town: divisions
                .full_name(&c.dispute_division_code)
                .unwrap_or_default(),
            dispute_division_code: c.dispute_division_code.clone(),
            case: CaseSummary::from(c),
        })
        .collect())
}
/// The promise a complaint cites, as it stood when the complaint was filed.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReturnPromise {
    pub brand_id: String,
    pub brand_name: String,
    pub promise: String,
}

/// The registered brand a complaint about a refused return in the pilot area is about, matched on
/// the USCC or on the brand's name inside the respondent's (a store is named after its brand).
pub async fn return_promise(
    db: &impl ConnectionTrait,
    respondent_name: &str,
    respondent_uscc: Option<&str>,
    demands: &[Demand],
    dispute_division: &str,
) -> Result<Option<ReturnPromise>, DbErr> {
    if !demands.contains(&Demand::Return) || !is_pilot_town(dispute_division) {
        return Ok(None);
    }
    let compact = |s: &str| -> String {
        s.chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let name = compact(respondent_name);
    let brands = return_brand::Entity::find()
        .order_by_asc(return_brand::Column::Name)
        .all(db)
        .await?;
    Ok(brands
        .into_iter()
        .find(|b| {
            (respondent_uscc.is_some() && b.uscc.as_deref() == respondent_uscc)
                || name.contains(&compact(&b.name))
        })
        .map(|b| ReturnPromise {
            brand_id: b.id,
            brand_name: b.name,
            promise: b.promise,
        }))
}

#[derive(Serialize, ToSchema)]
pub struct ReturnBrand {
    pub id: String,
    pub name: String,
    pub uscc: Option<String>,
    pub promise: String,
    pub created_by_bureau_code: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<return_brand::Model> for ReturnBrand {
    fn from(b: return_brand::Model) -> Self {
        ReturnBrand {
            id: b.id,
            name: b.name,
            uscc: b.uscc,
            promise: b.promise,
            created_by_bureau_code: b.created_by_bureau_code,
            created_at: b.created_at,
            updated_at: b.updated_at,
        }
    }
}

/// A brand's registration, as a pilot bureau's admin enters it.
pub struct Brand<'a> {
    pub name: &'a str,
    pub uscc: Option<&'a str>,
    pub promise: &'a str,
}

/// Admins of the three pilot county bureaus keep the registry.
pub fn require_pilot_admin(staff: &Staff) -> Result<(), Error> {
    staff.require(&[Role::BureauAdmin])?;
    if !staff.bureau_code.as_deref().is_some_and(is_pilot_county) {
        return Err(Error::NotPilotAdmin);
    }
    Ok(())
}

/// `staff` keeps the registry (see `require_pilot_admin`).
pub fn may_keep_brands(staff: &Staff) -> bool {
    require_pilot_admin(staff).is_ok()
}

/// A unique-name violation is the name being taken; anything else is the database's.
fn name_taken(name: &str, e: DbErr) -> Error {
    match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => Error::BrandExists(name.to_owned()),
        _ => e.into(),
    }
}

/// The registered brands, by name.
pub async fn brands(db: &impl ConnectionTrait) -> Result<Vec<ReturnBrand>, DbErr> {
    let rows = return_brand::Entity::find()
        .order_by_asc(return_brand::Column::Name)
        .all(db)
        .await?;
    Ok(rows.into_iter().map(ReturnBrand::from).collect())
}

/// Registers a brand's cross-store return promise.
pub async fn create_brand(
    db: &impl ConnectionTrait,
    staff: &Staff,
    input: Brand<'_>,
    now: DateTime<Utc>,
) -> Result<ReturnBrand, Error> {
    require_pilot_admin(staff)?;
    let name = input.name.trim().to_owned();
    let row = return_brand::ActiveModel {
        id: Set(uuid::Uuid::now_v7().to_string()),
        name: Set(name.clone()),
        uscc: Set(input.uscc.map(|u| u.trim().to_uppercase())),
        promise: Set(input.promise.trim().to_owned()),
        created_by_bureau_code: Set(staff.bureau_code.clone().unwrap_or_default()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await
    .map_err(|e| name_taken(&name, e))?;
    audit::record(
        db,
        &Actor::from(staff),
        "return_brand.create",
        None,
        json!({"brand_id": row.id, "name": row.name}),
        now,
    )
    .await?;
    Ok(ReturnBrand::from(row))
}

async fn find_brand(db: &impl ConnectionTrait, id: &str) -> Result<return_brand::Model, Error> {
    return_brand::Entity::find_by_id(id.to_owned())
        .one(db)
        .await?
        .ok_or_else(|| Error::NoBrand(id.to_owned()))
}

/// The registered brand `id`.
pub async fn brand(db: &impl ConnectionTrait, id: &str) -> Result<ReturnBrand, Error> {
    Ok(ReturnBrand::from(find_brand(db, id).await?))
}

/// Changes the registration of brand `id`; complaints already filed keep the promise as it was.
pub async fn update_brand(
    db: &impl ConnectionTrait,
    staff: &Staff,
    id: &str,
    input: Brand<'_>,
    now: DateTime<Utc>,
) -> Result<ReturnBrand, Error> {
    require_pilot_admin(staff)?;
    let mut row: return_brand::ActiveModel = find_brand(db, id).await?.into();
    let name = input.name.trim().to_owned();
    row.name = Set(name.clone());
    row.uscc = Set(input.uscc.map(|u| u.trim().to_uppercase()));
    row.promise = Set(input.promise.trim().to_owned());
    row.updated_at = Set(now);
    let row = row.update(db).await.map_err(|e| name_taken(&name, e))?;
    audit::record(
        db,
        &Actor::from(staff),
        "return_brand.update",
        None,
        json!({"brand_id": row.id, "name": row.name}),
        now,
    )
    .await?;
    Ok(ReturnBrand::from(row))
}

/// Removes brand `id` from the registry; complaints already filed keep the promise they cited.
pub async fn delete_brand(
    db: &impl ConnectionTrait,
    staff: &Staff,
    id: &str,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    require_pilot_admin(staff)?;
    let row = find_brand(db, id).await?;
    return_brand::Entity::delete_by_id(row.id.clone())
        .exec(db)
        .await?;
    audit::record(
        db,
        &Actor::from(staff),
        "return_brand.delete",
        None,
        json!({"brand_id": row.id, "name": row.name}),
        now,
    )
    .await?;
    Ok(())
}
