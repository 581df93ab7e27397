//! The pilot area's registry of brands promising no-reason returns at any of their stores
//! (异地异店无理由退换货), in the workbench (issue 17, item 12): any staff member reads it; the
//! admins of the 青浦, 吴江 and 嘉善 bureaus register a brand, change its registration and remove
//! it. The same steps as `GET`, `POST`, `PUT` and `DELETE /api/v1/zone/return-brands`.

use actix_session::Session;
use actix_web::{HttpRequest, web};
use askama::Template;
use askama_web::WebTemplate;

use super::act::{Answer, Text, again, done_at};
use super::signed_in::{Desk, SignedIn, take_notice};
use crate::domain::dates::chinese_time;
use crate::domain::identifiers::Uscc;
use crate::http::ApiError;
use crate::routing::zone::{self, Brand, Error, ReturnBrand};
use crate::state::AppState;
use crate::web::components::FormErrors;
use crate::web::journey::{Form, value};
use crate::web::page::Page;

const BRANDS: &str = "/staff/brands";

const NAME: Text<'static> = Text {
    field: "name",
    what: "品牌名称",
    min: 2,
    max: 100,
    lines: false,
};

const PROMISE: Text<'static> = Text {
    field: "promise",
    what: "承诺内容",
    min: 2,
    max: 1000,
    lines: true,
};

pub struct BrandLine {
    pub name: String,
    pub uscc: String,
    pub promise: String,
    pub updated: String,
    pub change: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/brands.html")]
pub struct BrandsPage {
    page: Page,
    desk: Desk,
    notice: Option<String>,
    brands: Vec<BrandLine>,
    /// The caller keeps the registry: the page offers its forms.
    keeper: bool,
}

/// `GET /staff/brands`
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    me: SignedIn,
) -> Result<BrandsPage, ApiError> {
    let brands = zone::brands(&state.db)
        .await?
        .into_iter()
        .map(|b| BrandLine {
            change: format!("{BRANDS}/{}", b.id),
            uscc: b.uscc.unwrap_or_default(),
            updated: chinese_time(b.updated_at),
            name: b.name,
            promise: b.promise,
        })
        .collect();
    Ok(BrandsPage {
        page: Page::new(&req, "异地异店无理由退换货品牌"),
        desk: Desk::of(&me),
        notice: take_notice(&session),
        brands,
        keeper: zone::may_keep_brands(&me.staff),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/brand_form.html")]
pub struct BrandPage {
    page: Page,
    desk: Desk,
    heading: String,
    action: String,
    /// Where the removal posts; `None` for a new brand.
    remove: Option<String>,
    brand_name: String,
    uscc: String,
    promise: String,
}

/// What the form holds.
struct Typed {
    name: String,
    uscc: String,
    promise: String,
}

impl Typed {
    fn of(form: &Form) -> Typed {
        Typed {
            name: value(form, "name"),
            uscc: value(form, "uscc"),
            promise: value(form, "promise"),
        }
    }

    /// The brand as the step takes it, once every field passes; the errors otherwise.
    fn brand(&self, errors: &mut FormErrors) -> Option<Brand<'_>> {
        NAME.check(
            self.name.trim(),
            "请输入品牌名称，与门店名称中的一致",
            errors,
        );
        let uscc = self.uscc.trim();
        if !uscc.is_empty() && Uscc::parse(uscc).is_err() {
            errors.add(
                "uscc",
                "统一社会信用代码应为 18 位，例如 91330421MA2B3C4D5E；不知道可以不填",
            );
        }
        PROMISE.check(
            self.promise.trim(),
            "请写明品牌承诺的内容，调解员会引用",
            errors,
        );
        errors.is_empty().then(|| Brand {
            name: self.name.trim(),
            uscc: Some(uscc).filter(|u| !u.is_empty()),
            promise: self.promise.trim(),
        })
    }
}

fn brand_page(
    req: &HttpRequest,
    me: &SignedIn,
    brand: Option<&ReturnBrand>,
    typed: Typed,
    errors: FormErrors,
) -> BrandPage {
    let (heading, action, remove) = match brand {
        Some(b) => (
            format!("更改{}的登记", b.name),
            format!("{BRANDS}/{}", b.id),
            Some(format!("{BRANDS}/{}/remove", b.id)),
        ),
        None => ("登记品牌".to_owned(), format!("{BRANDS}/new"), None),
    };
    BrandPage {
        page: Page::new(req, heading.clone())
            .with_back(BRANDS)
            .with_errors(errors),
        desk: Desk::of(me),
        heading,
        action,
        remove,
        brand_name: typed.name,
        uscc: typed.uscc,
        promise: typed.promise,
    }
}

/// The registry's keepers only (403 otherwise).
fn keeper(me: &SignedIn) -> Result<(), ApiError> {
    Ok(zone::require_pilot_admin(&me.staff)?)
}

/// A refusal of the step at its field, or the error page.
fn refused(e: Error, errors: &mut FormErrors) -> Result<(), ApiError> {
    match e {
        Error::BrandExists(name) => {
            errors.add("name", format!("“{name}”已经登记，请更改已有的登记"));
            Ok(())
        }
        e => Err(e.into()),
    }
}

/// `GET /staff/brands/new`
pub async fn new_form(req: HttpRequest, me: SignedIn) -> Result<BrandPage, ApiError> {
    keeper(&me)?;
    let typed = Typed {
        name: String::new(),
        uscc: String::new(),
        promise: String::new(),
    };
    Ok(brand_page(&req, &me, None, typed, FormErrors::new()))
}

/// `POST /staff/brands/new`: the step of `POST /api/v1/zone/return-brands`.
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    me: SignedIn,
    form: Form,
) -> Answer<BrandPage> {
    keeper(&me)?;
    let typed = Typed::of(&form);
    let mut errors = FormErrors::new();
    if let Some(brand) = typed.brand(&mut errors) {
        let txn = crate::db::begin_write(&state.db).await?;
        match zone::create_brand(&txn, &me.staff, brand, state.clock.now()).await {
            Ok(b) => {
                txn.commit().await?;
                return done_at(&session, BRANDS, &format!("已登记{}。", b.name));
            }
            Err(e) => refused(e, &mut errors)?,
        }
    }
    again(brand_page(&req, &me, None, typed, errors))
}

/// `GET /staff/brands/{id}`
pub async fn change_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: SignedIn,
    path: web::Path<String>,
) -> Result<BrandPage, ApiError> {
    keeper(&me)?;
    let b = zone::brand(&state.db, &path).await?;
    let typed = Typed {
        name: b.name.clone(),
        uscc: b.uscc.clone().unwrap_or_default(),
        promise: b.promise.clone(),
    };
    Ok(brand_page(&req, &me, Some(&b), typed, FormErrors::new()))
}

/// `POST /staff/brands/{id}`: the step of `PUT /api/v1/zone/return-brands/{id}`.
pub async fn change(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    me: SignedIn,
    path: web::Path<String>,
    form: Form,
) -> Answer<BrandPage> {
    keeper(&me)?;
    let b = zone::brand(&state.db, &path).await?;
    let typed = Typed::of(&form);
    let mut errors = FormErrors::new();
    if let Some(brand) = typed.brand(&mut errors) {
        let txn = crate::db::begin_write(&state.db).await?;
        match zone::update_brand(&txn, &me.staff, &b.id, brand, state.clock.now()).await {
            Ok(b) => {
                txn.commit().await?;
                return done_at(&session, BRANDS, &format!("已更新{}的登记。", b.name));
            }
            Err(e) => refused(e, &mut errors)?,
        }
    }
    again(brand_page(&req, &me, Some(&b), typed, errors))
}

/// `POST /staff/brands/{id}/remove`: the step of `DELETE /api/v1/zone/return-brands/{id}`.
pub async fn remove(
    state: web::Data<AppState>,
    session: Session,
    me: SignedIn,
    path: web::Path<String>,
) -> Answer<BrandPage> {
    keeper(&me)?;
    let b = zone::brand(&state.db, &path).await?;
    let txn = crate::db::begin_write(&state.db).await?;
    zone::delete_brand(&txn, &me.staff, &b.id, state.clock.now()).await?;
    txn.commit().await?;
    let text = format!("已将{}从登记中移除；已登记的投诉仍引用当时的承诺。", b.name);
    done_at(&session, BRANDS, &text)
}
