//! How sessions are held and where they stand; where an agreement and its 调解书 stand.

use crate::domain::text_enum;

text_enum! {
    pub enum SessionMode {
        /// By video; the notice carries the link.
        Online = "online",
        /// At a room and address.
        InPerson = "in_person",
    }
}

text_enum! {
    pub enum SessionStatus {
        Scheduled = "scheduled",
        Held = "held",
        Cancelled = "cancelled",
    }
}

text_enum! {
    /// Where an agreement stands.
    pub enum AgreementStatus {
        /// Recorded; no 调解书 is needed (on the spot, waived, or not in person).
        Recorded = "recorded",
        /// A 调解书 is drafted and waits for both parties' confirmation.
        AwaitingConfirmation = "awaiting_confirmation",
        /// Both confirmed: numbered, rendered, signed.
        Issued = "issued",
    }
}

text_enum! {
    /// How the business confirmed a 调解书.
    pub enum ConfirmedVia {
        /// Through its ODR desk account.
        Desk = "desk",
        /// With the single-use code mailed to it.
        Code = "code",
    }
}
