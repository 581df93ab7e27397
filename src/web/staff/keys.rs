//! The keys that sign 调解书, in the workbench (issue 17, item 12): the system administrator sees
//! each key with its bureau and whether it was revoked, and revokes one with a reason (the
//! documents it signed no longer verify). The same steps as `GET /api/v1/signing-keys` and
//! `POST /api/v1/signing-keys/{key_id}/revoke`.

use actix_session::Session;
use actix_web::{HttpRequest, web};
use askama::Template;
use askama_web::WebTemplate;

use super::act::{Answer, Text, again, done_at};
use super::signed_in::{Desk, SignedIn, take_notice};
use super::text_step::TextPage;
use crate::actor::Role;
use crate::domain::dates::chinese_time;
use crate::http::ApiError;
use crate::mediation::signing;
use crate::state::AppState;
use crate::web::components::FormErrors;
use crate::web::journey::{Form, value};
use crate::web::page::Page;

const KEYS: &str = "/staff/signing-keys";

/// The reason of a revocation.
const REASON: Text<'static> = Text {
    field: "reason",
    what: "吊销理由",
    min: 2,
    max: 500,
    lines: true,
};

pub struct KeyLine {
    pub key_id: String,
    pub bureau: String,
    pub created: String,
    /// `None` while it signs; else when and why it was revoked.
    pub revoked: Option<String>,
    pub revoke: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/keys.html")]
pub struct KeysPage {
    page: Page,
    desk: Desk,
    notice: Option<String>,
    keys: Vec<KeyLine>,
}

fn keeper(me: &SignedIn) -> Result<(), ApiError> {
    me.staff
        .require(&[Role::SystemAdmin])
        .map_err(crate::mediation::Error::from)?;
    Ok(())
}

/// `GET /staff/signing-keys`
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    me: SignedIn,
) -> Result<KeysPage, ApiError> {
    keeper(&me)?;
    let keys = signing::all(&state.db)
        .await?
        .into_iter()
        .map(|k| KeyLine {
            revoke: format!("{KEYS}/{}/revoke", k.key_id),
            bureau: k.bureau_code.unwrap_or_else(|| "所有市场监管局".to_owned()),
            created: chinese_time(k.created_at),
            revoked: k.revoked_at.map(|at| {
                format!(
                    "{} 吊销：{}",
                    chinese_time(at),
                    k.revoked_reason.unwrap_or_default()
                )
            }),
            key_id: k.key_id,
        })
        .collect();
    Ok(KeysPage {
        page: Page::new(&req, "调解书签名密钥"),
        desk: Desk::of(&me),
        notice: take_notice(&session),
        keys,
    })
}

fn revoke_page(req: &HttpRequest, me: &SignedIn, key_id: &str, reason: String) -> TextPage {
    TextPage {
        page: Page::new(req, format!("吊销签名密钥 {key_id}")).with_back(KEYS),
        desk: Desk::of(me),
        action: format!("{KEYS}/{key_id}/revoke"),
        back: KEYS.to_owned(),
        heading: "吊销签名密钥",
        lead: "吊销后，这把密钥签发的调解书核验时都显示为无效；新的调解书由本局的其他密钥签发。吊销不能撤回。",
        field: "reason",
        label: "吊销理由",
        hint: "例如私钥可能已泄露",
        button: "吊销密钥",
        button_kind: "warning",
        value: reason,
    }
}

/// `GET /staff/signing-keys/{key_id}/revoke`
pub async fn revoke_form(
    req: HttpRequest,
    me: SignedIn,
    path: web::Path<String>,
) -> Result<TextPage, ApiError> {
    keeper(&me)?;
    Ok(revoke_page(&req, &me, &path, String::new()))
}

/// `POST /staff/signing-keys/{key_id}/revoke`
pub async fn revoke(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    me: SignedIn,
    path: web::Path<String>,
    form: Form,
) -> Answer<TextPage> {
    keeper(&me)?;
    let reason = value(&form, "reason");
    let mut errors = FormErrors::new();
    REASON.check(reason.trim(), "请写明吊销的理由", &mut errors);
    if errors.is_empty() {
        let txn = crate::db::begin_write(&state.db).await?;
        let key = signing::revoke(&txn, &me.staff, &path, reason.trim(), state.clock.now()).await?;
        txn.commit().await?;
        let text = format!("已吊销密钥 {}。", key.key_id);
        return done_at(&session, KEYS, &text);
    }
    let page = revoke_page(&req, &me, &path, reason);
    again(TextPage {
        page: page.page.with_errors(errors),
        ..page
    })
}
