use sea_orm::entity::prelude::*;

use crate::cases::status::{CaseKind, CaseStatus, Outcome};
use crate::deadlines::kinds::RuleSetId;
use crate::domain::vocabulary::{Category, Channel};
use crate::odr::state::OdrState;
use crate::routing::rule::RoutingRule;

/// A complaint or a report. Kind-specific parts (a report's clue) map onto the shared columns.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cases")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub kind: CaseKind,
    pub receipt_number: String,
    pub access_secret_hash: String,
    pub status: CaseStatus,
    pub channel: Channel,
    pub category: Category,
    pub rule_set: RuleSetId,
    pub received_at: DateTimeUtc,
    pub linked_case_id: Option<String>,
    pub duplicate_of_id: Option<String>,
    pub complainant_key: Option<String>,
    pub respondent_key: String,
    pub respondent_name: String,
    pub respondent_uscc: Option<String>,
    pub respondent_address: String,
    pub respondent_division_code: Option<String>,
    pub respondent_platform: Option<String>,
    pub business_id: Option<String>,
    pub occurred_on: Option<Date>,
    pub dispute_division_code: String,
    pub dispute_place: Option<String>,
    pub goods_or_service: String,
    pub amount_fen: Option<i64>,
    pub facts: String,
    /// JSON array of demand codes.
    pub demands: String,
    /// JSON array of evidence descriptions.
    pub evidence: String,
    pub choose_odr: bool,
    pub consent_to_publish: bool,
    pub conceal_identity: bool,
    pub anonymous: bool,
    pub bureau_code: String,
    pub station_id: Option<String>,
    pub routing_rule: RoutingRule,
    /// The station that registered the case in person (首接) and stays the consumer's contact.
    pub received_by_station_id: Option<String>,
    /// JSON: the cross-store return promise the complaint cites, when the brand is registered.
    pub return_promise: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub accepted_at: Option<DateTimeUtc>,
    /// The mediator handling the case at its station.
    pub mediator_id: Option<String>,
    /// Set at closure: see `cases::Outcome`.
    pub outcome: Option<Outcome>,
    pub outcome_reason: Option<String>,
    pub closed_at: Option<DateTimeUtc>,
    pub amount_recovered_fen: Option<i64>,
    /// Where enterprise settlement stands: see `odr::OdrState`.
    pub odr_state: Option<OdrState>,
    pub odr_agreed_offer_id: Option<i64>,
    pub odr_first_response_at: Option<DateTimeUtc>,
    pub odr_escalated_at: Option<DateTimeUtc>,
    /// When a named reporter was told of the 立案 decision.
    pub reporter_notified_at: Option<DateTimeUtc>,
    /// The consumer accepts mediation by a consumer association acting in the bureau's name.
    pub accept_delegated_mediation: bool,
    /// Set when mediation is delegated: the organisation and its mediator.
    pub delegate_organisation: Option<String>,
    pub delegate_mediator: Option<String>,
    /// 涉及争议额, recorded at closure.
    pub amount_in_dispute_fen: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
