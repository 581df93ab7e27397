//! Where a message of the outbox stands.

use crate::domain::text_enum;

text_enum! {
    pub enum OutboxStatus {
        /// Waiting for a sender round (again, after a failed attempt).
        Pending = "pending",
        /// Handed to the SMTP server.
        Sent = "sent",
        /// Every attempt failed: parked for the system administrator to see and resend.
        Dead = "dead",
    }
}
