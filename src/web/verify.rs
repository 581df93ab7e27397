//! Checking a 调解书 (`/verify`): its number and the PDF one holds (uploaded, hashed as it
//! streams in) or the PDF's SHA-256, checked by the same steps as the API's checks by file and by
//! hash. The answer says in words whether the document is
//! genuine and unchanged, who issued it and when, or why it cannot be trusted.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{CustomizeResponder, Either, HttpRequest, Responder, web};
use askama::Template;
use askama_web::WebTemplate;
use futures_util::StreamExt;
use serde::Deserialize;

use super::components::FormErrors;
use super::page::Page;
use crate::domain::dates::chinese_date;
use crate::http::ApiError;
use crate::mediation;
use crate::mediation::agreement::{self, Unread, Verification};
use crate::state::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "verify/start.html")]
pub struct VerifyForm {
    page: Page,
    /// The number typed in the upload form.
    pdf_number: String,
    number: String,
    sha256: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "verify/result.html")]
pub struct VerifyResult {
    page: Page,
    number: String,
    /// `None`: no 调解书 was issued under the number.
    found: Option<Found>,
}

pub struct Found {
    pub valid: bool,
    pub why_not: &'static str,
    pub bureau_name: String,
    pub issued_on: String,
    pub key_id: String,
    pub sha256: String,
}

#[derive(Deserialize)]
pub struct VerifyInput {
    #[serde(default)]
    number: String,
    #[serde(default)]
    sha256: String,
}

/// `GET /verify`
pub async fn form(req: HttpRequest) -> VerifyForm {
    VerifyForm {
        page: Page::new(&req, "核验调解书").with_back("/"),
        pdf_number: String::new(),
        number: String::new(),
        sha256: String::new(),
    }
}

/// `POST /verify`: the check changes nothing, so its answer is shown at once.
pub async fn check(
    req: HttpRequest,
    state: web::Data<AppState>,
    input: web::Form<VerifyInput>,
) -> Result<Either<CustomizeResponder<VerifyForm>, VerifyResult>, ApiError> {
    let VerifyInput { number, sha256 } = input.into_inner();
    let number = number.trim().to_owned();
    let mut errors = FormErrors::new();
    if number.is_empty() {
        errors.add("number", "请输入调解书编号");
    }
    if sha256.trim().is_empty() {
        errors.add("sha256", "请输入调解书文件的 SHA-256 值");
    }
    let found = if errors.is_empty() {
        // The step's errors: an unknown number, or a malformed hash at its field.
        match agreement::verify_hash(&state.db, &number, &sha256).await {
            Ok(v) => Some(found(v)),
            Err(mediation::Error::NotFound(_)) => None,
            Err(mediation::Error::Invalid(_)) => {
                errors.add("sha256", "SHA-256 值应为 64 位，由数字 0-9 和字母 a-f 组成");
                None
            }
            Err(e) => return Err(e.into()),
        }
    } else {
        None
    };
    if !errors.is_empty() {
        return Ok(Either::Left(again(
            &req,
            errors,
            String::new(),
            number,
            sha256,
        )));
    }
    Ok(Either::Right(result(&req, number, found)))
}

/// The form again with its errors and the values typed: 422.
fn again(
    req: &HttpRequest,
    errors: FormErrors,
    pdf_number: String,
    number: String,
    sha256: String,
) -> CustomizeResponder<VerifyForm> {
    VerifyForm {
        page: Page::new(req, "核验调解书")
            .with_back("/")
            .with_errors(errors),
        pdf_number,
        number,
        sha256,
    }
    .customize()
    .with_status(StatusCode::UNPROCESSABLE_ENTITY)
}

fn result(req: &HttpRequest, number: String, found: Option<Found>) -> VerifyResult {
    let title = match &found {
        Some(f) if f.valid => "核验通过",
        _ => "未通过核验",
    };
    VerifyResult {
        page: Page::new(req, title).with_back("/verify"),
        number,
        found,
    }
}

/// `POST /verify/file`: the upload form (multipart: `pdf_number`, then the file `pdf`), its
/// file hashed as it streams in and never kept.
pub async fn check_file(
    req: HttpRequest,
    state: web::Data<AppState>,
    mut body: Multipart,
) -> Result<Either<CustomizeResponder<VerifyForm>, VerifyResult>, ApiError> {
    let mut number = String::new();
    let mut presented = None;
    let mut errors = FormErrors::new();
    while let Some(part) = body.next().await {
        let Ok(mut part) = part else {
            errors.add("pdf", UNFINISHED);
            break;
        };
        match part.name() {
            Some("pdf_number") => {
                let mut text = Vec::new();
                while let Some(Ok(chunk)) = part.next().await {
                    if text.len() + chunk.len() > 400 {
                        break;
                    }
                    text.extend_from_slice(&chunk);
                }
                number = String::from_utf8_lossy(&text).trim().to_owned();
            }
            Some("pdf") => match agreement::digest(&mut part).await {
                // A browser sends one empty part when no file is chosen.
                Ok((_, 0)) => {}
                Ok((sha, _)) => presented = Some(sha),
                Err(Unread::TooLarge) => errors.add(
                    "pdf",
                    "这个文件超过 16 MB，不是市场监督管理部门出具的调解书 PDF",
                ),
                Err(Unread::BrokeOff(_)) => errors.add("pdf", UNFINISHED),
            },
            _ => {}
        }
    }
    if number.is_empty() {
        errors.add("pdf_number", "请输入调解书编号");
    }
    if presented.is_none() {
        errors.add("pdf", "请选择您持有的调解书 PDF 文件");
    }
    let (Some(sha), true) = (presented, errors.is_empty()) else {
        return Ok(Either::Left(again(
            &req,
            errors,
            number,
            String::new(),
            String::new(),
        )));
    };
    let found = match agreement::verify(&state.db, &number, &sha).await {
        Ok(v) => Some(found(v)),
        Err(mediation::Error::NotFound(_)) => None,
        Err(e) => return Err(e.into()),
    };
    Ok(Either::Right(result(&req, number, found)))
}

const UNFINISHED: &str = "文件没有上传完整，请重新选择";

fn found(v: Verification) -> Found {
    Found {
        valid: v.valid,
        why_not: match v.reason.as_deref() {
            None => "",
            Some("hash_mismatch") => {
                "您核验的文件与以此编号出具的调解书不一致：它可能不是原件，或者内容已被改动。"
            }
            Some("key_revoked") => {
                "签发此调解书所用的密钥已被撤销，不能再证明这份调解书的真实性。请向出具机关核实。"
            }
            _ => "登记的签名无法验证，不能证明这份调解书的真实性。请向出具机关核实。",
        },
        bureau_name: v.bureau_name,
        issued_on: chinese_date(v.issued_on),
        key_id: v.key_id,
        sha256: v.presented_sha256,
    }
}
