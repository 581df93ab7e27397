//! Mediation at the station: the consumer's consent to delegated mediation and the delegate, the
//! amount in dispute at closure, sessions, agreements with their 调解书, the per-bureau document
//! number series, and the public keys that sign issued documents.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Cases {
    Table,
    Id,
    AcceptDelegatedMediation,
    DelegateOrganisation,
    DelegateMediator,
    AmountInDisputeFen,
}

#[derive(DeriveIden)]
enum Bureaus {
    Table,
    DocumentPrefix,
}

#[derive(DeriveIden)]
enum MediationSessions {
    Table,
    Id,
    CaseId,
    MediatorId,
    Mode,
    StartsAt,
    EndsAt,
    VideoUrl,
    Room,
    Address,
    Participants,
    Status,
    Attendance,
    Minutes,
    CreatedAt,
    CreatedBy,
    RecordedAt,
}

#[derive(DeriveIden)]
enum MediationAgreements {
    Table,
    Id,
    CaseId,
    Terms,
    AmountRecoveredFen,
    AmountInDisputeFen,
    InPerson,
    OnTheSpot,
    DocumentWaived,
    NeedsDocument,
    Particulars,
    Status,
    ConsumerConfirmedAt,
    BusinessConfirmedAt,
    BusinessConfirmedVia,
    LinkTokenHash,
    LinkExpiresAt,
    DocumentNumber,
    BureauCode,
    DocumentYear,
    DocumentSeq,
    IssuedAt,
    Pdf,
    Sha256,
    KeyId,
    Signature,
    CreatedAt,
    CreatedBy,
}

#[derive(DeriveIden)]
enum DocumentCounters {
    Table,
    BureauCode,
    Year,
    LastSeq,
}

#[derive(DeriveIden)]
enum SigningKeys {
    Table,
    KeyId,
    BureauCode,
    PublicKey,
    CreatedAt,
    RevokedAt,
    RevokedReason,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        for col in [
            boolean(Cases::AcceptDelegatedMediation)
                .default(false)
                .to_owned(),
            string_null(Cases::DelegateOrganisation),
            string_null(Cases::DelegateMediator),
            big_integer_null(Cases::AmountInDisputeFen),
        ] {
            m.alter_table(
                Table::alter()
                    .table(Cases::Table)
                    .add_column(col)
                    .to_owned(),
            )
            .await?;
        }
        m.alter_table(
            Table::alter()
                .table(Bureaus::Table)
                .add_column(string_null(Bureaus::DocumentPrefix))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(MediationSessions::Table)
                .col(big_pk_auto(MediationSessions::Id))
                .col(string(MediationSessions::CaseId))
                .col(string(MediationSessions::MediatorId))
                .col(string(MediationSessions::Mode))
                .col(timestamp_with_time_zone(MediationSessions::StartsAt))
                .col(timestamp_with_time_zone(MediationSessions::EndsAt))
                .col(text_null(MediationSessions::VideoUrl))
                .col(string_null(MediationSessions::Room))
                .col(text_null(MediationSessions::Address))
                .col(text(MediationSessions::Participants))
                .col(string(MediationSessions::Status))
                .col(text_null(MediationSessions::Attendance))
                .col(text_null(MediationSessions::Minutes))
                .col(timestamp_with_time_zone(MediationSessions::CreatedAt))
                .col(string(MediationSessions::CreatedBy))
                .col(timestamp_with_time_zone_null(MediationSessions::RecordedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(MediationSessions::Table, MediationSessions::CaseId)
                        .to(Cases::Table, Cases::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(MediationSessions::Table, MediationSessions::MediatorId)
                        .to(Users::Table, Users::Id),
                )
                .to_owned(),
        )
        .await?;
        for (name, cols) in [
            (
                "idx_sessions_mediator_starts",
                vec![MediationSessions::MediatorId, MediationSessions::StartsAt],
            ),
            ("idx_sessions_case", vec![MediationSessions::CaseId]),
        ] {
            let mut index = Index::create();
            index.name(name).table(MediationSessions::Table);
            for col in cols {
                index.col(col);
            }
            m.create_index(index.to_owned()).await?;
        }
        m.create_table(
            Table::create()
                .table(MediationAgreements::Table)
                .col(string(MediationAgreements::Id).primary_key())
                .col(string_uniq(MediationAgreements::CaseId))
                .col(text(MediationAgreements::Terms))
                .col(big_integer(MediationAgreements::AmountRecoveredFen))
                .col(big_integer_null(MediationAgreements::AmountInDisputeFen))
                .col(boolean(MediationAgreements::InPerson))
                .col(boolean(MediationAgreements::OnTheSpot))
                .col(boolean(MediationAgreements::DocumentWaived))
                .col(boolean(MediationAgreements::NeedsDocument))
                .col(text(MediationAgreements::Particulars))
                .col(string(MediationAgreements::Status))
                .col(timestamp_with_time_zone_null(
                    MediationAgreements::ConsumerConfirmedAt,
                ))
                .col(timestamp_with_time_zone_null(
                    MediationAgreements::BusinessConfirmedAt,
                ))
                .col(string_null(MediationAgreements::BusinessConfirmedVia))
                .col(string_null(MediationAgreements::LinkTokenHash).unique_key())
                .col(timestamp_with_time_zone_null(
                    MediationAgreements::LinkExpiresAt,
                ))
                .col(string_null(MediationAgreements::DocumentNumber).unique_key())
                .col(string_null(MediationAgreements::BureauCode))
                .col(integer_null(MediationAgreements::DocumentYear))
                .col(integer_null(MediationAgreements::DocumentSeq))
                .col(timestamp_with_time_zone_null(MediationAgreements::IssuedAt))
                .col(blob_null(MediationAgreements::Pdf))
                .col(string_null(MediationAgreements::Sha256))
                .col(string_null(MediationAgreements::KeyId))
                .col(string_null(MediationAgreements::Signature))
                .col(timestamp_with_time_zone(MediationAgreements::CreatedAt))
                .col(string(MediationAgreements::CreatedBy))
                .foreign_key(
                    ForeignKey::create()
                        .from(MediationAgreements::Table, MediationAgreements::CaseId)
                        .to(Cases::Table, Cases::Id),
                )
                .to_owned(),
        )
        .await?;
        // A second guard besides the number's own uniqueness: one sequence number per bureau and year.
        m.create_index(
            Index::create()
                .name("uq_agreements_bureau_year_seq")
                .table(MediationAgreements::Table)
                .col(MediationAgreements::BureauCode)
                .col(MediationAgreements::DocumentYear)
                .col(MediationAgreements::DocumentSeq)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(DocumentCounters::Table)
                .col(string(DocumentCounters::BureauCode))
                .col(integer(DocumentCounters::Year))
                .col(integer(DocumentCounters::LastSeq))
                .primary_key(
                    Index::create()
                        .col(DocumentCounters::BureauCode)
                        .col(DocumentCounters::Year),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(SigningKeys::Table)
                .col(string(SigningKeys::KeyId).primary_key())
                .col(string_null(SigningKeys::BureauCode))
                .col(string(SigningKeys::PublicKey))
                .col(timestamp_with_time_zone(SigningKeys::CreatedAt))
                .col(timestamp_with_time_zone_null(SigningKeys::RevokedAt))
                .col(text_null(SigningKeys::RevokedReason))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "signing_keys",
            "document_counters",
            "mediation_agreements",
            "mediation_sessions",
        ] {
            m.drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        m.alter_table(
            Table::alter()
                .table(Bureaus::Table)
                .drop_column(Bureaus::DocumentPrefix)
                .to_owned(),
        )
        .await?;
        for col in [
            "accept_delegated_mediation",
            "delegate_organisation",
            "delegate_mediator",
            "amount_in_dispute_fen",
        ] {
            m.alter_table(
                Table::alter()
                    .table(Cases::Table)
                    .drop_column(Alias::new(col))
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
