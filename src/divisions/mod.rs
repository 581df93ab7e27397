//! China's administrative divisions (GB/T 2260 counties, statistics town codes), shipped as data,
//! with lookup, name search and address resolution, and their public endpoints.

pub mod data;

pub use data::{AddressError, Division, Divisions, Level};

use actix_web::{get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::http::{ApiError, ApiResult};

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(get_division).service(search_divisions);
}

#[derive(Serialize, ToSchema)]
pub struct DivisionView {
    pub code: String,
    pub name: String,
    /// `province`, `city`, `county` or `town`.
    pub level: String,
    pub parent_code: Option<String>,
    pub full_name: String,
}

impl DivisionView {
    pub fn of(d: &Division) -> DivisionView {
        DivisionView {
            code: d.code.to_owned(),
            name: d.name.to_owned(),
            level: d.level.as_str().to_owned(),
            parent_code: d.parent_code.map(str::to_owned),
            full_name: Divisions::builtin()
                .full_name(d.code)
                .unwrap_or_else(|| d.name.to_owned()),
        }
    }
}

/// One division by code.
///
/// Anyone may call this. Accepts 6-digit province, city and county codes and 9-digit town codes.
#[utoipa::path(
    tag = "divisions",
    params(("code" = String, Path, example = "330421103")),
    responses(
        (status = 200, body = DivisionView),
    )
)]
#[get("/divisions/{code}")]
async fn get_division(path: web::Path<String>) -> ApiResult<web::Json<DivisionView>> {
    let d = Divisions::builtin().get(&path).ok_or_else(|| {
        ApiError::not_found(format!("no division has the code {}", path.as_str()))
    })?;
    Ok(web::Json(DivisionView::of(d)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Part of a division name, e.g. 西塘.
    q: String,
    /// At most this many results (1–50, default 20).
    limit: Option<usize>,
}

/// Search divisions by name.
///
/// Anyone may call this.
#[utoipa::path(
    tag = "divisions",
    params(SearchQuery),
    responses(
        (status = 200, body = Vec<DivisionView>),
    )
)]
#[get("/divisions")]
async fn search_divisions(
    query: web::Query<SearchQuery>,
) -> ApiResult<web::Json<Vec<DivisionView>>> {
    let q = query.q.trim();
    if q.is_empty() || q.chars().count() > 50 {
        return Err(ApiError::field("q", "must be 1 to 50 characters"));
    }
    let limit = query.limit.unwrap_or(20).clamp(1, 50);
    Ok(web::Json(
        Divisions::builtin()
            .search(q, limit)
            .into_iter()
            .map(DivisionView::of)
            .collect(),
    ))
}
