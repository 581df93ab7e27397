use sea_orm::entity::prelude::*;

use crate::odr::state::{OfferKind, OfferParty, OfferStatus};

/// A structured settlement offer by the business, or a counter-offer by the consumer.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "odr_offers")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub case_id: String,
    /// `business` or `consumer`.
    pub party: OfferParty,
    /// `refund`, `replacement`, `repair`, `compensation` or `other`.
    pub kind: OfferKind,
    pub amount_fen: i64,
    pub perform_by: Date,
    pub message: String,
    /// `open`, `accepted`, `rejected` or `superseded`.
    pub status: OfferStatus,
    pub made_by: Option<String>,
    pub created_at: DateTimeUtc,
    pub answered_at: Option<DateTimeUtc>,
    pub performed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
