//! The pilot-area studio: each handler runs one step of `routing::zone`.

use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use validator::{Validate, ValidationError};

use crate::domain::identifiers::Uscc;
use crate::domain::text::single_line;
use crate::http::idempotency::{IdempotencyKey, create_once};
use crate::http::{ApiJson, ApiResult, Staff};
use crate::routing::zone::{self, Brand, ReturnBrand, ZoneCase, ZoneFilter};
use crate::state::AppState;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(zone_cases)
        .service(list_brands)
        .service(create_brand)
        .service(update_brand)
        .service(delete_brand);
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
    let filter = ZoneFilter {
        town: q.town.as_deref(),
        limit: q.limit,
        before: q.before,
    };
    Ok(web::Json(zone::cases(&state.db, &me, filter).await?))
}

fn v_uscc(s: &str) -> Result<(), ValidationError> {
    Uscc::parse(s)
        .map(|_| ())
        .map_err(|m| ValidationError::new("uscc").with_message(m.into()))
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct BrandInput {
    /// The brand as it appears in its stores' names.
    #[validate(length(min = 2, max = 100), custom(function = "single_line"))]
    #[schema(min_length = 2, max_length = 100)]
    pub name: String,
    /// The brand owner's USCC, when known.
    #[validate(custom(function = "v_uscc"))]
    pub uscc: Option<String>,
    /// What the brand promises, as the mediator should cite it.
    #[validate(length(min = 2, max = 1000))]
    #[schema(min_length = 2, max_length = 1000)]
    #[schema(example = "示范区内任一门店购买的商品，7日内可在任一门店无理由退换")]
    pub promise: String,
}

impl BrandInput {
    fn brand(&self) -> Brand<'_> {
        Brand {
            name: &self.name,
            uscc: self.uscc.as_deref(),
            promise: &self.promise,
        }
    }
}

/// Brands promising no-reason returns at any of their stores in the pilot area (异地异店无理由退换货).
///
/// Anyone may call this.
#[utoipa::path(tag = "zone", responses((status = 200, body = Vec<ReturnBrand>)))]
#[get("/zone/return-brands")]
async fn list_brands(state: web::Data<AppState>) -> ApiResult<web::Json<Vec<ReturnBrand>>> {
    Ok(web::Json(zone::brands(&state.db).await?))
}

/// Register a brand's cross-store return promise.
///
/// `bureau_admin` of 青浦, 吴江 or 嘉善. 409 `brand_exists` when the name is registered.
#[utoipa::path(
    tag = "zone",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "makes retries safe")),
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
    let key = IdempotencyKey::from_request(&req, "return_brands", &body.raw)?;
    let now = state.clock.now();
    create_once(&state.db, key, now, async |txn| {
        Ok(zone::create_brand(txn, &me, body.body.brand(), now).await?)
    })
    .await
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
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let brand = zone::update_brand(&txn, &me, &path, body.body.brand(), now).await?;
    txn.commit().await?;
    Ok(web::Json(brand))
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
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    zone::delete_brand(&txn, &me, &path, now).await?;
    txn.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}
