//! 诉转案 leads with their feedback loop, early-warning alerts, report decisions, and the
//! indexes the statistics and rankings read.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Leads {
    Table,
    Id,
    CaseId,
    BureauCode,
    Kind,
    Status,
    Act,
    ActOn,
    Place,
    GoodsOrService,
    AmountFen,
    Evidence,
    SuggestedBasis,
    MediationOutcome,
    HandlingStationId,
    CreatedBy,
    CreatedAt,
    AcceptedBy,
    AcceptedAt,
    Decision,
    DecisionReason,
    DecidedAt,
    Result,
    ResultAt,
    EscalatedAt,
}

#[derive(DeriveIden)]
enum Alerts {
    Table,
    Id,
    BureauCode,
    Kind,
    SubjectKey,
    SubjectName,
    CaseCount,
    WindowDays,
    RaisedAt,
    OpenMarker,
    AcknowledgedAt,
    AcknowledgedBy,
}

#[derive(DeriveIden)]
enum Cases {
    Table,
    ReporterNotifiedAt,
    BureauCode,
    ClosedAt,
    ComplainantKey,
    ReceivedAt,
}

#[derive(DeriveIden)]
enum Deadlines {
    Table,
    Kind,
    DueAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Leads::Table)
                .col(big_pk_auto(Leads::Id))
                .col(string(Leads::CaseId))
                .col(string(Leads::BureauCode))
                .col(string(Leads::Kind))
                .col(string(Leads::Status))
                .col(text(Leads::Act))
                .col(date_null(Leads::ActOn))
                .col(text_null(Leads::Place))
                .col(text_null(Leads::GoodsOrService))
                .col(big_integer_null(Leads::AmountFen))
                .col(text(Leads::Evidence))
                .col(text_null(Leads::SuggestedBasis))
                .col(string_null(Leads::MediationOutcome))
                .col(string_null(Leads::HandlingStationId))
                .col(string(Leads::CreatedBy))
                .col(timestamp_with_time_zone(Leads::CreatedAt))
                .col(string_null(Leads::AcceptedBy))
                .col(timestamp_with_time_zone_null(Leads::AcceptedAt))
                .col(string_null(Leads::Decision))
                .col(text_null(Leads::DecisionReason))
                .col(timestamp_with_time_zone_null(Leads::DecidedAt))
                .col(text_null(Leads::Result))
                .col(timestamp_with_time_zone_null(Leads::ResultAt))
                .col(timestamp_with_time_zone_null(Leads::EscalatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_leads_bureau")
                .table(Leads::Table)
                .col(Leads::BureauCode)
                .col(Leads::Status)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_leads_case")
                .table(Leads::Table)
                .col(Leads::CaseId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Alerts::Table)
                .col(big_pk_auto(Alerts::Id))
                .col(string(Alerts::BureauCode))
                .col(string(Alerts::Kind))
                .col(string(Alerts::SubjectKey))
                .col(string(Alerts::SubjectName))
                .col(integer(Alerts::CaseCount))
                .col(integer(Alerts::WindowDays))
                .col(timestamp_with_time_zone(Alerts::RaisedAt))
                // 1 while open, NULL once acknowledged: at most one open alert per subject.
                .col(integer_null(Alerts::OpenMarker))
                .col(timestamp_with_time_zone_null(Alerts::AcknowledgedAt))
                .col(string_null(Alerts::AcknowledgedBy))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_alerts_open")
                .table(Alerts::Table)
                .col(Alerts::Kind)
                .col(Alerts::BureauCode)
                .col(Alerts::SubjectKey)
                .col(Alerts::OpenMarker)
                .unique()
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Cases::Table)
                .add_column(timestamp_with_time_zone_null(Cases::ReporterNotifiedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_cases_bureau_closed")
                .table(Cases::Table)
                .col(Cases::BureauCode)
                .col(Cases::ClosedAt)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_cases_complainant")
                .table(Cases::Table)
                .col(Cases::ComplainantKey)
                .col(Cases::ReceivedAt)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_deadlines_kind_due")
                .table(Deadlines::Table)
                .col(Deadlines::Kind)
                .col(Deadlines::DueAt)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in ["alerts", "leads"] {
            m.drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
