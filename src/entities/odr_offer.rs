use sea_orm::entity::prelude::*;

/// A structured settlement offer by the business, or a counter-offer by the consumer.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "odr_offers")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub case_id: String,
    /// `business` or `consumer`.
    pub party: String,
    /// `refund`, `replacement`, `repair`, `compensation` or `other`.
    pub kind: String,
    pub amount_fen: i64,
    pub perform_by: Date,
    pub message: String,
    /// `open`, `accepted`, `rejected` or `superseded`.
    pub status: String,
    pub made_by: Option<String>,
    pub created_at: DateTimeUtc,
    pub answered_at: Option<DateTimeUtc>,
    pub performed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
