//! The Yangtze Delta pilot area (先行启动区) studio: the cross-province view of its cases, and the
//! registry of brands promising no-reason returns at any of their stores in the area
//! (异地异店无理由退换货), which complaints about a refused return cite for the mediator.

use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, SqlErr,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};
use validator::{Validate, ValidationError};

use super::reference::{PILOT_AREA, is_pilot_county, is_pilot_station, is_pilot_town};
use crate::actor::Actor;
use crate::audit;
use crate::cases::views::CaseSummary;
use crate::divisions::Divisions;
use crate::domain::identifiers::Uscc;
use crate::domain::vocabulary::Demand;
use crate::entities::{case, return_brand};
use crate::http::idempotency::{IdempotencyKey, create_once};
use crate::http::{ApiError, ApiJson, ApiResult, Role, Staff};
use crate::state::AppState;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(zone_cases)
        .service(list_brands)
        .service(create_brand)
        .service(update_brand)
        .service(delete_brand);
}

/// Staff of the five pilot stations and of the three pilot county bureaus.
fn require_zone_staff(me: &Staff) -> ApiResult<()> {
    let zone = match me.role {
        Role::Mediator => me.station_id.as_deref().is_some_and(is_pilot_station),
        Role::BureauAdmin | Role::EnforcementOfficer => {
            me.bureau_code.as_deref().is_some_and(is_pilot_county)
        }
        Role::EnterpriseAgent | Role::SystemAdmin => false,
    };
    if zone {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "only staff of the five pilot-area stations and of the 青浦, 吴江 and 嘉善 bureaus use the zone studio",
        ))
    }
}

#[derive(Serialize, ToSchema)]
pub struct ZoneCase {
    #[serde(flatten)]
    pub case: CaseSummary,
    pub dispute_division_code: String,
    pub dispute_town: String,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ZoneQuery {
    /// Only cases whose dispute arose in this pilot town.
    town: Option<String>,
    /// Page size, 1–200 (default 50).
    limit: Option<u64>,
    /// Return cases received before this instant (for the next page).
    before: Option<DateTime<Utc>>,
}

/// Every pilot-area case (dispute in one of the five towns) across the three provinces, newest first.
///
/// For staff of the five pilot-area stations and of the 青浦, 吴江 and 嘉善 bureaus. No personal data.
#[utoipa::path(
    tag = "zone",
    security(("bearer" = [])),
    params(ZoneQuery),
    responses(
        (status = 200, body = Vec<ZoneCase>),
    )
)]
#[get("/zone/cases")]
async fn zone_cases(
    state: web::Data<AppState>,
    me: Staff,
    q: web::Query<ZoneQuery>,
) -> ApiResult<web::Json<Vec<ZoneCase>>> {
    require_zone_staff(&me)?;
    let towns: Vec<&str> = match &q.town {
        Some(t) if is_pilot_town(t) => vec![t.as_str()],
        Some(_) => return Err(ApiError::field("town", "not one of the five pilot towns")),
        None => PILOT_AREA.iter().map(|(town, _)| *town).collect(),
    };
    let mut find = case::Entity::find().filter(case::Column::DisputeDivisionCode.is_in(towns));
    if let Some(before) = q.before {
        find = find.filter(case::Column::ReceivedAt.lt(before));
    }
    let rows = find
        .order_by_desc(case::Column::ReceivedAt)
        .limit(q.limit.unwrap_or(50).clamp(1, 200))
        .all(&state.db)
        .await?;
    let divisions = Divisions::builtin();
    Ok(web::Json(
        rows.into_iter()
            .map(|c| ZoneCase {
                dispute_town: divisions
                    .full_name(&c.dispute_division_code)
                    .unwrap_or_default(),
                dispute_division_code: c.dispute_division_code.clone(),
                case: CaseSummary::from(c),
            })
            .collect(),
    ))
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

fn v_uscc(s: &str) -> Result<(), ValidationError> {
    Uscc::parse(s)
        .map(|_| ())
        .map_err(|m| ValidationError::new("uscc").with_message(m.into()))
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct BrandInput {
    /// The brand as it appears in its stores' names.
    #[validate(length(min = 2, max = 100))]
    pub name: String,
    /// The brand owner's USCC, when known.
    #[validate(custom(function = "v_uscc"))]
    pub uscc: Option<String>,
    /// What the brand promises, as the mediator should cite it.
    #[validate(length(min = 2, max = 1000))]
    #[schema(example = "示范区内任一门店购买的商品，7日内可在任一门店无理由退换")]
    pub promise: String,
}

/// Admins of the three pilot county bureaus keep the registry.
fn require_pilot_admin(me: &Staff) -> ApiResult<()> {
    me.require(&[Role::BureauAdmin])?;
    if !me.bureau_code.as_deref().is_some_and(is_pilot_county) {
        return Err(ApiError::forbidden(
            "only admins of the 青浦, 吴江 and 嘉善 bureaus keep the pilot-area brand registry",
        ));
    }
    Ok(())
}

fn name_taken(name: &str) -> ApiError {
    ApiError::conflict(
        "brand_exists",
        format!("the brand {name} is already registered"),
    )
}

/// Brands promising no-reason returns at any of their stores in the pilot area (异地异店无理由退换货).
///
/// Anyone may call this.
#[utoipa::path(tag = "zone", responses((status = 200, body = Vec<ReturnBrand>)))]
#[get("/zone/return-brands")]
async fn list_brands(state: web::Data<AppState>) -> ApiResult<web::Json<Vec<ReturnBrand>>> {
    let rows = return_brand::Entity::find()
        .order_by_asc(return_brand::Column::Name)
        .all(&state.db)
        .await?;
    Ok(web::Json(rows.into_iter().map(ReturnBrand::from).collect()))
}

/// Register a brand's cross-store return promise.
///
/// `bureau_admin` of 青浦, 吴江 or 嘉善. 409 `brand_exists` when the name is registered.
#[utoipa::path(
    tag = "zone",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "makes retries safe")),
    request_body = BrandInput,
    responses(
        (status = 201, body = ReturnBrand),
    )
)]
#[post("/zone/return-brands")]
async fn create_brand(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: Staff,
    body: ApiJson<BrandInput>,
) -> ApiResult<HttpResponse> {
    require_pilot_admin(&me)?;
    let key = IdempotencyKey::from_request(&req, "return_brands", &body.raw)?;
    let input = &body.body;
    let now = state.clock.now();
    create_once(&state.db, key, now, async |txn| {
        let name = input.name.trim().to_owned();
        let row = return_brand::ActiveModel {
            id: Set(uuid::Uuid::now_v7().to_string()),
            name: Set(name.clone()),
            uscc: Set(input.uscc.as_ref().map(|u| u.trim().to_uppercase())),
            promise: Set(input.promise.trim().to_owned()),
            created_by_bureau_code: Set(me.bureau_code.clone().unwrap_or_default()),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(txn)
        .await
        .map_err(|e| match e.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => name_taken(&name),
            _ => e.into(),
        })?;
        audit::record(
            txn,
            &Actor::from(&me),
            "return_brand.create",
            None,
            json!({"brand_id": row.id, "name": row.name}),
            now,
        )
        .await?;
        Ok(ReturnBrand::from(row))
    })
    .await
}

async fn find_brand(db: &impl ConnectionTrait, id: &str) -> ApiResult<return_brand::Model> {
    return_brand::Entity::find_by_id(id.to_owned())
        .one(db)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no registered brand {id}")))
}

/// Change a brand's registration. Complaints already filed keep the promise as it was.
///
/// `bureau_admin` of 青浦, 吴江 or 嘉善.
#[utoipa::path(
    tag = "zone",
    security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = BrandInput,
    responses(
        (status = 200, body = ReturnBrand),
    )
)]
#[put("/zone/return-brands/{id}")]
async fn update_brand(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
    body: ApiJson<BrandInput>,
) -> ApiResult<web::Json<ReturnBrand>> {
    require_pilot_admin(&me)?;
    let now = state.clock.now();
    let input = &body.body;
    let txn = crate::db::begin_write(&state.db).await?;
    let mut row: return_brand::ActiveModel = find_brand(&txn, &path).await?.into();
    let name = input.name.trim().to_owned();
    row.name = Set(name.clone());
    row.uscc = Set(input.uscc.as_ref().map(|u| u.trim().to_uppercase()));
    row.promise = Set(input.promise.trim().to_owned());
    row.updated_at = Set(now);
    let row = row.update(&txn).await.map_err(|e| match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => name_taken(&name),
        _ => e.into(),
    })?;
    audit::record(
        &txn,
        &Actor::from(&me),
        "return_brand.update",
        None,
        json!({"brand_id": row.id, "name": row.name}),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(web::Json(ReturnBrand::from(row)))
}

/// Remove a brand from the registry. Complaints already filed keep the promise they cited.
///
/// `bureau_admin` of 青浦, 吴江 or 嘉善.
#[utoipa::path(
    tag = "zone",
    security(("bearer" = [])),
    params(("id" = String, Path)),
    responses(
        (status = 204, description = "removed"),
    )
)]
#[delete("/zone/return-brands/{id}")]
async fn delete_brand(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    require_pilot_admin(&me)?;
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let row = find_brand(&txn, &path).await?;
    return_brand::Entity::delete_by_id(row.id.clone())
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        &Actor::from(&me),
        "return_brand.delete",
        None,
        json!({"brand_id": row.id, "name": row.name}),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}
