//! Cross-region work: who received a case (首接), transfers between bureaus (移送) and their
//! escalation, incidents linking cases across cities with their joint sessions, and the pilot-area
//! registry of brands promising no-reason returns at any store (异地异店无理由退换货).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Cases {
    Table,
    Id,
    ReceivedAt,
    ReceivedByStationId,
    DisputeDivisionCode,
    ReturnPromise,
}

#[derive(DeriveIden)]
enum Transfers {
    Table,
    Id,
    CaseId,
    FromBureauCode,
    ToBureauCode,
    Reason,
    Status,
    RequestedAt,
    UpdatedAt,
    ReturnReason,
    DisputeDueAt,
    EscalatedAt,
    EscalatedToCode,
    EscalatedToName,
}

#[derive(DeriveIden)]
enum Incidents {
    Table,
    Id,
    Title,
    Description,
    CreatedByBureauCode,
    CreatedAt,
}

#[derive(DeriveIden)]
enum IncidentCases {
    Table,
    CaseId,
    IncidentId,
    LinkedAt,
}

#[derive(DeriveIden)]
enum JointSessions {
    Table,
    Id,
    IncidentId,
    HeldAt,
    Mode,
    Link,
    BureauCodes,
    Note,
    RecordedAt,
}

#[derive(DeriveIden)]
enum ReturnBrands {
    Table,
    Id,
    Name,
    Uscc,
    Promise,
    CreatedByBureauCode,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one thing at a time.
        m.alter_table(
            Table::alter()
                .table(Cases::Table)
                .add_column(string_null(Cases::ReceivedByStationId))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Cases::Table)
                .add_column(text_null(Cases::ReturnPromise))
                .to_owned(),
        )
        .await?;
        for (name, col) in [
            ("idx_cases_received_by_station", Cases::ReceivedByStationId),
            ("idx_cases_dispute_division", Cases::DisputeDivisionCode),
        ] {
            m.create_index(
                Index::create()
                    .name(name)
                    .table(Cases::Table)
                    .col(col)
                    .col(Cases::ReceivedAt)
                    .to_owned(),
            )
            .await?;
        }
        m.create_table(
            Table::create()
                .table(Transfers::Table)
                .col(string(Transfers::Id).primary_key())
                .col(string(Transfers::CaseId))
                .col(string(Transfers::FromBureauCode))
                .col(string(Transfers::ToBureauCode))
                .col(text(Transfers::Reason))
                .col(string(Transfers::Status))
                .col(timestamp_with_time_zone(Transfers::RequestedAt))
                .col(timestamp_with_time_zone(Transfers::UpdatedAt))
                .col(text_null(Transfers::ReturnReason))
                .col(timestamp_with_time_zone_null(Transfers::DisputeDueAt))
                .col(timestamp_with_time_zone_null(Transfers::EscalatedAt))
                .col(string_null(Transfers::EscalatedToCode))
                .col(string_null(Transfers::EscalatedToName))
                .foreign_key(
                    ForeignKey::create()
                        .from(Transfers::Table, Transfers::CaseId)
                        .to(Cases::Table, Cases::Id),
                )
                .to_owned(),
        )
        .await?;
        for (name, cols) in [
            (
                "idx_transfers_case",
                vec![Transfers::CaseId, Transfers::Status],
            ),
            (
                "idx_transfers_to_bureau",
                vec![Transfers::ToBureauCode, Transfers::Status],
            ),
            (
                "idx_transfers_from_bureau",
                vec![Transfers::FromBureauCode, Transfers::Status],
            ),
            (
                "idx_transfers_dispute_due",
                vec![Transfers::Status, Transfers::DisputeDueAt],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(Transfers::Table);
            for col in cols {
                index.col(col);
            }
            m.create_index(index.to_owned()).await?;
        }
        m.create_table(
            Table::create()
                .table(Incidents::Table)
                .col(string(Incidents::Id).primary_key())
                .col(string(Incidents::Title))
                .col(text_null(Incidents::Description))
                .col(string(Incidents::CreatedByBureauCode))
                .col(timestamp_with_time_zone(Incidents::CreatedAt))
                .to_owned(),
        )
        .await?;
        // A case belongs to at most one incident: the case id is the key.
        m.create_table(
            Table::create()
                .table(IncidentCases::Table)
                .col(string(IncidentCases::CaseId).primary_key())
                .col(string(IncidentCases::IncidentId))
                .col(timestamp_with_time_zone(IncidentCases::LinkedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(IncidentCases::Table, IncidentCases::CaseId)
                        .to(Cases::Table, Cases::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(IncidentCases::Table, IncidentCases::IncidentId)
                        .to(Incidents::Table, Incidents::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_incident_cases_incident")
                .table(IncidentCases::Table)
                .col(IncidentCases::IncidentId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(JointSessions::Table)
                .col(string(JointSessions::Id).primary_key())
                .col(string(JointSessions::IncidentId))
                .col(timestamp_with_time_zone(JointSessions::HeldAt))
                .col(string(JointSessions::Mode))
                .col(string_null(JointSessions::Link))
                .col(text(JointSessions::BureauCodes))
                .col(text_null(JointSessions::Note))
                .col(timestamp_with_time_zone(JointSessions::RecordedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(JointSessions::Table, JointSessions::IncidentId)
                        .to(Incidents::Table, Incidents::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_joint_sessions_incident")
                .table(JointSessions::Table)
                .col(JointSessions::IncidentId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ReturnBrands::Table)
                .col(string(ReturnBrands::Id).primary_key())
                .col(string_uniq(ReturnBrands::Name))
                .col(string_null(ReturnBrands::Uscc))
                .col(text(ReturnBrands::Promise))
                .col(string(ReturnBrands::CreatedByBureauCode))
                .col(timestamp_with_time_zone(ReturnBrands::CreatedAt))
                .col(timestamp_with_time_zone(ReturnBrands::UpdatedAt))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "return_brands",
            "joint_sessions",
            "incident_cases",
            "incidents",
            "transfers",
        ] {
            m.drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        for index in [
            "idx_cases_received_by_station",
            "idx_cases_dispute_division",
        ] {
            m.drop_index(Index::drop().name(index).table(Cases::Table).to_owned())
                .await?;
        }
        for col in [Cases::ReturnPromise, Cases::ReceivedByStationId] {
            m.alter_table(
                Table::alter()
                    .table(Cases::Table)
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
