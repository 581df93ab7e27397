//! Who is asking: bearer-token authentication (a handler that takes a `Staff` argument admits only a
//! request with a live token of an active account), the consumer's receipt number and access
//! secret, and the client's address. What each may do is decided in `cases::access`.

use std::future::Future;
use std::pin::Pin;

use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload, http::header, web};

use super::idempotency::Caller;
use super::problem::{ApiError, ApiResult};
pub use crate::actor::{Role, Staff};
use crate::cases::track::{self, Claim, SECRET_HEADER};
use crate::entities::case;
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
        let req = req.clone();
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal("application state missing"))?;
            let token = token.ok_or_else(|| {
                ApiError::unauthorized(
                    "send Authorization: Bearer <token> from POST /api/v1/auth/login",
                )
            })?;
            let staff = crate::accounts::authenticate(&state.db, &token, state.clock.now())
                .await?
                .ok_or_else(|| {
                    ApiError::unauthorized(
                        "the token is unknown, expired or revoked, or the account is disabled; log in again",
                    )
                })?;
            req.extensions_mut().insert(Caller(staff.user_id.clone()));
            Ok(staff)
        })
    }
}

/// The client's IP address: the connection's peer, or with `trust_forwarded_for` the address a
/// proxy reports in `Forwarded` or `X-Forwarded-For`.
pub fn client_address(req: &HttpRequest, trust_forwarded_for: bool) -> String {
    let reported = trust_forwarded_for
        .then(|| {
            req.connection_info()
                .realip_remote_addr()
                .map(str::to_owned)
        })
        .flatten();
    let address = match reported {
        Some(a) => a
            .parse::<std::net::SocketAddr>()
            .map(|s| s.ip().to_string())
            .unwrap_or(a),
        None => req
            .peer_addr()
            .map(|a| a.ip().to_string())
            .unwrap_or_default(),
    };
    address.chars().take(64).collect()
}

/// The case whose receipt number is `receipt`, for a consumer sending its secret in
/// `X-Access-Secret`.
pub async fn consumer_case(
    state: &AppState,
    req: &HttpRequest,
    receipt: &str,
) -> ApiResult<case::Model> {
    let secret = req
        .headers()
        .get(SECRET_HEADER)
        .and_then(|v| v.to_str().ok());
    let address = client_address(req, state.env.settings.trust_forwarded_for);
    let claim = Claim {
        receipt,
        secret,
        address: &address,
    };
    Ok(track::consumer_case(&state.db, &state.env.settings, claim, state.clock.now()).await?)
}
