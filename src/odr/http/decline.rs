//! The desk declining to settle.

use actix_web::{post, web};

use crate::http::{ApiJson, ApiResult, Staff};
use crate::odr::ReasonRequest;
use crate::odr::decline;
use crate::odr::negotiation::Negotiation;
use crate::state::AppState;

/// Decline to settle: the case goes to the regulator with its history.
///
/// The business's desk.
#[utoipa::path(
    tag = "odr",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "case id")),
    request_body = ReasonRequest,
    responses((status = 200, body = Negotiation))
)]
#[post("/odr/cases/{id}/decline")]
pub(super) async fn desk_decline(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
    body: ApiJson<ReasonRequest>,
) -> ApiResult<web::Json<Negotiation>> {
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let n = decline::decline(&txn, &state.env, &me, &path, &body.body.reason, now).await?;
    txn.commit().await?;
    Ok(web::Json(n))
}
