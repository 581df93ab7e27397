//! What the domain's rules read besides the database: the settings, the working-day calendar and
//! the rule book of time limits. Use cases take it; the HTTP state and the background workers own it.

use std::sync::Arc;

use crate::calendar::CalendarStore;
use crate::config::Settings;
use crate::deadlines::RuleBook;
use crate::domain::secrets::Sealer;
use crate::evidence::store::Blobs;

#[derive(Clone)]
pub struct Env {
    pub settings: Arc<Settings>,
    pub calendar: CalendarStore,
    pub rules: Arc<RuleBook>,
    /// Seals the secrets kept for a retry (see `http::idempotency`).
    pub sealer: Arc<Sealer>,
    /// Where evidence files are kept (`evidence::store`).
    pub blobs: Blobs,
}
