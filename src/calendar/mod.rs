//! China's official working-day calendar: the schedule data and arithmetic (`schedule`), the
//! in-memory store every lookup reads, and the public endpoints.

pub mod http;
pub mod schedule;

use std::sync::{Arc, RwLock};

use schedule::Calendar;

/// The calendar in force. Reads clone an `Arc`, so lookups never touch the database.
#[derive(Clone)]
pub struct CalendarStore(Arc<RwLock<Arc<Calendar>>>);

impl CalendarStore {
    pub fn new(calendar: Calendar) -> Self {
        CalendarStore(Arc::new(RwLock::new(Arc::new(calendar))))
    }

    pub fn current(&self) -> Arc<Calendar> {
        self.0.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn replace(&self, calendar: Calendar) {
        *self.0.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(calendar);
    }
}
