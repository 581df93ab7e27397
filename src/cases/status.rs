//! What a case is and where it stands: its kind, its status, how it ended, and the parts people play in it.

use crate::domain::text_enum;

text_enum! {
    pub enum CaseKind {
        /// 投诉
        Complaint = "complaint",
        /// 举报
        Report = "report",
    }
}

text_enum! {
    /// Where a case stands, as the consumer and staff see it.
    pub enum CaseStatus {
        /// With the business's ODR desk for settlement (not counted in the regulator's limits).
        WithBusiness = "with_business",
        /// A complaint waiting for the regulator's accept-or-refuse decision.
        PendingAcceptance = "pending_acceptance",
        /// Accepted; mediation not yet under way.
        Accepted = "accepted",
        /// Mediation under way.
        InMediation = "in_mediation",
        /// Finished; see the outcome.
        Closed = "closed",
        /// Not accepted, with a statutory reason.
        Refused = "refused",
        /// Withdrawn by the consumer.
        Withdrawn = "withdrawn",
        /// A report being verified toward a 立案 decision.
        PendingVerification = "pending_verification",
        /// A report that led to an enforcement case (立案).
        CaseOpened = "case_opened",
        /// A report that did not (不予立案).
        CaseDeclined = "case_declined",
        /// A repeated or related report merged into another (Order 121).
        Merged = "merged",
    }
}

impl CaseStatus {
    /// The consumer-facing label.
    pub fn label(self) -> &'static str {
        match self {
            CaseStatus::WithBusiness => "企业和解中",
            CaseStatus::PendingAcceptance => "待受理",
            CaseStatus::Accepted => "已受理",
            CaseStatus::InMediation => "调解中",
            CaseStatus::Closed => "已办结",
            CaseStatus::Refused => "不予受理",
            CaseStatus::Withdrawn => "已撤回",
            CaseStatus::PendingVerification => "核查中",
            CaseStatus::CaseOpened => "已立案",
            CaseStatus::CaseDeclined => "不予立案",
            CaseStatus::Merged => "已合并处理",
        }
    }

    /// No further step changes the case.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            CaseStatus::Closed
                | CaseStatus::Refused
                | CaseStatus::Withdrawn
                | CaseStatus::CaseOpened
                | CaseStatus::CaseDeclined
                | CaseStatus::Merged
        )
    }
}

text_enum! {
    /// How a case ended (办结).
    pub enum Outcome {
        SettledByEnterprise = "settled_by_enterprise",
        MediatedAgreement = "mediated_agreement",
        Terminated = "terminated",
        Refused = "refused",
        Withdrawn = "withdrawn",
        Transferred = "transferred",
    }
}

text_enum! {
    /// A person's part in a case.
    pub enum PartyRole {
        Complainant = "complainant",
        /// One of up to two representatives of a joint complaint.
        Representative = "representative",
        Reporter = "reporter",
        /// The business's contact on the case.
        Respondent = "respondent",
    }
}
