//! Consumer tracking with a receipt number and access secret: status, handler, deadlines and the
//! public timeline, nothing internal.

use actix_web::{HttpRequest, get, web};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use utoipa::ToSchema;

use crate::deadlines::DeadlineView;
use crate::domain::secrets::{constant_time_eq, sha256_hex};
use crate::entities::{case, case_event, deadline, station};
use crate::http::{ApiError, ApiResult, Problem};
use crate::intake::receipt::normalize_receipt;
use crate::routing::bureau_name;
use crate::state::AppState;

pub const SECRET_HEADER: &str = "x-access-secret";

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(track);
}

#[derive(Serialize, ToSchema)]
pub struct Handler {
    pub bureau_code: String,
    pub bureau_name: String,
    pub station_id: Option<String>,
    pub station_name: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TimelineEntry {
    pub at: DateTime<Utc>,
    pub event: String,
    pub description: String,
}

#[derive(Serialize, ToSchema)]
pub struct Tracking {
    pub receipt_number: String,
    /// `complaint` or `report`.
    pub kind: crate::cases::CaseKind,
    pub status: crate::cases::CaseStatus,
    pub status_label: String,
    pub received_at: DateTime<Utc>,
    pub rule_set: crate::deadlines::RuleSetId,
    pub handler: Handler,
    pub deadlines: Vec<DeadlineView>,
    pub timeline: Vec<TimelineEntry>,
    pub linked_receipt_number: Option<String>,
    /// The station where the complaint was registered in person: the consumer's contact (首接)
    /// even when another station handles the case.
    pub contact_station: Option<StationRef>,
}

#[derive(Serialize, ToSchema)]
pub struct StationRef {
    pub id: String,
    pub name: String,
}

/// Loads the case a consumer may act on: the receipt number and its secret must match.
/// An unknown receipt and a wrong secret get the same answer, so receipts cannot be probed.
pub async fn consumer_case(
    state: &AppState,
    req: &HttpRequest,
    receipt: &str,
) -> ApiResult<case::Model> {
    let secret = req
        .headers()
        .get(SECRET_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            ApiError::unauthorized("send the access secret from your receipt in X-Access-Secret")
        })?;
    let found = case::Entity::find()
        .filter(case::Column::ReceiptNumber.eq(normalize_receipt(receipt)))
        .one(&state.db)
        .await?;
    match found {
        Some(c)
            if constant_time_eq(
                c.access_secret_hash.as_bytes(),
                sha256_hex(secret).as_bytes(),
            ) =>
        {
            Ok(c)
        }
        _ => Err(ApiError::not_found(
            "no case matches this receipt number and access secret",
        )),
    }
}

/// Follow a case with its receipt number.
///
/// The consumer, with `X-Access-Secret` from the receipt.
#[utoipa::path(
    tag = "intake",
    params(
        ("receipt_number" = String, Path, example = "TS20261122-7K3M9Q2D"),
        ("X-Access-Secret" = String, Header, description = "the secret issued with the receipt"),
    ),
    responses(
        (status = 200, body = Tracking),
        (status = 401, description = "no secret sent", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "unknown receipt or wrong secret", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/track/{receipt_number}")]
async fn track(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> ApiResult<web::Json<Tracking>> {
    let c = consumer_case(&state, &req, &path).await?;
    let deadlines = deadline::Entity::find()
        .filter(deadline::Column::CaseId.eq(&c.id))
        .order_by_asc(deadline::Column::DueAt)
        .all(&state.db)
        .await?;
    let events = case_event::Entity::find()
        .filter(case_event::Column::CaseId.eq(&c.id))
        .filter(case_event::Column::Public.eq(true))
        .order_by_asc(case_event::Column::Id)
        .all(&state.db)
        .await?;
    let station_name = match &c.station_id {
        Some(id) => station::Entity::find_by_id(id.clone())
            .one(&state.db)
            .await?
            .map(|s| s.name),
        None => None,
    };
    let contact_station = match &c.received_by_station_id {
        Some(id) => station::Entity::find_by_id(id.clone())
            .one(&state.db)
            .await?
            .map(|s| StationRef {
                id: s.id,
                name: s.name,
            }),
        None => None,
    };
    let linked_receipt_number = match &c.linked_case_id {
        Some(id) => case::Entity::find_by_id(id.clone())
            .one(&state.db)
            .await?
            .map(|l| l.receipt_number),
        None => None,
    };
    let status_label = c.status.label().to_owned();
    Ok(web::Json(Tracking {
        handler: Handler {
            bureau_name: bureau_name(&state.db, &c.bureau_code).await?,
            bureau_code: c.bureau_code,
            station_id: c.station_id,
            station_name,
        },
        receipt_number: c.receipt_number,
        kind: c.kind,
        status: c.status,
        status_label,
        received_at: c.received_at,
        rule_set: c.rule_set,
        deadlines: deadlines.iter().map(DeadlineView::from).collect(),
        timeline: events
            .into_iter()
            .map(|e| {
                let detail: serde_json::Value = serde_json::from_str(&e.detail).unwrap_or_default();
                TimelineEntry {
                    at: e.at,
                    description: detail["description"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                    event: e.kind,
                }
            })
            .collect(),
        linked_receipt_number,
        contact_station,
    }))
}
