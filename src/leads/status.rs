//! What a lead is for, where it stands, and the enforcement decision (立案 / 不予立案).

use crate::domain::text_enum;

text_enum! {
    pub enum LeadKind {
        /// 诉转案: toward an enforcement case.
        Case = "case",
        /// 诉转抽: toward product sampling.
        Sampling = "sampling",
        /// 诉转监: toward routine supervision.
        Supervision = "supervision",
    }
}

text_enum! {
    /// Where a lead stands with enforcement.
    pub enum LeadStatus {
        /// Sent to the bureau's enforcement officers.
        Sent = "sent",
        /// An officer took it.
        Accepted = "accepted",
        /// 立案 or 不予立案 decided.
        Decided = "decided",
        /// The result is recorded: the lead is answered.
        Closed = "closed",
    }
}

text_enum! {
    /// An enforcement decision on a lead or a report.
    pub enum Decision {
        /// 立案 (`open` is accepted too, as reports took it at first)
        #[serde(alias = "open")]
        Opened = "opened",
        /// 不予立案 (`decline` is accepted too)
        #[serde(alias = "decline")]
        Declined = "declined",
    }
}

impl LeadKind {
    pub fn label(self) -> &'static str {
        match self {
            LeadKind::Case => "诉转案（转执法办案）",
            LeadKind::Sampling => "诉转抽（转产品抽检）",
            LeadKind::Supervision => "诉转监（转日常监管）",
        }
    }
}

impl LeadStatus {
    pub fn label(self) -> &'static str {
        match self {
            LeadStatus::Sent => "待接收",
            LeadStatus::Accepted => "核查中",
            LeadStatus::Decided => "已作出立案决定，待记录结果",
            LeadStatus::Closed => "已办结",
        }
    }
}

impl Decision {
    pub fn label(self) -> &'static str {
        match self {
            Decision::Opened => "立案",
            Decision::Declined => "不予立案",
        }
    }
}
