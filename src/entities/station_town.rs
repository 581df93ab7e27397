use sea_orm::entity::prelude::*;

/// A town covered by a station; a town belongs to at most one station.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "station_towns")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub town_code: String,
    pub station_id: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
