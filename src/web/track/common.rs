//! What the tracking pages share: the session's handle on the verified case, and the answers
//! they give (a page kept out of caches, a redirect).

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::http::header::{CacheControl, CacheDirective};
use actix_web::{CustomizeResponder, Either, Responder, web};

use crate::cases::track;
use crate::http::ApiError;
use crate::state::AppState;

/// The session's handle on the case the consumer proved their claim to.
pub const CASE_KEY: &str = "track_case";

pub type Answer<T> = Result<Either<web::Redirect, CustomizeResponder<T>>, ApiError>;

/// Back to the claim form: the session holds no case.
pub fn to_track<T>() -> Either<web::Redirect, T> {
    Either::Left(web::Redirect::to("/track").see_other())
}

/// Back to the case page, after a step or when a page's step is not on offer.
pub fn to_case<T>() -> Either<web::Redirect, T> {
    Either::Left(web::Redirect::to("/track/case").see_other())
}

pub fn web_page<T: Responder>(page: T) -> Either<web::Redirect, CustomizeResponder<T>> {
    Either::Right(no_store(page))
}

/// A form page shown again with its errors.
pub fn refused<T: Responder>(page: T) -> Either<web::Redirect, CustomizeResponder<T>> {
    Either::Right(no_store(page).with_status(StatusCode::UNPROCESSABLE_ENTITY))
}

/// The case the session remembers, if any; a handle to a case that is gone is dropped.
pub async fn remembered(
    state: &AppState,
    session: &Session,
) -> Result<Option<crate::entities::case::Model>, ApiError> {
    let Ok(Some(id)) = session.get::<String>(CASE_KEY) else {
        return Ok(None);
    };
    match track::remembered(&state.db, &id).await {
        Ok(c) => Ok(Some(c)),
        Err(track::Error::NoMatch) => {
            session.remove(CASE_KEY);
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

/// A case page is never kept by the browser or a proxy: the next person at a shared computer
/// must not find it in the history or the cache.
pub fn no_store<T: Responder>(page: T) -> CustomizeResponder<T> {
    page.customize()
        .insert_header(CacheControl(vec![CacheDirective::NoStore]))
}
