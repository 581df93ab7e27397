//! Who may see a case and who may act on it: per role, jurisdiction, station, business and
//! transfer state (domain.md §10). Every use case and every page asks here; no handler decides.

use sea_orm::sea_query::{Query, SelectStatement};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use super::status::CaseKind;
use crate::actor::{Role, Staff};
use crate::deadlines::kinds::DeadlineKind;
use crate::domain::faults::{Invalid, failure};
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
    Invalid(#[from] Invalid),
    #[error(transparent)]
    Db(#[from] DbErr),
}

failure!(Error {
    Error::Role(_) => Forbidden, "forbidden";
    Error::NotYours(_) => Forbidden, "forbidden";
    Error::NotFound(_) => NotFound, "not_found";
} passes [Invalid, Db]);

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
    /// Add evidence to the case: the staff acting on it and the business's desk.
    Evidence,
    /// Read the consumer's satisfaction (the rating, the return visit): the regulator's staff
    /// who see the case, never the business's desk.
    ReadSatisfaction,
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
        Act::Evidence => &[
            Role::Mediator,
            Role::BureauAdmin,
            Role::EnforcementOfficer,
            Role::EnterpriseAgent,
        ],
        Act::ReadSatisfaction => &[
            Role::Mediator,
            Role::BureauAdmin,
            Role::EnforcementOfficer,
            Role::SystemAdmin,
        ],
    }
}

/// Whether `staff`, whose role `act` admits and who can see `c`, may do `act` to it. Seeing is
/// wider than acting: a bureau offered the case by a transfer, and the station that registered a
/// walk-in for another county (首接), follow the case; only the bureau holding it and its
/// competent station act on it, until a transfer is accepted.
pub fn may_act(staff: &Staff, c: &case::Model, act: Act) -> Result<(), Error> {
    if matches!(
        act,
        Act::ReadDocuments | Act::DeskStep | Act::ReadSatisfaction
    ) || (act == Act::Evidence && staff.role == Role::EnterpriseAgent)
    {
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

/// The kinds of deadline a staff member does not see on a case: the business's desk does not
/// see the return visit, the regulator's follow-up of the consumer.
pub fn hidden_deadlines(staff: &Staff) -> &'static [DeadlineKind] {
    if staff.role == Role::EnterpriseAgent {
        &[DeadlineKind::ReturnVisit]
    } else {
        &[]
    }
}

/// Whether the caller's role admits `act` (for showing or hiding an action on a page).
pub fn admits(staff: &Staff, c: &case::Model, act: Act) -> bool {
    roles_for(act).contains(&staff.role) && may_act(staff, c, act).is_ok()
}

/// Whether `staff` may manage or read what belongs to the bureau of county `bureau_code` (its
/// duty roster, its businesses' records, its statistics): the bureau's own staff, and the system
/// administrator.
pub fn own_bureau(staff: &Staff, bureau_code: &str) -> Result<(), Error> {
    if staff.role == Role::SystemAdmin || staff.bureau_code.as_deref() == Some(bureau_code) {
        Ok(())
    } else {
        Err(Error::NotYours("that bureau is not yours"))
    }
}

/// Who works a bureau's urgent queue: its staff on duty now (`on_duty` holds their user ids), and
/// its admins at any time.
pub fn works_urgent_queue(
    staff: &Staff,
    bureau_code: &str,
    on_duty: &[String],
) -> Result<(), Error> {
    staff.require(&[Role::BureauAdmin, Role::Mediator, Role::EnforcementOfficer])?;
    if staff.bureau_code.as_deref() != Some(bureau_code) {
        return Err(Error::NotYours(
            "this urgent item belongs to another bureau",
        ));
    }
    if staff.role != Role::BureauAdmin && !on_duty.contains(&staff.user_id) {
        return Err(Error::NotYours("you are not on duty now"));
    }
    Ok(())
}

/// Who works a 诉转案 lead of the bureau `bureau_code`: that bureau's enforcement officers and
/// admins.
pub fn works_lead(staff: &Staff, bureau_code: &str) -> Result<(), Error> {
    staff.require(REPORT_HANDLERS)?;
    if staff.bureau_code.as_deref() != Some(bureau_code) {
        return Err(Error::NotYours("this lead belongs to another bureau"));
    }
    Ok(())
}

/// Who reads a lead: those who work it, and the mediators of the station handling the complaint
/// it came from, who follow what became of it. A lead outside the caller's reach is unknown to
/// a mediator (`false` → 404), and forbidden to the other roles as `works_lead` says.
pub fn reads_lead(
    staff: &Staff,
    bureau_code: &str,
    handling_station_id: Option<&str>,
) -> Result<bool, Error> {
    if staff.role == Role::Mediator {
        return Ok(
            handling_station_id.is_some() && handling_station_id == staff.station_id.as_deref()
        );
    }
    works_lead(staff, bureau_code).map(|()| true)
}

/// Who manages a business in the registry (registers it, decides its ODR enrolment): the admin
/// of the bureau of the county it is registered in (`division_code`, a county or town), and the
/// system administrator.
pub fn manages_business(staff: &Staff, division_code: Option<&str>) -> Result<(), Error> {
    if staff.role == Role::SystemAdmin {
        return Ok(());
    }
    staff.require(&[Role::BureauAdmin])?;
    let county = division_code
        .and_then(|c| crate::divisions::Divisions::builtin().county_of(c))
        .map(|d| d.code);
    if county.is_some() && county == staff.bureau_code.as_deref() {
        Ok(())
    } else {
        Err(Error::NotYours(
            "this business is registered outside your county",
        ))
    }
}

/// A desk (`enterprise_agent`) acts and reads only for its own business.
pub fn desk_of(staff: &Staff, business_id: &str) -> Result<(), Error> {
    if staff.role == Role::EnterpriseAgent && staff.business_id.as_deref() != Some(business_id) {
        return Err(Error::NotYours("a desk acts only for its own business"));
    }
    Ok(())
}

/// The bureau a caller oversees (its alerts, its figures): its own for a bureau admin, any named
/// one for a system admin.
pub fn oversee(me: &Staff, requested: Option<&str>) -> Result<String, Error> {
    match me.role {
        Role::SystemAdmin => requested
            .map(str::to_owned)
            .ok_or_else(|| Invalid::field("bureau_code", "required for a system admin").into()),
        Role::BureauAdmin => {
            let own = me.bureau_code.clone().unwrap_or_default();
            if requested.is_some_and(|r| r != own) {
                return Err(Error::NotYours("that bureau is not yours"));
            }
            Ok(own)
        }
        _ => Err(Error::NotYours("only bureau admins oversee a bureau")),
    }
}

/// The bureau and station whose figures a caller reads: a mediator its own station's, others the
/// bureau they oversee and the station they name.
pub fn figures_of(
    me: &Staff,
    bureau: Option<&str>,
    station: Option<&str>,
) -> Result<(String, Option<String>), Error> {
    match me.role {
        Role::Mediator => Ok((
            me.bureau_code.clone().unwrap_or_default(),
            me.station_id.clone(),
        )),
        _ => Ok((oversee(me, bureau)?, station.map(str::to_owned))),
    }
}
