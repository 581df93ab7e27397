//! Loading a year's official schedule (国务院办公厅 notice), replacing any earlier one: bureau and
//! system administrators, every fault reported at once. Deadlines that had to estimate the year
//! are recomputed in the same transaction; the caller installs the new calendar once it commits.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, Set};
use serde::Serialize;
use utoipa::ToSchema;

use super::schedule::{Calendar, ScheduleDoc, ScheduleError, YearSchedule};
use crate::actor::{Actor, Role, Staff};
use crate::audit;
use crate::cases::access;
use crate::domain::faults::{Class, Failure, FieldError};
use crate::entities::calendar_year;
use crate::env::Env;

/// Who loads the calendar.
pub const CALENDAR_KEEPERS: &[Role] = &[Role::BureauAdmin, Role::SystemAdmin];

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The schedule is at fault: each fault at its field.
    #[error("the schedule has faults")]
    Schedule {
        faults: Vec<ScheduleError>,
        fields: Vec<FieldError>,
    },
    #[error(transparent)]
    Access(#[from] access::Error),
    #[error(transparent)]
    Db(#[from] DbErr),
}

impl Error {
    fn schedule(faults: Vec<ScheduleError>) -> Error {
        let fields = faults
            .iter()
            .map(|f| FieldError::new(f.field.clone(), f.message.clone()))
            .collect();
        Error::Schedule { faults, fields }
    }
}

impl Failure for Error {
    fn class(&self) -> Class {
        match self {
            Error::Schedule { .. } => Class::Invalid,
            Error::Access(e) => e.class(),
            Error::Db(e) => e.class(),
        }
    }
    fn code(&self) -> &'static str {
        match self {
            Error::Schedule { .. } => "validation_failed",
            Error::Access(e) => e.code(),
            Error::Db(e) => e.code(),
        }
    }
    fn fields(&self) -> &[FieldError] {
        match self {
            Error::Schedule { fields, .. } => fields,
            _ => &[],
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct LoadedYear {
    pub year: i32,
    pub working_days: u32,
}

/// A year loaded in the database, its calendar still to be installed after the commit.
pub struct Loaded {
    pub year: LoadedYear,
    calendar: Calendar,
}

impl Loaded {
    /// Puts the new calendar in force on this instance (the others pick it up within seconds).
    pub fn install(self, env: &Env) -> LoadedYear {
        env.calendar.replace(self.calendar);
        self.year
    }
}

/// Loads `doc` as the schedule of `year` (the path's year, which the body must repeat).
pub async fn upload(
    db: &impl ConnectionTrait,
    env: &Env,
    me: &Staff,
    year: i32,
    doc: &ScheduleDoc,
    now: DateTime<Utc>,
) -> Result<Loaded, Error> {
    me.require(CALENDAR_KEEPERS)?;
    if doc.year != year {
        return Err(Error::schedule(vec![ScheduleError::new(
            "year",
            format!("the body is for {} but the path names {year}", doc.year),
            format!("放假安排是 {} 年的，不是 {year} 年的", doc.year),
        )]));
    }
    let schedule = YearSchedule::from_doc(doc).map_err(Error::schedule)?;
    let working_days = schedule.working_days();
    let calendar = env.calendar.current().with_year(schedule);
    let stored = serde_json::to_string(doc).map_err(|e| DbErr::Custom(e.to_string()))?;
    calendar_year::Entity::insert(calendar_year::ActiveModel {
        year: Set(year),
        doc: Set(stored),
        uploaded_at: Set(now),
        uploaded_by: Set(Some(me.user_id.clone())),
    })
    .on_conflict(
        OnConflict::column(calendar_year::Column::Year)
            .update_columns([
                calendar_year::Column::Doc,
                calendar_year::Column::UploadedAt,
                calendar_year::Column::UploadedBy,
            ])
            .to_owned(),
    )
    .exec(db)
    .await?;
    let recomputed =
        crate::deadlines::store::recompute_provisional(db, &calendar, &env.rules, now).await?;
    audit::record(
        db,
        &Actor::from(me),
        "calendar.upload",
        None,
        serde_json::json!({"year": year, "cases_recomputed": recomputed}),
        now,
    )
    .await?;
    Ok(Loaded {
        year: LoadedYear { year, working_days },
        calendar,
    })
}

/// The years with a loaded schedule and their working days, oldest first.
pub fn loaded_years(calendar: &Calendar) -> Vec<LoadedYear> {
    calendar
        .years()
        .into_iter()
        .filter_map(|year| {
            calendar.schedule(year).map(|s| LoadedYear {
                year,
                working_days: s.working_days(),
            })
        })
        .collect()
}
