//! Statutory deadlines: which rule set governs a case, the limits it sets (data/rule_sets.toml),
//! and how a due instant is computed on the working-day calendar, with an explanation of each step.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use chrono_tz::Asia::Shanghai;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::calendar::schedule::Calendar;

mod error;
pub mod extension;
pub mod http;
pub mod kinds;
pub mod pauses;
pub mod store;
pub mod sweep;

pub use error::Error;
pub use kinds::{DeadlineKind, DeadlineStatus, PauseReason, RuleSetId, Unit};
pub use store::{DeadlineView, open, row};

#[derive(Debug, Clone, Deserialize)]
pub struct Limit {
    pub amount: u32,
    pub unit: Unit,
    /// `verified`, `unverified` or `proposal`.
    pub status: String,
    pub source: String,
    /// A one-time extension on approval, in the same unit.
    #[serde(default)]
    pub extension: Option<u32>,
}

#[derive(Debug, Deserialize)]
struct RuleFile {
    switch: Switch,
    #[serde(rename = "order-20")]
    order_20: HashMap<DeadlineKind, Limit>,
    #[serde(rename = "order-121")]
    order_121: HashMap<DeadlineKind, Limit>,
}

#[derive(Debug, Deserialize)]
struct Switch {
    order_121_from: NaiveDate,
}

/// The limits of every rule set, loaded once.
#[derive(Debug)]
pub struct RuleBook {
    order_121_from: NaiveDate,
    order_20: HashMap<DeadlineKind, Limit>,
    order_121: HashMap<DeadlineKind, Limit>,
}

impl RuleBook {
    pub fn builtin() -> RuleBook {
        Self::parse(include_str!("../../data/rule_sets.toml")).expect("shipped rule sets are valid")
    }

    pub fn parse(text: &str) -> Result<RuleBook, String> {
        let file: RuleFile = toml::from_str(text).map_err(|e| e.to_string())?;
        Ok(RuleBook {
            order_121_from: file.switch.order_121_from,
            order_20: file.order_20,
            order_121: file.order_121,
        })
    }

    /// The rule set for a case received at `received_at`, by its Asia/Shanghai date.
    pub fn rule_set_for(&self, received_at: DateTime<Utc>) -> RuleSetId {
        if local_date(received_at) >= self.order_121_from {
            RuleSetId::Order121
        } else {
            RuleSetId::Order20
        }
    }

    pub fn limit(&self, set: RuleSetId, kind: DeadlineKind) -> Option<&Limit> {
        match set {
            RuleSetId::Order20 => self.order_20.get(&kind),
            RuleSetId::Order121 => self.order_121.get(&kind),
        }
    }
}

pub fn local_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&Shanghai).date_naive()
}

/// Midnight at the start of `date` in Asia/Shanghai, as UTC.
pub fn start_of_local_day(date: NaiveDate) -> DateTime<Utc> {
    let naive = date.and_hms_opt(0, 0, 0).expect("midnight exists");
    // Shanghai has no DST, so local midnight is always unambiguous.
    Shanghai
        .from_local_datetime(&naive)
        .single()
        .expect("Asia/Shanghai midnight is unambiguous")
        .with_timezone(&Utc)
}

/// How a due date was reached; stored with the deadline and shown to staff and consumers.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Explanation {
    pub rule_set: RuleSetId,
    pub kind: DeadlineKind,
    pub amount: u32,
    pub unit: Unit,
    /// `verified`, `unverified` or `proposal`.
    pub limit_status: String,
    pub source: String,
    pub starts_at: DateTime<Utc>,
    /// The Asia/Shanghai date of the start; it is not itself counted.
    pub start_date: NaiveDate,
    /// The counting rule applied, in words.
    pub counting: String,
    /// Calendar years whose official schedule was used.
    pub calendar_years: Vec<i32>,
    /// Years with no loaded schedule, counted Monday–Friday only; the deadline is provisional.
    pub estimated_years: Vec<i32>,
    /// Clock stops (testing, recusal) that pushed the deadline back.
    #[serde(default)]
    pub pauses: Vec<PauseExplained>,
    /// Working days added by the one-time extension on approval.
    #[serde(default)]
    pub extension_days: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PauseExplained {
    pub reason: PauseReason,
    pub from: DateTime<Utc>,
    /// `None` while the clock is still stopped.
    pub to: Option<DateTime<Utc>>,
    /// Working days inside the pause, added to the deadline.
    pub working_days: u32,
}

/// What moves a deadline after it starts: pauses and an approved extension.
#[derive(Debug, Clone, Default)]
pub struct Adjustments {
    /// (reason, from, to); `to` is `None` for a pause still running, counted up to `now`.
    pub pauses: Vec<(PauseReason, DateTime<Utc>, Option<DateTime<Utc>>)>,
    pub extended: bool,
    pub now: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
pub struct Computed {
    pub due_at: DateTime<Utc>,
    pub due_date: NaiveDate,
    pub provisional: bool,
    pub explanation: Explanation,
}

/// Computes a deadline from `start` under a rule set. `None` when the rule set has no such limit.
pub fn compute(
    cal: &Calendar,
    rules: &RuleBook,
    set: RuleSetId,
    kind: DeadlineKind,
    start: DateTime<Utc>,
) -> Option<Computed> {
    compute_adjusted(cal, rules, set, kind, start, &Adjustments::default())
}

/// `compute`, then pushed back by the working days of each pause and by an approved extension.
pub fn compute_adjusted(
    cal: &Calendar,
    rules: &RuleBook,
    set: RuleSetId,
    kind: DeadlineKind,
    start: DateTime<Utc>,
    adjust: &Adjustments,
) -> Option<Computed> {
    let limit = rules.limit(set, kind)?;
    let start_date = local_date(start);
    let mut years = Years::default();
    let (due_date, due_at, counting) = match limit.unit {
        Unit::WorkingDays => {
            let due = add_working_days(cal, start_date, limit.amount, &mut years);
            (
                due,
                start_of_local_day(due + Duration::days(1)),
                format!(
                    "day of receipt not counted; ends 24:00 Asia/Shanghai on the {}th working day after {start_date}",
                    limit.amount
                ),
            )
        }
        Unit::CalendarDays => {
            let last = start_date + Duration::days(i64::from(limit.amount));
            let due = next_working_day(cal, last, &mut years);
            let moved = if due != last {
                format!("; {last} is not a working day, so it moves to {due}")
            } else {
                String::new()
            };
            (
                due,
                start_of_local_day(due + Duration::days(1)),
                format!("{} calendar days after {start_date}{moved}", limit.amount),
            )
        }
        Unit::Hours => {
            let at = start + Duration::hours(i64::from(limit.amount));
            (
                local_date(at),
                at,
                format!("{} hours from receipt", limit.amount),
            )
        }
    };
    let extension_days = if adjust.extended {
        limit.extension.unwrap_or(0)
    } else {
        0
    };
    let mut pauses = Vec::new();
    if limit.unit != Unit::Hours {
        for (reason, from, to) in &adjust.pauses {
            let end = to.or(adjust.now).unwrap_or(*from);
            let working_days =
                count_working_days(cal, local_date(*from), local_date(end), &mut years);
            pauses.push(PauseExplained {
                reason: *reason,
                from: *from,
                to: *to,
                working_days,
            });
        }
    }
    let extra = extension_days + pauses.iter().map(|p| p.working_days).sum::<u32>();
    let (due_date, due_at) = if extra == 0 {
        (due_date, due_at)
    } else {
        let moved = add_working_days(cal, due_date, extra, &mut years);
        (moved, start_of_local_day(moved + Duration::days(1)))
    };
    Some(Computed {
        due_at,
        due_date,
        provisional: !years.estimated.is_empty(),
        explanation: Explanation {
            rule_set: set,
            kind,
            amount: limit.amount,
            unit: limit.unit,
            limit_status: limit.status.clone(),
            source: limit.source.clone(),
            starts_at: start,
            start_date,
            counting,
            calendar_years: years.used.into_iter().collect(),
            estimated_years: years.estimated.into_iter().collect(),
            pauses,
            extension_days,
        },
    })
}

/// Working days d with a < d <= b, estimating years with no schedule.
fn count_working_days(cal: &Calendar, a: NaiveDate, b: NaiveDate, years: &mut Years) -> u32 {
    if let Ok(n) = cal.working_days_between(a, b) {
        if b > a {
            years.used.extend(a.year()..=b.year());
        }
        return n;
    }
    let mut n = 0;
    let mut d = a;
    while d < b {
        d += Duration::days(1);
        if years.is_working_day(cal, d) {
            n += 1;
        }
    }
    n
}

#[derive(Default)]
struct Years {
    used: BTreeSet<i32>,
    estimated: BTreeSet<i32>,
}

impl Years {
    /// Whether `d` is a working day: from the official schedule when loaded, else Monday–Friday.
    fn is_working_day(&mut self, cal: &Calendar, d: NaiveDate) -> bool {
        match cal.is_working_day(d) {
            Ok(w) => {
                self.used.insert(d.year());
                w
            }
            Err(_) => {
                self.estimated.insert(d.year());
                !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
            }
        }
    }
}

fn add_working_days(cal: &Calendar, from: NaiveDate, n: u32, years: &mut Years) -> NaiveDate {
    if let Ok(due) = cal.add_working_days(from, n) {
        years.used.extend(from.year()..=due.year());
        return due;
    }
    let mut d = from;
    let mut left = n;
    while left > 0 {
        d += Duration::days(1);
        if years.is_working_day(cal, d) {
            left -= 1;
        }
    }
    d
}

fn next_working_day(cal: &Calendar, from: NaiveDate, years: &mut Years) -> NaiveDate {
    let mut d = from;
    while !years.is_working_day(cal, d) {
        d += Duration::days(1);
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn rule_set_switches_on_the_shanghai_date_of_receipt() {
        let rules = RuleBook::builtin();
        assert_eq!(
            rules.rule_set_for(at("2026-04-14T15:59:59Z")),
            RuleSetId::Order20
        );
        // 16:00 UTC on the 14th is already 00:00 on the 15th in Shanghai.
        assert_eq!(
            rules.rule_set_for(at("2026-04-14T16:00:00Z")),
            RuleSetId::Order121
        );
    }

    #[test]
    fn acceptance_across_national_day_ends_at_shanghai_midnight() {
        let rules = RuleBook::builtin();
        let cal = Calendar::builtin();
        // Received Tue 2026-09-29; 09-30 is a WD, 10-01..07 holiday, 10-08 Thu, 10-09 Fri, 10-10 make-up Sat, 10-12 Mon, 10-13 Tue, 10-14 Wed.
        let c = compute(
            &cal,
            &rules,
            RuleSetId::Order121,
            DeadlineKind::Acceptance,
            at("2026-09-29T02:00:00Z"),
        )
        .unwrap();
        assert_eq!(c.due_date, NaiveDate::from_ymd_opt(2026, 10, 14).unwrap());
        assert_eq!(c.due_at, at("2026-10-14T16:00:00Z"));
        assert!(!c.provisional);
        assert_eq!(c.explanation.calendar_years, vec![2026]);
    }

    #[test]
    fn calendar_day_limit_ending_on_a_holiday_moves_to_the_next_working_day() {
        let rules = RuleBook::builtin();
        let cal = Calendar::builtin();
        // 60 days after 2026-08-02 is 2026-10-01 (National Day) → 2026-10-08.
        let c = compute(
            &cal,
            &rules,
            RuleSetId::Order121,
            DeadlineKind::Mediation,
            at("2026-08-02T04:00:00Z"),
        )
        .unwrap();
        assert_eq!(c.due_date, NaiveDate::from_ymd_opt(2026, 10, 8).unwrap());
        assert!(c.explanation.counting.contains("moves to 2026-10-08"));
    }

    #[test]
    fn a_deadline_reaching_into_an_unloaded_year_is_provisional() {
        let rules = RuleBook::builtin();
        let cal = Calendar::builtin();
        let c = compute(
            &cal,
            &rules,
            RuleSetId::Order121,
            DeadlineKind::ReportVerification,
            at("2026-12-24T02:00:00Z"),
        )
        .unwrap();
        assert!(c.provisional);
        assert_eq!(c.explanation.estimated_years, vec![2027]);
        // 12-25 Fri, 28..31 (4), then 2027 weekdays Jan 1.. counted Mon–Fri: 1,4,5,6,7,8,11,12,13,14 → 15th is 2027-01-14.
        assert_eq!(c.due_date, NaiveDate::from_ymd_opt(2027, 1, 14).unwrap());
    }

    #[test]
    fn hours_limit_counts_clock_time() {
        let rules = RuleBook::builtin();
        let cal = Calendar::builtin();
        let c = compute(
            &cal,
            &rules,
            RuleSetId::Order121,
            DeadlineKind::UrgentFirstContact,
            at("2026-10-03T01:30:00Z"),
        )
        .unwrap();
        assert_eq!(c.due_at, at("2026-10-03T03:30:00Z"));
    }
}
