//! Who may see a case and who may act on it: per role, jurisdiction, station, business and
//! transfer state (domain.md §10). Every use case and every page asks here; no handler decides.

use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
};

use super::status::CaseKind;
use crate::actor::{Role, Staff};
use crate::domain::faults::{Class, Failure};
use crate::entities::case;
use crate::routing::transfer_status::TransferStatus;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the role {0} may not do this")]
    Role(Role),
    #[error("no case {0}")]
    NotFound(String),
    #[error("this case is outside your jurisdiction")]
    OutsideScope,
    #[error("{0}")]
    NotYours(&'static str),
    #[error(transparent)]
    Db(#[from] DbErr),
}

impl Failure for Error {
    fn class(&self) -> Class {
        match self {
            Error::Role(_) | Error::OutsideScope | Error::NotYours(_) => Class::Forbidden,
            Error::NotFound(_) => Class::NotFound,
            Error::Db(e) => Class::of_db(e),
        }
    }
    fn code(&self) -> &'static str {
        match self {
            Error::Role(_) | Error::OutsideScope | Error::NotYours(_) => "forbidden",
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
            Condition::all().add(
                case::Column::Id
                    .in_subquery(crate::routing::transfer::open_to(&bound(&p.bureau_code))),
            ),
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

/// Loads a case the staff member may see: 404 when it does not exist, 403 when it is not theirs.
pub async fn load_visible(
    db: &impl ConnectionTrait,
    p: &Staff,
    id: &str,
) -> Result<case::Model, Error> {
    if let Some(c) = case::Entity::find_by_id(id.to_owned())
        .filter(visible_to(p))
        .one(db)
        .await?
    {
        return Ok(c);
    }
    match case::Entity::find_by_id(id.to_owned()).count(db).await? {
        0 => Err(Error::NotFound(id.to_owned())),
        _ => Err(Error::OutsideScope),
    }
}

/// Whether an open transfer offers cases: they are seen by the receiving bureau as well.
pub fn transfer_is_open(s: TransferStatus) -> bool {
    TransferStatus::OPEN.contains(&s)
}
