//! The three answers of a satisfaction rating.

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
