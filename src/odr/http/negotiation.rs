//! The consumer's view of the negotiation.

use actix_web::{HttpRequest, get, web};

use crate::http::ApiResult;
use crate::http::auth::consumer_case;
use crate::odr::negotiation::{self, Negotiation};
use crate::state::AppState;

/// The negotiation: state, settlement deadline and every offer.
///
/// The consumer, with `X-Access-Secret`.
#[utoipa::path(
    tag = "odr",
    params(("receipt_number" = String, Path), ("X-Access-Secret" = String, Header)),
    responses(
        (status = 200, body = Negotiation),
    )
)]
#[get("/track/{receipt_number}/odr")]
pub(super) async fn consumer_view(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> ApiResult<web::Json<Negotiation>> {
    let c = consumer_case(&state, &req, &path).await?;
    Ok(web::Json(negotiation::of_case(&state.db, &c.id).await?))
}
