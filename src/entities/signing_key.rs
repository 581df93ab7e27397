use sea_orm::entity::prelude::*;

/// The public half of a key that signs issued 调解书; a revoked key no longer vouches for anything.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "signing_keys")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub key_id: String,
    /// The bureau whose key it is; `None` for a service-wide key.
    pub bureau_code: Option<String>,
    /// Ed25519 public key, base64.
    pub public_key: String,
    pub created_at: DateTimeUtc,
    pub revoked_at: Option<DateTimeUtc>,
    pub revoked_reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
