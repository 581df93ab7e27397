//! Reading the audit trail: a bureau admin the entries of one case it sees, a system admin
//! everything. Newest first.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::access::{self, load_visible};
use crate::actor::{Role, Staff};
use crate::entities::{audit_log, case};

/// Who reads the audit trail.
pub const TRAIL_READERS: &[Role] = &[Role::SystemAdmin, Role::BureauAdmin];

/// The case `id` and its entries (at most `limit`), for an admin who sees it.
pub async fn of_case(
    db: &impl ConnectionTrait,
    me: &Staff,
    id: &str,
    limit: u64,
) -> Result<(case::Model, Vec<audit_log::Model>), access::Error> {
    me.require(TRAIL_READERS)?;
    let c = load_visible(db, me, id).await?;
    let entries = newest(db, Some(&c.id), limit).await?;
    Ok((c, entries))
}

/// Every entry (at most `limit`), for the system administrator.
pub async fn all(
    db: &impl ConnectionTrait,
    me: &Staff,
    limit: u64,
) -> Result<Vec<audit_log::Model>, access::Error> {
    me.require(&[Role::SystemAdmin])?;
    newest(db, None, limit).await
}

async fn newest(
    db: &impl ConnectionTrait,
    case_id: Option<&str>,
    limit: u64,
) -> Result<Vec<audit_log::Model>, access::Error> {
    let mut find = audit_log::Entity::find();
    if let Some(id) = case_id {
        find = find.filter(audit_log::Column::CaseId.eq(id));
    }
    Ok(find
        .order_by_desc(audit_log::Column::Id)
        .limit(limit.clamp(1, 500))
        .all(db)
        .await?)
}
