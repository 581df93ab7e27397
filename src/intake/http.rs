use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, sea_query::Expr};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::request::{ComplaintRequest, ReportRequest};
use super::{Filed, WalkIn, receipt};
use crate::actor::Actor;
use crate::cases::{CaseKind, CaseStatus};
use crate::deadlines::{DeadlineView, RuleSetId};
use crate::domain::secrets::sha256_hex;
use crate::entities::{case, station};
use crate::evidence::add::{Held, Incoming, store};
use crate::http::files::WithFiles;
use crate::http::idempotency::{self, IdempotencyKey, Once, Stored};
use crate::http::{ApiError, ApiResult, Role, Staff};
use crate::routing::Routing;
use crate::state::AppState;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(file_complaint)
        .service(file_report)
        .service(file_at_station);
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LinkedRecord {
    pub id: String,
    pub kind: CaseKind,
    pub receipt_number: String,
}

/// What the consumer gets back from intake.
#[derive(Serialize, ToSchema)]
pub struct IntakeReceipt {
    pub id: String,
    pub kind: CaseKind,
    pub receipt_number: String,
    /// Shown once: with the receipt number it lets the consumer follow and act on the case
    /// (`X-Access-Secret`). Only its hash is stored. A retried request gets a fresh one.
    pub access_secret: String,
    pub status: CaseStatus,
    pub status_label: String,
    pub received_at: DateTime<Utc>,
    pub rule_set: RuleSetId,
    pub routing: Routing,
    pub deadlines: Vec<DeadlineView>,
    /// The other record when one submission both complains and reports.
    pub linked: Option<LinkedRecord>,
    /// Receipt number of an earlier complaint this one probably repeats; both stay open.
    pub probable_duplicate_of: Option<String>,
    /// The station that registered the complaint in person and stays the consumer's contact.
    pub received_by_station_id: Option<String>,
}

impl IntakeReceipt {
    fn of(f: Filed) -> IntakeReceipt {
        let status = f.case.status;
        IntakeReceipt {
            kind: f.case.kind,
            receipt_number: f.case.receipt_number,
            access_secret: String::new(),
            status,
            status_label: status.label().to_owned(),
            received_at: f.case.received_at,
            rule_set: f.case.rule_set,
            routing: f.routing,
            deadlines: f.deadlines,
            linked: f.linked.map(|l| LinkedRecord {
                id: l.id,
                kind: l.kind,
                receipt_number: l.receipt_number,
            }),
            probable_duplicate_of: f.duplicate_of.map(|d| d.receipt_number),
            received_by_station_id: f.case.received_by_station_id,
            id: f.case.id,
        }
    }
}

enum Submission {
    Complaint(Box<ComplaintRequest>, Option<Box<WalkIn>>),
    Report(Box<ReportRequest>),
}

/// A complaint with its evidence, as `multipart/form-data`: the complaint's JSON in the part
/// `request`, its files in parts `files` (the types and limits of
/// `POST /track/{receipt_number}/evidence`; a file refused is a fault at `files[i]`, reported with
/// the request's own, and nothing is filed).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ComplaintWithFiles {
    /// The complaint, as for `application/json`.
    request: ComplaintRequest,
    /// JPEG, PNG, WebP, HEIC or PDF, recognised by content.
    #[schema(value_type = Vec<String>, format = Binary)]
    files: Vec<String>,
}

/// A report with its evidence, as `multipart/form-data`, like [`ComplaintWithFiles`].
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ReportWithFiles {
    /// The report, as for `application/json`.
    request: ReportRequest,
    /// JPEG, PNG, WebP, HEIC or PDF, recognised by content.
    #[schema(value_type = Vec<String>, format = Binary)]
    files: Vec<String>,
}

/// What an intake answers.
enum Answer {
    Created(Box<IntakeReceipt>),
    Replayed(Stored),
}

/// File a complaint (投诉).
///
/// Anyone may call this; no account is needed. Send an `Idempotency-Key` header so that a retry
/// never files the complaint twice. Every invalid field is reported at once.
#[utoipa::path(
    tag = "intake",
    request_body(content(
        (ComplaintRequest = "application/json"),
        (ComplaintWithFiles = "multipart/form-data"),
    )),
    params(("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "makes retries safe")),
    responses(
        (status = 201, body = IntakeReceipt),
    )
)]
#[post("/complaints")]
async fn file_complaint(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: WithFiles<ComplaintRequest>,
) -> ApiResult<HttpResponse> {
    let key = IdempotencyKey::from_request(&req, "complaints", &body.fingerprint)?;
    let submission = Submission::Complaint(Box::new(body.body), None);
    submit(state, key, submission, body.files).await
}

/// Register a walk-in complaint at a station (现场登记, 首接负责).
///
/// Staff of the station: its mediators, or a `bureau_admin` of its bureau. The body is the same as
/// for `POST /complaints`. Jurisdiction does not change: the case goes to the bureau and station
/// where it belongs (normally the town where the dispute arose), while this station stays the
/// consumer's contact and follows the case. Any of the five pilot-area stations registers a
/// complaint about a dispute anywhere in the area (同城待遇): the clocks start now and the case is
/// never refused for jurisdiction.
#[utoipa::path(
    tag = "intake",
    security(("bearer" = [])),
    request_body(content(
        (ComplaintRequest = "application/json"),
        (ComplaintWithFiles = "multipart/form-data"),
    )),
    params(
        ("id" = String, Path, description = "the receiving station", example = "S310118102"),
        ("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "makes retries safe"),
    ),
    responses(
        (status = 201, body = IntakeReceipt),
    )
)]
#[post("/stations/{id}/complaints")]
async fn file_at_station(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
    body: WithFiles<ComplaintRequest>,
) -> ApiResult<HttpResponse> {
    me.require(&[Role::Mediator, Role::BureauAdmin])?;
    let station = station::Entity::find_by_id(path.into_inner())
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::not_found("no such station"))?;
    if me.station_id.as_ref() != Some(&station.id)
        && !(me.role == Role::BureauAdmin && me.bureau_code.as_ref() == Some(&station.bureau_code))
    {
        return Err(ApiError::forbidden(
            "only staff of this station or its bureau register complaints here",
        ));
    }
    let key = IdempotencyKey::from_request(&req, "station_complaints", &body.fingerprint)?;
    let walk_in = WalkIn {
        station,
        staff: Actor::from(&me),
    };
    let submission = Submission::Complaint(Box::new(body.body), Some(Box::new(walk_in)));
    submit(state, key, submission, body.files).await
}

/// File a report (举报), named or anonymous.
///
/// Anyone may call this. The reporter's identity is never shown to the reported business.
#[utoipa::path(
    tag = "intake",
    request_body(content(
        (ReportRequest = "application/json"),
        (ReportWithFiles = "multipart/form-data"),
    )),
    params(("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "makes retries safe")),
    responses(
        (status = 201, body = IntakeReceipt),
    )
)]
#[post("/reports")]
async fn file_report(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: WithFiles<ReportRequest>,
) -> ApiResult<HttpResponse> {
    let key = IdempotencyKey::from_request(&req, "reports", &body.fingerprint)?;
    submit(
        state,
        key,
        Submission::Report(Box::new(body.body)),
        body.files,
    )
    .await
}

/// Files the submission on the runtime that owns the database connections (see
/// [`on_pool_runtime`]): an intake makes several round trips.
async fn submit(
    state: web::Data<AppState>,
    key: Option<IdempotencyKey>,
    submission: Submission,
    files: Vec<Incoming>,
) -> ApiResult<HttpResponse> {
    let pool_state = state.clone();
    let answer = on_pool_runtime(&state, async move {
        file(&pool_state, key, submission, files).await
    })
    .await?;
    Ok(match answer {
        Answer::Created(receipt) => HttpResponse::Created().json(receipt),
        Answer::Replayed(stored) => stored.into_response(),
    })
}

async fn file(
    state: &AppState,
    key: Option<IdempotencyKey>,
    submission: Submission,
    files: Vec<Incoming>,
) -> ApiResult<Answer> {
    // The files are checked and stored before the transaction (a file refused is reported with
    // the request's faults); the blobs of a submission that fails are swept as orphans.
    let attached = match files.is_empty() {
        true => Ok(Vec::new()),
        false => match store(&state.env, files, Held::default()).await {
            Err(crate::evidence::Error::Invalid(refused)) => Err(refused),
            stored => Ok(stored?),
        },
    };
    let secret = receipt::access_secret();
    let secret_hash = sha256_hex(&secret);
    let now = state.clock.now();
    let prepare = async |txn: &DatabaseTransaction| {
        let (filed, writes) = match &submission {
            Submission::Complaint(r, walk_in) => {
                let walk_in = walk_in.as_deref();
                super::file_complaint(txn, state, r, attached, walk_in, &secret_hash, now).await?
            }
            Submission::Report(r) => {
                super::file_report(txn, state, r, attached, &secret_hash, now).await?
            }
        };
        Ok((IntakeReceipt::of(filed), writes))
    };
    // The stored copy holds the secret sealed, so that a retry within the window gets the one the
    // consumer may already hold; the record, and with it the sealed secret, goes with the window.
    let json = |r: &IntakeReceipt| {
        let mut stored = serde_json::to_value(r).map_err(ApiError::internal)?;
        stored["access_secret"] = state.env.sealer.seal(&secret).into();
        Ok(stored.to_string())
    };
    match idempotency::once(&state.db, key.as_ref(), now, prepare, json).await? {
        Once::Created(mut receipt, _) => {
            receipt.access_secret = secret;
            Ok(Answer::Created(Box::new(receipt)))
        }
        Once::Replayed(stored) => reissue(state, stored).await.map(Answer::Replayed),
    }
}

/// Answers a retry with the first response and the secret issued with it. Only when the secret
/// cannot be opened (sealed by an instance with another key: no `XIAOBAO_SESSION_KEY` set and a
/// restart in between) is a fresh one issued in its place, since only the secret's hash is kept.
async fn reissue(state: &AppState, stored: Stored) -> ApiResult<Stored> {
    let mut body: serde_json::Value =
        serde_json::from_str(&stored.body).map_err(ApiError::internal)?;
    let opened = body["access_secret"]
        .as_str()
        .and_then(|sealed| state.env.sealer.open(sealed));
    let secret = match opened {
        Some(secret) => secret,
        None => {
            let mut ids = vec![body["id"].as_str().unwrap_or_default().to_owned()];
            if let Some(linked) = body["linked"]["id"].as_str() {
                ids.push(linked.to_owned());
            }
            let secret = receipt::access_secret();
            case::Entity::update_many()
                .col_expr(
                    case::Column::AccessSecretHash,
                    Expr::value(sha256_hex(&secret)),
                )
                .filter(case::Column::Id.is_in(ids))
                .exec(&state.db)
                .await?;
            secret
        }
    };
    body["access_secret"] = serde_json::Value::String(secret);
    Ok(Stored {
        status: stored.status,
        body: body.to_string(),
    })
}

/// Runs database-heavy work on the runtime that watches the pool's sockets. An HTTP worker's
/// own single-threaded runtime would be woken from another thread at every round trip; there
/// the work and its sockets share threads. The work finishes even if the client goes away.
async fn on_pool_runtime<T: Send + 'static>(
    state: &AppState,
    work: impl Future<Output = ApiResult<T>> + Send + 'static,
) -> ApiResult<T> {
    match state.pool_runtime.spawn(work).await {
        Ok(done) => done,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(_) => Err(ApiError::internal("the runtime is shutting down")),
    }
}
