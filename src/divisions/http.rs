//! The public endpoints of the divisions: one by code, and a search by name.

use actix_web::{get, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{DivisionView, Divisions};
use crate::http::{ApiError, ApiResult};

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(get_division).service(search_divisions);
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
    #[param(min_length = 1, max_length = 50, pattern = "\\S")]
    q: String,
    /// At most this many results (1–50, default 20).
    #[param(minimum = 1, maximum = 50)]
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
