use sea_orm::entity::prelude::*;

use crate::domain::vocabulary::Category;
use crate::urgent::status::UrgentStatus;

/// A case in an urgent category received outside working time, waiting for the on-duty team.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "urgent_items")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub case_id: String,
    pub bureau_code: String,
    pub category: Category,
    pub received_at: DateTimeUtc,
    /// `open`, `claimed`, `contacted` or `resolved`.
    pub status: UrgentStatus,
    pub claimed_by: Option<String>,
    pub claimed_at: Option<DateTimeUtc>,
    pub first_contact_due_at: DateTimeUtc,
    pub first_contact_at: Option<DateTimeUtc>,
    pub first_contact_on_time: Option<bool>,
    pub first_contact_note: Option<String>,
    pub resolved_at: Option<DateTimeUtc>,
    pub resolution: Option<String>,
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
