//! Schema migrations for xiaobao, one file per change, applied in order.

pub use sea_orm_migration::prelude::*;

mod m20261122_000001_create_foundation;
mod m20261122_000002_calendar_deadlines_outbox;
mod m20261122_000003_routing_and_zone;
mod m20261122_000004_case_lifecycle;
mod m20261122_000005_mediation;
mod m20261122_000006_odr;
mod m20261122_000007_reports_leads_oversight;
mod m20261122_000010_statistics_indexes;
mod m20261122_000011_login_failures;
mod m20261122_000012_outbox_batch_claims;
mod m20261122_000013_intake_indexes;
mod m20261203_000014_track_failures;
mod m20261203_000015_complaint_drafts;
mod m20261203_000016_outbox_secret;
mod m20261203_000017_audit_no_truncate;
mod m20261203_000018_case_ratings;
mod m20261203_000021_work_list_index;
mod m20261203_000022_evidence_files;
mod m20261203_000023_return_visits;
mod m20261203_000024_evidence_thumbnails;
mod m20261207_000025_respondent_name_search;
mod m20261207_000026_deadline_scope;
mod m20261208_000027_search_in_scope;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_create_foundation::Migration),
            Box::new(m20261122_000002_calendar_deadlines_outbox::Migration),
            Box::new(m20261122_000003_routing_and_zone::Migration),
            Box::new(m20261122_000004_case_lifecycle::Migration),
            Box::new(m20261122_000005_mediation::Migration),
            Box::new(m20261122_000006_odr::Migration),
            Box::new(m20261122_000007_reports_leads_oversight::Migration),
            Box::new(m20261122_000010_statistics_indexes::Migration),
            Box::new(m20261122_000011_login_failures::Migration),
            Box::new(m20261122_000012_outbox_batch_claims::Migration),
            Box::new(m20261122_000013_intake_indexes::Migration),
            Box::new(m20261203_000014_track_failures::Migration),
            Box::new(m20261203_000015_complaint_drafts::Migration),
            Box::new(m20261203_000016_outbox_secret::Migration),
            Box::new(m20261203_000017_audit_no_truncate::Migration),
            Box::new(m20261203_000018_case_ratings::Migration),
            Box::new(m20261203_000021_work_list_index::Migration),
            Box::new(m20261203_000022_evidence_files::Migration),
            Box::new(m20261203_000023_return_visits::Migration),
            Box::new(m20261203_000024_evidence_thumbnails::Migration),
            Box::new(m20261207_000025_respondent_name_search::Migration),
            Box::new(m20261207_000026_deadline_scope::Migration),
            Box::new(m20261208_000027_search_in_scope::Migration),
        ]
    }
}

/// Runs `sql` on PostgreSQL, for the migrations that only PostgreSQL needs (SQLite has no such
/// index, trigger or extension).
async fn on_postgres(m: &SchemaManager<'_>, sql: &str) -> Result<(), DbErr> {
    if m.get_database_backend() == sea_orm_migration::sea_orm::DbBackend::Postgres {
        m.get_connection().execute_unprepared(sql).await?;
    }
    Ok(())
}
