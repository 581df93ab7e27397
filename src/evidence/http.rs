//! The evidence endpoints: upload (multipart, field `files`, one or more), list, download and a
//! photo's thumbnail, for the consumer with the receipt number and secret and for staff and desks
//! with a token.

use actix_multipart::Multipart;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use utoipa::ToSchema;

use super::EvidenceView;
use super::add;
use super::read;
use crate::http::auth::consumer_case;
use crate::http::files::{files, send};
use crate::http::idempotency::{IdempotencyKey, create_once};
use crate::http::{ApiResult, Problem, Staff};
use crate::state::AppState;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(consumer_upload)
        .service(consumer_list)
        .service(consumer_download)
        .service(consumer_thumbnail)
        .service(staff_upload)
        .service(staff_list)
        .service(staff_download)
        .service(staff_thumbnail);
}

/// A `multipart/form-data` body: the files in one or more parts named `files`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct EvidenceUpload {
    /// JPEG, PNG, WebP, HEIC or PDF, recognised by content; 10 MB a file, 20 files and 50 MB a
    /// case by default. JPEG, PNG and WebP photos are decoded, at most 50 million pixels
    /// (width × height as declared) by default, into a thumbnail and a copy without metadata
    /// (EXIF, GPS location, XMP); HEIC photos are kept as sent, with neither.
    #[schema(value_type = Vec<String>, format = Binary)]
    files: Vec<String>,
}

/// Add evidence to one's complaint or report.
///
/// The consumer, with `X-Access-Secret`, while the case is open. Every file is checked first
/// (type by content, size, the case's limits, a photo's pixels and whether it decodes); a file
/// refused is a 422 naming it (`files[0]` …) and nothing is stored. Send `Idempotency-Key` to
/// make retries safe.
#[utoipa::path(
    tag = "evidence",
    params(
        ("receipt_number" = String, Path),
        ("X-Access-Secret" = String, Header),
        ("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "makes retries safe"),
    ),
    request_body(content = EvidenceUpload, content_type = "multipart/form-data"),
    responses(
        (status = 201, body = Vec<EvidenceView>),
        (status = 404, description = "no case matches the receipt number and secret", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`case_closed`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "a file of another type, too large, over the case's limits, a photo of more pixels than allowed or one that does not decode", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/track/{receipt_number}/evidence")]
async fn consumer_upload(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: Multipart,
) -> ApiResult<HttpResponse> {
    let c = consumer_case(&state, &req, &path).await?;
    let (incoming, fingerprint) = files(body, &state).await?;
    let key = IdempotencyKey::from_request(&req, "evidence", &fingerprint)?;
    let now = state.clock.now();
    create_once(&state.db, key, now, async |txn| {
        Ok(add::by_consumer(txn, &state.env, &c, incoming, now).await?)
    })
    .await
}

/// The files one added to one's case.
///
/// The consumer, with `X-Access-Secret`.
#[utoipa::path(
    tag = "evidence",
    params(("receipt_number" = String, Path), ("X-Access-Secret" = String, Header)),
    responses(
        (status = 200, body = Vec<EvidenceView>),
        (status = 404, description = "no case matches the receipt number and secret", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/track/{receipt_number}/evidence")]
async fn consumer_list(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> ApiResult<web::Json<Vec<EvidenceView>>> {
    let c = consumer_case(&state, &req, &path).await?;
    Ok(web::Json(read::list_for_consumer(&state.db, &c).await?))
}

/// Download a file one added.
///
/// The consumer, with `X-Access-Secret`: the file as sent, as an attachment.
#[utoipa::path(
    tag = "evidence",
    params(
        ("receipt_number" = String, Path),
        ("evidence_id" = String, Path),
        ("X-Access-Secret" = String, Header),
    ),
    responses(
        (status = 200, description = "the file, with its stored type"),
        (status = 404, description = "no such file of the consumer's", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "removed after the retention period", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/track/{receipt_number}/evidence/{evidence_id}")]
async fn consumer_download(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (receipt, id) = path.into_inner();
    let c = consumer_case(&state, &req, &receipt).await?;
    let txn = crate::db::begin_write(&state.db).await?;
    let d = read::download_for_consumer(&txn, &c, &id, state.clock.now()).await?;
    txn.commit().await?;
    send(&state, d).await
}

/// Add evidence to a case.
///
/// Staff acting on the case (its station's mediators, its bureau's admins and enforcement
/// officers) and the desk of the business complained about, while the case is open. Checks and
/// idempotency as for the consumer's upload.
#[utoipa::path(
    tag = "evidence",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "case id"),
        ("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "makes retries safe"),
    ),
    request_body(content = EvidenceUpload, content_type = "multipart/form-data"),
    responses(
        (status = 201, body = Vec<EvidenceView>),
        (status = 409, description = "`case_closed`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "a file of another type, too large, over the case's limits, a photo of more pixels than allowed or one that does not decode", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/cases/{id}/evidence")]
async fn staff_upload(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
    body: Multipart,
) -> ApiResult<HttpResponse> {
    let (incoming, fingerprint) = files(body, &state).await?;
    let key = IdempotencyKey::from_request(&req, "evidence", &fingerprint)?;
    let now = state.clock.now();
    create_once(&state.db, key, now, async |txn| {
        Ok(add::by_staff(txn, &state.env, &me, &path, incoming, now).await?)
    })
    .await
}

/// A case's evidence.
///
/// Every staff member and desk who sees the case.
#[utoipa::path(
    tag = "evidence",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "case id")),
    responses(
        (status = 200, body = Vec<EvidenceView>),
    )
)]
#[get("/cases/{id}/evidence")]
async fn staff_list(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
) -> ApiResult<web::Json<Vec<EvidenceView>>> {
    Ok(web::Json(
        read::list_for_staff(&state.db, &me, &path).await?,
    ))
}

/// Download a file of a case's evidence.
///
/// Every staff member and desk who sees the case; the download is audited. Staff receive the
/// original; the business's desk receives a consumer's photo only as its copy without metadata
/// (EXIF, GPS location), and a consumer's HEIC photo, which has no such copy (no HEIC decoder
/// is built in), not at all (403).
#[utoipa::path(
    tag = "evidence",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "case id"), ("evidence_id" = String, Path)),
    responses(
        (status = 200, description = "the file, with its stored type"),
        (status = 403, description = "a desk asking for a consumer's photo that has no copy without metadata", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "removed after the retention period", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/cases/{id}/evidence/{evidence_id}")]
async fn staff_download(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (case_id, id) = path.into_inner();
    let txn = crate::db::begin_write(&state.db).await?;
    let d = read::download_for_staff(&txn, &me, &case_id, &id, state.clock.now()).await?;
    txn.commit().await?;
    send(&state, d).await
}

/// A photo's thumbnail, of a file one added.
///
/// The consumer, with `X-Access-Secret`: a JPEG within 320 × 320 pixels, made from the photo's
/// pixels without its metadata; audited. HEIC photos and PDFs have none (404 `no_thumbnail`).
#[utoipa::path(
    tag = "evidence",
    params(
        ("receipt_number" = String, Path),
        ("evidence_id" = String, Path),
        ("X-Access-Secret" = String, Header),
    ),
    responses(
        (status = 200, description = "the thumbnail", content_type = "image/jpeg"),
        (status = 404, description = "no such file of the consumer's, or `no_thumbnail`", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "removed after the retention period", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/track/{receipt_number}/evidence/{evidence_id}/thumbnail")]
async fn consumer_thumbnail(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (receipt, id) = path.into_inner();
    let c = consumer_case(&state, &req, &receipt).await?;
    let txn = crate::db::begin_write(&state.db).await?;
    let d = read::thumbnail_for_consumer(&txn, &c, &id, state.clock.now()).await?;
    txn.commit().await?;
    send(&state, d).await
}

/// A photo's thumbnail, of a case's evidence.
///
/// Whoever may download the photo (every staff member and desk who sees the case; a desk only
/// where it gets the copy without metadata, which the thumbnail is made from): a JPEG within
/// 320 × 320 pixels without metadata; audited. HEIC photos and PDFs have none (404
/// `no_thumbnail`).
#[utoipa::path(
    tag = "evidence",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "case id"), ("evidence_id" = String, Path)),
    responses(
        (status = 200, description = "the thumbnail", content_type = "image/jpeg"),
        (status = 403, description = "a desk asking for a consumer's photo that has no copy without metadata", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such file on a case one sees, or `no_thumbnail`", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "removed after the retention period", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/cases/{id}/evidence/{evidence_id}/thumbnail")]
async fn staff_thumbnail(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (case_id, id) = path.into_inner();
    let txn = crate::db::begin_write(&state.db).await?;
    let d = read::thumbnail_for_staff(&txn, &me, &case_id, &id, state.clock.now()).await?;
    txn.commit().await?;
    send(&state, d).await
}
