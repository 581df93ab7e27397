//! Evidence from the tracking pages: the files the consumer added, each downloadable, and a form
//! to add more while the case is open (`multipart/form-data`, the CSRF token in the action's
//! query). The page runs the same step as `POST /api/v1/track/{receipt}/evidence` and says what
//! it refused in Chinese words.

use actix_multipart::Multipart;
use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use askama_web::WebTemplate;

use super::common::{Answer, refused, remembered, to_track, web_page};
use crate::domain::dates::chinese_time;
use crate::entities::case;
use crate::evidence::{EvidenceView, add, read};
use crate::http::ApiError;
use crate::http::files::{files, send};
use crate::state::AppState;
use crate::web::attach::{NONE_CHOSEN, UNFINISHED, in_words};
use crate::web::components::FormErrors;
use crate::web::page::Page;
use actix_web::Either;

/// A file as a page lists it: its name, and its kind, size and time in words.
pub struct FileLine {
    pub id: String,
    pub name: String,
    pub what: String,
    pub removed: bool,
}

pub(crate) fn line(v: EvidenceView) -> FileLine {
    let kb = (v.size + 1023) / 1024;
    FileLine {
        what: format!(
            "{}，{} KB，{}上传",
            match v.media_type {
                crate::evidence::MediaType::Pdf => "PDF 文件",
                _ => "图片",
            },
            kb,
            chinese_time(v.uploaded_at)
        ),
        id: v.id,
        name: v.file_name,
        removed: v.removed,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "track/evidence.html")]
pub struct EvidencePage {
    page: Page,
    receipt_number: String,
    files: Vec<FileLine>,
    open: bool,
    /// What may be uploaded, in words.
    hint: String,
}

async fn evidence_page(
    req: &HttpRequest,
    state: &AppState,
    c: &case::Model,
    errors: FormErrors,
) -> Result<EvidencePage, ApiError> {
    let listed = read::list_for_consumer(&state.db, c).await?;
    let settings = &state.env.settings;
    Ok(EvidencePage {
        page: Page::new(req, "证据材料")
            .with_back("/track/case")
            .with_errors(errors),
        receipt_number: c.receipt_number.clone(),
        files: listed.into_iter().map(line).collect(),
        open: !c.status.is_final(),
        hint: format!(
            "可一次选择多个文件。支持 JPEG、PNG、WebP、HEIC 图片和 PDF 文件，每个不超过 {} MB，每件最多 {} 个文件。照片中的拍摄位置等信息不会提供给经营者。",
            settings.evidence_max_file_bytes >> 20,
            settings.evidence_max_files
        ),
    })
}

/// `GET /track/evidence`
pub async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
) -> Answer<EvidencePage> {
    let Some(c) = remembered(&state, &session).await? else {
        return Ok(to_track());
    };
    Ok(web_page(
        evidence_page(&req, &state, &c, FormErrors::new()).await?,
    ))
}

/// `POST /track/evidence`: the files checked here in words, then the step.
pub async fn upload(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    body: Multipart,
) -> Answer<EvidencePage> {
    let Some(c) = remembered(&state, &session).await? else {
        return Ok(to_track());
    };
    let mut errors = FormErrors::new();
    let incoming = match files(body, &state).await {
        // A browser sends one empty part when no file is chosen.
        Ok((incoming, _)) => incoming
            .into_iter()
            .filter(|f| !f.bytes.is_empty())
            .collect(),
        Err(_) => {
            errors.add("files", UNFINISHED);
            Vec::new()
        }
    };
    if errors.is_empty() && incoming.is_empty() {
        errors.add("files", NONE_CHOSEN);
    }
    if errors.is_empty() {
        let txn = crate::db::begin_write(&state.db).await?;
        match add::by_consumer(&txn, &state.env, &c, incoming, state.clock.now()).await {
            Ok(_) => {
                txn.commit().await?;
                return Ok(Either::Left(
                    web::Redirect::to("/track/evidence").see_other(),
                ));
            }
            Err(crate::evidence::Error::Invalid(refused)) => {
                errors.add("files", in_words(&refused, &state.env.settings))
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(refused(evidence_page(&req, &state, &c, errors).await?))
}

/// `GET /track/evidence/{id}`: a file the consumer added, as sent.
pub async fn download(
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let Some(c) = remembered(&state, &session).await? else {
        return Ok(HttpResponse::SeeOther()
            .insert_header(("location", "/track"))
            .finish());
    };
    let txn = crate::db::begin_write(&state.db).await?;
    let d = read::download_for_consumer(&txn, &c, &path, state.clock.now()).await?;
    txn.commit().await?;
    send(&state, d).await
}
