use sea_orm::entity::prelude::*;

use crate::mediation::states::{SessionMode, SessionStatus};

/// A mediation session (调解会), online or in person.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mediation_sessions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub case_id: String,
    pub mediator_id: String,
    /// `online` or `in_person`.
    pub mode: SessionMode,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    pub video_url: Option<String>,
    pub room: Option<String>,
    pub address: Option<String>,
    /// JSON array of `{name, role, email}`.
    pub participants: String,
    /// `scheduled`, `held` or `cancelled`.
    pub status: SessionStatus,
    /// JSON array of `{name, role, present}` once held.
    pub attendance: Option<String>,
    pub minutes: Option<String>,
    pub created_at: DateTimeUtc,
    pub created_by: String,
    pub recorded_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
