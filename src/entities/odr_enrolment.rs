use sea_orm::entity::prelude::*;

use crate::businesses::Enrolment;

/// A business's ODR enrolment: applied → enrolled → suspended / removed.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "odr_enrolments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub business_id: String,
    pub status: Enrolment,
    pub desk_contact: String,
    pub desk_phone: String,
    pub commitment: String,
    pub applied_at: DateTimeUtc,
    pub decided_at: Option<DateTimeUtc>,
    pub decided_by: Option<String>,
    pub reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::business::Entity",
        from = "Column::BusinessId",
        to = "super::business::Column::Id"
    )]
    Business,
}

impl Related<super::business::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Business.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
