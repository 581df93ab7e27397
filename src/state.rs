//! What every handler shares.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;

use crate::calendar::CalendarStore;
use crate::config::Settings;
use crate::deadlines::RuleBook;
use crate::http::{ApiError, ApiResult};

pub struct AppState {
    pub db: DatabaseConnection,
    pub settings: Arc<Settings>,
    pub calendar: CalendarStore,
    pub rules: Arc<RuleBook>,
    pub clock: Clock,
    /// The runtime `db::connect` ran on, which watches the pool's sockets.
    pub pool_runtime: tokio::runtime::Handle,
}

impl AppState {
    /// Runs database-heavy work on the runtime that watches the pool's sockets. An HTTP worker's
    /// own single-threaded runtime would be woken from another thread at every round trip; there
    /// the work and its sockets share threads. The work finishes even if the client goes away.
    pub async fn on_pool_runtime<T: Send + 'static>(
        &self,
        work: impl Future<Output = ApiResult<T>> + Send + 'static,
    ) -> ApiResult<T> {
        match self.pool_runtime.spawn(work).await {
            Ok(done) => done,
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(_) => Err(ApiError::internal("the runtime is shutting down")),
        }
    }
}

/// The current instant. Tests pin it to exercise dates like a holiday or the rule-set switch.
#[derive(Clone, Default)]
pub struct Clock(Option<Arc<Mutex<DateTime<Utc>>>>);

impl Clock {
    pub fn system() -> Self {
        Clock(None)
    }

    pub fn fixed(at: DateTime<Utc>) -> Self {
        Clock(Some(Arc::new(Mutex::new(at))))
    }

    pub fn now(&self) -> DateTime<Utc> {
        match &self.0 {
            None => Utc::now(),
            Some(t) => *t.lock().unwrap_or_else(|p| p.into_inner()),
        }
    }

    /// Moves a fixed clock; no effect on the system clock.
    pub fn set(&self, at: DateTime<Utc>) {
        if let Some(t) = &self.0 {
            *t.lock().unwrap_or_else(|p| p.into_inner()) = at;
        }
    }
}
