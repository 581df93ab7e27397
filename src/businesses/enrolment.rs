//! A business's ODR enrolment: applied → enrolled → suspended / removed. The desk (or the
//! county's admin) applies; the county's admin decides.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use validator::Validate;

use super::register::v_phone;
use super::{BusinessView, Enrolment, Error, load, view};
use crate::actor::{Actor, Role, Staff};
use crate::audit;
use crate::cases::access::{desk_of, manages_business};
use crate::domain::identifiers::Phone;
use crate::domain::text::single_line;
use crate::entities::odr_enrolment;

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

/// Applies for ODR enrolment (or again after removal).
pub async fn apply(
    db: &impl ConnectionTrait,
    me: &Staff,
    id: &str,
    a: &ApplyRequest,
    now: DateTime<Utc>,
) -> Result<BusinessView, Error> {
    let (b, existing) = load(db, id).await?;
    if me.role == Role::EnterpriseAgent {
        desk_of(me, &b.id)?;
    } else {
        manages_business(me, b.division_code.as_deref())?;
    }
    if let Some(e) = &existing
        && e.status != Enrolment::Removed
    {
        return Err(Error::AlreadyApplied(e.status));
    }
    let row = odr_enrolment::ActiveModel {
        business_id: Set(b.id.clone()),
        status: Set(Enrolment::Applied),
        desk_contact: Set(a.desk_contact.clone()),
        desk_phone: Set(Phone::parse(&a.desk_phone)
            .map(|p| p.to_string())
            .unwrap_or_else(|_| a.desk_phone.clone())),
        commitment: Set(a.commitment.clone()),
        applied_at: Set(now),
        decided_at: Set(None),
        decided_by: Set(None),
        reason: Set(None),
    };
    let saved = if existing.is_some() {
        row.update(db).await?
    } else {
        row.insert(db).await?
    };
    audit::record(
        db,
        &Actor::from(me),
        "odr.apply",
        None,
        json!({"business_id": b.id}),
        now,
    )
    .await?;
    Ok(view(b, Some(saved)))
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

/// Decides an enrolment: enrols an applicant or a suspended business, suspends, or removes it
/// (动态退出).
pub async fn decide(
    db: &impl ConnectionTrait,
    me: &Staff,
    id: &str,
    input: &EnrolmentDecisionRequest,
    now: DateTime<Utc>,
) -> Result<BusinessView, Error> {
    let (b, existing) = load(db, id).await?;
    manages_business(me, b.division_code.as_deref())?;
    let e = existing.ok_or(Error::NotApplied)?;
    let to = match (input.decision, e.status) {
        (EnrolmentDecision::Enroll, Enrolment::Applied | Enrolment::Suspended) => {
            Enrolment::Enrolled
        }
        (EnrolmentDecision::Suspend, Enrolment::Enrolled) => Enrolment::Suspended,
        (
            EnrolmentDecision::Remove,
            Enrolment::Applied | Enrolment::Enrolled | Enrolment::Suspended,
        ) => Enrolment::Removed,
        _ => return Err(Error::Transition(e.status)),
    };
    let updated = odr_enrolment::Entity::update_many()
        .col_expr(odr_enrolment::Column::Status, Expr::value(to))
        .col_expr(odr_enrolment::Column::DecidedAt, Expr::value(now))
        .col_expr(
            odr_enrolment::Column::DecidedBy,
            Expr::value(me.user_id.clone()),
        )
        .col_expr(
            odr_enrolment::Column::Reason,
            Expr::value(input.reason.clone()),
        )
        .filter(odr_enrolment::Column::BusinessId.eq(b.id.as_str()))
        .filter(odr_enrolment::Column::Status.eq(e.status))
        .exec(db)
        .await?;
    if updated.rows_affected != 1 {
        return Err(Error::Concurrent);
    }
    audit::record(
        db,
        &Actor::from(me),
        "odr.decide",
        None,
        json!({"business_id": b.id, "from": e.status, "to": to, "reason": input.reason}),
        now,
    )
    .await?;
    let saved = odr_enrolment::Entity::find_by_id(b.id.clone())
        .one(db)
        .await?;
    Ok(view(b, saved))
}
