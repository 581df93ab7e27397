use sea_orm::entity::prelude::*;

use crate::mediation::states::{AgreementStatus, ConfirmedVia};

/// The agreement a mediation reached and, when one is needed, its 调解书: confirmed by both
/// parties, then numbered, rendered, hashed and signed in one transaction.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mediation_agreements")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub case_id: String,
    /// JSON array of `{what, amount_fen, due_on}`.
    pub terms: String,
    pub amount_recovered_fen: i64,
    pub amount_in_dispute_fen: Option<i64>,
    pub in_person: bool,
    pub on_the_spot: bool,
    pub document_waived: bool,
    pub needs_document: bool,
    /// JSON: the document's particulars (agents, legal representative, premises).
    pub particulars: String,
    /// `recorded` (no document needed), `awaiting_confirmation` or `issued`.
    pub status: AgreementStatus,
    pub consumer_confirmed_at: Option<DateTimeUtc>,
    pub business_confirmed_at: Option<DateTimeUtc>,
    /// `desk` or `code`.
    pub business_confirmed_via: Option<ConfirmedVia>,
    /// SHA-256 of the single-use confirmation code mailed to the business; cleared once used.
    pub link_token_hash: Option<String>,
    pub link_expires_at: Option<DateTimeUtc>,
    pub document_number: Option<String>,
    pub bureau_code: Option<String>,
    pub document_year: Option<i32>,
    pub document_seq: Option<i32>,
    pub issued_at: Option<DateTimeUtc>,
    pub pdf: Option<Vec<u8>>,
    /// Hex SHA-256 of `pdf`.
    pub sha256: Option<String>,
    pub key_id: Option<String>,
    /// Ed25519 signature, base64, over `signing::message`.
    pub signature: Option<String>,
    pub created_at: DateTimeUtc,
    pub created_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
