//! The rule that decided which bureau handles a case.

use crate::domain::text_enum;

text_enum! {
    pub enum RoutingRule {
        /// Order 20 Art 12: where the respondent actually does business.
        RespondentPlaceOfBusiness = "respondent_place_of_business",
        /// Order 121: the address the respondent published.
        RespondentPublishedAddress = "respondent_published_address",
        /// A platform seller without a known or reachable address: the platform operator's domicile.
        PlatformDomicile = "platform_domicile",
        /// The respondent's location is unknown: where the dispute arose.
        DisputeLocation = "dispute_location",
        /// Several bureaus are competent and the one that received the complaint first keeps it.
        FirstReceiver = "first_receiver",
        /// Moved by a transfer (移送) the receiving bureau accepted.
        Transferred = "transferred",
    }
}
