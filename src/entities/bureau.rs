use sea_orm::entity::prelude::*;

/// A county-level market-regulation bureau, keyed by its GB/T 2260 county code.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "bureaus")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub code: String,
    pub name: String,
    /// The 调解书 number prefix, e.g. `嘉市监善调`; derived from the county name when unset.
    pub document_prefix: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
