use sea_orm::entity::prelude::*;

use crate::cases::status::Outcome;
use crate::leads::status::{Decision, LeadKind, LeadStatus};

/// A violation clue from a complaint sent to enforcement (诉转案, or sampling / supervision).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "leads")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The complaint the clue came from.
    pub case_id: String,
    pub bureau_code: String,
    /// `case`, `sampling` or `supervision`.
    pub kind: LeadKind,
    /// `sent`, `accepted`, `decided`, `closed`.
    pub status: LeadStatus,
    pub act: String,
    pub act_on: Option<Date>,
    pub place: Option<String>,
    pub goods_or_service: Option<String>,
    pub amount_fen: Option<i64>,
    /// JSON array of evidence descriptions.
    pub evidence: String,
    pub suggested_basis: Option<String>,
    pub mediation_outcome: Option<Outcome>,
    pub handling_station_id: Option<String>,
    pub created_by: String,
    pub created_at: DateTimeUtc,
    pub accepted_by: Option<String>,
    pub accepted_at: Option<DateTimeUtc>,
    /// `opened` (立案) or `declined` (不予立案).
    pub decision: Option<Decision>,
    pub decision_reason: Option<String>,
    pub decided_at: Option<DateTimeUtc>,
    pub result: Option<String>,
    pub result_at: Option<DateTimeUtc>,
    pub escalated_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
