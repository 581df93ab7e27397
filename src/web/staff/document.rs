//! The 调解书 on the workbench (issue 17, item 6): station staff and the business's desk read the
//! draft as it will print, and where each party's confirmation stands; the desk confirms for the
//! business here; once issued, the text carries its number and the PDF downloads. The same
//! steps as `GET /api/v1/cases/{id}/agreement` and `POST …/agreement/confirm`.

use actix_session::Session;
use actix_web::{HttpRequest, web};
use askama::Template;
use askama_web::WebTemplate;

use super::act::{self, Answer, done};
use super::signed_in::{Desk, SignedIn};
use crate::actor::Role;
use crate::http::ApiError;
use crate::mediation::agreement;
use crate::mediation::states::AgreementStatus;
use crate::state::AppState;
use crate::web::components::SummaryRow;
use crate::web::page::Page;
use crate::web::track::agreement::{Line, lines};

#[derive(Template, WebTemplate)]
#[template(path = "staff/document.html")]
pub struct DocumentPage {
    page: Page,
    desk: Desk,
    id: String,
    receipt_number: String,
    heading: &'static str,
    status: Vec<SummaryRow>,
    lines: Vec<Line>,
    /// The desk may confirm for the business.
    can_confirm: bool,
    pdf: Option<String>,
}

/// `GET /staff/cases/{id}/agreement/document`
pub async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: SignedIn,
    path: web::Path<String>,
) -> Result<DocumentPage, ApiError> {
    let (c, a, doc) = agreement::document_for(&state.db, &me.staff, &path).await?;
    let issued = a.status == AgreementStatus::Issued;
    let heading = if issued {
        "调解书"
    } else {
        "调解书草稿"
    };
    Ok(DocumentPage {
        page: Page::new(&req, format!("{heading} {}", c.receipt_number))
            .with_back(format!("/staff/cases/{}", c.id)),
        desk: Desk::of(&me),
        id: c.id.clone(),
        receipt_number: c.receipt_number.clone(),
        heading,
        status: act::agreement_rows(&a),
        lines: lines(doc),
        can_confirm: me.staff.role == Role::EnterpriseAgent
            && a.status == AgreementStatus::AwaitingConfirmation
            && a.business_confirmed_at.is_none(),
        pdf: issued.then(|| format!("/staff/cases/{}/agreement/pdf", c.id)),
    })
}

/// `POST /staff/cases/{id}/agreement/confirm`: the desk confirms for the business.
pub async fn confirm(
    state: web::Data<AppState>,
    session: Session,
    me: SignedIn,
    path: web::Path<String>,
) -> Answer<DocumentPage> {
    let txn = crate::db::begin_write(&state.db).await?;
    let a = agreement::desk_confirm(&txn, &state, &me.staff, &path, state.clock.now()).await?;
    txn.commit().await?;
    let text = if a.status == AgreementStatus::Issued {
        "已确认，调解书已出具，并发送给双方。"
    } else {
        "已确认。投诉人确认后，调解书即出具。"
    };
    done(&session, &a.case_id, text)
}
