//! Which bureau a caller oversees: its own for a bureau admin, any named one for a system admin;
//! a mediator's figures are its station's.

use crate::actor::{Role, Staff};
use crate::domain::faults::{Class, Failure, FieldError};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("a system admin names the bureau")]
    BureauRequired(Vec<FieldError>),
    #[error("that bureau is not yours")]
    NotYours,
    #[error("only bureau admins oversee a bureau")]
    Role,
}

impl Failure for Error {
    fn class(&self) -> Class {
        match self {
            Error::BureauRequired(_) => Class::Invalid,
            Error::NotYours | Error::Role => Class::Forbidden,
        }
    }
    fn code(&self) -> &'static str {
        match self {
            Error::BureauRequired(_) => "validation_failed",
            Error::NotYours | Error::Role => "forbidden",
        }
    }
    fn fields(&self) -> &[FieldError] {
        match self {
            Error::BureauRequired(f) => f,
            _ => &[],
        }
    }
}

/// The bureau a caller may oversee: its own, or any for a system admin who names one.
pub fn oversee(me: &Staff, requested: Option<&str>) -> Result<String, Error> {
    match me.role {
        Role::SystemAdmin => requested.map(str::to_owned).ok_or_else(|| {
            Error::BureauRequired(vec![FieldError::new(
                "bureau_code",
                "required for a system admin",
            )])
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
