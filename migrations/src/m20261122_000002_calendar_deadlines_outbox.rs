//! Uploaded calendar years, clock pauses, reminder marks on deadlines, the mail outbox, and the
//! non-working-day urgent queue with its duty roster.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CalendarYears {
    Table,
    Year,
    Doc,
    UploadedAt,
    UploadedBy,
}

#[derive(DeriveIden)]
enum Deadlines {
    Table,
    DueSoonNotifiedAt,
    OverdueNotifiedAt,
    Extended,
}

#[derive(DeriveIden)]
enum CasePauses {
    Table,
    Id,
    CaseId,
    Reason,
    Note,
    StartedAt,
    EndedAt,
    StartedBy,
}

#[derive(DeriveIden)]
enum Outbox {
    Table,
    Id,
    DedupeKey,
    Recipients,
    Subject,
    Body,
    Attachments,
    Status,
    Attempts,
    NextAttemptAt,
    LockedUntil,
    LastError,
    CreatedAt,
    SentAt,
}

#[derive(DeriveIden)]
enum UrgentItems {
    Table,
    Id,
    CaseId,
    BureauCode,
    Category,
    ReceivedAt,
    Status,
    ClaimedBy,
    ClaimedAt,
    FirstContactDueAt,
    FirstContactAt,
    FirstContactOnTime,
    FirstContactNote,
    ResolvedAt,
    Resolution,
}

#[derive(DeriveIden)]
enum DutyRoster {
    Table,
    Id,
    BureauCode,
    UserId,
    StartsAt,
    EndsAt,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(CalendarYears::Table)
                .col(integer(CalendarYears::Year).primary_key())
                .col(text(CalendarYears::Doc))
                .col(timestamp_with_time_zone(CalendarYears::UploadedAt))
                .col(string_null(CalendarYears::UploadedBy))
                .to_owned(),
        )
        .await?;
        // SQLite adds one column per ALTER TABLE.
        for col in [
            timestamp_with_time_zone_null(Deadlines::DueSoonNotifiedAt),
            timestamp_with_time_zone_null(Deadlines::OverdueNotifiedAt),
            boolean(Deadlines::Extended).default(false).to_owned(),
        ] {
            m.alter_table(
                Table::alter()
                    .table(Deadlines::Table)
                    .add_column(col)
                    .to_owned(),
            )
            .await?;
        }
        m.create_table(
            Table::create()
                .table(CasePauses::Table)
                .col(big_pk_auto(CasePauses::Id))
                .col(string(CasePauses::CaseId))
                .col(string(CasePauses::Reason))
                .col(text_null(CasePauses::Note))
                .col(timestamp_with_time_zone(CasePauses::StartedAt))
                .col(timestamp_with_time_zone_null(CasePauses::EndedAt))
                .col(string_null(CasePauses::StartedBy))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_case_pauses_case")
                .table(CasePauses::Table)
                .col(CasePauses::CaseId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Outbox::Table)
                .col(big_pk_auto(Outbox::Id))
                .col(string_null(Outbox::DedupeKey).unique_key())
                .col(text(Outbox::Recipients))
                .col(text(Outbox::Subject))
                .col(text(Outbox::Body))
                .col(text(Outbox::Attachments))
                .col(string(Outbox::Status))
                .col(integer(Outbox::Attempts))
                .col(timestamp_with_time_zone(Outbox::NextAttemptAt))
                .col(timestamp_with_time_zone_null(Outbox::LockedUntil))
                .col(text_null(Outbox::LastError))
                .col(timestamp_with_time_zone(Outbox::CreatedAt))
                .col(timestamp_with_time_zone_null(Outbox::SentAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_outbox_due")
                .table(Outbox::Table)
                .col(Outbox::Status)
                .col(Outbox::NextAttemptAt)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(UrgentItems::Table)
                .col(big_pk_auto(UrgentItems::Id))
                .col(string_uniq(UrgentItems::CaseId))
                .col(string(UrgentItems::BureauCode))
                .col(string(UrgentItems::Category))
                .col(timestamp_with_time_zone(UrgentItems::ReceivedAt))
                .col(string(UrgentItems::Status))
                .col(string_null(UrgentItems::ClaimedBy))
                .col(timestamp_with_time_zone_null(UrgentItems::ClaimedAt))
                .col(timestamp_with_time_zone(UrgentItems::FirstContactDueAt))
                .col(timestamp_with_time_zone_null(UrgentItems::FirstContactAt))
                .col(boolean_null(UrgentItems::FirstContactOnTime))
                .col(text_null(UrgentItems::FirstContactNote))
                .col(timestamp_with_time_zone_null(UrgentItems::ResolvedAt))
                .col(text_null(UrgentItems::Resolution))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_urgent_items_queue")
                .table(UrgentItems::Table)
                .col(UrgentItems::BureauCode)
                .col(UrgentItems::Status)
                .col(UrgentItems::ReceivedAt)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(DutyRoster::Table)
                .col(big_pk_auto(DutyRoster::Id))
                .col(string(DutyRoster::BureauCode))
                .col(string(DutyRoster::UserId))
                .col(timestamp_with_time_zone(DutyRoster::StartsAt))
                .col(timestamp_with_time_zone(DutyRoster::EndsAt))
                .col(timestamp_with_time_zone(DutyRoster::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_duty_roster_bureau")
                .table(DutyRoster::Table)
                .col(DutyRoster::BureauCode)
                .col(DutyRoster::StartsAt)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "duty_roster",
            "urgent_items",
            "outbox",
            "case_pauses",
            "calendar_years",
        ] {
            m.drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        for col in ["due_soon_notified_at", "overdue_notified_at", "extended"] {
            m.alter_table(
                Table::alter()
                    .table(Deadlines::Table)
                    .drop_column(Alias::new(col))
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
