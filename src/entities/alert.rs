use sea_orm::entity::prelude::*;

use crate::oversight::alert_kind::AlertKind;

/// An early warning to a bureau: a mass complaint against one business, or a serial complainant
/// to review (never to refuse automatically).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "alerts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub bureau_code: String,
    /// `mass_complaint` or `serial_complainant`.
    pub kind: AlertKind,
    pub subject_key: String,
    pub subject_name: String,
    pub case_count: i32,
    pub window_days: i32,
    pub raised_at: DateTimeUtc,
    pub open_marker: Option<i32>,
    pub acknowledged_at: Option<DateTimeUtc>,
    pub acknowledged_by: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
