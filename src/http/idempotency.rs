//! `Idempotency-Key` for creating POSTs: the first response is stored in the same transaction as
//! what it created, and a retry with the same key gets that response again, within the window
//! (`idempotency_window_hours`); after it the key is forgotten. A key is bound to the operation
//! (method and path), the caller (the staff account, or anonymous) and the body: the same key
//! with any of them different is refused (422), so a key cannot fetch another request's answer.

use actix_web::http::StatusCode;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};

use super::problem::{ApiError, ApiResult, FieldError};
use crate::db::Writes;
use crate::domain::secrets::sha256_hex;
use crate::entities::idempotency_key;
use crate::state::AppState;

pub const HEADER: &str = "idempotency-key";

/// A response recorded under a key.
pub struct Stored {
    pub status: StatusCode,
    pub body: String,
}

impl Stored {
    pub fn into_response(self) -> HttpResponse {
        HttpResponse::build(self.status)
            .content_type("application/json")
            .insert_header(("Idempotent-Replayed", "true"))
            .body(self.body)
    }
}

/// The staff account a request was authenticated as, left in the request's extensions by the
/// `Staff` extractor so that a key is bound to its caller.
#[derive(Clone)]
pub struct Caller(pub String);

/// The key of one creating request, bound to the operation, the caller and the body.
pub struct IdempotencyKey {
    scope: &'static str,
    key: String,
    request_hash: String,
    window: Duration,
}

impl IdempotencyKey {
    /// Reads the optional header; a malformed key is a 422 naming the header.
    pub fn from_request(
        req: &HttpRequest,
        scope: &'static str,
        body: &[u8],
    ) -> ApiResult<Option<Self>> {
        let Some(value) = req.headers().get(HEADER) else {
            return Ok(None);
        };
        let key = value
            .to_str()
            .ok()
            .map(str::trim)
            .filter(|k| !k.is_empty() && k.len() <= 255)
            .ok_or_else(|| {
                ApiError::validation(vec![FieldError::new(
                    "Idempotency-Key",
                    "must be 1 to 255 visible ASCII characters",
                )])
            })?;
        let caller = req
            .extensions()
            .get::<Caller>()
            .map_or_else(|| "anonymous".to_owned(), |c| format!("staff:{}", c.0));
        let request = format!(
            "{}\n{}\n{caller}\n{}",
            req.method(),
            req.path(),
            String::from_utf8_lossy(body)
        );
        let hours = req
            .app_data::<web::Data<AppState>>()
            .map_or(24, |s| s.env.settings.idempotency_window_hours);
        Ok(Some(IdempotencyKey {
            scope,
            key: key.to_owned(),
            request_hash: sha256_hex(&request),
            window: Duration::hours(hours),
        }))
    }

    /// The stored response for this key, if the request was seen within the window.
    pub async fn replay(
        &self,
        db: &impl ConnectionTrait,
        now: DateTime<Utc>,
    ) -> ApiResult<Option<Stored>> {
        let found = idempotency_key::Entity::find_by_id((self.scope.to_owned(), self.key.clone()))
            .filter(idempotency_key::Column::CreatedAt.gte(now - self.window))
            .one(db)
            .await?;
        match found {
            None => Ok(None),
            Some(row) if row.request_hash != self.request_hash => Err(ApiError::unprocessable(
                "idempotency_key_reused",
                "this Idempotency-Key was already used for another request (operation, caller or \
                 body); use a new key",
            )),
            Some(row) => Ok(Some(Stored {
                status: StatusCode::from_u16(row.status_code as u16).unwrap_or(StatusCode::OK),
                body: row.response_body,
            })),
        }
    }

    /// The row that records the response under this key.
    fn record(
        &self,
        status: StatusCode,
        body: &str,
        now: DateTime<Utc>,
    ) -> idempotency_key::ActiveModel {
        idempotency_key::ActiveModel {
            scope: Set(self.scope.to_owned()),
            key: Set(self.key.clone()),
            request_hash: Set(self.request_hash.clone()),
            status_code: Set(status.as_u16() as i32),
            response_body: Set(body.to_owned()),
            created_at: Set(now),
        }
    }
}

/// What one creating request under an optional key came to.
pub enum Once<T> {
    /// This request did the work; the response body as stored.
    Created(T, String),
    /// An earlier request with the same key did it; its response.
    Replayed(Stored),
}

/// Runs a creating operation in one write transaction, at most once per key. The operation does
/// its reads and returns the rows still to write, which go out with the key's record in one
/// [`Writes`] (a single statement on PostgreSQL). There is no look-up first, which saves every
/// first request a round trip: a retry (rare) redoes the work and finds its key taken, or the first
/// attempt's result in its way; it rolls back and answers with the first response. A concurrent
/// twin waits on the key and does the same.
pub async fn once<T>(
    db: &sea_orm::DatabaseConnection,
    key: Option<&IdempotencyKey>,
    now: DateTime<Utc>,
    op: impl AsyncFnOnce(&sea_orm::DatabaseTransaction) -> ApiResult<(T, Writes)>,
    body: impl FnOnce(&T) -> ApiResult<String>,
) -> ApiResult<Once<T>> {
    let txn = crate::db::begin_write(db).await?;
    let done = async {
        if let Some(k) = key {
            // A key past its window is forgotten, so that it may be used afresh.
            idempotency_key::Entity::delete_many()
                .filter(idempotency_key::Column::Scope.eq(k.scope))
                .filter(idempotency_key::Column::Key.eq(k.key.as_str()))
                .filter(idempotency_key::Column::CreatedAt.lt(now - k.window))
                .exec(&txn)
                .await?;
        }
        let (created, mut writes) = op(&txn).await?;
        let body = body(&created)?;
        if let Some(k) = key {
            writes.insert(k.record(StatusCode::CREATED, &body, now));
        }
        writes.write(&txn).await?;
        Ok((created, body))
    };
    match done.await {
        Ok((created, body)) => {
            txn.commit().await?;
            Ok(Once::Created(created, body))
        }
        Err(e) => {
            // The operation's error is the one to report, whatever the rollback says.
            let _ = txn.rollback().await;
            match key {
                Some(k) => k.replay(db, now).await?.map(Once::Replayed).ok_or(e),
                None => Err(e),
            }
        }
    }
}

/// [`once`] for operations whose response is the created object as JSON.
pub async fn create_once<T: serde::Serialize>(
    db: &sea_orm::DatabaseConnection,
    key: Option<IdempotencyKey>,
    now: DateTime<Utc>,
    op: impl AsyncFnOnce(&sea_orm::DatabaseTransaction) -> ApiResult<T>,
) -> ApiResult<HttpResponse> {
    let json = |created: &T| serde_json::to_string(created).map_err(ApiError::internal);
    let op = async |txn: &sea_orm::DatabaseTransaction| Ok((op(txn).await?, Writes::default()));
    Ok(match once(db, key.as_ref(), now, op, json).await? {
        Once::Created(_, body) => HttpResponse::Created()
            .content_type("application/json")
            .body(body),
        Once::Replayed(stored) => stored.into_response(),
    })
}

/// Forgets the keys recorded before `before` (the sweep runs it with the window's start), and with
/// them the sealed secrets they kept.
pub async fn forget_before(db: &impl ConnectionTrait, before: DateTime<Utc>) -> Result<u64, DbErr> {
    Ok(idempotency_key::Entity::delete_many()
        .filter(idempotency_key::Column::CreatedAt.lt(before))
        .exec(db)
        .await?
        .rows_affected)
}
