//! A workbench step that takes one text (a reason, a note, a resolution): the page and its form.

use askama::Template;
use askama_web::WebTemplate;

use super::signed_in::Desk;
use crate::web::page::Page;

#[derive(Template, WebTemplate)]
#[template(path = "staff/text_step.html")]
pub struct TextPage {
    pub page: Page,
    pub desk: Desk,
    /// Where the form posts, and where "返回" leads.
    pub action: String,
    pub back: String,
    pub heading: &'static str,
    pub lead: &'static str,
    pub field: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub button: &'static str,
    /// `warning` for a step that cannot be undone, else `primary`.
    pub button_kind: &'static str,
    pub value: String,
}
