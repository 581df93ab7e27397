//! Which bureau a caller oversees: its own for a bureau admin, any named one for a system admin;
//! a mediator's figures are its station's.

use crate::actor::{Role, Staff};
use crate::domain::faults::{Invalid, failure};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("a system admin names the bureau")]
    BureauRequired(Invalid),
    #[error("that bureau is not yours")]
    NotYours,
    #[error("only bureau admins oversee a bureau")]
    Role,
}

failure!(Error {
    Error::NotYours => Forbidden, "forbidden";
    Error::Role => Forbidden, "forbidden";
} passes [BureauRequired]);

/// The bureau a caller may oversee: its own, or any for a system admin who names one.
pub fn oversee(me: &Staff, requested: Option<&str>) -> Result<String, Error> {
    match me.role {
        Role::SystemAdmin => requested.map(str::to_owned).ok_or_else(|| {
            Error::BureauRequired(Invalid::field("bureau_code", "required for a system admin"))
        }),
        Role::BureauAdmin => {
            let own = me.bureau_code.clone().unwrap_or_default();
            if requested.is_some_and(|r| r != own) {
                return Err(Error::NotYours);
            }
            Ok(own)
        }
        _ => Err(Error::Role),
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
