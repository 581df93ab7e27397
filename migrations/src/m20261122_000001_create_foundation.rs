//! Bureaus and stations, accounts and tokens, cases with their parties, deadlines and timeline,
//! the append-only audit trail, and idempotency records.

use sea_orm_migration::sea_orm::DbBackend;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Bureaus {
    Table,
    Code,
    Name,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Stations {
    Table,
    Id,
    BureauCode,
    Name,
    CreatedAt,
}

#[derive(DeriveIden)]
enum StationTowns {
    Table,
    TownCode,
    StationId,
}

#[derive(DeriveIden)]
enum Businesses {
    Table,
    Id,
    Name,
    Uscc,
    LegalRepresentative,
    Address,
    DivisionCode,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Username,
    PasswordHash,
    Role,
    DisplayName,
    Email,
    BureauCode,
    StationId,
    BusinessId,
    Active,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AuthTokens {
    Table,
    TokenHash,
    UserId,
    CreatedAt,
    ExpiresAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum Cases {
    Table,
    Id,
    Kind,
    ReceiptNumber,
    AccessSecretHash,
    Status,
    Channel,
    Category,
    RuleSet,
    ReceivedAt,
    LinkedCaseId,
    DuplicateOfId,
    ComplainantKey,
    RespondentKey,
    RespondentName,
    RespondentUscc,
    RespondentAddress,
    RespondentDivisionCode,
    RespondentPlatform,
    BusinessId,
    OccurredOn,
    DisputeDivisionCode,
    DisputePlace,
    GoodsOrService,
    AmountFen,
    Facts,
    Demands,
    Evidence,
    ChooseOdr,
    ConsentToPublish,
    ConcealIdentity,
    Anonymous,
    BureauCode,
    StationId,
    RoutingRule,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Parties {
    Table,
    Id,
    CaseId,
    Role,
    Position,
    Name,
    Phone,
    Email,
    Address,
    IdType,
    IdNumber,
}

#[derive(DeriveIden)]
enum Deadlines {
    Table,
    Id,
    CaseId,
    Kind,
    RuleSet,
    StartsAt,
    DueAt,
    DueDate,
    Provisional,
    Status,
    Explanation,
    MetAt,
}

#[derive(DeriveIden)]
enum CaseEvents {
    Table,
    Id,
    CaseId,
    At,
    Kind,
    ActorKind,
    ActorId,
    Public,
    Detail,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    At,
    ActorUserId,
    ActorRole,
    Action,
    CaseId,
    Detail,
}

#[derive(DeriveIden)]
enum IdempotencyKeys {
    Table,
    Scope,
    Key,
    RequestHash,
    StatusCode,
    ResponseBody,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Bureaus::Table)
                .col(string(Bureaus::Code).primary_key())
                .col(string(Bureaus::Name))
                .col(timestamp_with_time_zone(Bureaus::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Stations::Table)
                .col(string(Stations::Id).primary_key())
                .col(string(Stations::BureauCode))
                .col(string(Stations::Name))
                .col(timestamp_with_time_zone(Stations::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Stations::Table, Stations::BureauCode)
                        .to(Bureaus::Table, Bureaus::Code),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(StationTowns::Table)
                .col(string(StationTowns::TownCode).primary_key())
                .col(string(StationTowns::StationId))
                .foreign_key(
                    ForeignKey::create()
                        .from(StationTowns::Table, StationTowns::StationId)
                        .to(Stations::Table, Stations::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Businesses::Table)
                .col(string(Businesses::Id).primary_key())
                .col(string(Businesses::Name))
                .col(string_null(Businesses::Uscc).unique_key())
                .col(string_null(Businesses::LegalRepresentative))
                .col(string_null(Businesses::Address))
                .col(string_null(Businesses::DivisionCode))
                .col(timestamp_with_time_zone(Businesses::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Users::Table)
                .col(string(Users::Id).primary_key())
                .col(string_uniq(Users::Username))
                .col(string(Users::PasswordHash))
                .col(string(Users::Role))
                .col(string(Users::DisplayName))
                .col(string_null(Users::Email))
                .col(string_null(Users::BureauCode))
                .col(string_null(Users::StationId))
                .col(string_null(Users::BusinessId))
                .col(boolean(Users::Active))
                .col(timestamp_with_time_zone(Users::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Users::Table, Users::StationId)
                        .to(Stations::Table, Stations::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Users::Table, Users::BusinessId)
                        .to(Businesses::Table, Businesses::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(AuthTokens::Table)
                .col(string(AuthTokens::TokenHash).primary_key())
                .col(string(AuthTokens::UserId))
                .col(timestamp_with_time_zone(AuthTokens::CreatedAt))
                .col(timestamp_with_time_zone(AuthTokens::ExpiresAt))
                .col(timestamp_with_time_zone_null(AuthTokens::RevokedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(AuthTokens::Table, AuthTokens::UserId)
                        .to(Users::Table, Users::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Cases::Table)
                .col(string(Cases::Id).primary_key())
                .col(string(Cases::Kind))
                .col(string_uniq(Cases::ReceiptNumber))
                .col(string(Cases::AccessSecretHash))
                .col(string(Cases::Status))
                .col(string(Cases::Channel))
                .col(string(Cases::Category))
                .col(string(Cases::RuleSet))
                .col(timestamp_with_time_zone(Cases::ReceivedAt))
                .col(string_null(Cases::LinkedCaseId))
                .col(string_null(Cases::DuplicateOfId))
                .col(string_null(Cases::ComplainantKey))
                .col(string(Cases::RespondentKey))
                .col(string(Cases::RespondentName))
                .col(string_null(Cases::RespondentUscc))
                .col(string(Cases::RespondentAddress))
                .col(string_null(Cases::RespondentDivisionCode))
                .col(text_null(Cases::RespondentPlatform))
                .col(string_null(Cases::BusinessId))
                .col(date_null(Cases::OccurredOn))
                .col(string(Cases::DisputeDivisionCode))
                .col(string_null(Cases::DisputePlace))
                .col(text(Cases::GoodsOrService))
                .col(big_integer_null(Cases::AmountFen))
                .col(text(Cases::Facts))
                .col(text(Cases::Demands))
                .col(text(Cases::Evidence))
                .col(boolean(Cases::ChooseOdr))
                .col(boolean(Cases::ConsentToPublish))
                .col(boolean(Cases::ConcealIdentity))
                .col(boolean(Cases::Anonymous))
                .col(string(Cases::BureauCode))
                .col(string_null(Cases::StationId))
                .col(string(Cases::RoutingRule))
                .col(timestamp_with_time_zone(Cases::CreatedAt))
                .col(timestamp_with_time_zone(Cases::UpdatedAt))
                .to_owned(),
        )
        .await?;
        for (name, cols) in [
            (
                "idx_cases_bureau_received",
                vec![Cases::BureauCode, Cases::ReceivedAt],
            ),
            (
                "idx_cases_station_received",
                vec![Cases::StationId, Cases::ReceivedAt],
            ),
            (
                "idx_cases_business_received",
                vec![Cases::BusinessId, Cases::ReceivedAt],
            ),
            (
                "idx_cases_duplicate_probe",
                vec![
                    Cases::RespondentKey,
                    Cases::ComplainantKey,
                    Cases::ReceivedAt,
                ],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(Cases::Table);
            for col in cols {
                index.col(col);
            }
            m.create_index(index.to_owned()).await?;
        }
        m.create_table(
            Table::create()
                .table(Parties::Table)
                .col(big_pk_auto(Parties::Id))
                .col(string(Parties::CaseId))
                .col(string(Parties::Role))
                .col(integer(Parties::Position))
                .col(string(Parties::Name))
                .col(string_null(Parties::Phone))
                .col(string_null(Parties::Email))
                .col(string_null(Parties::Address))
                .col(string_null(Parties::IdType))
                .col(string_null(Parties::IdNumber))
                .foreign_key(
                    ForeignKey::create()
                        .from(Parties::Table, Parties::CaseId)
                        .to(Cases::Table, Cases::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_parties_case")
                .table(Parties::Table)
                .col(Parties::CaseId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Deadlines::Table)
                .col(big_pk_auto(Deadlines::Id))
                .col(string(Deadlines::CaseId))
                .col(string(Deadlines::Kind))
                .col(string(Deadlines::RuleSet))
                .col(timestamp_with_time_zone(Deadlines::StartsAt))
                .col(timestamp_with_time_zone(Deadlines::DueAt))
                .col(date(Deadlines::DueDate))
                .col(boolean(Deadlines::Provisional))
                .col(string(Deadlines::Status))
                .col(text(Deadlines::Explanation))
                .col(timestamp_with_time_zone_null(Deadlines::MetAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Deadlines::Table, Deadlines::CaseId)
                        .to(Cases::Table, Cases::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_deadlines_case_kind")
                .table(Deadlines::Table)
                .col(Deadlines::CaseId)
                .col(Deadlines::Kind)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_deadlines_open_due")
                .table(Deadlines::Table)
                .col(Deadlines::Status)
                .col(Deadlines::DueAt)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(CaseEvents::Table)
                .col(big_pk_auto(CaseEvents::Id))
                .col(string(CaseEvents::CaseId))
                .col(timestamp_with_time_zone(CaseEvents::At))
                .col(string(CaseEvents::Kind))
                .col(string(CaseEvents::ActorKind))
                .col(string_null(CaseEvents::ActorId))
                .col(boolean(CaseEvents::Public))
                .col(text(CaseEvents::Detail))
                .foreign_key(
                    ForeignKey::create()
                        .from(CaseEvents::Table, CaseEvents::CaseId)
                        .to(Cases::Table, Cases::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_case_events_case")
                .table(CaseEvents::Table)
                .col(CaseEvents::CaseId)
                .col(CaseEvents::Id)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(AuditLog::Table)
                .col(big_pk_auto(AuditLog::Id))
                .col(timestamp_with_time_zone(AuditLog::At))
                .col(string_null(AuditLog::ActorUserId))
                .col(string(AuditLog::ActorRole))
                .col(string(AuditLog::Action))
                .col(string_null(AuditLog::CaseId))
                .col(text(AuditLog::Detail))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_audit_log_case")
                .table(AuditLog::Table)
                .col(AuditLog::CaseId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(IdempotencyKeys::Table)
                .col(string(IdempotencyKeys::Scope))
                .col(string(IdempotencyKeys::Key))
                .col(string(IdempotencyKeys::RequestHash))
                .col(integer(IdempotencyKeys::StatusCode))
                .col(text(IdempotencyKeys::ResponseBody))
                .col(timestamp_with_time_zone(IdempotencyKeys::CreatedAt))
                .primary_key(
                    Index::create()
                        .col(IdempotencyKeys::Scope)
                        .col(IdempotencyKeys::Key),
                )
                .to_owned(),
        )
        .await?;
        forbid_audit_changes(m).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        if m.get_database_backend() == DbBackend::Postgres {
            db.execute_unprepared("DROP FUNCTION IF EXISTS audit_log_is_append_only() CASCADE")
                .await?;
        }
        for table in [
            "idempotency_keys",
            "audit_log",
            "case_events",
            "deadlines",
            "parties",
            "cases",
            "auth_tokens",
            "users",
            "businesses",
            "station_towns",
            "stations",
            "bureaus",
        ] {
            m.drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}

/// The audit trail is append-only in the database itself, not just by convention in the code.
async fn forbid_audit_changes(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let db = m.get_connection();
    match m.get_database_backend() {
        DbBackend::Postgres => {
            db.execute_unprepared(
                "CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ \
                 BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$",
            )
            .await?;
            db.execute_unprepared(
                "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log \
                 FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only()",
            )
            .await?;
        }
        _ => {
            for op in ["UPDATE", "DELETE"] {
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER audit_log_no_{op} BEFORE {op} ON audit_log \
                     BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
                ))
                .await?;
            }
        }
    }
    Ok(())
}
