//! Admins see mail that could not be delivered and send it again.

use actix_web::{get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::dead;
use super::status::OutboxStatus;
use crate::entities::outbox;
use crate::http::{ApiResult, Problem, Staff};
use crate::state::AppState;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_outbox).service(resend);
}

#[derive(Serialize, ToSchema)]
pub struct OutboxView {
    pub id: i64,
    pub recipients: Vec<String>,
    pub subject: String,
    pub status: OutboxStatus,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

impl From<outbox::Model> for OutboxView {
    fn from(m: outbox::Model) -> Self {
        OutboxView {
            id: m.id,
            recipients: serde_json::from_str(&m.recipients).unwrap_or_default(),
            subject: m.subject,
            status: m.status,
            attempts: m.attempts,
            next_attempt_at: m.next_attempt_at,
            last_error: m.last_error,
            created_at: m.created_at,
            sent_at: m.sent_at,
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OutboxQuery {
    /// Which messages (default `dead`).
    status: Option<OutboxStatus>,
}

/// Mail in the outbox, newest first (default: the dead letters).
///
/// `system_admin`.
#[utoipa::path(
    tag = "mail",
    security(("bearer" = [])),
    params(OutboxQuery),
    responses((status = 200, body = Vec<OutboxView>))
)]
#[get("/outbox")]
async fn list_outbox(
    state: web::Data<AppState>,
    me: Staff,
    q: web::Query<OutboxQuery>,
) -> ApiResult<web::Json<Vec<OutboxView>>> {
    let rows = dead::list(&state.db, &me, q.status).await?;
    Ok(web::Json(rows.into_iter().map(OutboxView::from).collect()))
}

/// Send a dead letter again, with a fresh series of attempts.
///
/// `system_admin`.
#[utoipa::path(
    tag = "mail",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses(
        (status = 200, body = OutboxView),
        (status = 409, description = "not dead", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/outbox/{id}/resend")]
async fn resend(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<i64>,
) -> ApiResult<web::Json<OutboxView>> {
    let txn = crate::db::begin_write(&state.db).await?;
    let msg = dead::resend(&txn, &me, *path, state.clock.now()).await?;
    txn.commit().await?;
    Ok(web::Json(msg.into()))
}
