//! The evidence page of a filing journey (issue 18, item 1: files go in with the complaint or
//! report itself): the files chosen are checked and decoded at once by the evidence use case's
//! own [`store`] (type by content, size, the limits, a photo's pixels) and written to the store,
//! and the draft keeps what their rows will record; filing the draft makes them the new case's
//! evidence in the intake's transaction. A draft lives a day and the store's sweep removes blobs
//! no row names after its grace period, so the submit refreshes every blob (its age counts from
//! then) and asks for a file again whose blob is gone.

use actix_multipart::Multipart;
use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::complaint::draft::{self, Draft};
use super::components::FormErrors;
use super::journey::{Form, Journey, see_other, value};
use super::page::{Page, back, changing, html, status};
use crate::config::Settings;
use crate::domain::faults::Invalid;
use crate::evidence::add::{Held, Stored, store};
use crate::evidence::{Error, MediaType};
use crate::http::ApiResult;
use crate::http::files::files;
use crate::intake::Attached;
use crate::state::AppState;

/// A journey that takes evidence: the page asking for it, and the files its draft holds.
pub(crate) trait Attaching: Journey {
    const EVIDENCE: Self::Step;
    /// The page after the evidence page.
    const AFTER_EVIDENCE: Self::Step;
    /// The page before it, for its back link.
    const BEFORE_EVIDENCE: Self::Step;
    fn files(&mut self) -> &mut Vec<Stored>;
}

pub(crate) fn routes<J: Attaching>(cfg: &mut web::ServiceConfig) {
    let path = J::path(J::EVIDENCE);
    cfg.route(path, web::post().to(upload::<J>))
        .route(&format!("{path}/remove"), web::post().to(remove::<J>));
}

/// A file as the page lists it.
pub struct Line {
    pub name: String,
    pub what: String,
}

#[derive(Template)]
#[template(path = "evidence_step.html")]
struct EvidenceStep {
    page: Page,
    path: &'static str,
    /// Whether the page was reached by 更改 (and leads back to the check page).
    change: bool,
    lines: Vec<Line>,
    next: String,
    hint: String,
    /// Whether another file may be added.
    room: bool,
}

/// The evidence page of the journey's draft, with `files` and `errors`.
pub(crate) fn page<J: Attaching>(
    req: &HttpRequest,
    files: &[Stored],
    errors: FormErrors,
) -> ApiResult<HttpResponse> {
    let state = req.app_data::<web::Data<AppState>>();
    let (max_file, max_files) = state.map_or((0, 0), |s| {
        let s = &s.env.settings;
        (s.evidence_max_file_bytes >> 20, s.evidence_max_files)
    });
    let changing = changing(req);
    let next = match changing {
        true => J::CHECK.to_owned(),
        false => J::path(J::AFTER_EVIDENCE).to_owned(),
    };
    html(
        &EvidenceStep {
            page: Page::new(req, "证据材料")
                .with_errors(errors.clone())
                .with_back(back(req, J::CHECK, J::path(J::BEFORE_EVIDENCE))),
            path: J::path(J::EVIDENCE),
            change: changing,
            lines: files.iter().map(line).collect(),
            next,
            hint: format!(
                "选填。可一次选择多个文件。支持 JPEG、PNG、WebP、HEIC 图片和 PDF 文件，每个不超过 {max_file} MB，最多 {max_files} 个文件。照片中的拍摄位置等信息不会提供给经营者。"
            ),
            room: (files.len() as u64) < max_files,
        },
        status(&errors),
    )
}

fn line(f: &Stored) -> Line {
    Line {
        name: f.name.clone(),
        what: format!(
            "{}，{} KB",
            match f.media_type {
                MediaType::Pdf => "PDF 文件",
                _ => "图片",
            },
            (f.size + 1023) / 1024
        ),
    }
}

/// The names of the files, for the check page.
pub(crate) fn names(files: &[Stored]) -> String {
    match files.is_empty() {
        true => "未上传".to_owned(),
        false => files
            .iter()
            .map(|f| f.name.as_str())
            .collect::<Vec<_>>()
            .join("、"),
    }
}

/// The draft's files, if the draft is open.
async fn open<J: Attaching>(
    state: &AppState,
    session: &Session,
) -> ApiResult<Result<(String, J), HttpResponse>> {
    Ok(
        match draft::load::<J>(&state.db, session, state.clock.now()).await? {
            Some(Draft::Open { id, answers }) => Ok((id, *answers)),
            Some(Draft::Filed(_)) => Err(see_other(J::RECEIPT)),
            None => Err(see_other(J::START)),
        },
    )
}

/// `POST` the evidence page: the files chosen, checked, stored and added to the draft.
async fn upload<J: Attaching>(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    body: Multipart,
) -> ApiResult<HttpResponse> {
    let (id, mut a) = match open::<J>(&state, &session).await? {
        Ok(open) => open,
        Err(elsewhere) => return Ok(elsewhere),
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
        let held = Held::of(a.files().iter().map(|f| f.size));
        match store(&state.env, incoming, held).await {
            Ok(stored) => {
                a.files().extend(stored);
                draft::save(&state.db, &id, &a).await?;
                return Ok(see_other(&format!(
                    "{}{}",
                    J::path(J::EVIDENCE),
                    if changing(&req) { "?change=1" } else { "" }
                )));
            }
            Err(Error::Invalid(refused)) => {
                errors.add("files", in_words(&refused, &state.env.settings))
            }
            Err(e) => return Err(e.into()),
        }
    }
    page::<J>(&req, a.files(), errors)
}

/// What an upload page says when the upload broke off, or came with no file chosen.
pub(crate) const UNFINISHED: &str = "文件没有上传完整，或总大小超过上限，请重新选择";
pub(crate) const NONE_CHOSEN: &str = "请选择要上传的文件";

/// What a page says of the first file the evidence step refused, in words: the step's message
/// starts with the file's name (its faults are at `files[i]`; the case's limits at `files`).
pub(crate) fn in_words(refused: &Invalid, s: &Settings) -> String {
    let Some(f) = refused.0.first() else {
        return UNFINISHED.to_owned();
    };
    let name = f.message.split(": ").next().unwrap_or_default();
    match f.message.as_str() {
        _ if f.field == "files" => format!(
            "最多 {} 个文件、共 {} MB，已达上限",
            s.evidence_max_files,
            s.evidence_max_case_bytes >> 20
        ),
        m if m.contains("larger than") => format!(
            "{name} 超过 {} MB，请压缩或拆分后上传",
            s.evidence_max_file_bytes >> 20
        ),
        m if m.contains("not a JPEG") => {
            format!("{name} 不是 JPEG、PNG、WebP、HEIC 图片或 PDF 文件")
        }
        m if m.contains("pixels") => format!("{name} 的像素太多，请缩小后上传"),
        _ => format!("{name} 无法读取，请换一个文件"),
    }
}

/// `POST …/remove`: the file at `file` (its place in the list) taken out of the draft.
async fn remove<J: Attaching>(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    form: Form,
) -> ApiResult<HttpResponse> {
    let (id, mut a) = match open::<J>(&state, &session).await? {
        Ok(open) => open,
        Err(elsewhere) => return Ok(elsewhere),
    };
    if let Ok(i) = value(&form, "file").parse::<usize>()
        && i < a.files().len()
    {
        a.files().remove(i);
        draft::save(&state.db, &id, &a).await?;
    }
    Ok(see_other(&format!(
        "{}{}",
        J::path(J::EVIDENCE),
        if changing(&req) { "?change=1" } else { "" }
    )))
}

/// The draft's files for the intake, when every blob is still in the store (each refreshed, so
/// that the sweep leaves it to the rows about to be committed); otherwise a fault at `files`,
/// which sends the consumer back to the evidence page.
pub(crate) async fn still_stored(state: &AppState, files: &[Stored]) -> ApiResult<Attached> {
    for f in files {
        for blob in f.blobs() {
            if !state.env.blobs.refresh(blob).await.map_err(Error::Store)? {
                return Ok(Err(Invalid::field(
                    "files",
                    format!("{}: no longer in the store", f.name),
                )));
            }
        }
    }
    Ok(Ok(files.to_vec()))
}
