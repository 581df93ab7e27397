use sea_orm::entity::prelude::*;

use crate::deadlines::kinds::{DeadlineKind, DeadlineStatus, RuleSetId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "deadlines")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub case_id: String,
    pub kind: DeadlineKind,
    pub rule_set: RuleSetId,
    pub starts_at: DateTimeUtc,
    pub due_at: DateTimeUtc,
    pub due_date: Date,
    pub provisional: bool,
    pub status: DeadlineStatus,
    /// JSON: how the due date was computed.
    pub explanation: String,
    pub met_at: Option<DateTimeUtc>,
    pub due_soon_notified_at: Option<DateTimeUtc>,
    pub overdue_notified_at: Option<DateTimeUtc>,
    /// The one-time extension on approval has been used.
    pub extended: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::case::Entity",
        from = "Column::CaseId",
        to = "super::case::Column::Id"
    )]
    Case,
}

impl Related<super::case::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Case.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
