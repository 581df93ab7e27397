//! The 12315 indicators as the API, the dashboard and the CSV give them.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

/// A ratio with its parts, so a reader can check it; `rate` is absent when nothing was due.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
pub struct Rate {
    pub numerator: i64,
    pub denominator: i64,
    pub rate: Option<f64>,
}

impl Rate {
    pub(super) fn of(numerator: i64, denominator: i64) -> Rate {
        Rate {
            numerator,
            denominator,
            rate: (denominator > 0).then(|| numerator as f64 / denominator as f64),
        }
    }
}

/// The indicators. Definitions:
/// - `on_time_initial_check` 投诉按时初查率: complaint acceptance deadlines falling due in the period
///   that were met (decided within 7 WD) ÷ all that fell due.
/// - `on_time_closure` 投诉按时办结率: mediation deadlines falling due in the period that were met
///   (closed within the window) ÷ all that fell due.
/// - `mediation_success` 投诉调解成功率: complaints closed in the period by a mediated agreement ÷
///   those closed by agreement or termination (concluded mediations).
/// - `on_time_report_verification` 举报按时核查率: report verification deadlines falling due in the
///   period that were met ÷ all that fell due.
/// - `publication` 投诉信息公示率: complaints closed in the period whose consumer consented to
///   publication (and so are published) ÷ complaints closed in the period.
/// - `odr_settlement` ODR 和解成功率: ODR complaints settled by the enterprise in the period ÷ those
///   settled or escalated in the period.
/// - `satisfaction` 满意率: cases in scope rated in the period that were rated 满意 or 基本满意 ÷
///   all rated in the period (the denominator is the number rated). A case counts once: by the
///   consumer's own rating when given (at the time it was given), else by the satisfaction the
///   consumer told on the return visit (at the time the visit was recorded).
/// - `return_visits` 回访率: return visits of complaints closed in the period that have been
///   recorded ÷ the return visits opened for them (by default every agreement, termination and
///   enterprise settlement gets one).
/// - `odr_satisfaction`: the 满意率 as above of the complaints that went to each business's ODR
///   desk first (settled there or escalated), one entry a business, by business id.
/// - `money_recovered_fen`: recovered in complaints closed in the period; `amount_in_dispute_fen`:
///   claimed in complaints received in the period. Counts by category and channel are of
///   complaints and reports received in the period.
#[derive(Debug, Serialize, ToSchema)]
pub struct Statistics {
    pub bureau_code: String,
    pub station_id: Option<String>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub complaints_received: i64,
    pub reports_received: i64,
    pub complaints_closed: i64,
    pub on_time_initial_check: Rate,
    pub on_time_closure: Rate,
    pub mediation_success: Rate,
    pub on_time_report_verification: Rate,
    pub publication: Rate,
    pub odr_settlement: Rate,
    pub satisfaction: Rate,
    pub return_visits: Rate,
    pub odr_satisfaction: Vec<BusinessSatisfaction>,
    pub money_recovered_fen: i64,
    pub amount_in_dispute_fen: i64,
    pub by_category: BTreeMap<String, i64>,
    pub by_channel: BTreeMap<String, i64>,
}

/// The 满意率 of the complaints one business's ODR desk handled first.
#[derive(Debug, Serialize, ToSchema)]
pub struct BusinessSatisfaction {
    pub business_id: String,
    pub business_name: String,
    pub satisfaction: Rate,
}
