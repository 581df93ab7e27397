//! The deadline sweeper: flags deadlines due soon and overdue and mails whoever must act, once.
//! Safe with several instances: each flag is set by a conditional update in the same transaction
//! as its mail, so exactly one instance wins it, and a crash before commit leaves it for the next sweep.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Asia::Shanghai;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QuerySelect};
use serde_json::json;

use super::DeadlineKind;
use crate::actor::{Actor, Role};
use crate::cases::journal::append_event;
use crate::deadlines::DeadlineStatus;
use crate::entities::{case, deadline, user};
use crate::mail::{self, Mail};

#[derive(Debug, Default, PartialEq, Eq)]
pub struct SweepReport {
    pub due_soon: usize,
    pub overdue: usize,
}

#[derive(Clone, Copy)]
enum Flag {
    DueSoon,
    Overdue,
}

impl Flag {
    fn column(self) -> deadline::Column {
        match self {
            Flag::DueSoon => deadline::Column::DueSoonNotifiedAt,
            Flag::Overdue => deadline::Column::OverdueNotifiedAt,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Flag::DueSoon => "due_soon",
            Flag::Overdue => "overdue",
        }
    }
}

/// One pass: deadlines within `lead` of their due instant, then those past it.
pub async fn sweep(
    db: &DatabaseConnection,
    lead: Duration,
    now: DateTime<Utc>,
) -> Result<SweepReport, DbErr> {
    let mut report = SweepReport::default();
    let soon = deadline::Entity::find()
        .filter(deadline::Column::Status.eq(DeadlineStatus::Open))
        .filter(deadline::Column::DueSoonNotifiedAt.is_null())
        .filter(deadline::Column::OverdueNotifiedAt.is_null())
        .filter(deadline::Column::DueAt.gt(now))
        .filter(deadline::Column::DueAt.lte(now + lead))
        .limit(500)
        .all(db)
        .await?;
    for d in soon {
        report.due_soon += usize::from(flag(db, d, Flag::DueSoon, now).await?);
    }
    let overdue = deadline::Entity::find()
        .filter(deadline::Column::Status.eq(DeadlineStatus::Open))
        .filter(deadline::Column::OverdueNotifiedAt.is_null())
        .filter(deadline::Column::DueAt.lte(now))
        .limit(500)
        .all(db)
        .await?;
    for d in overdue {
        report.overdue += usize::from(flag(db, d, Flag::Overdue, now).await?);
    }
    Ok(report)
}

/// Sends the due-soon reminder of one deadline now, whatever the general lead (the ODR desk is
/// reminded two working days ahead, see `odr::remind_desks`); false when it was already sent.
pub async fn remind_due_soon(
    db: &DatabaseConnection,
    d: deadline::Model,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    flag(db, d, Flag::DueSoon, now).await
}

async fn flag(
    db: &DatabaseConnection,
    d: deadline::Model,
    flag: Flag,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let txn = crate::db::begin_write(db).await?;
    let won = deadline::Entity::update_many()
        .col_expr(flag.column(), Expr::value(now))
        .filter(deadline::Column::Id.eq(d.id))
        .filter(deadline::Column::Status.eq(DeadlineStatus::Open))
        .filter(flag.column().is_null())
        .exec(&txn)
        .await?
        .rows_affected
        == 1;
    if !won {
        txn.rollback().await?;
        return Ok(false);
    }
    let Some(c) = case::Entity::find_by_id(d.case_id.clone())
        .one(&txn)
        .await?
    else {
        txn.commit().await?;
        return Ok(true);
    };
    let recipients = who_must_act(&txn, &c, d.kind, now).await?;
    let due_local = d.due_at.with_timezone(&Shanghai).format("%Y-%m-%d %H:%M");
    let (subject, lead) = match flag {
        Flag::DueSoon => (
            format!(
                "【即将到期】{} {} 期限 {due_local}",
                c.receipt_number, d.kind
            ),
            "即将到期",
        ),
        Flag::Overdue => (
            format!("【已超期】{} {} 期限 {due_local}", c.receipt_number, d.kind),
            "已超期",
        ),
    };
    let body = format!(
        "案件 {receipt}（{kind_of_case}）的 {kind} 期限{lead}。\n期限：{due_local}（北京时间）\n被投诉/举报人：{respondent}\n请登录系统处理。\n\nDeadline {kind} of case {receipt} is {flag}; due {due_local} Asia/Shanghai.",
        receipt = c.receipt_number,
        kind_of_case = c.kind,
        kind = d.kind,
        respondent = c.respondent_name,
        flag = flag.name(),
    );
    let mail = Mail {
        to: recipients.clone(),
        subject,
        body,
        attachments: Vec::new(),
        secret: None,
    };
    let queued = mail::enqueue(
        &txn,
        &mail,
        Some(&format!("deadline:{}:{}", d.id, flag.name())),
        now,
    )
    .await?;
    append_event(
        &txn,
        &c.id,
        &format!("deadline_{}", flag.name()),
        &Actor::System,
        false,
        json!({"deadline": d.kind, "due_at": d.due_at, "reminded": recipients, "mail_queued": queued}),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(true)
}

/// The mail addresses of whoever must act on a deadline of this kind.
pub async fn who_must_act(
    db: &impl sea_orm::ConnectionTrait,
    c: &case::Model,
    kind: DeadlineKind,
    now: DateTime<Utc>,
) -> Result<Vec<String>, DbErr> {
    use crate::accounts::mailboxes::{self, Unit};
    let bureau = Unit::Bureau(&c.bureau_code);
    let mut emails = match kind {
        DeadlineKind::OdrSettlement => match &c.business_id {
            Some(b) => mailboxes::of(db, Role::EnterpriseAgent, Unit::Business(b)).await?,
            None => Vec::new(),
        },
        DeadlineKind::ReportVerification
        | DeadlineKind::ClueVerification
        | DeadlineKind::ReporterNotice => {
            mailboxes::of(db, Role::EnforcementOfficer, bureau).await?
        }
        DeadlineKind::UrgentFirstContact => {
            let on_duty = crate::urgent::on_duty_user_ids(db, &c.bureau_code, now).await?;
            user::Entity::find()
                .filter(user::Column::Id.is_in(on_duty))
                .filter(user::Column::Email.is_not_null())
                .all(db)
                .await?
                .into_iter()
                .filter_map(|u| u.email)
                .collect()
        }
        DeadlineKind::JurisdictionDispute => Vec::new(),
        DeadlineKind::Acceptance
        | DeadlineKind::Mediation
        | DeadlineKind::TerminationNotice
        | DeadlineKind::ReturnVisit => match &c.station_id {
            Some(s) => mailboxes::of(db, Role::Mediator, Unit::Station(s)).await?,
            None => Vec::new(),
        },
    };
    if emails.is_empty() {
        emails = mailboxes::of(db, Role::BureauAdmin, bureau).await?;
    }
    emails.sort();
    emails.dedup();
    Ok(emails)
}
