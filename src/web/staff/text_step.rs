//! The pages of workbench steps: one that takes one text (a reason, a note, a resolution), and
//! one with a choice or two and a text.

use actix_web::HttpRequest;
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use super::signed_in::{Desk, SignedIn};
use crate::entities::case;
use crate::web::components::{Choice, FormErrors};
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

/// A step's page about a case or a lead: a heading, a few words, and the form's fields (a radio
/// group, a second one, a text box), any of which a step may leave out.
#[derive(Template, WebTemplate)]
#[template(path = "staff/step.html")]
pub struct StepPage {
    pub page: Page,
    pub desk: Desk,
    /// Where "返回" leads: the case or the lead.
    pub back: String,
    pub receipt_number: String,
    pub heading: String,
    pub words: String,
    pub action: String,
    /// The radio group named `choice`, if the step has one: its legend and options.
    pub choice: Option<Radios>,
    /// A second group, named `second` (the new mediator of a granted recusal).
    pub second: Option<Radios>,
    /// The text box named `text`, if the step has one.
    pub text: Option<TextBox>,
    pub button: String,
}

pub struct Radios {
    pub legend: String,
    pub options: Vec<Choice>,
}

pub struct TextBox {
    pub label: String,
    pub value: String,
    pub hint: String,
    pub max: usize,
}

impl TextBox {
    pub fn limit(&self) -> usize {
        self.max
    }
}

#[derive(Deserialize, Default)]
pub struct StepInput {
    #[serde(default)]
    pub choice: String,
    #[serde(default)]
    pub second: String,
    #[serde(default)]
    pub text: String,
}

impl StepPage {
    /// The page of a step on a case.
    pub(super) fn new(
        req: &HttpRequest,
        me: &SignedIn,
        c: &case::Model,
        heading: &str,
    ) -> StepPage {
        StepPage::about(
            req,
            me,
            &c.receipt_number,
            format!("/staff/cases/{}", c.id),
            heading,
        )
    }

    /// The page of a step on what `receipt_number` names, `back` leading to it.
    pub(super) fn about(
        req: &HttpRequest,
        me: &SignedIn,
        receipt_number: &str,
        back: String,
        heading: &str,
    ) -> StepPage {
        StepPage {
            page: Page::new(req, format!("{heading} {receipt_number}")).with_back(back.clone()),
            desk: Desk::of(me),
            back,
            receipt_number: receipt_number.to_owned(),
            heading: heading.to_owned(),
            words: String::new(),
            action: String::new(),
            choice: None,
            second: None,
            text: None,
            button: String::new(),
        }
    }

    pub(super) fn errors(mut self, errors: FormErrors) -> Self {
        self.page = self.page.with_errors(errors);
        self
    }
}

/// The reasons of a 立案 decision, as the API bounds them.
const DECISION_REASON: super::act::Text<'static> = super::act::Text {
    field: "text",
    what: "理由",
    min: 2,
    max: 2000,
    lines: true,
};

/// The 立案 / 不予立案 choice (each with `hints`, what it means here) and its reasons, as a lead's
/// and a report's decision forms ask them.
pub(super) fn decision_fields(
    input: &StepInput,
    hints: [&str; 2],
    reason_hint: &str,
) -> (Radios, TextBox) {
    use crate::leads::Decision;
    let decisions = [Decision::Opened, Decision::Declined]
        .iter()
        .zip(hints)
        .map(|(d, hint)| Choice::new(d.as_str(), d.label()).hint(hint))
        .collect();
    (
        Radios {
            legend: "决定".into(),
            options: Choice::mark(decisions, &[input.choice.as_str()]),
        },
        TextBox {
            label: "理由".into(),
            value: input.text.clone(),
            hint: reason_hint.into(),
            max: DECISION_REASON.max,
        },
    )
}

/// The decision and its reasons as typed, each fault at its field.
pub(super) fn decision_of(
    input: &StepInput,
    errors: &mut FormErrors,
) -> Option<(crate::leads::Decision, String)> {
    let decision = crate::leads::Decision::parse(&input.choice);
    if decision.is_none() {
        errors.add("choice", "请选择立案或不予立案");
    }
    let reason = input.text.trim();
    DECISION_REASON.check(reason, "请写明决定的理由", errors);
    decision
        .filter(|_| errors.is_empty())
        .map(|d| (d, reason.to_owned()))
}
