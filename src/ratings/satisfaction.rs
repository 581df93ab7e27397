//! The three answers of a satisfaction rating, and the channels of a return visit.

use crate::domain::text_enum;

text_enum! {
    /// How satisfied the consumer is with the handling of the case.
    pub enum Satisfaction {
        /// 满意
        Satisfied = "satisfied",
        /// 基本满意
        BasicallySatisfied = "basically_satisfied",
        /// 不满意
        Dissatisfied = "dissatisfied",
    }
}

impl Satisfaction {
    pub fn label(self) -> &'static str {
        match self {
            Satisfaction::Satisfied => "满意",
            Satisfaction::BasicallySatisfied => "基本满意",
            Satisfaction::Dissatisfied => "不满意",
        }
    }

    /// Counted as satisfied in the 满意率: 满意 and 基本满意.
    pub fn is_satisfied(self) -> bool {
        !matches!(self, Satisfaction::Dissatisfied)
    }
}

text_enum! {
    /// How a return visit (回访) reached the consumer.
    pub enum VisitChannel {
        /// 电话回访
        Phone = "phone",
        /// 短信回访
        Sms = "sms",
        /// 上门或当面回访
        InPerson = "in_person",
        /// 网络回访（微信、平台留言等）
        Online = "online",
    }
}

impl VisitChannel {
    pub fn label(self) -> &'static str {
        match self {
            VisitChannel::Phone => "电话",
            VisitChannel::Sms => "短信",
            VisitChannel::InPerson => "当面",
            VisitChannel::Online => "网络",
        }
    }
}
