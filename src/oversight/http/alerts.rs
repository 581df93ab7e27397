//! Early warnings (list, acknowledge) and the weekly ranking of businesses: run
//! `crate::oversight::warnings`.

use actix_web::{get, post, web};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::http::{ApiResult, Staff};
use crate::oversight::warnings::{self, AlertView, Ranking, RankingQuery};
use crate::state::AppState;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_alerts)
        .service(acknowledge)
        .service(ranking);
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BureauQuery {
    /// Required for a system admin; a bureau admin sees its own.
    bureau_code: Option<String>,
}

/// Open early-warning alerts of a bureau, newest first.
///
/// `bureau_admin` (its bureau) or `system_admin`.
#[utoipa::path(
    tag = "oversight",
    security(("bearer" = [])),
    params(BureauQuery),
    responses((status = 200, body = Vec<AlertView>))
)]
#[get("/oversight/alerts")]
async fn list_alerts(
    state: web::Data<AppState>,
    me: Staff,
    q: web::Query<BureauQuery>,
) -> ApiResult<web::Json<Vec<AlertView>>> {
    Ok(web::Json(
        warnings::open_alerts(&state.db, &me, q.bureau_code.as_deref(), state.clock.now()).await?,
    ))
}

/// Acknowledge an alert; a later one for the same subject can be raised again.
///
/// `bureau_admin` of the alert's bureau, or `system_admin`.
#[utoipa::path(
    tag = "oversight",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = AlertView))
)]
#[post("/oversight/alerts/{id}/acknowledge")]
async fn acknowledge(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<i64>,
) -> ApiResult<web::Json<AlertView>> {
    let txn = crate::db::begin_write(&state.db).await?;
    let a = warnings::acknowledge(&txn, &me, *path, state.clock.now()).await?;
    txn.commit().await?;
    Ok(web::Json(a))
}

/// The week's businesses with the most complaints and reports in a bureau.
///
/// `bureau_admin` (its bureau) or `system_admin`.
#[utoipa::path(
    tag = "oversight",
    security(("bearer" = [])),
    params(RankingQuery),
    responses((status = 200, body = Ranking))
)]
#[get("/oversight/ranking")]
async fn ranking(
    state: web::Data<AppState>,
    me: Staff,
    q: web::Query<RankingQuery>,
) -> ApiResult<web::Json<Ranking>> {
    Ok(web::Json(
        warnings::ranking(&state.db, &me, &q, state.clock.now()).await?,
    ))
}
