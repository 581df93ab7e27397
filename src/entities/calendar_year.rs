use sea_orm::entity::prelude::*;

/// A year's official schedule uploaded at runtime; it overrides the built-in data for that year.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "calendar_years")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub year: i32,
    /// The uploaded `ScheduleDoc` as JSON.
    pub doc: String,
    pub uploaded_at: DateTimeUtc,
    pub uploaded_by: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
