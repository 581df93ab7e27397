//! Where an urgent item stands with the on-duty team.

use crate::domain::text_enum;

text_enum! {
    /// Where an urgent item stands with the on-duty team.
    pub enum UrgentStatus {
        /// Waiting for someone on duty to claim it.
        Open = "open",
        Claimed = "claimed",
        /// First contact with the consumer made.
        Contacted = "contacted",
        Resolved = "resolved",
    }
}
