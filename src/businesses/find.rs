//! Finding businesses in the registry: a search by name or USCC, and one business.

use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::{BusinessView, Error, load, view};
use crate::actor::{Role, Staff};
use crate::cases::access::desk_of;
use crate::entities::{business, odr_enrolment};

/// Businesses whose name contains `q` or whose USCC is `q`, by name (at most 100).
pub async fn search(
    db: &impl ConnectionTrait,
    me: &Staff,
    q: Option<&str>,
) -> Result<Vec<BusinessView>, Error> {
    me.require(&[
        Role::Mediator,
        Role::BureauAdmin,
        Role::EnforcementOfficer,
        Role::SystemAdmin,
    ])?;
    let mut find = business::Entity::find();
    if let Some(q) = q.map(str::trim).filter(|q| !q.is_empty()) {
        find = find.filter(
            Condition::any()
                .add(business::Column::Name.contains(q))
                .add(business::Column::Uscc.eq(q.to_uppercase())),
        );
    }
    let rows = find
        .find_also_related(odr_enrolment::Entity)
        .order_by_asc(business::Column::Name)
        .limit(100)
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|(b, e)| view(b, e)).collect())
}

/// One business with its ODR enrolment; a desk only its own.
pub async fn get(db: &impl ConnectionTrait, me: &Staff, id: &str) -> Result<BusinessView, Error> {
    desk_of(me, id)?;
    let (b, e) = load(db, id).await?;
    Ok(view(b, e))
}

/// A registered business as the public may see it when naming it in a complaint.
pub struct Registered {
    pub uscc: String,
    pub odr_enrolled: bool,
}

/// The registered business a complaint names: by its USCC when one is typed, else by its exact
/// name when exactly one registered business bears it (and has a USCC). The intake matches by
/// USCC, so this is what lets a consumer who knows only the name choose ODR.
pub async fn named(
    db: &impl ConnectionTrait,
    uscc: &str,
    name: &str,
) -> Result<Option<Registered>, sea_orm::DbErr> {
    let found = if uscc.is_empty() {
        let mut same = business::Entity::find()
            .filter(business::Column::Name.eq(name))
            .filter(business::Column::Uscc.is_not_null())
            .limit(2)
            .all(db)
            .await?;
        match same.len() {
            1 => same.pop(),
            _ => None,
        }
    } else {
        business::Entity::find()
            .filter(business::Column::Uscc.eq(uscc))
            .one(db)
            .await?
    };
    let Some(b) = found else { return Ok(None) };
    let odr_enrolled = odr_enrolment::Entity::find_by_id(b.id)
        .one(db)
        .await?
        .is_some_and(|e| e.status == super::Enrolment::Enrolled);
    Ok(b.uscc.map(|uscc| Registered { uscc, odr_enrolled }))
}
