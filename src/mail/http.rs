//! Admins see mail that could not be delivered and send it again.

use actix_web::{get, post, web};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::actor::Actor;
use crate::audit;
use crate::entities::outbox;
use crate::http::{ApiError, ApiResult, Problem, Role, Staff};
use crate::state::AppState;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_outbox).service(resend);
}

#[derive(Serialize, ToSchema)]
pub struct OutboxView {
    pub id: i64,
    pub recipients: Vec<String>,
    pub subject: String,
    /// `pending`, `sent` or `dead`.
    pub status: String,
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
    /// `pending`, `sent` or `dead` (default `dead`).
    status: Option<String>,
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
    me.require(&[Role::SystemAdmin])?;
    let rows = outbox::Entity::find()
        .filter(outbox::Column::Status.eq(q.status.as_deref().unwrap_or("dead")))
        .order_by_desc(outbox::Column::Id)
        .limit(200)
        .all(&state.db)
        .await?;
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
    me.require(&[Role::SystemAdmin])?;
    let now = state.clock.now();
    let msg = outbox::Entity::find_by_id(*path)
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no outbox message {}", *path)))?;
    if msg.status != "dead" {
        return Err(ApiError::conflict(
            "not_dead",
            format!("the message is {}", msg.status),
        ));
    }
    let txn = crate::db::begin_write(&state.db).await?;
    let mut active: outbox::ActiveModel = msg.into();
    active.status = Set("pending".into());
    active.attempts = Set(0);
    active.next_attempt_at = Set(now);
    active.locked_until = Set(None);
    active.claim_token = Set(None);
    let msg = active.update(&txn).await?;
    audit::record(
        &txn,
        &Actor::from(&me),
        "outbox.resend",
        None,
        serde_json::json!({"outbox_id": msg.id}),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(web::Json(msg.into()))
}
