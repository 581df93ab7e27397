//! The 12315 statistics, as JSON and as CSV.

use actix_web::{HttpResponse, get, web};

use crate::http::{ApiResult, Staff};
use crate::oversight::statistics::{Statistics, StatsQuery, read, to_csv};
use crate::state::AppState;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(statistics).service(statistics_csv);
}

/// The 12315 indicators for a bureau (or one of its stations) and period; definitions are on the
/// `Statistics` schema.
///
/// `bureau_admin` (its bureau), `mediator` (its station) or `system_admin`.
#[utoipa::path(
    tag = "oversight",
    security(("bearer" = [])),
    params(StatsQuery),
    responses(
        (status = 200, body = Statistics),
    )
)]
#[get("/statistics")]
async fn statistics(
    state: web::Data<AppState>,
    me: Staff,
    q: web::Query<StatsQuery>,
) -> ApiResult<web::Json<Statistics>> {
    Ok(web::Json(
        read(&state.db, &me, &q, state.clock.now()).await?.total(),
    ))
}

/// The same indicators as CSV (`metric,numerator,denominator,value`).
///
/// `bureau_admin` (its bureau), `mediator` (its station) or `system_admin`.
#[utoipa::path(
    tag = "oversight",
    security(("bearer" = [])),
    params(StatsQuery),
    responses(
        (status = 200, description = "text/csv", content_type = "text/csv"),
    )
)]
#[get("/statistics.csv")]
async fn statistics_csv(
    state: web::Data<AppState>,
    me: Staff,
    q: web::Query<StatsQuery>,
) -> ApiResult<HttpResponse> {
    let s = read(&state.db, &me, &q, state.clock.now()).await?.total();
    let out = to_csv(&s);
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            format!(
                "attachment; filename=\"statistics-{}-{}-{}.csv\"",
                s.bureau_code, s.from, s.to
            ),
        ))
        .body(out))
}
