//! Where a transfer (移送) between bureaus stands.

use crate::domain::text_enum;

text_enum! {
    pub enum TransferStatus {
        /// Waiting for the receiving bureau.
        Pending = "pending",
        /// The receiving bureau took the case.
        Accepted = "accepted",
        /// The receiving bureau sent it back: a jurisdiction dispute with a 7-working-day clock.
        Returned = "returned",
        /// The sending bureau keeps the case after all.
        Withdrawn = "withdrawn",
        /// The dispute was not settled in time and went to the common superior.
        Escalated = "escalated",
    }
}

impl TransferStatus {
    /// While a transfer is in one of these, both bureaus see the case.
    pub const OPEN: [TransferStatus; 3] = [
        TransferStatus::Pending,
        TransferStatus::Returned,
        TransferStatus::Escalated,
    ];
}
