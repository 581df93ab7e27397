use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "businesses")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub name: String,
    pub uscc: Option<String>,
    pub legal_representative: Option<String>,
    pub address: Option<String>,
    pub division_code: Option<String>,
    pub created_at: DateTimeUtc,
    /// `platform_operator`, `platform_seller` or none.
    pub platform_role: Option<crate::businesses::PlatformRole>,
    /// For a platform seller: the platform operator's business id.
    pub platform_business_id: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_one = "super::odr_enrolment::Entity")]
    OdrEnrolment,
}

impl Related<super::odr_enrolment::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::OdrEnrolment.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
