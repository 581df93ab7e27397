use sea_orm::entity::prelude::*;

/// One entry of a case's timeline; `public` entries are shown to the consumer.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "case_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub case_id: String,
    pub at: DateTimeUtc,
    pub kind: String,
    pub actor_kind: String,
    pub actor_id: Option<String>,
    pub public: bool,
    pub detail: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
