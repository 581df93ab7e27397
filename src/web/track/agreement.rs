//! The 调解书 from the case page: the draft as it will print (the complete copy, the one the
//! consumer receives), the consumer's confirmation after a confirmation page (the same step as
//! `POST /api/v1/track/{receipt}/agreement/confirm`; the second party's confirmation issues it),
//! and the issued PDF, its download audited as the API's is.

use actix_session::Session;
use actix_web::http::header::{ContentDisposition, DispositionParam, DispositionType};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use askama_web::WebTemplate;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::common::{Answer, remembered, to_case, to_track, web_page};
use crate::deadlines::local_date;
use crate::domain::dates::chinese_date;
use crate::entities::{case, mediation_agreement};
use crate::http::ApiError;
use crate::mediation::agreement::{self, Confirmer};
use crate::mediation::document::{self, CopyFor};
use crate::mediation::pdf::Block;
use crate::mediation::states::AgreementStatus;
use crate::state::AppState;
use crate::web::page::Page;

/// Where the case's 调解书 stands, for the case page.
pub struct AgreementSection {
    /// The draft waits for the consumer's confirmation.
    pub awaiting_you: bool,
    /// The consumer confirmed; the business has not yet.
    pub awaiting_business: bool,
    /// The issued document's number.
    pub issued: Option<String>,
}

async fn of_case(
    state: &AppState,
    c: &case::Model,
) -> Result<Option<mediation_agreement::Model>, ApiError> {
    Ok(mediation_agreement::Entity::find()
        .filter(mediation_agreement::Column::CaseId.eq(&c.id))
        .one(&state.db)
        .await?)
}

pub async fn section(
    state: &AppState,
    c: &case::Model,
) -> Result<Option<AgreementSection>, ApiError> {
    let Some(a) = of_case(state, c).await? else {
        return Ok(None);
    };
    let awaiting = a.status == AgreementStatus::AwaitingConfirmation;
    Ok(match a.status {
        AgreementStatus::Recorded => None,
        _ => Some(AgreementSection {
            awaiting_you: awaiting && a.consumer_confirmed_at.is_none(),
            awaiting_business: awaiting && a.consumer_confirmed_at.is_some(),
            issued: a
                .document_number
                .filter(|_| a.status == AgreementStatus::Issued),
        }),
    })
}

/// One block of the document as the page shows it: a CSS class and its text.
pub struct Line {
    pub class: &'static str,
    pub text: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "track/agreement.html")]
pub struct AgreementPage {
    page: Page,
    receipt_number: String,
    section: AgreementSection,
    /// e.g. 2026年11月30日, once issued.
    issued_on: Option<String>,
    lines: Vec<Line>,
}

/// The document's blocks as the page shows them, the print layout's gaps left to the CSS.
pub(crate) fn lines(doc: document::Document) -> Vec<Line> {
    doc.blocks
        .into_iter()
        .filter_map(|b| {
            let (class, text) = match b {
                Block::Title(t) => ("document__title", t),
                Block::Right(t) => ("document__number", t),
                Block::Heading(t) => ("document__heading", t),
                Block::Para { text, indent: true } => {
                    ("document__para document__para--indent", text)
                }
                Block::Para {
                    text,
                    indent: false,
                } => ("document__para", text),
                Block::Gap => return None,
            };
            Some(Line { class, text })
        })
        .collect()
}

/// `GET /track/agreement`: the document as it stands (the draft, or the issued one's text).
pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
) -> Answer<AgreementPage> {
    let Some(c) = remembered(&state, &session).await? else {
        return Ok(to_track());
    };
    let Some(a) = of_case(&state, &c).await? else {
        return Ok(to_case());
    };
    let Some(section) = section(&state, &c).await? else {
        return Ok(to_case());
    };
    let issued = match (&a.document_number, a.issued_at, &a.key_id) {
        (Some(number), Some(issued_at), Some(key_id)) => Some(document::Issued {
            number,
            issued_at,
            key_id,
        }),
        _ => None,
    };
    let doc = document::compose(&state.db, &c, &a, issued.as_ref(), CopyFor::Complete).await?;
    let lines = lines(doc);
    let title = if section.issued.is_some() {
        "调解书"
    } else {
        "调解书草稿"
    };
    Ok(web_page(AgreementPage {
        page: Page::new(&req, title).with_back("/track/case"),
        receipt_number: c.receipt_number,
        issued_on: a.issued_at.map(|t| chinese_date(local_date(t))),
        section,
        lines,
    }))
}

#[derive(Template, WebTemplate)]
#[template(path = "track/agreement_confirm.html")]
pub struct ConfirmPage {
    page: Page,
    receipt_number: String,
}

/// `GET /track/agreement/confirm`: what confirming means, with the button that does it.
pub async fn confirm_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
) -> Answer<ConfirmPage> {
    let Some(c) = remembered(&state, &session).await? else {
        return Ok(to_track());
    };
    if !section(&state, &c).await?.is_some_and(|s| s.awaiting_you) {
        return Ok(to_case());
    }
    Ok(web_page(ConfirmPage {
        page: Page::new(&req, "确认调解书").with_back("/track/agreement"),
        receipt_number: c.receipt_number,
    }))
}

/// `POST /track/agreement/confirm`: the consumer's confirmation; a second one is refused by the
/// step (409).
pub async fn confirm(state: web::Data<AppState>, session: Session) -> Answer<ConfirmPage> {
    let Some(c) = remembered(&state, &session).await? else {
        return Ok(to_track());
    };
    let txn = crate::db::begin_write(&state.db).await?;
    agreement::confirm_case(&txn, &state, &c.id, Confirmer::Consumer, state.clock.now()).await?;
    txn.commit().await?;
    Ok(actix_web::Either::Left(
        web::Redirect::to("/track/agreement").see_other(),
    ))
}

/// `GET /track/agreement/pdf`: the issued 调解书, as the complainant's copy; audited.
pub async fn pdf(state: web::Data<AppState>, session: Session) -> Result<HttpResponse, ApiError> {
    let Some(c) = remembered(&state, &session).await? else {
        return Ok(HttpResponse::SeeOther()
            .insert_header(("location", "/track"))
            .finish());
    };
    let txn = crate::db::begin_write(&state.db).await?;
    let pdf = agreement::consumer_pdf(&txn, &c, state.clock.now()).await?;
    txn.commit().await?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename(format!(
                "tiaojieshu-{}.pdf",
                c.receipt_number
            ))],
        })
        .insert_header(("Cache-Control", "no-store"))
        .body(pdf))
}
