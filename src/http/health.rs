//! Liveness, readiness and the API document.

use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use super::problem::{ApiError, ApiResult};
use crate::state::AppState;

/// The OpenAPI document as served.
pub struct ApiDocument(pub String);

#[derive(Serialize, ToSchema)]
pub struct Health {
    pub status: &'static str,
}

/// Liveness.
///
/// Anyone may call this.
#[utoipa::path(tag = "health", responses((status = 200, body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> web::Json<Health> {
    web::Json(Health { status: "ok" })
}

/// Readiness: the database answers.
///
/// Anyone may call this.
#[utoipa::path(
    tag = "health",
    responses(
        (status = 200, body = Health),
    )
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> ApiResult<web::Json<Health>> {
    state.db.ping().await.map_err(ApiError::unavailable)?;
    Ok(web::Json(Health { status: "ready" }))
}

/// This document.
///
/// Anyone may call this.
#[utoipa::path(tag = "health", responses((status = 200, description = "the OpenAPI 3.1 document", content_type = "application/json")))]
#[get("/openapi.json")]
pub async fn openapi_json(doc: web::Data<ApiDocument>) -> HttpResponse {
    // Public and the same for everyone until the next deploy, unlike every other answer.
    HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((
            actix_web::http::header::CACHE_CONTROL,
            "public, max-age=300",
        ))
        .body(doc.0.clone())
}
