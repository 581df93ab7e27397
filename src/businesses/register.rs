//! Registering a business: by the admin of its county's bureau, or the system administrator.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, SqlErr,
};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use validator::{Validate, ValidationError};

use super::{BusinessView, Error, PlatformRole, view};
use crate::actor::{Actor, Staff};
use crate::audit;
use crate::cases::access::manages_business;
use crate::divisions::Divisions;
use crate::domain::faults::Invalid;
use crate::domain::identifiers::{Phone, Uscc};
use crate::domain::text::single_line;
use crate::entities::business;

pub(super) fn v_uscc(s: &str) -> Result<(), ValidationError> {
    Uscc::parse(s)
        .map(|_| ())
        .map_err(|m| ValidationError::new("uscc").with_message(m.into()))
}

pub(super) fn v_phone(s: &str) -> Result<(), ValidationError> {
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

pub async fn register(
    db: &impl ConnectionTrait,
    me: &Staff,
    b: &NewBusiness,
    now: DateTime<Utc>,
) -> Result<BusinessView, Error> {
    manages_business(me, Some(&b.division_code))?;
    let uscc = Uscc::parse(&b.uscc).map_err(|m| Invalid::field("uscc", m))?;
    let platform_business_id = match (b.platform_role, &b.platform_uscc) {
        (Some(PlatformRole::PlatformSeller), Some(p)) => Some(
            business::Entity::find()
                .filter(business::Column::Uscc.eq(p.to_uppercase()))
                .one(db)
                .await?
                .filter(|p| p.platform_role == Some(PlatformRole::PlatformOperator))
                .ok_or_else(|| {
                    Invalid::field(
                        "platform_uscc",
                        "no registered platform operator has this USCC",
                    )
                })?
                .id,
        ),
        (Some(PlatformRole::PlatformSeller), None) => {
            return Err(Invalid::field("platform_uscc", "required for a platform seller").into());
        }
        _ => None,
    };
    let created = business::ActiveModel {
        id: Set(uuid::Uuid::now_v7().to_string()),
        name: Set(b.name.trim().to_owned()),
        uscc: Set(Some(uscc.as_str().to_owned())),
        legal_representative: Set(b.legal_representative.clone()),
        address: Set(Some(b.address.clone())),
        division_code: Set(Some(b.division_code.clone())),
        created_at: Set(now),
        platform_role: Set(b.platform_role),
        platform_business_id: Set(platform_business_id),
    }
    .insert(db)
    .await
    .map_err(|e| match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => Error::UsccRegistered,
        _ => e.into(),
    })?;
    audit::record(
        db,
        &Actor::from(me),
        "business.register",
        None,
        json!({"business_id": created.id, "uscc": created.uscc}),
        now,
    )
    .await?;
    Ok(view(created, None))
}
