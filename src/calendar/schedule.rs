//! Official working-day calendar (法定节假日与调休) used for statutory complaint deadlines.
//!
//! A day is a working day when it is a make-up working day (调休上班), or when it is
//! Monday–Friday and not inside a public-holiday range. Schedules are published year by
//! year by the State Council, so every query names the year it needs and fails with
//! [`MissingYear`] instead of guessing when that year has not been loaded.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, LazyLock};

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// Earliest year a schedule may describe (no PRC holiday notices exist before it).
pub const MIN_YEAR: i32 = 1949;
/// Latest year a schedule may describe (far enough ahead; catches typos like 20266).
pub const MAX_YEAR: i32 = 2200;
/// Longest accepted holiday name, in characters, so names fit UI labels and notices.
pub const MAX_NAME_CHARS: usize = 40;

/// One named run of consecutive days off, inclusive on both ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HolidayRange {
    /// Name as in the State Council notice, e.g. "春节".
    pub name: String,
    /// First day off.
    pub start: NaiveDate,
    /// Last day off (inclusive).
    pub end: NaiveDate,
}

/// One year's schedule as published: the shipped data files and the admin upload body.
#[derive(
    Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema, validator::Validate,
)]
// A misspelt key (e.g. "makeup_days") must be rejected, not silently read as "no make-up days".
#[serde(deny_unknown_fields)]
pub struct ScheduleDoc {
    /// Calendar year every date below belongs to.
    pub year: i32,
    /// Public-holiday ranges (days off), each inside `year`.
    pub holidays: Vec<HolidayRange>,
    /// Weekend days that are working days (调休上班).
    pub makeup_workdays: Vec<NaiveDate>,
}

/// One validation fault in a [`ScheduleDoc`], addressed by a JSON-path-like field name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScheduleError {
    /// e.g. "year", "holidays[2].end", "holidays[3]", "makeup_workdays[0]".
    pub field: String,
    /// Human-readable explanation naming the offending value.
    pub message: String,
    /// The same in Chinese, for the pages.
    #[serde(skip)]
    pub words: String,
}

impl ScheduleError {
    pub fn new(
        field: impl Into<String>,
        message: impl Into<String>,
        words: impl Into<String>,
    ) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
            words: words.into(),
        }
    }
}

impl fmt::Display for ScheduleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for ScheduleError {}

/// What kind of day a date is under the official schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// Ordinary Monday–Friday.
    Workday,
    /// Ordinary Saturday/Sunday.
    Weekend,
    /// Inside a public-holiday range (whatever the weekday).
    Holiday,
    /// Weekend day that is worked to compensate for a holiday (调休上班).
    MakeupWorkday,
}

impl DayKind {
    fn is_working(self) -> bool {
        matches!(self, DayKind::Workday | DayKind::MakeupWorkday)
    }
}

/// Everything the calendar knows about one date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DayInfo {
    pub date: NaiveDate,
    pub working_day: bool,
    pub kind: DayKind,
    /// Holiday name; only set when `kind` is `holiday`.
    pub holiday_name: Option<String>,
}

/// A query needed a year whose schedule is not loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MissingYear(pub i32);

impl fmt::Display for MissingYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "no working-day schedule is loaded for year {}", self.0)
    }
}

impl std::error::Error for MissingYear {}

/// A validated year with per-day lookup tables.
#[derive(Debug, Clone)]
pub struct YearSchedule {
    year: i32,
    last_day: NaiveDate,
    /// Sorted by start; disjoint (validated).
    holidays: Vec<HolidayRange>,
    /// Sorted; unique (validated).
    makeup: Vec<NaiveDate>,
    /// Indexed by `ordinal0`.
    kinds: Vec<DayKind>,
    /// `cum[i]` = working days among ordinals `1..=i`; `cum[0] = 0`, so `cum` is monotone
    /// and `cum[ordinal]` counts up to and including that day (u16: a year has <= 366 days).
    cum: Vec<u16>,
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

impl YearSchedule {
    /// Validates: year in 1949..=2200; every date inside that year; start <= end; non-empty
    /// name (<= 40 chars); no date in two holiday ranges; no date both holiday and make-up day;
    /// make-up days only on Saturday/Sunday; no duplicate make-up days. Returns ALL faults at once.
    pub fn from_doc(doc: &ScheduleDoc) -> Result<YearSchedule, Vec<ScheduleError>> {
        let year = doc.year;
        let mut errors = Vec::new();
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            errors.push(ScheduleError::new(
                "year",
                format!("year {year} is outside the supported range {MIN_YEAR}..={MAX_YEAR}"),
                format!("年份须在 {MIN_YEAR} 至 {MAX_YEAR} 年之间"),
            ));
        }

        // Index of the holiday range owning each ordinal0: detects overlaps in linear time,
        // so a hostile upload with many ranges cannot make validation quadratic.
        let mut holiday_of: Vec<Option<usize>> = vec![None; 366];
        for (i, h) in doc.holidays.iter().enumerate() {
            if h.name.trim().is_empty() {
                errors.push(ScheduleError::new(
                    format!("holidays[{i}].name"),
                    "holiday name must not be empty",
                    "请写明节日名称",
                ));
            } else if h.name.chars().count() > MAX_NAME_CHARS {
                errors.push(ScheduleError::new(
                    format!("holidays[{i}].name"),
                    format!("holiday name is longer than {MAX_NAME_CHARS} characters"),
                    format!("节日名称最多 {MAX_NAME_CHARS} 字"),
                ));
            }
            let start_ok = h.start.year() == year;
            if !start_ok {
                errors.push(ScheduleError::new(
                    format!("holidays[{i}].start"),
                    format!("{} is not in year {year}", h.start),
                    format!("放假首日 {} 不在 {year} 年内", h.start),
                ));
            }
            let end_ok = h.end.year() == year;
            if !end_ok {
                errors.push(ScheduleError::new(
                    format!("holidays[{i}].end"),
                    format!("{} is not in year {year}", h.end),
                    format!("放假末日 {} 不在 {year} 年内", h.end),
                ));
            }
            let ordered = h.start <= h.end;
            if !ordered {
                errors.push(ScheduleError::new(
                    format!("holidays[{i}].end"),
                    format!("end {} is before start {}", h.end, h.start),
                    format!("放假末日 {} 早于首日 {}", h.end, h.start),
                ));
            }
            if !(start_ok && end_ok && ordered) {
                continue;
            }
            let mut clash = None;
            for (date, o) in h
                .start
                .iter_days()
                .zip(h.start.ordinal0()..=h.end.ordinal0())
            {
                match holiday_of[o as usize] {
                    Some(j) => {
                        clash.get_or_insert((j, date));
                    }
                    None => holiday_of[o as usize] = Some(i),
                }
            }
            if let Some((j, date)) = clash {
                errors.push(ScheduleError::new(
                    format!("holidays[{i}]"),
                    format!(
                        "overlaps holidays[{j}] ({}) on {date}",
                        doc.holidays[j].name
                    ),
                    format!("与{}的假期在 {date} 重叠", doc.holidays[j].name),
                ));
            }
        }

        // Index of the make-up entry owning each ordinal0, to report duplicates by index.
        let mut makeup_of: Vec<Option<usize>> = vec![None; 366];
        for (k, &d) in doc.makeup_workdays.iter().enumerate() {
            let field = format!("makeup_workdays[{k}]");
            if d.year() != year {
                errors.push(ScheduleError::new(
                    field,
                    format!("{d} is not in year {year}"),
                    format!("{d} 不在 {year} 年内"),
                ));
                continue;
            }
            if !is_weekend(d) {
                errors.push(ScheduleError::new(
                    field.clone(),
                    format!(
                        "{d} is a {}; make-up working days are always a Saturday or Sunday",
                        d.weekday()
                    ),
                    format!(
                        "{}不是周六或周日：调休上班日只能是周末",
                        crate::domain::dates::chinese_date_with_weekday(d)
                    ),
                ));
            }
            let o = d.ordinal0() as usize;
            if let Some(i) = holiday_of[o] {
                errors.push(ScheduleError::new(
                    field.clone(),
                    format!(
                        "{d} is also inside holidays[{i}] ({})",
                        doc.holidays[i].name
                    ),
                    format!("{d} 在{}的假期之内", doc.holidays[i].name),
                ));
            }
            match makeup_of[o] {
                Some(j) => errors.push(ScheduleError::new(
                    field,
                    format!("{d} duplicates makeup_workdays[{j}]"),
                    format!("{d} 与第 {} 行重复", j + 1),
                )),
                None => makeup_of[o] = Some(k),
            }
        }

        // Always Some for a validated year; checked rather than unwrapped all the same.
        let bounds = NaiveDate::from_yo_opt(year, 1).zip(NaiveDate::from_ymd_opt(year, 12, 31));
        let Some((first_day, last_day)) = bounds.filter(|_| errors.is_empty()) else {
            if errors.is_empty() {
                errors.push(ScheduleError::new(
                    "year",
                    format!("year {year} has no dates"),
                    format!("{year} 年不是有效的年份"),
                ));
            }
            return Err(errors);
        };

        let len = last_day.ordinal() as usize;
        let mut kinds = Vec::with_capacity(len);
        let mut cum = Vec::with_capacity(len + 1);
        cum.push(0u16);
        for (o, d) in first_day.iter_days().take(len).enumerate() {
            let kind = if makeup_of[o].is_some() {
                DayKind::MakeupWorkday
            } else if holiday_of[o].is_some() {
                DayKind::Holiday
            } else if is_weekend(d) {
                DayKind::Weekend
            } else {
                DayKind::Workday
            };
            kinds.push(kind);
            let prev = cum.last().copied().unwrap_or(0);
            cum.push(prev + u16::from(kind.is_working()));
        }

        let mut holidays = doc.holidays.clone();
        holidays.sort_by_key(|h| h.start);
        let mut makeup = doc.makeup_workdays.clone();
        makeup.sort_unstable();
        Ok(YearSchedule {
            year,
            last_day,
            holidays,
            makeup,
            kinds,
            cum,
        })
    }

    pub fn year(&self) -> i32 {
        self.year
    }

    /// The schedule as a document, normalised: holidays sorted by start, make-up days sorted.
    pub fn to_doc(&self) -> ScheduleDoc {
        ScheduleDoc {
            year: self.year,
            holidays: self.holidays.clone(),
            makeup_workdays: self.makeup.clone(),
        }
    }

    /// Number of working days in the whole year.
    pub fn working_days(&self) -> u32 {
        u32::from(self.total())
    }

    fn total(&self) -> u16 {
        self.cum.last().copied().unwrap_or(0)
    }

    /// Caller guarantees `date.year() == self.year`.
    fn kind(&self, date: NaiveDate) -> DayKind {
        self.kinds[date.ordinal0() as usize]
    }

    fn holiday_name(&self, date: NaiveDate) -> Option<&str> {
        // Ranges are sorted and disjoint, so the first one not ending before `date` is the only candidate.
        let i = self.holidays.partition_point(|h| h.end < date);
        self.holidays
            .get(i)
            .filter(|h| h.start <= date)
            .map(|h| h.name.as_str())
    }
}

/// Built-in schedules, checked by the `builtin_data_is_valid` unit test.
const BUILTIN_FILES: [(&str, &str); 3] = [
    ("2024.json", include_str!("../../data/calendar/2024.json")),
    ("2025.json", include_str!("../../data/calendar/2025.json")),
    ("2026.json", include_str!("../../data/calendar/2026.json")),
];

/// Parsed once per process; `Calendar` clones are cheap (`Arc`).
static BUILTIN: LazyLock<Calendar> = LazyLock::new(|| {
    let years = BUILTIN_FILES
        .iter()
        .map(|(file, text)| {
            let doc: ScheduleDoc = serde_json::from_str(text)
                .unwrap_or_else(|e| panic!("shipped calendar {file} is not a ScheduleDoc: {e}"));
            YearSchedule::from_doc(&doc)
                .unwrap_or_else(|errs| panic!("shipped calendar {file} is invalid: {errs:?}"))
        })
        .collect();
    Calendar::from_years(years)
});

/// Immutable set of loaded years; cheap to clone, replace wholesale via [`Calendar::with_year`].
#[derive(Clone)]
pub struct Calendar {
    years: Arc<BTreeMap<i32, Arc<YearSchedule>>>,
}

impl fmt::Debug for Calendar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Calendar")
            .field("years", &self.years())
            .finish()
    }
}

impl Calendar {
    /// 2024, 2025 and 2026 from the shipped JSON files.
    pub fn builtin() -> Calendar {
        BUILTIN.clone()
    }

    /// If a year appears twice, the later entry wins.
    pub fn from_years(years: Vec<YearSchedule>) -> Calendar {
        let map = years.into_iter().map(|y| (y.year, Arc::new(y))).collect();
        Calendar {
            years: Arc::new(map),
        }
    }

    /// A new calendar with `year` added or replaced; `self` is unchanged.
    pub fn with_year(&self, year: YearSchedule) -> Calendar {
        let mut map = (*self.years).clone();
        map.insert(year.year, Arc::new(year));
        Calendar {
            years: Arc::new(map),
        }
    }

    /// Loaded years, ascending.
    pub fn years(&self) -> Vec<i32> {
        self.years.keys().copied().collect()
    }

    pub fn schedule(&self, year: i32) -> Option<&YearSchedule> {
        self.years.get(&year).map(|y| &**y)
    }

    fn table(&self, year: i32) -> Result<&YearSchedule, MissingYear> {
        self.schedule(year).ok_or(MissingYear(year))
    }

    pub fn day(&self, date: NaiveDate) -> Result<DayInfo, MissingYear> {
        let s = self.table(date.year())?;
        let kind = s.kind(date);
        let holiday_name = match kind {
            DayKind::Holiday => s.holiday_name(date).map(str::to_owned),
            _ => None,
        };
        Ok(DayInfo {
            date,
            working_day: kind.is_working(),
            kind,
            holiday_name,
        })
    }

    pub fn is_working_day(&self, date: NaiveDate) -> Result<bool, MissingYear> {
        Ok(self.table(date.year())?.kind(date).is_working())
    }

    /// The n-th working day strictly after `from` (from itself not counted). n = 0 returns `from`.
    ///
    /// Only days after `from` are consulted, so `from` itself may lie in an unloaded year
    /// (e.g. 2023-12-31 + 1 works with 2024 loaded). O(log 366) per year crossed.
    pub fn add_working_days(&self, from: NaiveDate, n: u32) -> Result<NaiveDate, MissingYear> {
        if n == 0 {
            return Ok(from);
        }
        let mut remaining = n;
        let mut after = from;
        loop {
            let Some(next) = after.succ_opt() else {
                return Err(MissingYear(after.year().saturating_add(1)));
            };
            let s = self.table(next.year())?;
            // Working days of this year strictly before `next`.
            let base = u32::from(s.cum[next.ordinal0() as usize]);
            let total = u32::from(s.total());
            // Saturating: a huge n simply runs on until a missing year stops it.
            let target = base.saturating_add(remaining);
            if target <= total {
                // Smallest i with cum[i] >= target; since cum counts ordinals 1..=i, i is that day's ordinal.
                let ordinal = s.cum.partition_point(|&c| u32::from(c) < target);
                let day = s
                    .last_day
                    .with_ordinal(ordinal as u32)
                    .expect("cum has one entry per ordinal of the year");
                return Ok(day);
            }
            remaining -= total - base;
            after = s.last_day;
        }
    }

    /// Number of working days d with a < d <= b (0 if b <= a, without consulting any year).
    pub fn working_days_between(&self, a: NaiveDate, b: NaiveDate) -> Result<u32, MissingYear> {
        let mut count = 0u32;
        let mut after = a;
        while after < b {
            // `after < b` so a successor exists; the else arm is unreachable but keeps this panic-free.
            let Some(next) = after.succ_opt() else { break };
            let s = self.table(next.year())?;
            let end = b.min(s.last_day);
            count += u32::from(s.cum[end.ordinal() as usize] - s.cum[next.ordinal0() as usize]);
            after = end;
        }
        Ok(count)
    }

    /// The first working day on or after d.
    pub fn next_working_day_on_or_after(&self, d: NaiveDate) -> Result<NaiveDate, MissingYear> {
        if self.is_working_day(d)? {
            Ok(d)
        } else {
            self.add_working_days(d, 1)
        }
    }
}

#[cfg(test)]
mod tests;
