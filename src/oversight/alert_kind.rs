//! The kinds of early warning.

use crate::domain::text_enum;

text_enum! {
    pub enum AlertKind {
        /// Many complaints against one business within a short window (群体投诉).
        MassComplaint = "mass_complaint",
        /// One complainant against many businesses (职业索赔): to review, never to refuse automatically.
        SerialComplainant = "serial_complainant",
    }
}
