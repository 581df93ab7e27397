use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use sea_orm::EntityTrait;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::NewUser;
use super::manage::{self, AccountChange};
use super::password::PasswordChange;
use crate::entities::user;
use crate::http::idempotency::{IdempotencyKey, create_once};
use crate::http::{ApiError, ApiJson, ApiResult, Problem, Role, Staff};
use crate::state::AppState;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(login)
        .service(logout)
        .service(change_password)
        .service(current_account)
        .service(create_user)
        .service(list_users)
        .service(change_user)
        .service(reset_password);
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct LoginRequest {
    #[validate(length(min = 1, max = 64))]
    #[schema(min_length = 1, max_length = 64)]
    pub username: String,
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct LoginResponse {
    /// Send as `Authorization: Bearer <token>`. Only its hash is stored.
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub role: Role,
}

/// Log in with a staff or desk account.
///
/// Anyone may call this. The token expires after the configured lifetime and can be revoked with
/// logout. Failed logins are limited per account and per client address within a window
/// (`XIAOBAO_LOGIN_*`); past either limit the answer is 429 `too_many_login_attempts`.
#[utoipa::path(
    tag = "accounts",
    request_body = LoginRequest,
    responses(
        (status = 200, body = LoginResponse),
        (status = 401, description = "wrong username or password", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "too many failed logins for the account or from the address; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/login")]
async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: ApiJson<LoginRequest>,
) -> ApiResult<web::Json<LoginResponse>> {
    let l = super::login(
        &state.db,
        &body.body.username,
        &body.body.password,
        &crate::http::auth::client_address(&req, state.env.settings.trust_forwarded_for),
        &super::Throttle::of(&state.env.settings),
        state.env.settings.token_ttl_hours,
        state.clock.now(),
    )
    .await?;
    Ok(web::Json(LoginResponse {
        token: l.token,
        expires_at: l.expires_at,
        role: l.role,
    }))
}

/// Revoke the token of this request.
///
/// Any authenticated account.
#[utoipa::path(
    tag = "accounts",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "revoked"),
    )
)]
#[post("/auth/logout")]
async fn logout(
    state: web::Data<AppState>,
    req: HttpRequest,
    _me: Staff,
) -> ApiResult<HttpResponse> {
    super::logout(&state.db, bearer(&req), state.clock.now()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The bearer token of a request authenticated by the `Staff` extractor.
fn bearer(req: &HttpRequest) -> &str {
    req.headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default()
        .trim()
}

/// Change one's own password.
///
/// Any authenticated account, with its current password. A wrong current password counts as a
/// failed login of the account (the login throttle applies: 429 with `Retry-After`). The new
/// password has 10 to 200 characters and differs from the current one. The token of this request
/// stays valid; every other token of the account is revoked.
#[utoipa::path(
    tag = "accounts",
    security(("bearer" = [])),
    request_body = PasswordChange,
    responses(
        (status = 204, description = "changed; the account's other tokens are revoked"),
        (status = 422, description = "`current_password` wrong or `new_password` not acceptable", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "too many failed logins for the account or from the address; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/password")]
async fn change_password(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: Staff,
    body: ApiJson<PasswordChange>,
) -> ApiResult<HttpResponse> {
    super::password::change(
        &state.db,
        &me,
        bearer(&req),
        body.body,
        &crate::http::auth::client_address(&req, state.env.settings.trust_forwarded_for),
        &super::Throttle::of(&state.env.settings),
        state.clock.now(),
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Serialize, ToSchema)]
pub struct Account {
    pub id: String,
    pub username: String,
    pub role: Role,
    pub display_name: String,
    pub bureau_code: Option<String>,
    pub station_id: Option<String>,
    pub business_id: Option<String>,
}

impl From<user::Model> for Account {
    fn from(u: user::Model) -> Self {
        Account {
            id: u.id,
            username: u.username,
            role: u.role,
            display_name: u.display_name,
            bureau_code: u.bureau_code,
            station_id: u.station_id,
            business_id: u.business_id,
        }
    }
}

/// An account as its administrators see it.
#[derive(Serialize, ToSchema)]
pub struct ManagedAccount {
    #[serde(flatten)]
    pub account: Account,
    pub email: Option<String>,
    /// A disabled account cannot log in.
    pub active: bool,
}

impl From<user::Model> for ManagedAccount {
    fn from(u: user::Model) -> Self {
        ManagedAccount {
            email: u.email.clone(),
            active: u.active,
            account: u.into(),
        }
    }
}

/// The account behind the token.
///
/// Any authenticated account.
#[utoipa::path(
    tag = "accounts",
    security(("bearer" = [])),
    responses((status = 200, body = Account))
)]
#[get("/auth/me")]
async fn current_account(state: web::Data<AppState>, me: Staff) -> ApiResult<web::Json<Account>> {
    let u = user::Entity::find_by_id(me.user_id)
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::unauthorized("the account no longer exists"))?;
    Ok(web::Json(u.into()))
}

/// Create a staff or desk account.
///
/// `system_admin` creates any account; `bureau_admin` creates mediators, enforcement officers and
/// bureau admins of their own bureau only.
#[utoipa::path(
    tag = "accounts",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "makes retries safe")),
    request_body = NewUser,
    responses(
        (status = 201, body = Account),
        (status = 409, description = "username taken", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/users")]
async fn create_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: Staff,
    body: ApiJson<NewUser>,
) -> ApiResult<HttpResponse> {
    let key = IdempotencyKey::from_request(&req, "users", &body.raw)?;
    let now = state.clock.now();
    create_once(&state.db, key, now, async |txn| {
        Ok(Account::from(
            manage::create(txn, &me, body.body, now).await?,
        ))
    })
    .await
}

/// The accounts the caller administers: a bureau admin's bureau's staff, every account for a
/// system admin.
///
/// `system_admin` or `bureau_admin`.
#[utoipa::path(
    tag = "accounts",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<ManagedAccount>))
)]
#[get("/users")]
async fn list_users(
    state: web::Data<AppState>,
    me: Staff,
) -> ApiResult<web::Json<Vec<ManagedAccount>>> {
    let users = manage::list(&state.db, &me).await?;
    Ok(web::Json(
        users.into_iter().map(ManagedAccount::from).collect(),
    ))
}

/// Change an account's role, station, or whether it is active; disabling it, or changing its
/// role, ends its logins. One cannot disable oneself or change one's own role.
///
/// `system_admin`, or `bureau_admin` for the staff of their bureau.
#[utoipa::path(
    tag = "accounts",
    security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = AccountChange,
    responses(
        (status = 200, body = ManagedAccount),
        (status = 409, description = "`own_account`: one's own account stays enabled and keeps its role", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/users/{id}")]
async fn change_user(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
    body: ApiJson<AccountChange>,
) -> ApiResult<web::Json<ManagedAccount>> {
    let txn = crate::db::begin_write(&state.db).await?;
    let u = manage::change(&txn, &me, &path, &body.body, state.clock.now()).await?;
    txn.commit().await?;
    Ok(web::Json(u.into()))
}

#[derive(Serialize, ToSchema)]
pub struct TemporaryPassword {
    /// Shown once: pass it to the account's holder, who should change it at once. Only its hash
    /// is kept.
    pub temporary_password: String,
}

/// Reset an account's password to a temporary one and end its logins.
///
/// `system_admin`, or `bureau_admin` for the staff of their bureau.
#[utoipa::path(
    tag = "accounts",
    security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = TemporaryPassword))
)]
#[post("/users/{id}/reset-password")]
async fn reset_password(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
) -> ApiResult<web::Json<TemporaryPassword>> {
    let txn = crate::db::begin_write(&state.db).await?;
    let temporary_password = manage::reset_password(&txn, &me, &path, state.clock.now()).await?;
    txn.commit().await?;
    Ok(web::Json(TemporaryPassword { temporary_password }))
}
