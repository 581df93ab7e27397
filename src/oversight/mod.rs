//! Oversight: early warnings (mass complaints, serial complainants), the weekly ranking, the 12315
//! statistics and public complaint disclosure.

pub mod alert_kind;
pub mod disclosure;
pub mod http;
pub mod statistics;
pub mod warnings;

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{
    Asterisk, Expr, ExprTrait, OnConflict, Query, SelectStatement, SubQueryStatement,
};
use sea_orm::{ColumnTrait, ConnectionTrait, NotSet, QueryResult, Set};
use serde_json::json;

use crate::accounts::mailboxes::{self, Unit};
use crate::actor::Actor;
use crate::actor::Role;
use crate::cases::CaseKind;
use crate::config::Settings;
use crate::db::Writes;
use crate::entities::{alert, case, case_event};
use crate::mail::{self, Mail};
use alert_kind::AlertKind;

/// The early warnings a new complaint brings due (its threshold reached, none open yet), read
/// before the complaint is written and raised in the same write.
pub struct DueAlerts {
    /// Complaints against the business within the window, this one included, counted up to the
    /// threshold.
    mass: Option<u64>,
    /// Businesses the complainant complained about within the window, this one included, counted
    /// up to the threshold.
    serial: Option<u64>,
}

/// Complaints against a business in a bureau since `since`.
fn against_business(
    bureau_code: &str,
    respondent_key: &str,
    since: DateTime<Utc>,
) -> SelectStatement {
    Query::select()
        .expr(Expr::val(1))
        .from(case::Entity)
        .and_where(case::Column::Kind.eq(CaseKind::Complaint))
        .and_where(case::Column::BureauCode.eq(bureau_code))
        .and_where(case::Column::RespondentKey.eq(respondent_key))
        .and_where(case::Column::ReceivedAt.gte(since))
        .to_owned()
}

/// The distinct businesses a complainant complained about since `since`.
fn businesses_of(complainant_key: &str, since: DateTime<Utc>) -> SelectStatement {
    Query::select()
        .distinct()
        .column(case::Column::RespondentKey)
        .from(case::Entity)
        .and_where(case::Column::Kind.eq(CaseKind::Complaint))
        .and_where(case::Column::ComplainantKey.eq(complainant_key))
        .and_where(case::Column::ReceivedAt.gte(since))
        .to_owned()
}

fn count_of(rows: SelectStatement) -> Expr {
    let counted = Query::select()
        .expr(Expr::col(Asterisk).count())
        .from_subquery(rows, "counted")
        .to_owned();
    Expr::SubQuery(None, Box::new(SubQueryStatement::SelectStatement(counted)))
}

fn open_alert(kind: AlertKind, bureau_code: &str, subject_key: &str) -> Expr {
    Expr::exists(
        Query::select()
            .expr(Expr::val(1))
            .from(alert::Entity)
            .and_where(alert::Column::Kind.eq(kind))
            .and_where(alert::Column::BureauCode.eq(bureau_code))
            .and_where(alert::Column::SubjectKey.eq(subject_key))
            .and_where(alert::Column::OpenMarker.eq(1))
            .to_owned(),
    )
}

/// The columns that tell which warnings a complaint about to be filed brings due, for intake's
/// one look-up query (every intake asks); [`due_alerts`] reads them back. The counts stop at the
/// thresholds, so a business under a wave of complaints costs no more to check than one with few.
pub fn due_alert_columns(
    settings: &Settings,
    bureau_code: &str,
    respondent_key: &str,
    complainant_key: &str,
    now: DateTime<Utc>,
) -> [(Expr, &'static str); 4] {
    let mass_since = now - Duration::days(settings.mass_complaint_window_days);
    let serial_since = now - Duration::days(settings.serial_complainant_window_days);
    // This complaint is not written yet: one fewer earlier case reaches the threshold.
    let earlier = |threshold: u64| threshold.saturating_sub(1);
    let mass = against_business(bureau_code, respondent_key, mass_since)
        .limit(earlier(settings.mass_complaint_threshold))
        .to_owned();
    let serial = businesses_of(complainant_key, serial_since)
        .and_where(case::Column::RespondentKey.ne(respondent_key))
        .limit(earlier(settings.serial_complainant_threshold))
        .to_owned();
    [
        (count_of(mass), "alert_mass"),
        (count_of(serial), "alert_serial"),
        (
            open_alert(AlertKind::MassComplaint, bureau_code, respondent_key),
            "alert_mass_open",
        ),
        (
            open_alert(AlertKind::SerialComplainant, bureau_code, complainant_key),
            "alert_serial_open",
        ),
    ]
}

/// The warnings due, from a row with the [`due_alert_columns`]; `None` when nothing is due.
pub fn due_alerts(
    row: &QueryResult,
    settings: &Settings,
) -> Result<Option<DueAlerts>, sea_orm::DbErr> {
    let due = |count: &str, open: &str, threshold: u64| -> Result<Option<u64>, sea_orm::DbErr> {
        let n = row.try_get::<i64>("", count)? as u64 + 1;
        Ok((n >= threshold && !row.try_get::<bool>("", open)?).then_some(n))
    };
    let alerts = DueAlerts {
        mass: due(
            "alert_mass",
            "alert_mass_open",
            settings.mass_complaint_threshold,
        )?,
        serial: due(
            "alert_serial",
            "alert_serial_open",
            settings.serial_complainant_threshold,
        )?,
    };
    Ok((alerts.mass.is_some() || alerts.serial.is_some()).then_some(alerts))
}

/// For a complaint about to be filed, the alerts it brings due, added to its `writes` with their
/// entries on its `timeline` and the mail to the bureau's admins: the mass-complaint alert when its
/// business reached the threshold within the window, and the review flag for a complainant against
/// many businesses. At most one open alert per subject (a unique index): when two complaints bring
/// one due at the same instant, one alert is raised and both cases say so.
pub async fn raise_alerts(
    db: &impl ConnectionTrait,
    settings: &Settings,
    c: &case::Model,
    due: &DueAlerts,
    now: DateTime<Utc>,
    timeline: &mut Vec<case_event::ActiveModel>,
    writes: &mut Writes,
) -> Result<(), sea_orm::DbErr> {
    let admins = mailboxes::of(db, Role::BureauAdmin, Unit::Bureau(&c.bureau_code)).await?;
    let mut raise =
        |kind: AlertKind, subject_key: &str, subject_name: &str, count: u64, window_days: i64| {
            writes.insert_on_conflict(
                alert::ActiveModel {
                    id: NotSet,
                    bureau_code: Set(c.bureau_code.clone()),
                    kind: Set(kind),
                    subject_key: Set(subject_key.into()),
                    subject_name: Set(subject_name.into()),
                    case_count: Set(count as i32),
                    window_days: Set(window_days as i32),
                    raised_at: Set(now),
                    open_marker: Set(Some(1)),
                    acknowledged_at: Set(None),
                    acknowledged_by: Set(None),
                },
                OnConflict::columns([
                    alert::Column::Kind,
                    alert::Column::BureauCode,
                    alert::Column::SubjectKey,
                    alert::Column::OpenMarker,
                ])
                .do_nothing()
                .to_owned(),
            );
            timeline.push(crate::cases::journal::event(
                &c.id,
                &format!("alert_{kind}"),
                &Actor::System,
                false,
                json!({"count": count}),
                now,
            ));
            let label = if kind == AlertKind::MassComplaint {
                "群体投诉预警"
            } else {
                "重复投诉人提示"
            };
            let mail = Mail {
                to: admins.clone(),
                subject: format!("【{label}】{subject_name}"),
                body: format!(
                    "{window_days}天内相关投诉 {count} 件（最近一件：{}）。请关注并核查。",
                    c.receipt_number
                ),
                attachments: Vec::new(),
                secret: None,
            };
            writes.insert_many(mail::outbox_row(
                &mail,
                Some(&format!("alert:{kind}:{}:{}", c.bureau_code, c.id)),
                now,
            ));
        };
    if let Some(count) = due.mass {
        raise(
            AlertKind::MassComplaint,
            &c.respondent_key,
            &c.respondent_name,
            count,
            settings.mass_complaint_window_days,
        );
    }
    if let (Some(count), Some(key)) = (due.serial, &c.complainant_key) {
        // The subject is the complainant's key (a hash), never their name.
        raise(
            AlertKind::SerialComplainant,
            key,
            "同一投诉人多次投诉不同经营者（待核查，不影响受理）",
            count,
            settings.serial_complainant_window_days,
        );
    }
    Ok(())
}

/// How many complaints an open alert stands for now, over its window back from `now`: counted
/// when the bureau looks rather than kept up to date by every intake.
pub async fn current_count(
    db: &impl ConnectionTrait,
    a: &alert::Model,
    now: DateTime<Utc>,
) -> Result<i64, sea_orm::DbErr> {
    let since = now - Duration::days(a.window_days.into());
    let rows = if a.kind == AlertKind::MassComplaint {
        against_business(&a.bureau_code, &a.subject_key, since)
    } else {
        businesses_of(&a.subject_key, since)
    };
    let query = Query::select().expr_as(count_of(rows), "n").to_owned();
    let row = db
        .query_one_raw(db.get_database_backend().build(&query))
        .await?
        .ok_or_else(|| sea_orm::DbErr::RecordNotFound("alert count".into()))?;
    row.try_get::<i64>("", "n")
}
