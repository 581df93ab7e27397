use sea_orm::entity::prelude::*;

use crate::routing::joint_session_mode::JointSessionMode;

/// A joint mediation session of the bureaus of one incident.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "joint_sessions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub incident_id: String,
    pub held_at: DateTimeUtc,
    pub mode: JointSessionMode,
    pub link: Option<String>,
    /// JSON array of the participating bureaus' county codes.
    pub bureau_codes: String,
    pub note: Option<String>,
    pub recorded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
