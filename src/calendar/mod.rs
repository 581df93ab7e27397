//! China's official working-day calendar: the schedule data and arithmetic (`schedule`), the
//! in-memory store every lookup reads, and the public endpoints.

pub mod http;
pub mod schedule;
pub mod upload;

use std::sync::{Arc, RwLock};

use chrono::{DateTime, Utc};
use schedule::{Calendar, ScheduleDoc, YearSchedule};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, QueryOrder, QuerySelect};

use crate::entities::calendar_year;

/// The calendar in force. Reads clone an `Arc`, so lookups never touch the database.
#[derive(Clone)]
pub struct CalendarStore {
    calendar: Arc<RwLock<Arc<Calendar>>>,
    /// The newest upload this instance has loaded.
    seen: Arc<RwLock<Option<DateTime<Utc>>>>,
}

impl CalendarStore {
    pub fn new(calendar: Calendar, seen: Option<DateTime<Utc>>) -> Self {
        CalendarStore {
            calendar: Arc::new(RwLock::new(Arc::new(calendar))),
            seen: Arc::new(RwLock::new(seen)),
        }
    }

    pub fn current(&self) -> Arc<Calendar> {
        self.calendar
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub fn replace(&self, calendar: Calendar) {
        *self.calendar.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(calendar);
    }

    /// Reloads when another instance uploaded a year since this one last looked.
    pub async fn refresh(&self, db: &impl ConnectionTrait) -> Result<bool, DbErr> {
        let latest = latest_upload(db).await?;
        if latest <= *self.seen.read().unwrap_or_else(|p| p.into_inner()) {
            return Ok(false);
        }
        let (calendar, latest) = load(db).await?;
        self.replace(calendar);
        *self.seen.write().unwrap_or_else(|p| p.into_inner()) = latest;
        Ok(true)
    }
}

/// The built-in years overlaid with every uploaded year, and the latest upload instant.
pub async fn load(db: &impl ConnectionTrait) -> Result<(Calendar, Option<DateTime<Utc>>), DbErr> {
    let mut calendar = Calendar::builtin();
    let mut latest = None;
    for row in calendar_year::Entity::find().all(db).await? {
        latest = latest.max(Some(row.uploaded_at));
        let parsed = serde_json::from_str::<ScheduleDoc>(&row.doc)
            .ok()
            .and_then(|doc| YearSchedule::from_doc(&doc).ok());
        match parsed {
            Some(year) => calendar = calendar.with_year(year),
            None => tracing::error!(year = row.year, "stored calendar year is invalid; ignored"),
        }
    }
    Ok((calendar, latest))
}

/// The instant of the newest upload, for instances to notice another's upload cheaply.
pub async fn latest_upload(db: &impl ConnectionTrait) -> Result<Option<DateTime<Utc>>, DbErr> {
    Ok(calendar_year::Entity::find()
        .order_by_desc(calendar_year::Column::UploadedAt)
        .limit(1)
        .one(db)
        .await?
        .map(|r| r.uploaded_at))
}
