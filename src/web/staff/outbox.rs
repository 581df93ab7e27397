//! Dead mail in the workbench (issue 17, item 12): the system administrator sees the mail that
//! could not be delivered after every attempt, with the last error, and sends one again. The
//! same steps as `GET /api/v1/outbox` and `POST /api/v1/outbox/{id}/resend`.

use actix_session::Session;
use actix_web::{HttpRequest, web};
use askama::Template;
use askama_web::WebTemplate;

use super::act::{Answer, done_at};
use super::signed_in::{Desk, SignedIn, take_notice};
use crate::domain::dates::chinese_time;
use crate::http::ApiError;
use crate::mail::dead;
use crate::state::AppState;
use crate::web::page::Page;

const OUTBOX: &str = "/staff/outbox";

pub struct DeadLine {
    pub id: i64,
    pub to: String,
    pub subject: String,
    pub attempts: i32,
    pub error: String,
    pub queued: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/outbox.html")]
pub struct OutboxPage {
    page: Page,
    desk: Desk,
    notice: Option<String>,
    lines: Vec<DeadLine>,
}

/// `GET /staff/outbox`
pub async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    me: SignedIn,
) -> Result<OutboxPage, ApiError> {
    let rows = dead::list(&state.db, &me.staff, None).await?;
    Ok(OutboxPage {
        page: Page::new(&req, "未能发出的邮件"),
        desk: Desk::of(&me),
        notice: take_notice(&session),
        lines: rows
            .into_iter()
            .map(|m| DeadLine {
                id: m.id,
                to: serde_json::from_str::<Vec<String>>(&m.recipients)
                    .unwrap_or_default()
                    .join("、"),
                subject: m.subject,
                attempts: m.attempts,
                error: m.last_error.unwrap_or_default(),
                queued: chinese_time(m.created_at),
            })
            .collect(),
    })
}

/// `POST /staff/outbox/{id}/resend`
pub async fn resend(
    state: web::Data<AppState>,
    session: Session,
    me: SignedIn,
    path: web::Path<i64>,
) -> Answer<OutboxPage> {
    let txn = crate::db::begin_write(&state.db).await?;
    let m = dead::resend(&txn, &me.staff, *path, state.clock.now()).await?;
    txn.commit().await?;
    done_at(
        &session,
        OUTBOX,
        &format!("已重新发送“{}”，稍后即可送达。", m.subject),
    )
}
