use sea_orm::entity::prelude::*;

/// Who is on duty for a bureau, and when.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "duty_roster")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub bureau_code: String,
    pub user_id: String,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
