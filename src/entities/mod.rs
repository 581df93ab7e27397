//! Database entities, one per table; behaviour lives in the capability modules that use them.

pub mod audit_log;
pub mod auth_token;
pub mod bureau;
pub mod business;
pub mod case;
pub mod case_event;
pub mod deadline;
pub mod idempotency_key;
pub mod incident;
pub mod incident_case;
pub mod joint_session;
pub mod party;
pub mod return_brand;
pub mod station;
pub mod station_town;
pub mod transfer;
pub mod user;
