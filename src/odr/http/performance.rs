//! How well each enrolled business settles, for the business and its regulator.

use actix_web::{get, web};

use crate::http::{ApiResult, Staff};
use crate::odr::performance::{self, Performance, Period};
use crate::state::AppState;

/// A business's ODR performance over a period.
///
/// The business's own desk, the `bureau_admin` of its county, or `system_admin`.
#[utoipa::path(
    tag = "odr",
    security(("bearer" = [])),
    params(("id" = String, Path), Period),
    responses(
        (status = 200, body = Performance),
    )
)]
#[get("/odr/businesses/{id}/performance")]
pub(super) async fn business_performance(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
    period: web::Query<Period>,
) -> ApiResult<web::Json<Performance>> {
    Ok(web::Json(
        performance::of_business(&state.db, &me, &path, &period).await?,
    ))
}

/// Enrolled businesses of the caller's county whose settlement or on-time rate is below the
/// configured thresholds (with at least the configured number of concluded cases): candidates
/// for suspension from ODR.
///
/// `bureau_admin`.
#[utoipa::path(
    tag = "odr",
    security(("bearer" = [])),
    params(Period),
    responses((status = 200, body = Vec<Performance>))
)]
#[get("/odr/suspension-candidates")]
pub(super) async fn suspension_candidates(
    state: web::Data<AppState>,
    me: Staff,
    period: web::Query<Period>,
) -> ApiResult<web::Json<Vec<Performance>>> {
    Ok(web::Json(
        performance::suspension_candidates(&state.db, &state.env, &me, &period).await?,
    ))
}
