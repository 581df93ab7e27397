use actix_web::{HttpRequest, HttpResponse, get, post, web};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set, SqlErr,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};
use validator::{Validate, ValidationError};

use super::Enrolment;
use crate::actor::Actor;
use crate::audit;
use crate::divisions::Divisions;
use crate::domain::identifiers::{Phone, Uscc};
use crate::domain::text::single_line;
use crate::entities::{business, odr_enrolment};
use crate::http::idempotency::{IdempotencyKey, create_once};
use crate::http::{ApiError, ApiJson, ApiResult, Problem, Role, Staff};
use crate::state::AppState;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(register)
        .service(search)
        .service(get_business)
        .service(apply)
        .service(decide);
}

fn v_uscc(s: &str) -> Result<(), ValidationError> {
    Uscc::parse(s)
        .map(|_| ())
        .map_err(|m| ValidationError::new("uscc").with_message(m.into()))
}

fn v_phone(s: &str) -> Result<(), ValidationError> {
    Phone::parse(s)
        .map(|_| ())
        .map_err(|m| ValidationError::new("phone").with_message(m.into()))
}

fn v_division(s: &str) -> Result<(), ValidationError> {
    Divisions::builtin()
        .county_of(s)
        .map(|_| ())
        .ok_or_else(|| {
            ValidationError::new("division_code")
                .with_message("must be an existing county or town code".into())
        })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlatformRole {
    PlatformOperator,
    PlatformSeller,
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct NewBusiness {
    #[validate(length(min = 1, max = 200), custom(function = "single_line"))]
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    #[validate(custom(function = "v_uscc"))]
    pub uscc: String,
    #[validate(length(min = 1, max = 50), custom(function = "single_line"))]
    #[schema(min_length = 1, max_length = 50)]
    pub legal_representative: Option<String>,
    /// The published address (Order 121) or place of business.
    #[validate(length(min = 2, max = 300), custom(function = "single_line"))]
    #[schema(min_length = 2, max_length = 300)]
    pub address: String,
    #[validate(custom(function = "v_division"))]
    pub division_code: String,
    pub platform_role: Option<PlatformRole>,
    /// For a platform seller: the USCC of the platform operator (registered first).
    #[validate(custom(function = "v_uscc"))]
    pub platform_uscc: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct BusinessView {
    pub id: String,
    pub name: String,
    pub uscc: Option<String>,
    pub legal_representative: Option<String>,
    pub address: Option<String>,
    pub division_code: Option<String>,
    pub platform_role: Option<String>,
    pub platform_business_id: Option<String>,
    /// `applied`, `enrolled`, `suspended`, `removed`, or absent when never applied.
    pub odr_status: Option<crate::businesses::Enrolment>,
    pub odr_desk_contact: Option<String>,
    pub odr_desk_phone: Option<String>,
    pub odr_commitment: Option<String>,
}

fn view(b: business::Model, e: Option<odr_enrolment::Model>) -> BusinessView {
    BusinessView {
        id: b.id,
        name: b.name,
        uscc: b.uscc,
        legal_representative: b.legal_representative,
        address: b.address,
        division_code: b.division_code,
        platform_role: b.platform_role,
        platform_business_id: b.platform_business_id,
        odr_status: e.as_ref().map(|e| e.status),
        odr_desk_contact: e.as_ref().map(|e| e.desk_contact.clone()),
        odr_desk_phone: e.as_ref().map(|e| e.desk_phone.clone()),
        odr_commitment: e.map(|e| e.commitment),
    }
}

/// Bureau admins manage businesses of their own county.
fn require_county(me: &Staff, division_code: Option<&str>) -> ApiResult<()> {
    if me.role == Role::SystemAdmin {
        return Ok(());
    }
    me.require(&[Role::BureauAdmin])?;
    let county = division_code
        .and_then(|c| Divisions::builtin().county_of(c))
        .map(|d| d.code);
    if county.is_some() && county == me.bureau_code.as_deref() {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "this business is registered outside your county",
        ))
    }
}

/// Register a business.
///
/// `bureau_admin` for businesses in its county, or `system_admin`.
#[utoipa::path(
    tag = "businesses",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "makes retries safe")),
    request_body = NewBusiness,
    responses(
        (status = 201, body = BusinessView),
        (status = 409, description = "USCC already registered", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/businesses")]
async fn register(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: Staff,
    body: ApiJson<NewBusiness>,
) -> ApiResult<HttpResponse> {
    let key = IdempotencyKey::from_request(&req, "businesses", &body.raw)?;
    let b = body.body;
    require_county(&me, Some(&b.division_code))?;
    let uscc = Uscc::parse(&b.uscc).map_err(|m| ApiError::field("uscc", m))?;
    let platform_business_id = match (&b.platform_role, &b.platform_uscc) {
        (Some(PlatformRole::PlatformSeller), Some(p)) => Some(
            business::Entity::find()
                .filter(business::Column::Uscc.eq(p.to_uppercase()))
                .one(&state.db)
                .await?
                .filter(|p| p.platform_role.as_deref() == Some("platform_operator"))
                .ok_or_else(|| {
                    ApiError::field(
                        "platform_uscc",
                        "no registered platform operator has this USCC",
                    )
                })?
                .id,
        ),
        (Some(PlatformRole::PlatformSeller), None) => {
            return Err(ApiError::field(
                "platform_uscc",
                "required for a platform seller",
            ));
        }
        _ => None,
    };
    let now = state.clock.now();
    create_once(&state.db, key, now, async |txn| {
        let created = business::ActiveModel {
            id: Set(uuid::Uuid::now_v7().to_string()),
            name: Set(b.name.trim().to_owned()),
            uscc: Set(Some(uscc.as_str().to_owned())),
            legal_representative: Set(b.legal_representative),
            address: Set(Some(b.address)),
            division_code: Set(Some(b.division_code)),
            created_at: Set(now),
            platform_role: Set(b.platform_role.map(|r| match r {
                PlatformRole::PlatformOperator => "platform_operator".to_owned(),
                PlatformRole::PlatformSeller => "platform_seller".to_owned(),
            })),
            platform_business_id: Set(platform_business_id),
        }
        .insert(txn)
        .await
        .map_err(|e| match e.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => ApiError::conflict(
                "uscc_registered",
                "a business with this USCC is already registered",
            ),
            _ => e.into(),
        })?;
        audit::record(
            txn,
            &Actor::from(&me),
            "business.register",
            None,
            json!({"business_id": created.id, "uscc": created.uscc}),
            now,
        )
        .await?;
        Ok(view(created, None))
    })
    .await
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Part of the name, or a full USCC.
    q: Option<String>,
}

/// Search the registry.
///
/// Any staff role.
#[utoipa::path(
    tag = "businesses",
    security(("bearer" = [])),
    params(SearchQuery),
    responses((status = 200, body = Vec<BusinessView>))
)]
#[get("/businesses")]
async fn search(
    state: web::Data<AppState>,
    me: Staff,
    q: web::Query<SearchQuery>,
) -> ApiResult<web::Json<Vec<BusinessView>>> {
    me.require(&[
        Role::Mediator,
        Role::BureauAdmin,
        Role::EnforcementOfficer,
        Role::SystemAdmin,
    ])?;
    let mut find = business::Entity::find();
    if let Some(q) = q.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        find = find.filter(
            sea_orm::Condition::any()
                .add(business::Column::Name.contains(q))
                .add(business::Column::Uscc.eq(q.to_uppercase())),
        );
    }
    let rows = find
        .find_also_related(odr_enrolment::Entity)
        .order_by_asc(business::Column::Name)
        .limit(100)
        .all(&state.db)
        .await?;
    Ok(web::Json(
        rows.into_iter().map(|(b, e)| view(b, e)).collect(),
    ))
}

async fn load(
    state: &AppState,
    id: &str,
) -> ApiResult<(business::Model, Option<odr_enrolment::Model>)> {
    business::Entity::find_by_id(id.to_owned())
        .find_also_related(odr_enrolment::Entity)
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no business {id}")))
}

/// One business with its ODR enrolment.
///
/// Any staff role; a desk only its own business.
#[utoipa::path(
    tag = "businesses",
    security(("bearer" = [])),
    params(("id" = String, Path)),
    responses(
        (status = 200, body = BusinessView),
    )
)]
#[get("/businesses/{id}")]
async fn get_business(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
) -> ApiResult<web::Json<BusinessView>> {
    if me.role == Role::EnterpriseAgent && me.business_id.as_deref() != Some(path.as_str()) {
        return Err(ApiError::forbidden("a desk sees only its own business"));
    }
    let (b, e) = load(&state, &path).await?;
    Ok(web::Json(view(b, e)))
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct ApplyRequest {
    /// The desk's contact person.
    #[validate(length(min = 1, max = 50), custom(function = "single_line"))]
    #[schema(min_length = 1, max_length = 50)]
    pub desk_contact: String,
    #[validate(custom(function = "v_phone"))]
    pub desk_phone: String,
    /// The business's commitment (e.g. to answer within 10 working days and honour settlements).
    #[validate(length(min = 10, max = 2000))]
    #[schema(min_length = 10, max_length = 2000)]
    pub commitment: String,
}

/// Apply for ODR enrolment (or re-apply after removal).
///
/// The business's own desk (`enterprise_agent`), its county's `bureau_admin`, or `system_admin`.
#[utoipa::path(
    tag = "businesses",
    security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = ApplyRequest,
    responses(
        (status = 200, body = BusinessView),
        (status = 409, description = "already applied or enrolled", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/businesses/{id}/odr/apply")]
async fn apply(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
    body: ApiJson<ApplyRequest>,
) -> ApiResult<web::Json<BusinessView>> {
    let (b, existing) = load(&state, &path).await?;
    if me.role == Role::EnterpriseAgent {
        if me.business_id.as_deref() != Some(b.id.as_str()) {
            return Err(ApiError::forbidden(
                "a desk applies only for its own business",
            ));
        }
    } else {
        require_county(&me, b.division_code.as_deref())?;
    }
    if let Some(e) = &existing
        && e.status != Enrolment::Removed
    {
        return Err(ApiError::conflict(
            "already_applied",
            format!("the enrolment is {}", e.status),
        ));
    }
    let now = state.clock.now();
    let a = body.body;
    let row = odr_enrolment::ActiveModel {
        business_id: Set(b.id.clone()),
        status: Set(Enrolment::Applied),
        desk_contact: Set(a.desk_contact),
        desk_phone: Set(Phone::parse(&a.desk_phone)
            .map(|p| p.to_string())
            .unwrap_or(a.desk_phone)),
        commitment: Set(a.commitment),
        applied_at: Set(now),
        decided_at: Set(None),
        decided_by: Set(None),
        reason: Set(None),
    };
    let txn = crate::db::begin_write(&state.db).await?;
    let saved = if existing.is_some() {
        row.update(&txn).await?
    } else {
        row.insert(&txn).await?
    };
    audit::record(
        &txn,
        &Actor::from(&me),
        "odr.apply",
        None,
        json!({"business_id": b.id}),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(web::Json(view(b, Some(saved))))
}

#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EnrolmentDecision {
    Enroll,
    Suspend,
    Remove,
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct EnrolmentDecisionRequest {
    pub decision: EnrolmentDecision,
    #[validate(length(min = 2, max = 1000))]
    #[schema(min_length = 2, max_length = 1000)]
    pub reason: String,
}

/// Decide an enrolment: enroll an applicant or a suspended business, suspend, or remove (动态退出).
///
/// `bureau_admin` of the business's county, or `system_admin`.
#[utoipa::path(
    tag = "businesses",
    security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = EnrolmentDecisionRequest,
    responses(
        (status = 200, body = BusinessView),
        (status = 409, description = "not possible from the current status", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/businesses/{id}/odr/decision")]
async fn decide(
    state: web::Data<AppState>,
    me: Staff,
    path: web::Path<String>,
    body: ApiJson<EnrolmentDecisionRequest>,
) -> ApiResult<web::Json<BusinessView>> {
    let (b, existing) = load(&state, &path).await?;
    require_county(&me, b.division_code.as_deref())?;
    let e = existing
        .ok_or_else(|| ApiError::conflict("not_applied", "the business has not applied for ODR"))?;
    let from = Some(e.status);
    let to = match (body.body.decision, from) {
        (EnrolmentDecision::Enroll, Some(Enrolment::Applied | Enrolment::Suspended)) => {
            Enrolment::Enrolled
        }
        (EnrolmentDecision::Suspend, Some(Enrolment::Enrolled)) => Enrolment::Suspended,
        (
            EnrolmentDecision::Remove,
            Some(Enrolment::Applied | Enrolment::Enrolled | Enrolment::Suspended),
        ) => Enrolment::Removed,
        _ => {
            return Err(ApiError::conflict(
                "invalid_transition",
                format!(
                    "the enrolment is {}; that decision is not possible",
                    e.status
                ),
            ));
        }
    };
    let now = state.clock.now();
    let txn = crate::db::begin_write(&state.db).await?;
    let updated = odr_enrolment::Entity::update_many()
        .col_expr(
            odr_enrolment::Column::Status,
            sea_orm::sea_query::Expr::value(to.as_str()),
        )
        .col_expr(
            odr_enrolment::Column::DecidedAt,
            sea_orm::sea_query::Expr::value(now),
        )
        .col_expr(
            odr_enrolment::Column::DecidedBy,
            sea_orm::sea_query::Expr::value(me.user_id.clone()),
        )
        .col_expr(
            odr_enrolment::Column::Reason,
            sea_orm::sea_query::Expr::value(body.body.reason.clone()),
        )
        .filter(odr_enrolment::Column::BusinessId.eq(b.id.as_str()))
        .filter(odr_enrolment::Column::Status.eq(e.status.as_str()))
        .exec(&txn)
        .await?;
    if updated.rows_affected != 1 {
        return Err(ApiError::conflict(
            "concurrent_change",
            "the enrolment changed meanwhile; reload it",
        ));
    }
    audit::record(
        &txn,
        &Actor::from(&me),
        "odr.decide",
        None,
        json!({"business_id": b.id, "from": e.status, "to": to.as_str(), "reason": body.body.reason}),
        now,
    )
    .await?;
    let saved = odr_enrolment::Entity::find_by_id(b.id.clone())
        .one(&txn)
        .await?;
    txn.commit().await?;
    Ok(web::Json(view(b, saved)))
}
