//! A business's ODR enrolment: applied → enrolled → suspended / removed.

use crate::domain::text_enum;

text_enum! {
    pub enum Enrolment {
        Applied = "applied",
        Enrolled = "enrolled",
        Suspended = "suspended",
        Removed = "removed",
    }
}
