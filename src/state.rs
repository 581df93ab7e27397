//! What every handler shares: the database, the domain's environment and the clock.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;

use crate::env::Env;

pub struct AppState {
    pub db: DatabaseConnection,
    pub env: Env,
    pub clock: Clock,
    /// The runtime `db::connect` ran on, which watches the pool's sockets.
    pub pool_runtime: tokio::runtime::Handle,
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
