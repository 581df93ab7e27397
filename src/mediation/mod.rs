//! Mediation at the station (Order 20 Art 14–22, Order 121): accepting or refusing a complaint,
//! the consumer's withdrawal, mediators (assignment, recusal, delegation), sessions, outcomes, and
//! the 调解书 confirmed by both parties, then numbered, rendered, signed and verifiable. Every
//! notice to a party is queued in the outbox in the same transaction as the step it reports.

pub mod acceptance;
pub mod agreement;
pub mod document;
mod error;
pub mod http;
pub mod ics;
pub mod mediators;
pub mod outcome;
pub mod pdf;
pub mod sessions;
pub mod signing;
pub mod states;

pub use error::Error;

use std::collections::HashMap;
use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::accounts::mailboxes::{self, Unit};
use crate::actor::{Role, Staff};
use crate::cases::PartyRole;
use crate::cases::access::{self, Act};
use crate::deadlines::PauseReason;
use crate::deadlines::RuleSetId;
use crate::deadlines::pauses;
use crate::entities::{case, party, user};
use crate::mail::{self, Attachment, Mail};

/// A statutory ground for refusing a complaint or terminating mediation.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Ground {
    pub code: String,
    pub label: String,
    /// `verified` or `unverified`.
    pub status: String,
    pub source: String,
    /// The ground must be explained in words.
    #[serde(default)]
    pub needs_text: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Grounds {
    pub refusal: Vec<Ground>,
    pub termination: Vec<Ground>,
}

/// The grounds of every rule set, from data/grounds.toml.
static GROUNDS: LazyLock<HashMap<String, Grounds>> = LazyLock::new(|| {
    toml::from_str(include_str!("../../data/grounds.toml")).expect("shipped grounds are valid")
});

pub fn grounds(set: RuleSetId) -> &'static Grounds {
    GROUNDS
        .get(set.as_str())
        .expect("every rule set has grounds")
}

/// The ground `code` in `list`, checked and reported as a field error (with `text_field` when the
/// ground needs words and none came).
pub fn check_ground<'a>(
    list: &'a [Ground],
    code: &str,
    text: Option<&str>,
    field: &str,
    text_field: &str,
    faults: &mut crate::domain::faults::Faults,
) -> Option<&'a Ground> {
    let Some(g) = list.iter().find(|g| g.code == code) else {
        let codes: Vec<&str> = list.iter().map(|g| g.code.as_str()).collect();
        faults.add(
            field,
            format!(
                "not a ground of this case's rule set; one of {}",
                codes.join(", ")
            ),
        );
        return None;
    };
    if g.needs_text && text.is_none_or(|t| t.trim().is_empty()) {
        faults.add(text_field, "required for this ground");
    }
    Some(g)
}

/// A case seen by station staff (of its own station, for a mediator) or by the desk of its
/// business: its sessions and its agreement are theirs to read.
pub async fn party_case(
    db: &impl ConnectionTrait,
    me: &Staff,
    id: &str,
) -> Result<case::Model, access::Error> {
    let c = access::act_on(db, me, id, Act::ReadDocuments).await?;
    if me.role != Role::EnterpriseAgent {
        access::may_act(me, &c, Act::StationStep)?;
    }
    Ok(c)
}

/// A pending recusal application suspends the case: no step but the decision (or a withdrawal).
pub async fn ensure_not_suspended(db: &impl ConnectionTrait, c: &case::Model) -> Result<(), Error> {
    match pauses::running(db, &c.id).await? {
        Some(p) if p.reason == PauseReason::Recusal => Err(Error::Suspended),
        _ => Ok(()),
    }
}

/// A mediator of the case's station (of its bureau when no station handles it), active.
pub async fn station_mediator(
    db: &impl ConnectionTrait,
    c: &case::Model,
    user_id: &str,
) -> Result<Option<user::Model>, DbErr> {
    let found = user::Entity::find_by_id(user_id.to_owned())
        .filter(user::Column::Role.eq(Role::Mediator))
        .filter(user::Column::Active.eq(true))
        .one(db)
        .await?;
    Ok(found.filter(|u| match &c.station_id {
        Some(s) => u.station_id.as_ref() == Some(s),
        None => u.bureau_code.as_ref() == Some(&c.bureau_code),
    }))
}

/// The active mediators of the case's station (of its bureau when no station handles it), by
/// name: whom [`station_mediator`] admits, for a page to offer.
pub async fn station_mediators(
    db: &impl ConnectionTrait,
    c: &case::Model,
) -> Result<Vec<user::Model>, DbErr> {
    let found = user::Entity::find()
        .filter(user::Column::Role.eq(Role::Mediator))
        .filter(user::Column::Active.eq(true));
    let found = match &c.station_id {
        Some(s) => found.filter(user::Column::StationId.eq(s)),
        None => found.filter(user::Column::BureauCode.eq(&c.bureau_code)),
    };
    found.order_by_asc(user::Column::DisplayName).all(db).await
}

/// Where each side of a case is reached by mail.
#[derive(Debug, Default)]
pub struct Recipients {
    /// Complainants and representatives who gave an address.
    pub complainant: Vec<String>,
    /// The respondent's contact on the case and the business's desk accounts.
    pub respondent: Vec<String>,
}

impl Recipients {
    pub fn all(&self) -> Vec<String> {
        let mut all: Vec<String> = self
            .complainant
            .iter()
            .chain(&self.respondent)
            .cloned()
            .collect();
        all.sort();
        all.dedup();
        all
    }
}

pub async fn recipients(db: &impl ConnectionTrait, c: &case::Model) -> Result<Recipients, DbErr> {
    let parties = party::Entity::find()
        .filter(party::Column::CaseId.eq(&c.id))
        .filter(party::Column::Email.is_not_null())
        .all(db)
        .await?;
    let mut r = Recipients::default();
    for p in parties {
        let email = p.email.unwrap_or_default();
        match p.role {
            PartyRole::Complainant | PartyRole::Representative => r.complainant.push(email),
            PartyRole::Respondent => r.respondent.push(email),
            PartyRole::Reporter => {}
        }
    }
    if let Some(b) = &c.business_id {
        r.respondent
            .extend(mailboxes::of(db, Role::EnterpriseAgent, Unit::Business(b)).await?);
    }
    for list in [&mut r.complainant, &mut r.respondent] {
        list.sort();
        list.dedup();
    }
    Ok(r)
}

/// Queues one mail per address, so no party sees another's address. `key` makes the step's mail
/// idempotent. Returns how many were queued.
pub async fn notify(
    db: &impl ConnectionTrait,
    to: &[String],
    subject: &str,
    body: &str,
    attachments: &[Attachment],
    key: &str,
    now: DateTime<Utc>,
) -> Result<usize, DbErr> {
    let mail = Mail {
        to: to.to_vec(),
        subject: subject.to_owned(),
        body: body.to_owned(),
        attachments: attachments.to_vec(),
        secret: None,
    };
    notify_each(db, &mail, key, now).await
}

/// [`notify`] for a mail already composed (one carrying a secret, say).
pub async fn notify_each(
    db: &impl ConnectionTrait,
    mail: &Mail,
    key: &str,
    now: DateTime<Utc>,
) -> Result<usize, DbErr> {
    let mut queued = 0;
    for addr in &mail.to {
        let one = Mail {
            to: vec![addr.clone()],
            subject: mail.subject.clone(),
            body: format!(
                "{}\n\n（本邮件由消保系统自动发送，请勿直接回复。）",
                mail.body
            ),
            attachments: mail.attachments.clone(),
            secret: mail.secret.clone(),
        };
        queued += usize::from(mail::enqueue(db, &one, Some(&format!("{key}:{addr}")), now).await?);
    }
    Ok(queued)
}

/// `12800` → `128.00`.
pub fn yuan(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

/// A Shanghai local time as `2026-11-25 09:30`.
pub fn local_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&chrono_tz::Asia::Shanghai)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}
