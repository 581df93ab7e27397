//! 诉转案 (and its sampling and supervision variants): a violation clue found in a complaint
//! becomes a lead for the competent bureau's enforcement officers, who accept, verify, decide
//! (立案 / 不予立案) and record the result. Every step flows back to the complaint's timeline; an
//! overdue lead escalates, so every lead ends with an answer (件件有着落，事事有回音). The complaint
//! goes on independently.

pub mod http;
pub mod open;
pub mod read;
pub mod status;
pub mod steps;
pub mod view;

pub use status::{Decision, LeadKind, LeadStatus};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter};
use serde_json::json;

use crate::accounts::mailboxes::{self, Unit};
use crate::actor::Actor;
use crate::actor::Role;
use crate::cases::access;
use crate::cases::journal::{self, Entry};
use crate::deadlines::DeadlineKind;
use crate::deadlines::DeadlineStatus;
use crate::domain::faults::failure;
use crate::entities::{case, deadline, lead};
use crate::mail::{self, Mail};

/// What can go wrong with a step on a lead.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("no lead {0}")]
    NoLead(i64),
    #[error("leads come from complaints; reports are decided directly")]
    NotAComplaint,
    #[error("this complaint already has a lead")]
    Exists,
    #[error("the lead is {is}; it must be {must_be}")]
    Step { is: LeadStatus, must_be: LeadStatus },
    #[error("{0} missing")]
    Missing(&'static str),
    #[error(transparent)]
    Access(#[from] access::Error),
    #[error(transparent)]
    Db(#[from] DbErr),
}

failure!(Error {
    Error::NoLead(_) => NotFound, "not_found";
    Error::NotAComplaint => Conflict, "not_a_complaint";
    Error::Exists => Conflict, "lead_exists";
    Error::Step { .. } => Conflict, "invalid_transition";
    Error::Missing(_) => Internal, "internal_error";
} passes [Access, Db]);

/// Escalates leads whose verification window passed without a decision: once each, mailing the
/// bureau's admins. Safe with several instances (conditional update on `escalated_at`).
pub async fn escalate_overdue(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<usize, DbErr> {
    let overdue = deadline::Entity::find()
        .filter(deadline::Column::Kind.eq(DeadlineKind::ClueVerification))
        .filter(deadline::Column::Status.eq(DeadlineStatus::Open))
        .filter(deadline::Column::DueAt.lte(now))
        .all(db)
        .await?;
    let mut escalated = 0;
    for d in overdue {
        let txn = crate::db::begin_write(db).await?;
        let Some(l) = lead::Entity::find()
            .filter(lead::Column::CaseId.eq(d.case_id.as_str()))
            .filter(lead::Column::DecidedAt.is_null())
            .filter(lead::Column::EscalatedAt.is_null())
            .one(&txn)
            .await?
        else {
            txn.rollback().await?;
            continue;
        };
        let won = lead::Entity::update_many()
            .col_expr(lead::Column::EscalatedAt, Expr::value(now))
            .filter(lead::Column::Id.eq(l.id))
            .filter(lead::Column::EscalatedAt.is_null())
            .exec(&txn)
            .await?
            .rows_affected
            == 1;
        if !won {
            txn.rollback().await?;
            continue;
        }
        let admins = mailboxes::of(&txn, Role::BureauAdmin, Unit::Bureau(&l.bureau_code)).await?;
        let receipt = case::Entity::find_by_id(l.case_id.clone())
            .one(&txn)
            .await?
            .map(|c| c.receipt_number)
            .unwrap_or_default();
        let mail = Mail {
            to: admins,
            subject: format!("【诉转案超期】线索 {} 未在核查期限内作出决定", l.id),
            body: format!(
                "来源投诉 {receipt} 的违法线索（{}）已超过核查期限仍未作出立案决定，请督办。",
                l.act
            ),
            attachments: Vec::new(),
            secret: None,
        };
        mail::enqueue(&txn, &mail, Some(&format!("lead:{}:escalated", l.id)), now).await?;
        journal::record(
            &txn,
            &Actor::System,
            &l.case_id,
            Entry {
                event: "lead_escalated",
                public: false,
                detail: json!({"lead_id": l.id}),
                action: "lead.escalate",
                audit: json!({"lead_id": l.id}),
            },
            now,
        )
        .await?;
        txn.commit().await?;
        escalated += 1;
    }
    Ok(escalated)
}
