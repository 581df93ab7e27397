//! Where enterprise settlement stands, and the offers exchanged in it.

use crate::domain::text_enum;

text_enum! {
    pub enum OdrState {
        /// With the desk; no offer yet.
        Negotiating = "negotiating",
        /// The desk made an offer; the consumer's turn.
        Offered = "offered",
        /// The consumer countered; the desk's turn.
        Countered = "countered",
        /// An offer was accepted; waiting for performance.
        Agreed = "agreed",
        /// The desk says it performed; waiting for the consumer's confirmation.
        Performed = "performed",
        /// The consumer confirmed: closed as settled by the enterprise.
        Settled = "settled",
        /// Sent to the regulator.
        Escalated = "escalated",
    }
}

text_enum! {
    /// Who made an offer.
    pub enum OfferParty {
        Business = "business",
        Consumer = "consumer",
    }
}

text_enum! {
    pub enum OfferStatus {
        /// Waiting for the other side's answer.
        Open = "open",
        Accepted = "accepted",
        Rejected = "rejected",
        /// Replaced by a later offer or counter.
        Superseded = "superseded",
    }
}

text_enum! {
    pub enum OfferKind {
        Refund = "refund",
        Replacement = "replacement",
        Repair = "repair",
        Compensation = "compensation",
        Other = "other",
    }
}

impl OfferKind {
    pub fn label(self) -> &'static str {
        match self {
            OfferKind::Refund => "退款",
            OfferKind::Replacement => "换货",
            OfferKind::Repair => "维修",
            OfferKind::Compensation => "赔偿",
            OfferKind::Other => "其他",
        }
    }
}
