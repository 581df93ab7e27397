//! The registry of businesses (经营者): identity, addresses, platform role, and ODR enrolment with
//! its life cycle applied → enrolled → suspended / removed.
//!
//! One file per step: [`register`], [`find`] (search and read), [`enrolment`] (apply, decide).

pub mod enrolment;
pub mod find;
pub mod http;
pub mod register;
mod status;

pub use status::{Enrolment, PlatformRole};

use sea_orm::{ConnectionTrait, DbErr, EntityTrait};
use serde::Serialize;
use utoipa::ToSchema;

use crate::cases::access;
use crate::domain::faults::{Invalid, failure};
use crate::entities::{business, odr_enrolment};

/// What can go wrong with a step on the registry.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("no business {0}")]
    NoBusiness(String),
    #[error("a business with this USCC is already registered")]
    UsccRegistered,
    #[error("the enrolment is {0}")]
    AlreadyApplied(Enrolment),
    #[error("the business has not applied for ODR")]
    NotApplied,
    #[error("the enrolment is {0}; that decision is not possible")]
    Transition(Enrolment),
    #[error("the enrolment changed meanwhile; reload it")]
    Concurrent,
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error(transparent)]
    Access(#[from] access::Error),
    #[error(transparent)]
    Db(#[from] DbErr),
}

failure!(Error {
    Error::NoBusiness(_) => NotFound, "not_found";
    Error::UsccRegistered => Conflict, "uscc_registered";
    Error::AlreadyApplied(_) => Conflict, "already_applied";
    Error::NotApplied => Conflict, "not_applied";
    Error::Transition(_) => Conflict, "invalid_transition";
    Error::Concurrent => Conflict, "concurrent_change";
} passes [Invalid, Access, Db]);

#[derive(Serialize, ToSchema)]
pub struct BusinessView {
    pub id: String,
    pub name: String,
    pub uscc: Option<String>,
    pub legal_representative: Option<String>,
    pub address: Option<String>,
    pub division_code: Option<String>,
    pub platform_role: Option<PlatformRole>,
    pub platform_business_id: Option<String>,
    /// `applied`, `enrolled`, `suspended`, `removed`, or absent when never applied.
    pub odr_status: Option<Enrolment>,
    pub odr_desk_contact: Option<String>,
    pub odr_desk_phone: Option<String>,
    pub odr_commitment: Option<String>,
}

pub(crate) fn view(b: business::Model, e: Option<odr_enrolment::Model>) -> BusinessView {
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

async fn load(
    db: &impl ConnectionTrait,
    id: &str,
) -> Result<(business::Model, Option<odr_enrolment::Model>), Error> {
    business::Entity::find_by_id(id.to_owned())
        .find_also_related(odr_enrolment::Entity)
        .one(db)
        .await?
        .ok_or_else(|| Error::NoBusiness(id.to_owned()))
}
