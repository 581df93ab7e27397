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

impl Category {
    /// The category in Chinese, as pages and documents say it.
    pub fn label(self) -> &'static str {
        match self {
            Category::Food => "食品",
            Category::Drug => "药品",
            Category::MedicalDevice => "医疗器械",
            Category::SpecialEquipment => "特种设备（电梯、锅炉、游乐设施等）",
            Category::TourismPrice => "旅游、价格",
            Category::PrepaidCard => "预付卡消费",
            Category::Ecommerce => "网络购物",
            Category::Catering => "餐饮服务",
            Category::GeneralGoods => "一般商品",
            Category::Services => "生活服务",
            Category::Cosmetics => "化妆品",
            Category::Other => "其他",
        }
    }
}

impl Demand {
    /// The demand in Chinese (the wording of 消保法 Art. 52), as pages and documents say it.
    pub fn label(self) -> &'static str {
        match self {
            Demand::Repair => "修理",
            Demand::Redo => "重作",
            Demand::Replace => "更换",
            Demand::Return => "退货",
            Demand::MakeUpQuantity => "补足商品数量",
            Demand::Refund => "退还货款、服务费用",
            Demand::Damages => "赔偿损失",
            Demand::Other => "其他",
        }
    }
}
