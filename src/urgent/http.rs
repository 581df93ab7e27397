use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, NotSet, QueryFilter, QueryOrder, Set};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::on_duty_user_ids;
use crate::actor::Actor;
use crate::audit;
use crate::cases::journal::append_event;
use crate::deadlines::DeadlineKind;
use crate::deadlines::store::complete;
use crate::entities::{case, duty_roster, urgent_item, user};
use crate::http::idempotency::{IdempotencyKey, create_once};
use crate::http::{ApiError, ApiJson, ApiResult, FieldError, Problem, Role, Staff};
use crate::state::AppState;
use crate::urgent::UrgentStatus;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(add_duty)
        .service(list_duty)
        .service(queue)
        .service(claim)
        .service(first_contact)
        .service(handover)
        .service(resolve);
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct DutyRequest {
    pub user_id: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct DutyView {
    pub id: i64,
    pub user_id: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

impl From<duty_roster::Model> for DutyView {
    fn from(r: duty_roster::Model) -> Self {
        DutyView {
            id: r.id,
            user_id: r.user_id,
            starts_at: r.starts_at,
            ends_at: r.ends_at,
        }
    }
}

fn own_bureau(me: &Staff, code: &str) -> ApiResult<()> {
    if me.role == Role::SystemAdmin || me.bureau_code.as_deref() == Some(code) {
        Ok(())
    } else {
        Err(ApiError::forbidden("that bureau is not yours"))
    }
}

/// Put a member of the bureau on duty for a period (Asia/Shanghai instants with offset).
///
/// `bureau_admin` of that bureau, or `system_admin`.
#[utoipa::path(
    tag = "urgent",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "county code of the bureau"), ("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "makes retries safe")),
    request_body = DutyRequest,
    responses(
        (status = 201, body = DutyView),
    )
)]
#[post("/bureaus/{code}/duty-roster")]
async fn add_duty(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
    body: ApiJson<DutyRequest>,
) -> ApiResult<HttpResponse> {
    let key = IdempotencyKey::from_request(&req, "duty_roster", &body.raw)?;
    me.require(&[Role::BureauAdmin, Role::SystemAdmin])?;
    own_bureau(&me, &path)?;
    let d = body.body;
    let mut errors = Vec::new();
    if d.ends_at <= d.starts_at {
        errors.push(FieldError::new("ends_at", "must be after starts_at"));
    }
    let member = user::Entity::find_by_id(d.user_id.clone())
        .one(&state.db)
        .await?;
    if member.as_ref().and_then(|u| u.bureau_code.as_deref()) != Some(path.as_str()) {
        errors.push(FieldError::new(
            "user_id",
            "no active member of this bureau has this id",
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let now = state.clock.now();
    create_once(&state.db, key, now, async |txn| {
        let row = duty_roster::ActiveModel {
            id: NotSet,
            bureau_code: Set(path.clone()),
            user_id: Set(d.user_id),
            starts_at: Set(d.starts_at),
            ends_at: Set(d.ends_at),
            created_at: Set(now),
        }
        .insert(txn)
        .await?;
        audit::record(
            txn,
            &Actor::from(&me),
            "duty.add",
            None,
            json!({"roster_id": row.id, "bureau": row.bureau_code, "user_id": row.user_id}),
            now,
        )
        .await?;
        Ok(DutyView::from(row))
    })
    .await
}

/// The bureau's duty roster, current and future.
///
/// Staff of that bureau (any staff role bound to it), or `system_admin`.
#[utoipa::path(
    tag = "urgent",
    security(("bearer" = [])),
    params(("code" = String, Path)),
    responses((status = 200, body = Vec<DutyView>))
)]
#[get("/bureaus/{code}/duty-roster")]
async fn list_duty(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
) -> ApiResult<web::Json<Vec<DutyView>>> {
    me.require(&[
        Role::BureauAdmin,
        Role::Mediator,
        Role::EnforcementOfficer,
        Role::SystemAdmin,
    ])?;
    own_bureau(&me, &path)?;
    let rows = duty_roster::Entity::find()
        .filter(duty_roster::Column::BureauCode.eq(path.as_str()))
        .filter(duty_roster::Column::EndsAt.gt(state.clock.now()))
        .order_by_asc(duty_roster::Column::StartsAt)
        .all(&state.db)
        .await?;
    Ok(web::Json(rows.into_iter().map(DutyView::from).collect()))
}

#[derive(Serialize, ToSchema)]
pub struct UrgentView {
    pub id: i64,
    pub case_id: String,
    pub receipt_number: String,
    pub category: crate::domain::vocabulary::Category,
    pub respondent_name: String,
    pub received_at: DateTime<Utc>,
    /// `open`, `claimed`, `contacted` or `resolved`.
    pub status: crate::urgent::UrgentStatus,
    pub claimed_by: Option<String>,
    pub first_contact_due_at: DateTime<Utc>,
    pub first_contact_at: Option<DateTime<Utc>>,
    /// Whether first contact met its target (2 hours by default).
    pub first_contact_on_time: Option<bool>,
    pub resolution: Option<String>,
}

fn view(item: urgent_item::Model, c: &case::Model) -> UrgentView {
    UrgentView {
        id: item.id,
        case_id: item.case_id,
        receipt_number: c.receipt_number.clone(),
        category: item.category,
        respondent_name: c.respondent_name.clone(),
        received_at: item.received_at,
        status: item.status,
        claimed_by: item.claimed_by,
        first_contact_due_at: item.first_contact_due_at,
        first_contact_at: item.first_contact_at,
        first_contact_on_time: item.first_contact_on_time,
        resolution: item.resolution,
    }
}

/// Only staff on duty for the bureau (or its admins) work its queue.
async fn require_on_duty(state: &AppState, me: &Staff, bureau_code: &str) -> ApiResult<()> {
    me.require(&[Role::BureauAdmin, Role::Mediator, Role::EnforcementOfficer])?;
    if me.bureau_code.as_deref() != Some(bureau_code) {
        return Err(ApiError::forbidden(
            "this urgent item belongs to another bureau",
        ));
    }
    let on_duty = on_duty_user_ids(&state.db, bureau_code, state.clock.now()).await?;
    if me.role != Role::BureauAdmin && !on_duty.contains(&me.user_id) {
        return Err(ApiError::forbidden("you are not on duty now"));
    }
    Ok(())
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// Include resolved items.
    #[serde(default)]
    all: bool,
}

/// The bureau's urgent queue, oldest first.
///
/// Staff of the bureau who are on duty now, and its `bureau_admin`.
#[utoipa::path(
    tag = "urgent",
    security(("bearer" = [])),
    params(QueueQuery),
    responses((status = 200, body = Vec<UrgentView>))
)]
#[get("/urgent-queue")]
async fn queue(
    state: web::Data<AppState>,
    me: Staff,
    q: web::Query<QueueQuery>,
) -> ApiResult<web::Json<Vec<UrgentView>>> {
    let bureau = me.bureau_code.clone().unwrap_or_default();
    require_on_duty(&state, &me, &bureau).await?;
    let mut find =
        urgent_item::Entity::find().filter(urgent_item::Column::BureauCode.eq(bureau.as_str()));
    if !q.all {
        find = find.filter(urgent_item::Column::Status.ne(UrgentStatus::Resolved));
    }
    let items = find
        .find_also_related(case::Entity)
        .order_by_asc(urgent_item::Column::ReceivedAt)
        .all(&state.db)
        .await?;
    Ok(web::Json(
        items
            .into_iter()
            .filter_map(|(item, c)| c.map(|c| view(item, &c)))
            .collect(),
    ))
}

async fn load_item(
    state: &AppState,
    me: &Staff,
    id: i64,
) -> ApiResult<(urgent_item::Model, case::Model)> {
    let (item, c) = urgent_item::Entity::find_by_id(id)
        .find_also_related(case::Entity)
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no urgent item {id}")))?;
    require_on_duty(state, me, &item.bureau_code).await?;
    let c = c.ok_or_else(|| ApiError::internal("urgent item without case"))?;
    Ok((item, c))
}

/// Claim an item: exactly one claimant wins; the others get 409.
///
/// Staff of the bureau on duty now.
#[utoipa::path(
    tag = "urgent",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses(
        (status = 200, body = UrgentView),
        (status = 409, description = "already claimed", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/urgent-queue/{id}/claim")]
async fn claim(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<i64>,
) -> ApiResult<web::Json<UrgentView>> {
    let (item, c) = load_item(&state, &me, *path).await?;
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let won = urgent_item::Entity::update_many()
        .col_expr(
            urgent_item::Column::Status,
            Expr::value(UrgentStatus::Claimed),
        )
        .col_expr(
            urgent_item::Column::ClaimedBy,
            Expr::value(me.user_id.clone()),
        )
        .col_expr(urgent_item::Column::ClaimedAt, Expr::value(now))
        .filter(urgent_item::Column::Id.eq(item.id))
        .filter(urgent_item::Column::Status.eq(UrgentStatus::Open))
        .exec(&txn)
        .await?
        .rows_affected
        == 1;
    if !won {
        return Err(ApiError::conflict(
            "already_claimed",
            "someone else has claimed this item",
        ));
    }
    let actor = Actor::from(&me);
    append_event(
        &txn,
        &c.id,
        "urgent_claimed",
        &actor,
        false,
        json!({"item": item.id}),
        now,
    )
    .await?;
    audit::record(
        &txn,
        &actor,
        "urgent.claim",
        Some(&c.id),
        json!({"item": item.id}),
        now,
    )
    .await?;
    let item = urgent_item::Entity::find_by_id(item.id)
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::internal("item vanished"))?;
    txn.commit().await?;
    Ok(web::Json(view(item, &c)))
}

/// Applies one step that only the current claimant may take, from the given states.
async fn claimant_step(
    state: &AppState,
    me: &Staff,
    id: i64,
    from: &[UrgentStatus],
    change: impl FnOnce(&mut urgent_item::ActiveModel, &urgent_item::Model),
    event: (&str, &str, serde_json::Value),
) -> ApiResult<UrgentView> {
    let (item, c) = load_item(state, me, id).await?;
    if item.claimed_by.as_deref() != Some(me.user_id.as_str()) {
        return Err(ApiError::conflict(
            "not_claimant",
            "only the staff member holding this item can do that",
        ));
    }
    if !from.contains(&item.status) {
        return Err(ApiError::conflict(
            "wrong_state",
            format!("the item is {}", item.status),
        ));
    }
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let mut active: urgent_item::ActiveModel = item.clone().into();
    change(&mut active, &item);
    // Guard against a concurrent step: the row must still be as we read it.
    let updated = urgent_item::Entity::update_many()
        .set(active)
        .filter(urgent_item::Column::Id.eq(item.id))
        .filter(urgent_item::Column::Status.eq(item.status))
        .filter(urgent_item::Column::ClaimedBy.eq(me.user_id.as_str()))
        .exec(&txn)
        .await?;
    if updated.rows_affected != 1 {
        return Err(ApiError::conflict(
            "concurrent_change",
            "the item changed meanwhile; reload it",
        ));
    }
    let actor = Actor::from(me);
    let (kind, action, detail) = event;
    append_event(&txn, &c.id, kind, &actor, false, detail.clone(), now).await?;
    audit::record(&txn, &actor, action, Some(&c.id), detail, now).await?;
    if kind == "urgent_first_contact" {
        complete(&txn, &c.id, DeadlineKind::UrgentFirstContact, now).await?;
    }
    let item = urgent_item::Entity::find_by_id(item.id)
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::internal("item vanished"))?;
    txn.commit().await?;
    Ok(view(item, &c))
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct NoteRequest {
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub note: String,
}

/// Record first contact with the consumer or reporter; whether it met its target is kept.
///
/// The staff member holding the item.
#[utoipa::path(
    tag = "urgent",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    request_body = NoteRequest,
    responses((status = 200, body = UrgentView))
)]
#[post("/urgent-queue/{id}/first-contact")]
async fn first_contact(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<i64>,
    body: ApiJson<NoteRequest>,
) -> ApiResult<web::Json<UrgentView>> {
    let now = state.clock.now();
    let note = body.body.note;
    let view = claimant_step(
        &state,
        &me,
        *path,
        &[UrgentStatus::Claimed],
        |a, item| {
            a.status = Set(UrgentStatus::Contacted);
            a.first_contact_at = Set(Some(now));
            a.first_contact_on_time = Set(Some(now <= item.first_contact_due_at));
            a.first_contact_note = Set(Some(note.clone()));
        },
        (
            "urgent_first_contact",
            "urgent.first_contact",
            json!({"item": *path}),
        ),
    )
    .await?;
    Ok(web::Json(view))
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct HandoverRequest {
    /// Another staff member of the bureau on duty now.
    pub to_user_id: String,
    #[validate(length(max = 2000))]
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

/// Hand the item to a colleague on duty (e.g. at the end of a shift).
///
/// The staff member holding the item.
#[utoipa::path(
    tag = "urgent",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    request_body = HandoverRequest,
    responses(
        (status = 200, body = UrgentView),
    )
)]
#[post("/urgent-queue/{id}/handover")]
async fn handover(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<i64>,
    body: ApiJson<HandoverRequest>,
) -> ApiResult<web::Json<UrgentView>> {
    let bureau = me.bureau_code.clone().unwrap_or_default();
    let on_duty = on_duty_user_ids(&state.db, &bureau, state.clock.now()).await?;
    let to = body.body.to_user_id.clone();
    if to == me.user_id || !on_duty.contains(&to) {
        return Err(ApiError::field(
            "to_user_id",
            "must be another member of the bureau on duty now",
        ));
    }
    let view = claimant_step(
        &state,
        &me,
        *path,
        &[UrgentStatus::Claimed, UrgentStatus::Contacted],
        |a, _| a.claimed_by = Set(Some(to.clone())),
        (
            "urgent_handed_over",
            "urgent.handover",
            json!({"item": *path, "to": to, "note": body.body.note}),
        ),
    )
    .await?;
    Ok(web::Json(view))
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct ResolveRequest {
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub resolution: String,
}

/// Close the urgent handling (the case itself goes on under its normal clocks).
///
/// The staff member holding the item.
#[utoipa::path(
    tag = "urgent",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    request_body = ResolveRequest,
    responses((status = 200, body = UrgentView))
)]
#[post("/urgent-queue/{id}/resolve")]
async fn resolve(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<i64>,
    body: ApiJson<ResolveRequest>,
) -> ApiResult<web::Json<UrgentView>> {
    let now = state.clock.now();
    let resolution = body.body.resolution;
    let view = claimant_step(
        &state,
        &me,
        *path,
        &[UrgentStatus::Contacted],
        |a, _| {
            a.status = Set(UrgentStatus::Resolved);
            a.resolved_at = Set(Some(now));
            a.resolution = Set(Some(resolution.clone()));
        },
        ("urgent_resolved", "urgent.resolve", json!({"item": *path})),
    )
    .await?;
    Ok(web::Json(view))
}
