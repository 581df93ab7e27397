//! Who may see a case and who may act on it: per role, jurisdiction, station, business and
//! transfer state (domain.md §10). Every use case and every page asks here; no handler decides.

use sea_orm::sea_query::{Query, SelectStatement};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use super::status::CaseKind;
use crate::actor::{Role, Staff};
use crate::domain::faults::{Class, Failure};
use crate::entities::{case, transfer};
use crate::routing::transfer_status::TransferStatus;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the role {0} may not do this")]
    Role(Role),
    #[error("no case {0}")]
    NotFound(String),
    #[error("{0}")]
    NotYours(&'static str),
    #[error(transparent)]
    Db(#[from] DbErr),
}

impl Failure for Error {
    fn class(&self) -> Class {
        match self {
            Error::Role(_) | Error::NotYours(_) => Class::Forbidden,
            Error::NotFound(_) => Class::NotFound,
            Error::Db(e) => Class::of_db(e),
        }
    }
    fn code(&self) -> &'static str {
        match self {
            Error::Role(_) | Error::NotYours(_) => "forbidden",
            Error::NotFound(_) => "not_found",
            Error::Db(e) => crate::db::error_code(e),
        }
    }
}

/// Every staff role and the desk agents: who may read case lists and case views.
pub const STAFF: &[Role] = &[
    Role::EnterpriseAgent,
    Role::Mediator,
    Role::BureauAdmin,
    Role::EnforcementOfficer,
    Role::SystemAdmin,
];

/// Who handles reports: the bureau's enforcement officers and admins.
pub const REPORT_HANDLERS: &[Role] = &[Role::EnforcementOfficer, Role::BureauAdmin];

impl Staff {
    /// The coarse gate: the caller's role is one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), Error> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(Error::Role(self.role))
        }
    }
}

/// The cases a staff member may see: a bureau its county and the cases an open transfer offers
/// it, a station its own and those it registered (首接), a desk the complaints against its
/// business (never reports).
pub fn visible_to(p: &Staff) -> Condition {
    visibility(p)
        .into_iter()
        .fold(Condition::any(), |any, branch| any.add(branch))
}

/// The alternatives `visible_to` joins with OR. Each is one index range, so a list reads each in
/// order and merges them, rather than having the database sort everything their union matches.
pub fn visibility(p: &Staff) -> Vec<Condition> {
    let bound = |v: &Option<String>| v.clone().unwrap_or_default();
    match p.role {
        Role::SystemAdmin => vec![Condition::all()],
        Role::BureauAdmin | Role::EnforcementOfficer => vec![
            Condition::all().add(case::Column::BureauCode.eq(bound(&p.bureau_code))),
            Condition::all().add(case::Column::Id.in_subquery(open_to(&bound(&p.bureau_code)))),
        ],
        Role::Mediator => vec![
            Condition::all().add(case::Column::StationId.eq(bound(&p.station_id))),
            Condition::all().add(case::Column::ReceivedByStationId.eq(bound(&p.station_id))),
        ],
        Role::EnterpriseAgent => vec![
            Condition::all()
                .add(case::Column::BusinessId.eq(bound(&p.business_id)))
                .add(case::Column::Kind.eq(CaseKind::Complaint)),
        ],
    }
}

/// Ids of the cases with an open transfer to `bureau_code`: that bureau sees them until it is
/// settled.
fn open_to(bureau_code: &str) -> SelectStatement {
    Query::select()
        .column(transfer::Column::CaseId)
        .from(transfer::Entity)
        .and_where(transfer::Column::ToBureauCode.eq(bureau_code))
        .and_where(transfer::Column::Status.is_in(TransferStatus::OPEN))
        .to_owned()
}

/// Loads a case the staff member may see. A case outside the caller's scope is 404 like an
/// unknown id, so ids cannot be probed for existence.
pub async fn load_visible(
    db: &impl ConnectionTrait,
    p: &Staff,
    id: &str,
) -> Result<case::Model, Error> {
    case::Entity::find_by_id(id.to_owned())
        .filter(visible_to(p))
        .one(db)
        .await?
        .ok_or_else(|| Error::NotFound(id.to_owned()))
}

/// What a staff member wants to do to a case; each act has its rule below, the one place that
/// decides it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Act {
    /// A station's step on a complaint: accept, refuse, assign a mediator, delegate, schedule
    /// and record sessions, end mediation, open a lead, change the respondent's contact. A
    /// mediator of the handling station, or a bureau admin.
    StationStep,
    /// Decide a recusal application, extend a deadline, or take another admin's decision on the
    /// case: a bureau admin.
    BureauDecision,
    /// Stop and restart the clocks (testing, recusal) of the case: station staff and
    /// enforcement officers.
    Clock,
    /// Decide a report, notify its reporter, merge it: the bureau's enforcement officers and
    /// admins.
    ReportStep,
    /// The business's desk acting on a complaint against it.
    DeskStep,
    /// Transfer the case to another bureau, or withdraw a transfer: a bureau admin.
    Transfer,
    /// Read the 调解书 and other documents of the case: station staff and the business's desk.
    ReadDocuments,
}

/// Loads the case `id` for `act` by `staff`: unknown or not visible is 404 as for reading,
/// a role the act does not admit 403, and a visible case the caller may not act on 403.
pub async fn act_on(
    db: &impl ConnectionTrait,
    staff: &Staff,
    id: &str,
    act: Act,
) -> Result<case::Model, Error> {
    staff.require(roles_for(act))?;
    let c = load_visible(db, staff, id).await?;
    may_act(staff, &c, act)?;
    Ok(c)
}

/// The roles an act admits.
pub fn roles_for(act: Act) -> &'static [Role] {
    match act {
        Act::StationStep => &[Role::Mediator, Role::BureauAdmin],
        Act::BureauDecision | Act::Transfer => &[Role::BureauAdmin],
        Act::Clock => &[Role::Mediator, Role::BureauAdmin, Role::EnforcementOfficer],
        Act::ReportStep => REPORT_HANDLERS,
        Act::DeskStep => &[Role::EnterpriseAgent],
        Act::ReadDocuments => &[Role::Mediator, Role::BureauAdmin, Role::EnterpriseAgent],
    }
}

/// Whether `staff`, whose role `act` admits and who can see `c`, may do `act` to it. Seeing is
/// wider than acting: a bureau offered the case by a transfer, and the station that registered a
/// walk-in for another county (首接), follow the case; only the bureau holding it and its
/// competent station act on it, until a transfer is accepted.
pub fn may_act(staff: &Staff, c: &case::Model, act: Act) -> Result<(), Error> {
    if act == Act::ReadDocuments || act == Act::DeskStep {
        return Ok(());
    }
    match staff.role {
        Role::Mediator if staff.station_id != c.station_id => Err(Error::NotYours(
            "only mediators of the station handling the case act on it; the station that \
             registered it follows it",
        )),
        Role::BureauAdmin | Role::EnforcementOfficer
            if staff.bureau_code.as_deref() != Some(c.bureau_code.as_str()) =>
        {
            Err(Error::NotYours(
                "only the bureau holding the case acts on it; a bureau offered it by a transfer \
                 acts once it has accepted the transfer",
            ))
        }
        _ => Ok(()),
    }
}

/// Whether the caller's role admits `act` (for showing or hiding an action on a page).
pub fn admits(staff: &Staff, c: &case::Model, act: Act) -> bool {
    roles_for(act).contains(&staff.role) && may_act(staff, c, act).is_ok()
}
