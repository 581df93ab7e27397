//! The rule sets, the kinds of deadline they set, the units they count in, what stops a clock, and
//! where a stored deadline stands.

use crate::domain::text_enum;

text_enum! {
    pub enum RuleSetId {
        /// 《工商行政管理部门处理消费者投诉办法》 (Order 20), cases received up to 2026-04-14.
        Order20 = "order-20",
        /// 《市场监督管理投诉举报处理办法》 (Order 121), from 2026-04-15.
        Order121 = "order-121",
    }
}

text_enum! {
    /// Where a stored deadline stands.
    pub enum DeadlineStatus {
        /// Running.
        Open = "open",
        /// A clock stop that affects it is running.
        Paused = "paused",
        /// The step was done in time.
        Met = "met",
        /// The step was done late.
        Missed = "missed",
        /// The case ended before the step was due (e.g. a withdrawal).
        Closed = "closed",
    }
}

impl DeadlineStatus {
    /// Still counting (open or paused).
    pub const RUNNING: [DeadlineStatus; 2] = [DeadlineStatus::Open, DeadlineStatus::Paused];
}

text_enum! {
    pub enum Unit {
        WorkingDays = "working_days",
        CalendarDays = "calendar_days",
        Hours = "hours",
    }
}

text_enum! {
    pub enum DeadlineKind {
        /// Accept or refuse a complaint.
        Acceptance = "acceptance",
        /// The enterprise desk's settlement window.
        OdrSettlement = "odr_settlement",
        /// The mediation window from acceptance.
        Mediation = "mediation",
        /// Telling the parties of a termination.
        TerminationNotice = "termination_notice",
        /// Verify a report and decide 立案.
        ReportVerification = "report_verification",
        /// Verify a 诉转案 clue.
        ClueVerification = "clue_verification",
        /// Tell a named reporter of the decision.
        ReporterNotice = "reporter_notice",
        /// Settle a jurisdiction dispute between bureaus.
        JurisdictionDispute = "jurisdiction_dispute",
        /// First contact for an urgent non-working-day item.
        UrgentFirstContact = "urgent_first_contact",
        /// The return visit (回访) to the consumer after a case closed.
        ReturnVisit = "return_visit",
    }
}

impl DeadlineKind {
    /// Clock stops (testing, recusal) push back the regulator's limits, not the business's own
    /// settlement window, the urgent first contact nor the return visit after closure.
    pub fn pausable(self) -> bool {
        !matches!(
            self,
            DeadlineKind::OdrSettlement
                | DeadlineKind::UrgentFirstContact
                | DeadlineKind::ReturnVisit
        )
    }
}

text_enum! {
    pub enum PauseReason {
        /// 检定、检验、检测、鉴定: time spent does not count.
        Testing = "testing",
        /// A party applied for a mediator's recusal: the case is suspended until decided.
        Recusal = "recusal",
    }
}

impl DeadlineKind {
    /// The deadline's name in Chinese, as pages and mails say it.
    pub fn label(self) -> &'static str {
        match self {
            DeadlineKind::Acceptance => "受理期限",
            DeadlineKind::OdrSettlement => "企业和解期限",
            DeadlineKind::Mediation => "调解期限",
            DeadlineKind::TerminationNotice => "告知终止调解期限",
            DeadlineKind::ReportVerification => "举报核查期限",
            DeadlineKind::ClueVerification => "线索核查期限",
            DeadlineKind::ReporterNotice => "告知举报人期限",
            DeadlineKind::JurisdictionDispute => "管辖争议处理期限",
            DeadlineKind::UrgentFirstContact => "紧急事项首次联系期限",
            DeadlineKind::ReturnVisit => "回访期限",
        }
    }
}

impl Unit {
    pub fn label(self) -> &'static str {
        match self {
            Unit::WorkingDays => "个工作日",
            Unit::CalendarDays => "日",
            Unit::Hours => "小时",
        }
    }
}

impl PauseReason {
    pub fn label(self) -> &'static str {
        match self {
            PauseReason::Testing => "检定、检验、检测、鉴定",
            PauseReason::Recusal => "回避申请",
        }
    }
}

impl RuleSetId {
    pub fn label(self) -> &'static str {
        match self {
            RuleSetId::Order20 => "《工商行政管理部门处理消费者投诉办法》",
            RuleSetId::Order121 => "《市场监督管理投诉举报处理办法》",
        }
    }
}
