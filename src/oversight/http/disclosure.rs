//! Public complaint disclosure of a business.

use actix_web::{get, web};

use crate::http::ApiResult;
use crate::oversight::disclosure::{Disclosure, YearQuery, disclose};
use crate::state::AppState;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(business_disclosure);
}

/// Published complaint statistics of one business, by USCC.
///
/// Anyone may call this; only complaints whose consumer consented to publication are counted, and
/// no personal data is shown.
#[utoipa::path(
    tag = "public",
    params(("uscc" = String, Path), YearQuery),
    responses((status = 200, body = Disclosure))
)]
#[get("/public/businesses/{uscc}/complaints")]
async fn business_disclosure(
    state: web::Data<AppState>,
    path: web::Path<String>,
    q: web::Query<YearQuery>,
) -> ApiResult<web::Json<Disclosure>> {
    Ok(web::Json(
        disclose(&state.db, &path, q.year, state.clock.now()).await?,
    ))
}
