//! The invitation to rate, mailed when a case closes to the consumers who gave a mail address
//! (the complainants and representatives of a complaint, a named reporter of a report).

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use crate::cases::CaseKind;
use crate::cases::status::PartyRole;
use crate::entities::{case, party};
use crate::mail::{self, Mail};

/// Queues the invitation to rate the closed case `c`, once a case; nothing when no address is
/// known.
pub async fn invite(
    db: &impl ConnectionTrait,
    c: &case::Model,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let to: Vec<String> = party::Entity::find()
        .filter(party::Column::CaseId.eq(c.id.as_str()))
        .filter(party::Column::Role.is_in([
            PartyRole::Complainant,
            PartyRole::Representative,
            PartyRole::Reporter,
        ]))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|p| p.email)
        .collect();
    if to.is_empty() {
        return Ok(());
    }
    let kind = match c.kind {
        CaseKind::Complaint => "投诉",
        CaseKind::Report => "举报",
    };
    let mail = Mail {
        to,
        subject: format!("【请您评价】{kind} {} 已办结", c.receipt_number),
        body: format!(
            "您的{kind}（登记号 {}）已经办结，结果为“{}”。\n\n\
             请用登记号和查询码登录“查询办理进度”页面，对这次办理作出评价：满意、基本满意或不满意，\
             也可以留下意见和建议。每件只能评价一次，请在页面所示的期限内评价。\n\n\
             为保护您的信息，本邮件不包含查询码，请使用登记时取得的查询码。",
            c.receipt_number,
            c.status.label()
        ),
        attachments: Vec::new(),
        secret: None,
    };
    mail::enqueue(db, &mail, Some(&format!("rating:{}:invite", c.id)), now).await?;
    Ok(())
}
