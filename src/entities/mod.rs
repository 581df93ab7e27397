//! Database entities, one per table; behaviour lives in the capability modules that use them.

pub mod audit_log;
pub mod auth_token;
pub mod bureau;
pub mod business;
pub mod calendar_year;
pub mod case;
pub mod case_event;
pub mod case_pause;
pub mod deadline;
pub mod document_counter;
pub mod duty_roster;
pub mod idempotency_key;
pub mod mediation_agreement;
pub mod mediation_session;
pub mod outbox;
pub mod party;
pub mod signing_key;
pub mod station;
pub mod station_town;
pub mod urgent_item;
pub mod user;
