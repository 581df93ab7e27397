//! What mediation is configured with: the keys that sign 调解书, each bureau's document-number
//! prefix, and the grounds of each rule set.

use actix_web::{get, post, put, web};
use chrono::{DateTime, Datelike, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::deadlines::{RuleSetId, local_date};
use crate::domain::text::single_line;
use crate::entities::signing_key;
use crate::http::{ApiError, ApiJson, ApiResult, Problem, Staff};
use crate::mediation::{self, Grounds, document, signing};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct SigningKeyView {
    pub key_id: String,
    pub bureau_code: Option<String>,
    /// Ed25519 public key, base64.
    pub public_key: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_reason: Option<String>,
}

impl From<signing_key::Model> for SigningKeyView {
    fn from(k: signing_key::Model) -> Self {
        SigningKeyView {
            key_id: k.key_id,
            bureau_code: k.bureau_code,
            public_key: k.public_key,
            created_at: k.created_at,
            revoked_at: k.revoked_at,
            revoked_reason: k.revoked_reason,
        }
    }
}

/// The public keys that sign 调解书, with their revocations.
///
/// Anyone: with these, a document's signature can be checked offline.
#[utoipa::path(tag = "mediation", responses((status = 200, body = Vec<SigningKeyView>)))]
#[get("/signing-keys")]
pub(super) async fn list_signing_keys(
    state: web::Data<AppState>,
) -> ApiResult<web::Json<Vec<SigningKeyView>>> {
    let keys = signing::all(&state.db).await?;
    Ok(web::Json(keys.into_iter().map(Into::into).collect()))
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct RevokeRequest {
    #[validate(length(min = 2, max = 500))]
    #[schema(min_length = 2, max_length = 500)]
    pub reason: String,
}

/// Revoke a signing key: documents it signed no longer verify.
///
/// `system_admin`. Configure a key with a new id to go on issuing.
#[utoipa::path(
    tag = "mediation",
    security(("bearer" = [])),
    params(("key_id" = String, Path)),
    request_body = RevokeRequest,
    responses(
        (status = 200, body = SigningKeyView),
        (status = 409, description = "already revoked", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/signing-keys/{key_id}/revoke")]
pub(super) async fn revoke_signing_key(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
    body: ApiJson<RevokeRequest>,
) -> ApiResult<web::Json<SigningKeyView>> {
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let key = signing::revoke(&txn, &me, &path, &body.body.reason, now).await?;
    txn.commit().await?;
    Ok(web::Json(key.into()))
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct PrefixRequest {
    /// e.g. `嘉市监善调`
    #[validate(length(min = 2, max = 20), custom(function = "single_line"))]
    #[schema(min_length = 2, max_length = 20)]
    pub prefix: String,
}

#[derive(Serialize, ToSchema)]
pub struct PrefixView {
    pub bureau_code: String,
    pub document_prefix: String,
    /// The first number of the current year's series with this prefix.
    pub example: String,
}

/// Set the prefix of the bureau's 调解书 numbers.
///
/// `bureau_admin` of that bureau, or `system_admin`. Without one, the prefix is derived from the
/// county's name (`嘉善市监调`).
#[utoipa::path(
    tag = "mediation",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "county code of the bureau")),
    request_body = PrefixRequest,
    responses(
        (status = 200, body = PrefixView),
    )
)]
#[put("/bureaus/{code}/document-prefix")]
pub(super) async fn set_document_prefix(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
    body: ApiJson<PrefixRequest>,
) -> ApiResult<web::Json<PrefixView>> {
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let prefix = document::set_prefix(&txn, &me, &path, &body.body.prefix, now).await?;
    txn.commit().await?;
    Ok(web::Json(PrefixView {
        example: document::number(&prefix, local_date(now).year(), 1),
        bureau_code: path.into_inner(),
        document_prefix: prefix,
    }))
}

/// The refusal and termination grounds of a rule set.
///
/// Anyone. `order-20` for cases received up to 2026-04-14, `order-121` from 2026-04-15.
#[utoipa::path(
    tag = "mediation",
    params(("rule_set" = String, Path, example = "order-121")),
    responses(
        (status = 200, body = Grounds),
    )
)]
#[get("/rule-sets/{rule_set}/grounds")]
pub(super) async fn list_grounds(path: web::Path<String>) -> ApiResult<web::Json<Grounds>> {
    let set = RuleSetId::parse(&path)
        .ok_or_else(|| ApiError::not_found(format!("no rule set {}", path.as_str())))?;
    Ok(web::Json(mediation::grounds(set).clone()))
}
