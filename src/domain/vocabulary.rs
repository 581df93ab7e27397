//! The fixed vocabularies of intake: channels, categories, demands and identity documents.

use super::text_enum;

text_enum! {
    /// How the case reached the regulator.
    pub enum Channel {
        Hotline12315 = "hotline_12315",
        Web = "web",
        App = "app",
        MiniProgram = "mini_program",
        WalkIn = "walk_in",
        LiaisonPoint = "liaison_point",
        Transfer12345 = "transfer_12345",
        Transfer110 = "transfer_110",
    }
}

text_enum! {
    /// What the dispute is about.
    pub enum Category {
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
}

text_enum! {
    /// What the consumer asks for.
    pub enum Demand {
        Repair = "repair",
        Redo = "redo",
        Replace = "replace",
        Return = "return",
        MakeUpQuantity = "make_up_quantity",
        Refund = "refund",
        Damages = "damages",
        Other = "other",
    }
}

text_enum! {
    /// The identity document a person gives.
    pub enum IdType {
        ResidentId = "resident_id",
        Passport = "passport",
        HkMacaoPermit = "hk_macao_permit",
        TaiwanPermit = "taiwan_permit",
        ForeignPermanentResidence = "foreign_permanent_residence",
        Other = "other",
    }
}
