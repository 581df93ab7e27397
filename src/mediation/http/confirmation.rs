//! The 调解书's confirmations by both parties (the second issues it), and anyone's check that
//! a 调解书 is genuine.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, get, post, web};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::common::AgreementView;
use crate::http::auth::consumer_case;
use crate::http::{ApiError, ApiJson, ApiResult, Problem, Staff};
use crate::mediation::agreement::{self, Confirmer, Unread, Verification};
use crate::state::AppState;

/// Confirm the 调解书 for the business, by its desk account.
///
/// The business's desk: an `enterprise_agent` bound to the case's business. The second of the two
/// confirmations issues the document: numbered, rendered as PDF, hashed, signed, the case closed
/// and the PDF mailed to both parties.
#[utoipa::path(
    tag = "mediation",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "case id")),
    responses(
        (status = 200, body = AgreementView),
        (status = 409, description = "already confirmed, or not awaiting confirmation", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "no usable signing key for the bureau", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/cases/{id}/agreement/confirm")]
pub(super) async fn desk_confirm(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
) -> ApiResult<web::Json<AgreementView>> {
    let txn = crate::db::begin_write(&state.db).await?;
    let a = agreement::desk_confirm(&txn, &state, &me, &path, state.clock.now()).await?;
    txn.commit().await?;
    Ok(web::Json(a.into()))
}

/// Confirm the 调解书 as the complainant.
///
/// The consumer, with `X-Access-Secret`. The second of the two confirmations issues the document.
#[utoipa::path(
    tag = "mediation",
    params(
        ("receipt_number" = String, Path),
        ("X-Access-Secret" = String, Header, description = "the secret issued with the receipt"),
    ),
    responses(
        (status = 200, body = AgreementView),
        (status = 404, description = "unknown receipt or wrong secret, or no agreement", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "no usable signing key for the bureau", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/track/{receipt_number}/agreement/confirm")]
pub(super) async fn consumer_confirm(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> ApiResult<web::Json<AgreementView>> {
    let c = consumer_case(&state, &req, &path).await?;
    let txn = crate::db::begin_write(&state.db).await?;
    let a = agreement::confirm_case(&txn, &state, &c.id, Confirmer::Consumer, state.clock.now())
        .await?;
    txn.commit().await?;
    Ok(web::Json(a.into()))
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct CodeRequest {
    /// The single-use code from the mail to the business.
    #[validate(length(min = 16, max = 128))]
    #[schema(min_length = 16, max_length = 128)]
    pub code: String,
}

/// Confirm the 调解书 for the business with the single-use code mailed to it.
///
/// Anyone holding the code (the respondent business); it works once and expires after 30 days.
#[utoipa::path(
    tag = "mediation",
    request_body = CodeRequest,
    responses(
        (status = 200, body = AgreementView),
        (status = 404, description = "unknown or used code", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "expired code", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/agreement-confirmations")]
pub(super) async fn code_confirm(
    state: web::Data<AppState>,
    body: ApiJson<CodeRequest>,
) -> ApiResult<web::Json<AgreementView>> {
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let a = agreement::confirm_by_code(&txn, &state, &body.body.code, now).await?;
    txn.commit().await?;
    Ok(web::Json(a.into()))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VerifyQuery {
    /// Hex SHA-256 of the PDF you hold.
    #[param(pattern = "^[0-9a-fA-F]{64}$")]
    sha256: String,
}

/// Check a 调解书 by the SHA-256 of its PDF.
///
/// Anyone. The number goes in the path URL-encoded (`%E5%98%89…`). The answer is 200 with
/// `valid: true` only when the hash is the one issued under that number, the bureau's signature
/// over it verifies and the key is not revoked; otherwise `valid: false` with `reason`
/// (`hash_mismatch`, `key_revoked`, `signature_invalid`). An unknown number is a 404 problem.
#[utoipa::path(
    tag = "mediation",
    params(("number" = String, Path, description = "the document number, URL-encoded"), VerifyQuery),
    responses(
        (status = 200, body = Verification),
    )
)]
#[get("/agreements/{number}/verify")]
pub(super) async fn verify_by_hash(
    state: web::Data<AppState>,
    path: web::Path<String>,
    q: web::Query<VerifyQuery>,
) -> ApiResult<web::Json<Verification>> {
    Ok(web::Json(
        agreement::verify_hash(&state.db, &path, &q.sha256).await?,
    ))
}

/// Check a 调解书 by uploading the PDF.
///
/// Anyone. Send the file as the body (`Content-Type: application/pdf`); the answer is as for the
/// check by hash.
#[utoipa::path(
    tag = "mediation",
    params(("number" = String, Path, description = "the document number, URL-encoded")),
    request_body(content = Vec<u8>, content_type = "application/pdf"),
    responses(
        (status = 200, body = Verification),
    )
)]
#[post("/agreements/{number}/verify")]
pub(super) async fn verify_by_file(
    state: web::Data<AppState>,
    path: web::Path<String>,
    payload: web::Payload,
) -> ApiResult<web::Json<Verification>> {
    // Read as it streams: a PDF may exceed the JSON body limit.
    let sha = match agreement::digest(payload).await {
        Ok((sha, _)) => sha,
        Err(Unread::TooLarge) => {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "a 调解书 PDF is far smaller than this; check by its SHA-256 instead",
            ));
        }
        Err(Unread::BrokeOff(e)) => return Err(ApiError::bad_request("unreadable_body", e)),
    };
    Ok(web::Json(agreement::verify(&state.db, &path, &sha).await?))
}
