//! The registry of bureaus and stations: each handler runs one step of `routing::stations`.

use actix_web::{HttpRequest, get, post, put, web};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use validator::{Validate, ValidationError};

use crate::domain::text::single_line;
use crate::http::idempotency::{IdempotencyKey, create_once};
use crate::http::{ApiJson, ApiResult, Staff};
use crate::routing::stations::{self, BureauView, StationInput, StationView};
use crate::state::AppState;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_bureaus)
        .service(get_bureau)
        .service(register_bureau)
        .service(list_stations)
        .service(get_station)
        .service(create_station)
        .service(set_station_towns)
        .service(rename_station);
}

/// Registered bureaus with their stations.
///
/// Anyone may call this. A county without a row still has a bureau: see `GET /bureaus/{code}`.
#[utoipa::path(tag = "routing", responses((status = 200, body = Vec<BureauView>)))]
#[get("/bureaus")]
async fn list_bureaus(state: web::Data<AppState>) -> ApiResult<web::Json<Vec<BureauView>>> {
    Ok(web::Json(stations::bureaus(&state.db).await?))
}

/// The bureau of a county, registered or derived, with its stations.
///
/// Anyone may call this.
#[utoipa::path(
    tag = "routing",
    params(("code" = String, Path, description = "county code", example = "330421")),
    responses(
        (status = 200, body = BureauView),
    )
)]
#[get("/bureaus/{code}")]
async fn get_bureau(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> ApiResult<web::Json<BureauView>> {
    Ok(web::Json(stations::bureau(&state.db, &path).await?))
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct RegisterBureau {
    #[validate(length(min = 2, max = 100), custom(function = "single_line"))]
    #[schema(min_length = 2, max_length = 100)]
    #[schema(example = "嘉善县市场监督管理局")]
    pub name: String,
}

/// Register a county's bureau, or rename it, so that accounts can be bound to it.
///
/// `system_admin` only.
#[utoipa::path(
    tag = "routing",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "county code", example = "320412")),
    request_body = RegisterBureau,
    responses(
        (status = 200, body = BureauView),
    )
)]
#[put("/bureaus/{code}")]
async fn register_bureau(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
    body: ApiJson<RegisterBureau>,
) -> ApiResult<web::Json<BureauView>> {
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let view = stations::register_bureau(&txn, &me, &path, &body.body.name, now).await?;
    txn.commit().await?;
    Ok(web::Json(view))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StationQuery {
    /// Only the stations of this county's bureau.
    bureau_code: Option<String>,
}

/// Stations with the towns they cover.
///
/// Anyone may call this.
#[utoipa::path(tag = "routing", params(StationQuery), responses((status = 200, body = Vec<StationView>)))]
#[get("/stations")]
async fn list_stations(
    state: web::Data<AppState>,
    q: web::Query<StationQuery>,
) -> ApiResult<web::Json<Vec<StationView>>> {
    Ok(web::Json(
        stations::stations(&state.db, q.bureau_code.as_deref()).await?,
    ))
}

/// One station with the towns it covers.
///
/// Anyone may call this.
#[utoipa::path(
    tag = "routing",
    params(("id" = String, Path, example = "S330421103")),
    responses(
        (status = 200, body = StationView),
    )
)]
#[get("/stations/{id}")]
async fn get_station(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> ApiResult<web::Json<StationView>> {
    Ok(web::Json(stations::station(&state.db, &path).await?))
}

fn v_station_id(id: &str) -> Result<(), ValidationError> {
    let ok = id.len() <= 24
        && id.strip_prefix('S').is_some_and(|rest| {
            !rest.is_empty()
                && rest
                    .bytes()
                    .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase() || b == b'-')
        });
    if ok {
        Ok(())
    } else {
        Err(ValidationError::new("station_id").with_message(
            "S followed by up to 23 digits, capital letters or '-', e.g. S320412100".into(),
        ))
    }
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct NewStation {
    /// The station's code, e.g. `S` and the code of its main town.
    #[validate(custom(function = "v_station_id"))]
    #[schema(example = "S320412100", pattern = "^S[0-9A-Z-]{1,23}$")]
    pub id: String,
    /// The county code of the bureau the station belongs to.
    #[schema(example = "320412")]
    pub bureau_code: String,
    #[validate(length(min = 2, max = 100), custom(function = "single_line"))]
    #[schema(min_length = 2, max_length = 100)]
    #[schema(example = "湖塘市场监督管理所")]
    pub name: String,
    /// Town codes (9 digits) of the bureau's county; a town belongs to at most one station.
    #[serde(default)]
    #[validate(length(max = 100))]
    #[schema(max_items = 100)]
    pub towns: Vec<String>,
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct StationTowns {
    /// The full set of town codes the station covers from now on; may be empty.
    #[validate(length(max = 100))]
    #[schema(max_items = 100)]
    pub towns: Vec<String>,
}

/// Create a station (监管所) covering towns of the bureau's county.
///
/// `bureau_admin` of that bureau, or `system_admin`. 409 `station_exists` when the id is taken,
/// 409 `town_already_covered` when another station covers a town; 422 names a town outside the county.
#[utoipa::path(
    tag = "routing",
    security(("bearer" = [])),
    request_body = NewStation,
    params(("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "makes retries safe")),
    responses(
        (status = 201, body = StationView),
    )
)]
#[post("/stations")]
async fn create_station(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: Staff,
    body: ApiJson<NewStation>,
) -> ApiResult<actix_web::HttpResponse> {
    let key = IdempotencyKey::from_request(&req, "stations", &body.raw)?;
    let now = state.clock.now();
    let new = &body.body;
    create_once(&state.db, key, now, async |txn| {
        let input = StationInput {
            id: &new.id,
            bureau_code: &new.bureau_code,
            name: &new.name,
            towns: &new.towns,
        };
        Ok(stations::create_station(txn, &me, input, now).await?)
    })
    .await
}

/// Set the towns a station covers (replacing the previous set).
///
/// `bureau_admin` of the station's bureau, or `system_admin`. Cases already routed stay where they
/// are; new complaints follow the new coverage. 409 `town_already_covered`, 422 for a town outside
/// the bureau's county.
#[utoipa::path(
    tag = "routing",
    security(("bearer" = [])),
    params(("id" = String, Path, example = "S330421103")),
    request_body = StationTowns,
    responses(
        (status = 200, body = StationView),
    )
)]
#[put("/stations/{id}/towns")]
async fn set_station_towns(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
    body: ApiJson<StationTowns>,
) -> ApiResult<web::Json<StationView>> {
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let view = stations::set_towns(&txn, &me, &path, &body.body.towns, now).await?;
    txn.commit().await?;
    Ok(web::Json(view))
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct StationName {
    /// The station's new name.
    #[validate(length(min = 2, max = 100), custom(function = "single_line"))]
    #[schema(min_length = 2, max_length = 100)]
    #[schema(example = "湖塘市场监督管理所")]
    pub name: String,
}

/// Rename a station. Its id, the towns it covers and its cases stay.
///
/// `bureau_admin` of the station's bureau, or `system_admin`.
#[utoipa::path(
    tag = "routing",
    security(("bearer" = [])),
    params(("id" = String, Path, example = "S330421103")),
    request_body = StationName,
    responses(
        (status = 200, body = StationView),
    )
)]
#[put("/stations/{id}/name")]
async fn rename_station(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
    body: ApiJson<StationName>,
) -> ApiResult<web::Json<StationView>> {
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let view = stations::rename(&txn, &me, &path, &body.body.name, now).await?;
    txn.commit().await?;
    Ok(web::Json(view))
}
