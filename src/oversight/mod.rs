//! Oversight: early warnings (mass complaints, serial complainants), the weekly ranking, the 12315
//! statistics and public complaint disclosure.

pub mod disclosure;
pub mod http;
pub mod statistics;

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Asterisk, Expr, ExprTrait, OnConflict, Query, SubQueryStatement};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, NotSet, QueryFilter, Set};
use serde_json::json;

use crate::audit::Actor;
use crate::config::Settings;
use crate::entities::{alert, case, user};
use crate::mail::{self, Mail};

/// After a complaint is filed: a mass-complaint alert when the business reaches the threshold
/// within the window, and a review flag for a complainant against many businesses. At most one
/// open alert per subject (a unique index), so concurrent intakes raise it once.
pub async fn check_alerts(
    db: &impl ConnectionTrait,
    settings: &Settings,
    c: &case::Model,
    now: DateTime<Utc>,
) -> Result<(), sea_orm::DbErr> {
    if c.kind != "complaint" {
        return Ok(());
    }
    // Both counts in one round trip: this runs inside every intake.
    let mass = Query::select()
        .expr(Expr::col(Asterisk).count())
        .from(case::Entity)
        .and_where(case::Column::Kind.eq("complaint"))
        .and_where(case::Column::BureauCode.eq(c.bureau_code.as_str()))
        .and_where(case::Column::RespondentKey.eq(c.respondent_key.as_str()))
        .and_where(
            case::Column::ReceivedAt.gte(now - Duration::days(settings.mass_complaint_window_days)),
        )
        .to_owned();
    let serial = Query::select()
        .expr(Expr::col(case::Column::RespondentKey).count_distinct())
        .from(case::Entity)
        .and_where(case::Column::Kind.eq("complaint"))
        .and_where(case::Column::ComplainantKey.eq(c.complainant_key.clone()))
        .and_where(
            case::Column::ReceivedAt
                .gte(now - Duration::days(settings.serial_complainant_window_days)),
        )
        .to_owned();
    let counts = Query::select()
        .expr_as(
            Expr::SubQuery(None, Box::new(SubQueryStatement::SelectStatement(mass))),
            "mass",
        )
        .expr_as(
            Expr::SubQuery(None, Box::new(SubQueryStatement::SelectStatement(serial))),
            "serial",
        )
        .to_owned();
    let row = db
        .query_one_raw(db.get_database_backend().build(&counts))
        .await?
        .ok_or_else(|| sea_orm::DbErr::RecordNotFound("alert counts".into()))?;
    let against = row.try_get::<i64>("", "mass")? as u64;
    if against >= settings.mass_complaint_threshold {
        raise(
            db,
            c,
            "mass_complaint",
            &c.respondent_key,
            &c.respondent_name,
            against,
            settings.mass_complaint_window_days,
            now,
        )
        .await?;
    }
    if let Some(key) = &c.complainant_key {
        let n = row.try_get::<i64>("", "serial")? as u64;
        if n >= settings.serial_complainant_threshold {
            // The subject is the complainant's key (a hash), never their name.
            raise(
                db,
                c,
                "serial_complainant",
                key,
                "同一投诉人多次投诉不同经营者（待核查，不影响受理）",
                n,
                settings.serial_complainant_window_days,
                now,
            )
            .await?;
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn raise(
    db: &impl ConnectionTrait,
    c: &case::Model,
    kind: &str,
    subject_key: &str,
    subject_name: &str,
    count: u64,
    window_days: i64,
    now: DateTime<Utc>,
) -> Result<(), sea_orm::DbErr> {
    let inserted = alert::Entity::insert(alert::ActiveModel {
        id: NotSet,
        bureau_code: Set(c.bureau_code.clone()),
        kind: Set(kind.into()),
        subject_key: Set(subject_key.into()),
        subject_name: Set(subject_name.into()),
        case_count: Set(count as i32),
        window_days: Set(window_days as i32),
        raised_at: Set(now),
        open_marker: Set(Some(1)),
        acknowledged_at: Set(None),
        acknowledged_by: Set(None),
    })
    .on_conflict(
        OnConflict::columns([
            alert::Column::Kind,
            alert::Column::BureauCode,
            alert::Column::SubjectKey,
            alert::Column::OpenMarker,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    if inserted == 0 {
        // Already open: keep its count current.
        alert::Entity::update_many()
            .col_expr(alert::Column::CaseCount, Expr::value(count as i32))
            .filter(alert::Column::Kind.eq(kind))
            .filter(alert::Column::BureauCode.eq(c.bureau_code.as_str()))
            .filter(alert::Column::SubjectKey.eq(subject_key))
            .filter(alert::Column::OpenMarker.eq(1))
            .exec(db)
            .await?;
        return Ok(());
    }
    crate::cases::append_event(
        db,
        &c.id,
        &format!("alert_{kind}"),
        &Actor::System,
        false,
        json!({"count": count}),
        now,
    )
    .await?;
    let admins: Vec<String> = user::Entity::find()
        .filter(user::Column::Role.eq("bureau_admin"))
        .filter(user::Column::BureauCode.eq(c.bureau_code.as_str()))
        .filter(user::Column::Active.eq(true))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|u| u.email)
        .collect();
    let label = if kind == "mass_complaint" {
        "群体投诉预警"
    } else {
        "重复投诉人提示"
    };
    let mail = Mail {
        to: admins,
        subject: format!("【{label}】{subject_name}"),
        body: format!(
            "{window_days}天内相关投诉 {count} 件（最近一件：{}）。请关注并核查。",
            c.receipt_number
        ),
        attachments: Vec::new(),
    };
    mail::enqueue(
        db,
        &mail,
        Some(&format!("alert:{kind}:{}:{}", c.bureau_code, c.id)),
        now,
    )
    .await?;
    Ok(())
}
