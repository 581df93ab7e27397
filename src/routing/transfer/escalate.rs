//! The overdue sweep: a returned transfer whose 7 working days ran out goes to the two bureaus'
//! common superior (Order 20 Art 30), who designates the competent one.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter};
use serde_json::json;

use super::{close_dispute_clock, moved};
use crate::actor::Actor;
use crate::cases::journal::{self, Entry};
use crate::divisions::Divisions;
use crate::entities::transfer;
use crate::routing::transfer_status::TransferStatus;

/// The authority over both bureaus: their lowest common city or province, else the national one.
fn common_superior(a: &str, b: &str) -> (Option<String>, String) {
    let divisions = Divisions::builtin();
    match divisions.common_superior(a, b) {
        Some(d) => (
            Some(d.code.to_owned()),
            format!(
                "{}市场监督管理局",
                divisions.full_name(d.code).unwrap_or_default()
            ),
        ),
        None => (None, "国家市场监督管理总局".to_owned()),
    }
}

/// Escalates every returned transfer whose 7 working days ran out to the two bureaus' common
/// superior, recording who that is. Safe to run from several instances at once: each transfer
/// escalates once. Returns how many escalated.
pub async fn escalate_overdue_transfers(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
) -> Result<usize, DbErr> {
    let due = transfer::Entity::find()
        .filter(transfer::Column::Status.eq(TransferStatus::Returned))
        .filter(transfer::Column::DisputeDueAt.lte(now))
        .all(db)
        .await?;
    let mut escalated = 0;
    for t in due {
        let (code, authority) = common_superior(&t.from_bureau_code, &t.to_bureau_code);
        let txn = crate::db::begin_write(db).await?;
        let won = moved(
            &txn,
            &t.id,
            &[TransferStatus::Returned],
            TransferStatus::Escalated,
            vec![
                (transfer::Column::EscalatedAt, Expr::value(Some(now))),
                (transfer::Column::EscalatedToCode, Expr::value(code.clone())),
                (
                    transfer::Column::EscalatedToName,
                    Expr::value(Some(authority.clone())),
                ),
            ],
            now,
        )
        .await?;
        if !won {
            txn.rollback().await?;
            continue;
        }
        close_dispute_clock(&txn, &t.case_id, false, now).await?;
        journal::record(
            &txn,
            &Actor::System,
            &t.case_id,
            Entry {
                event: "transfer_escalated",
                public: true,
                detail: json!({"description": format!("管辖争议逾期未协商一致，已报请{authority}指定管辖"), "transfer_id": t.id, "division_code": code}),
                action: "transfer.escalate",
                audit: json!({"transfer_id": t.id, "division_code": code, "authority": authority}),
            },
            now,
        )
        .await?;
        txn.commit().await?;
        escalated += 1;
    }
    Ok(escalated)
}
