use sea_orm::entity::prelude::*;

use crate::routing::transfer_status::TransferStatus;

/// A transfer (移送) of a case from a bureau that is not competent to another bureau.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "transfers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub case_id: String,
    pub from_bureau_code: String,
    pub to_bureau_code: String,
    pub reason: String,
    pub status: TransferStatus,
    pub requested_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub return_reason: Option<String>,
    /// When a returned transfer escalates unless the bureaus settle it.
    pub dispute_due_at: Option<DateTimeUtc>,
    pub escalated_at: Option<DateTimeUtc>,
    /// The common superior's division code; `None` with a name means the national administration.
    pub escalated_to_code: Option<String>,
    pub escalated_to_name: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
