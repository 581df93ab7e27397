//! Bearer-token authentication: a handler that takes a `Staff` argument admits only a request with
//! a live token of an active account. What the account may do is decided in `cases::access`.

use std::future::Future;
use std::pin::Pin;

use actix_web::{FromRequest, HttpRequest, dev::Payload, http::header, web};

use super::problem::ApiError;
pub use crate::actor::{Role, Staff};
use crate::state::AppState;

impl FromRequest for Staff {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|t| t.trim().to_owned());
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal("application state missing"))?;
            let token = token.ok_or_else(|| {
                ApiError::unauthorized(
                    "send Authorization: Bearer <token> from POST /api/v1/auth/login",
                )
            })?;
            crate::accounts::authenticate(&state.db, &token, state.clock.now())
                .await?
                .ok_or_else(|| {
                    ApiError::unauthorized(
                        "the token is unknown, expired or revoked, or the account is disabled; log in again",
                    )
                })
        })
    }
}
