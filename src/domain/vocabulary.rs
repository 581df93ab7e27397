//! The fixed vocabularies of intake: channels, categories, demands and identity documents.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            pub fn parse(s: &str) -> Option<Self> {
                match s {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }
    };
}

vocabulary!(
    /// How the case reached the regulator.
    Channel {
        Hotline12315 = "hotline_12315",
        Web = "web",
        App = "app",
        MiniProgram = "mini_program",
        WalkIn = "walk_in",
        LiaisonPoint = "liaison_point",
        Transfer12345 = "transfer_12345",
        Transfer110 = "transfer_110",
    }
);

vocabulary!(
    /// What the dispute is about.
    Category {
        Food = "food",
        Drug = "drug",
        MedicalDevice = "medical_device",
        SpecialEquipment = "special_equipment",
        TourismPrice = "tourism_price",
        PrepaidCard = "prepaid_card",
        Ecommerce = "ecommerce",
        Catering = "catering",
        GeneralGoods = "general_goods",
        Services = "services",
        Cosmetics = "cosmetics",
        Other = "other",
    }
);

vocabulary!(
    /// What the consumer asks for.
    Demand {
        Repair = "repair",
        Redo = "redo",
        Replace = "replace",
        Return = "return",
        MakeUpQuantity = "make_up_quantity",
        Refund = "refund",
        Damages = "damages",
        Other = "other",
    }
);

vocabulary!(
    /// The identity document a person gives.
    IdType {
        ResidentId = "resident_id",
        Passport = "passport",
        HkMacaoPermit = "hk_macao_permit",
        TaiwanPermit = "taiwan_permit",
        ForeignPermanentResidence = "foreign_permanent_residence",
        Other = "other",
    }
);
