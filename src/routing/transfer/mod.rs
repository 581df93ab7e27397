//! Transfers (移送, Order 20 Art 30): a bureau that is not competent sends a case to the competent
//! one, which accepts it (the case moves, clocks keep running from the first receipt) or returns it
//! with a reason. A returned transfer is a jurisdiction dispute the two bureaus must settle within
//! 7 working days; after that it escalates to their common superior.
//!
//! One file per step: `offer`, `accept`, `give_back` (return), `withdraw` and the overdue sweep
//! `escalate`. What they share (the view, the guarded status change, the dispute clock, who may
//! decide) is here.

pub mod accept;
pub mod escalate;
pub mod give_back;
pub mod offer;
pub mod withdraw;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde::Serialize;
use utoipa::ToSchema;

use super::registry::bureau_name;
use super::transfer_status::TransferStatus;
use crate::actor::{Role, Staff};
use crate::cases::access;
use crate::deadlines::{DeadlineKind, DeadlineStatus};
use crate::divisions::Divisions;
use crate::domain::faults::{Invalid, failure};
use crate::entities::{case, deadline, transfer};

/// What can go wrong with a transfer step.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Access(#[from] access::Error),
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error("no transfer {0}")]
    NotFound(String),
    #[error("only admins of the {side} bureau {bureau} may do this")]
    NotYourSide { side: &'static str, bureau: String },
    #[error("only the two bureaus of a transfer see it")]
    NotAParty,
    #[error(
        "the dispute arose in the pilot area in your county: under 同城待遇 it is handled here and never refused for jurisdiction"
    )]
    ZoneCase,
    #[error("transfer {id} of this case to {to} is still {status}; settle it first")]
    StillOpen {
        id: String,
        to: String,
        status: TransferStatus,
    },
    #[error("this transfer is already {0}; nothing to decide")]
    Closed(TransferStatus),
    #[error("transfer of a missing case")]
    MissingCase,
    #[error("the rule set has no jurisdiction_dispute limit")]
    NoDisputeLimit,
    #[error(transparent)]
    Db(#[from] DbErr),
}

failure!(Error {
    Error::NotFound(_) => NotFound, "not_found";
    Error::NotYourSide { .. } => Forbidden, "forbidden";
    Error::NotAParty => Forbidden, "forbidden";
    Error::ZoneCase => Unprocessable, "zone_case_not_transferable";
    Error::StillOpen { .. } => Conflict, "transfer_open";
    Error::Closed(_) => Conflict, "transfer_closed";
    Error::MissingCase => Internal, "internal_error";
    Error::NoDisputeLimit => Internal, "internal_error";
} passes [Access, Invalid, Db]);

/// Who decides an escalated dispute: the lowest authority above both bureaus.
#[derive(Serialize, ToSchema)]
pub struct Escalation {
    pub at: DateTime<Utc>,
    /// `city`, `province` or `national`.
    pub level: String,
    /// The superior's division code; absent for the national administration.
    pub division_code: Option<String>,
    pub authority: String,
}

#[derive(Serialize, ToSchema)]
pub struct TransferView {
    pub id: String,
    pub case_id: String,
    pub receipt_number: String,
    pub from_bureau_code: String,
    pub from_bureau_name: String,
    pub to_bureau_code: String,
    pub to_bureau_name: String,
    pub reason: String,
    pub status: TransferStatus,
    pub requested_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub return_reason: Option<String>,
    /// For a returned transfer: the end of the 7 working days the bureaus have to settle it.
    pub dispute_due_at: Option<DateTime<Utc>>,
    pub escalation: Option<Escalation>,
}

pub async fn view(db: &impl ConnectionTrait, t: transfer::Model) -> Result<TransferView, DbErr> {
    let receipt_number = case::Entity::find_by_id(t.case_id.clone())
        .one(db)
        .await?
        .map(|c| c.receipt_number)
        .unwrap_or_default();
    let escalation = t.escalated_at.map(|at| Escalation {
        at,
        level: t
            .escalated_to_code
            .as_deref()
            .and_then(|c| Divisions::builtin().get(c))
            .map_or("national", |d| d.level.as_str())
            .to_owned(),
        division_code: t.escalated_to_code.clone(),
        authority: t.escalated_to_name.clone().unwrap_or_default(),
    });
    Ok(TransferView {
        from_bureau_name: bureau_name(db, &t.from_bureau_code).await?,
        to_bureau_name: bureau_name(db, &t.to_bureau_code).await?,
        status: t.status,
        id: t.id,
        case_id: t.case_id,
        receipt_number,
        from_bureau_code: t.from_bureau_code,
        to_bureau_code: t.to_bureau_code,
        reason: t.reason,
        requested_at: t.requested_at,
        updated_at: t.updated_at,
        return_reason: t.return_reason,
        dispute_due_at: t.dispute_due_at,
        escalation,
    })
}

/// The transfers of a case, oldest first.
pub async fn of_case(db: &impl ConnectionTrait, case_id: &str) -> Result<Vec<TransferView>, DbErr> {
    let rows = transfer::Entity::find()
        .filter(transfer::Column::CaseId.eq(case_id))
        .order_by_asc(transfer::Column::RequestedAt)
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for t in rows {
        out.push(view(db, t).await?);
    }
    Ok(out)
}

/// Moves a transfer from one of `from` to `to`, only if it is still there, so that two racing
/// decisions cannot both win. A transfer already past `from` is 409 `transfer_closed`.
async fn advance(
    db: &impl ConnectionTrait,
    id: &str,
    from: &[TransferStatus],
    to: TransferStatus,
    extra: Vec<(transfer::Column, sea_orm::sea_query::SimpleExpr)>,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    if moved(db, id, from, to, extra, now).await? {
        Ok(())
    } else {
        Err(Error::Closed(find(db, id).await?.status))
    }
}

/// The conditional update under `advance`; the sweep, which skips a transfer another instance
/// escalated, uses it directly. Returns whether it moved.
async fn moved(
    db: &impl ConnectionTrait,
    id: &str,
    from: &[TransferStatus],
    to: TransferStatus,
    extra: Vec<(transfer::Column, sea_orm::sea_query::SimpleExpr)>,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let mut update = transfer::Entity::update_many()
        .col_expr(transfer::Column::Status, Expr::value(to.as_str()))
        .col_expr(transfer::Column::UpdatedAt, Expr::value(now));
    for (col, value) in extra {
        update = update.col_expr(col, value);
    }
    let done = update
        .filter(transfer::Column::Id.eq(id))
        .filter(transfer::Column::Status.is_in(from.iter().map(|s| s.as_str())))
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Ends the case's open jurisdiction-dispute clock as `met` (settled) or `missed` (escalated).
async fn close_dispute_clock(
    db: &impl ConnectionTrait,
    case_id: &str,
    settled: bool,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    deadline::Entity::update_many()
        .col_expr(
            deadline::Column::Status,
            Expr::value(if settled {
                DeadlineStatus::Met
            } else {
                DeadlineStatus::Missed
            }),
        )
        .col_expr(deadline::Column::MetAt, Expr::value(settled.then_some(now)))
        .filter(deadline::Column::CaseId.eq(case_id))
        .filter(deadline::Column::Kind.eq(DeadlineKind::JurisdictionDispute))
        .filter(deadline::Column::Status.eq(DeadlineStatus::Open))
        .exec(db)
        .await?;
    Ok(())
}

/// The sending (`from`) or receiving (`to`) side of a transfer, whose admins decide its steps.
#[derive(Clone, Copy)]
enum Side {
    Sending,
    Receiving,
}

/// Loads the transfer `id` for a step only admins of one side may take.
async fn for_side(
    db: &impl ConnectionTrait,
    staff: &Staff,
    id: &str,
    side: Side,
) -> Result<transfer::Model, Error> {
    let t = find(db, id).await?;
    let (bureau, name) = match side {
        Side::Sending => (&t.from_bureau_code, "sending"),
        Side::Receiving => (&t.to_bureau_code, "receiving"),
    };
    require_bureau_admin(staff, bureau, name)?;
    Ok(t)
}

fn require_bureau_admin(staff: &Staff, bureau: &str, side: &'static str) -> Result<(), Error> {
    staff.require(&[Role::BureauAdmin])?;
    if staff.bureau_code.as_deref() != Some(bureau) {
        return Err(Error::NotYourSide {
            side,
            bureau: bureau.to_owned(),
        });
    }
    Ok(())
}

async fn find(db: &impl ConnectionTrait, id: &str) -> Result<transfer::Model, Error> {
    transfer::Entity::find_by_id(id.to_owned())
        .one(db)
        .await?
        .ok_or_else(|| Error::NotFound(id.to_owned()))
}

/// Who reads transfers: the staff of the bureaus, and system admins.
const READERS: &[Role] = &[
    Role::BureauAdmin,
    Role::EnforcementOfficer,
    Role::SystemAdmin,
];

/// A transfer the staff member may see: staff of either bureau, or a system admin.
pub async fn visible(
    db: &impl ConnectionTrait,
    staff: &Staff,
    id: &str,
) -> Result<TransferView, Error> {
    staff.require(READERS)?;
    let t = find(db, id).await?;
    let mine = |b: &str| staff.bureau_code.as_deref() == Some(b);
    if staff.role == Role::SystemAdmin || mine(&t.from_bureau_code) || mine(&t.to_bureau_code) {
        Ok(view(db, t).await?)
    } else {
        Err(Error::NotAParty)
    }
}

/// Which transfers a list shows, as the caller wrote it.
pub struct Listing<'a> {
    /// `incoming` (to the caller's bureau) or `outgoing` (from it); both when `None`.
    pub direction: Option<&'a str>,
    pub status: Option<&'a str>,
}

/// Transfers to or from the caller's bureau (all of them for a system admin), newest first.
pub async fn list(
    db: &impl ConnectionTrait,
    staff: &Staff,
    listing: Listing<'_>,
) -> Result<Vec<TransferView>, Error> {
    staff.require(READERS)?;
    let mut find = transfer::Entity::find();
    if staff.role != Role::SystemAdmin {
        let mine = staff.bureau_code.clone().unwrap_or_default();
        let incoming = transfer::Column::ToBureauCode.eq(mine.clone());
        let outgoing = transfer::Column::FromBureauCode.eq(mine);
        find = find.filter(match listing.direction {
            None => Condition::any().add(incoming).add(outgoing),
            Some("incoming") => Condition::all().add(incoming),
            Some("outgoing") => Condition::all().add(outgoing),
            Some(_) => return Err(Invalid::field("direction", "incoming or outgoing").into()),
        });
    }
    if let Some(s) = listing.status {
        let s = TransferStatus::parse(s).ok_or_else(|| {
            Invalid::field(
                "status",
                "pending, accepted, returned, withdrawn or escalated",
            )
        })?;
        find = find.filter(transfer::Column::Status.eq(s.as_str()));
    }
    let rows = find
        .order_by_desc(transfer::Column::RequestedAt)
        .limit(200)
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for t in rows {
        out.push(view(db, t).await?);
    }
    Ok(out)
}
