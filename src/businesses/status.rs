//! The states of the registry: a business's ODR enrolment (applied → enrolled → suspended /
//! removed) and its part on a platform.

use crate::domain::text_enum;

text_enum! {
    pub enum Enrolment {
        Applied = "applied",
        Enrolled = "enrolled",
        Suspended = "suspended",
        Removed = "removed",
    }
}

text_enum! {
    /// A business's part on an e-commerce platform.
    pub enum PlatformRole {
        PlatformOperator = "platform_operator",
        PlatformSeller = "platform_seller",
    }
}
