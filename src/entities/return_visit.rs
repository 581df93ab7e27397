use sea_orm::entity::prelude::*;

use crate::ratings::satisfaction::{Satisfaction, VisitChannel};

/// The return visit (回访) of a closed case: opened at closure, recorded once by staff.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "return_visits")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub case_id: String,
    pub opened_at: DateTimeUtc,
    /// The day the consumer was reached (Asia/Shanghai).
    pub visited_on: Option<Date>,
    pub channel: Option<VisitChannel>,
    pub result: Option<String>,
    /// The satisfaction the consumer told on the visit, when asked and answered.
    pub satisfaction: Option<Satisfaction>,
    /// The staff member's user id.
    pub recorded_by: Option<String>,
    pub recorded_at: Option<DateTimeUtc>,
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
