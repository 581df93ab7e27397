//! Database entities, one per table; behaviour lives in the capability modules that use them.

pub mod alert;
pub mod audit_log;
pub mod auth_token;
pub mod bureau;
pub mod business;
pub mod calendar_year;
pub mod case;
pub mod case_event;
pub mod case_pause;
pub mod deadline;
pub mod duty_roster;
pub mod idempotency_key;
pub mod incident;
pub mod incident_case;
pub mod joint_session;
pub mod lead;
pub mod odr_enrolment;
pub mod odr_offer;
pub mod outbox;
pub mod party;
pub mod return_brand;
pub mod station;
pub mod station_town;
pub mod transfer;
pub mod urgent_item;
pub mod user;
