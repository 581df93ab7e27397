//! Bearer-token authentication. Every staff endpoint takes a `Principal` and states the roles it
//! admits with `Principal::require`; scoping to a bureau, station or business happens in the queries.

use std::future::Future;
use std::pin::Pin;

use actix_web::{FromRequest, HttpRequest, dev::Payload, http::header, web};
use sea_orm::EntityTrait;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::problem::ApiError;
use crate::entities::{auth_token, user};
use crate::state::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// An enrolled business's ODR desk; bound to one business.
    EnterpriseAgent,
    /// A mediator at a station; bound to one station.
    Mediator,
    /// Staff of a county bureau; bound to one bureau.
    BureauAdmin,
    /// Enforcement staff of a county bureau; bound to one bureau.
    EnforcementOfficer,
    SystemAdmin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::EnterpriseAgent => "enterprise_agent",
            Role::Mediator => "mediator",
            Role::BureauAdmin => "bureau_admin",
            Role::EnforcementOfficer => "enforcement_officer",
            Role::SystemAdmin => "system_admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        [
            Role::EnterpriseAgent,
            Role::Mediator,
            Role::BureauAdmin,
            Role::EnforcementOfficer,
            Role::SystemAdmin,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }
}

/// The authenticated staff member or desk agent behind a request.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user_id: String,
    pub username: String,
    pub role: Role,
    pub bureau_code: Option<String>,
    pub station_id: Option<String>,
    pub business_id: Option<String>,
}

impl Principal {
    pub fn require(&self, roles: &[Role]) -> Result<(), ApiError> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "the role {} may not do this",
                self.role.as_str()
            )))
        }
    }
}

pub fn sha256_hex(value: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(value.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

impl FromRequest for Principal {
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
            let now = state.clock.now();
            let row = auth_token::Entity::find_by_id(sha256_hex(&token))
                .one(&state.db)
                .await?
                .filter(|t| t.revoked_at.is_none() && t.expires_at > now)
                .ok_or_else(|| {
                    ApiError::unauthorized("the token is unknown, expired or revoked; log in again")
                })?;
            let user = user::Entity::find_by_id(row.user_id)
                .one(&state.db)
                .await?
                .filter(|u| u.active)
                .ok_or_else(|| ApiError::unauthorized("the account is disabled"))?;
            let role = Role::parse(&user.role).ok_or_else(|| {
                ApiError::internal(format!("unknown role {} in database", user.role))
            })?;
            Ok(Principal {
                user_id: user.id,
                username: user.username,
                role,
                bureau_code: user.bureau_code,
                station_id: user.station_id,
                business_id: user.business_id,
            })
        })
    }
}
