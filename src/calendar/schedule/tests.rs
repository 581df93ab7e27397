use super::*;

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date literal")
}

/// Written from the State Council notices, independently of the JSON files.
const HOLIDAYS: &[(&str, &str, &str)] = &[
    ("2024-01-01", "2024-01-01", "元旦"),
    ("2024-02-10", "2024-02-17", "春节"),
    ("2024-04-04", "2024-04-06", "清明节"),
    ("2024-05-01", "2024-05-05", "劳动节"),
    ("2024-06-10", "2024-06-10", "端午节"),
    ("2024-09-15", "2024-09-17", "中秋节"),
    ("2024-10-01", "2024-10-07", "国庆节"),
    ("2025-01-01", "2025-01-01", "元旦"),
    ("2025-01-28", "2025-02-04", "春节"),
    ("2025-04-04", "2025-04-06", "清明节"),
    ("2025-05-01", "2025-05-05", "劳动节"),
    ("2025-05-31", "2025-06-02", "端午节"),
    ("2025-10-01", "2025-10-08", "国庆节、中秋节"),
    ("2026-01-01", "2026-01-03", "元旦"),
    ("2026-02-15", "2026-02-23", "春节"),
    ("2026-04-04", "2026-04-06", "清明节"),
    ("2026-05-01", "2026-05-05", "劳动节"),
    ("2026-06-19", "2026-06-21", "端午节"),
    ("2026-09-25", "2026-09-27", "中秋节"),
    ("2026-10-01", "2026-10-07", "国庆节"),
];

const MAKEUPS: &[&str] = &[
    "2024-02-04",
    "2024-02-18",
    "2024-04-07",
    "2024-04-28",
    "2024-05-11",
    "2024-09-14",
    "2024-09-29",
    "2024-10-12",
    "2025-01-26",
    "2025-02-08",
    "2025-04-27",
    "2025-09-28",
    "2025-10-11",
    "2026-01-04",
    "2026-02-14",
    "2026-02-28",
    "2026-05-09",
    "2026-09-20",
    "2026-10-10",
];

/// The rule formula applied straight to the test tables.
fn rule_is_working(d: NaiveDate) -> bool {
    let makeup = MAKEUPS.iter().any(|m| date(m) == d);
    let holiday = HOLIDAYS
        .iter()
        .any(|(s, e, _)| date(s) <= d && d <= date(e));
    makeup || (!holiday && !is_weekend(d))
}

/// Day-by-day reference implementation of `add_working_days`.
fn naive_add(cal: &Calendar, from: NaiveDate, n: u32) -> Result<NaiveDate, MissingYear> {
    let mut d = from;
    let mut left = n;
    while left > 0 {
        d = d
            .succ_opt()
            .expect("test dates are far from NaiveDate::MAX");
        if cal.is_working_day(d)? {
            left -= 1;
        }
    }
    Ok(d)
}

fn doc(year: i32, holidays: &[(&str, &str, &str)], makeups: &[&str]) -> ScheduleDoc {
    ScheduleDoc {
        year,
        holidays: holidays
            .iter()
            .map(|(name, s, e)| HolidayRange {
                name: (*name).to_owned(),
                start: date(s),
                end: date(e),
            })
            .collect(),
        makeup_workdays: makeups.iter().map(|m| date(m)).collect(),
    }
}

fn fields(errs: &[ScheduleError]) -> Vec<&str> {
    errs.iter().map(|e| e.field.as_str()).collect()
}

#[test]
fn builtin_data_is_valid() {
    for (file, text) in BUILTIN_FILES {
        let doc: ScheduleDoc = serde_json::from_str(text).expect(file);
        let sched = YearSchedule::from_doc(&doc).unwrap_or_else(|e| panic!("{file}: {e:?}"));
        assert_eq!(
            format!("{}.json", sched.year()),
            file,
            "year matches file name"
        );
        // Round trip: the shipped files are already in normalised order.
        assert_eq!(sched.to_doc(), doc, "{file} round-trips");
    }
    assert_eq!(Calendar::builtin().years(), vec![2024, 2025, 2026]);
}

#[test]
fn every_listed_holiday_and_makeup_day_has_the_right_kind() {
    let cal = Calendar::builtin();
    for &(s, e, name) in HOLIDAYS {
        for d in date(s).iter_days().take_while(|d| *d <= date(e)) {
            let info = cal.day(d).expect("loaded year");
            assert_eq!(info.kind, DayKind::Holiday, "{d}");
            assert!(!info.working_day, "{d}");
            assert_eq!(info.holiday_name.as_deref(), Some(name), "{d}");
        }
    }
    for m in MAKEUPS {
        let info = cal.day(date(m)).expect("loaded year");
        assert_eq!(info.kind, DayKind::MakeupWorkday, "{m}");
        assert!(info.working_day, "{m}");
        assert_eq!(info.holiday_name, None, "{m}");
    }
}

#[test]
fn edge_days_around_holidays() {
    let cal = Calendar::builtin();
    // 除夕 2024 was an ordinary working Friday.
    let eve = cal.day(date("2024-02-09")).expect("loaded");
    assert_eq!(eve.kind, DayKind::Workday);
    assert!(eve.working_day);
    // The weekend before 端午 2024 is an ordinary weekend, not part of the holiday.
    for d in ["2024-06-08", "2024-06-09"] {
        let info = cal.day(date(d)).expect("loaded");
        assert_eq!(info.kind, DayKind::Weekend, "{d}");
        assert_eq!(info.holiday_name, None);
    }
    assert_eq!(
        cal.day(date("2024-06-11")).expect("loaded").kind,
        DayKind::Workday
    );
}

#[test]
fn whole_year_counts_match_the_rule_formula() {
    let cal = Calendar::builtin();
    for year in [2024, 2025, 2026] {
        let first = NaiveDate::from_yo_opt(year, 1).expect("valid");
        let mut expected = 0u32;
        for d in first.iter_days().take_while(|d| d.year() == year) {
            let working = rule_is_working(d);
            assert_eq!(cal.is_working_day(d), Ok(working), "{d}");
            expected += u32::from(working);
        }
        let dec31_before = NaiveDate::from_ymd_opt(year - 1, 12, 31).expect("valid");
        let dec31 = NaiveDate::from_ymd_opt(year, 12, 31).expect("valid");
        assert_eq!(cal.working_days_between(dec31_before, dec31), Ok(expected));
        let sched = cal.schedule(year).expect("loaded");
        assert_eq!(sched.working_days(), expected);
    }
    // Hand-checked: weekdays - weekday holidays + make-up days.
    let counts: Vec<_> = [2024, 2025, 2026]
        .iter()
        .map(|&y| cal.schedule(y).map(YearSchedule::working_days))
        .collect();
    assert_eq!(
        counts,
        [Some(262 - 19 + 8), Some(261 - 18 + 5), Some(261 - 19 + 6)]
    );
}

#[test]
fn add_working_days_across_holidays_and_year_boundaries() {
    let cal = Calendar::builtin();
    let cases = [
        // Spring Festival 2026: 02-14 is a make-up Saturday, 02-15..23 off.
        ("2026-02-13", 1, "2026-02-14"),
        ("2026-02-14", 1, "2026-02-24"),
        ("2026-02-12", 3, "2026-02-24"),
        ("2026-02-20", 1, "2026-02-24"),
        // National Day 2025: 09-28 and 10-11 are make-up days, 10-01..08 off.
        ("2025-09-26", 1, "2025-09-28"),
        ("2025-09-30", 1, "2025-10-09"),
        ("2025-09-30", 3, "2025-10-11"),
        // National Day 2026: 10-10 is a make-up Saturday.
        ("2026-09-30", 1, "2026-10-08"),
        ("2026-09-30", 3, "2026-10-10"),
        // 2025 -> 2026: 元旦 01-01..03 off, Sunday 01-04 worked.
        ("2025-12-31", 1, "2026-01-04"),
        ("2025-12-30", 2, "2026-01-04"),
        ("2025-12-30", 3, "2026-01-05"),
        // 2024 -> 2025.
        ("2024-12-31", 1, "2025-01-02"),
        // n = 0 is the start date itself, even on a holiday.
        ("2026-02-16", 0, "2026-02-16"),
        // An unloaded `from` is fine when only later days are consulted.
        ("2023-12-31", 1, "2024-01-02"),
    ];
    for (from, n, want) in cases {
        assert_eq!(
            cal.add_working_days(date(from), n),
            Ok(date(want)),
            "{from} + {n}"
        );
    }

    // 2024-01-02 is the first working day of 2024 (251 in total), so +400 is the 150th of 2025.
    let far = cal
        .add_working_days(date("2024-01-02"), 400)
        .expect("loaded");
    assert_eq!(far, date("2025-08-11"));
    assert_eq!(Ok(far), naive_add(&cal, date("2024-01-02"), 400));
    assert_eq!(cal.working_days_between(date("2024-01-02"), far), Ok(400));
}

#[test]
fn missing_years_are_errors_not_guesses() {
    let cal = Calendar::builtin();
    assert_eq!(
        cal.add_working_days(date("2026-12-31"), 1),
        Err(MissingYear(2027))
    );
    assert_eq!(
        cal.add_working_days(date("2026-12-01"), 30),
        Err(MissingYear(2027))
    );
    assert_eq!(
        cal.add_working_days(date("2023-12-30"), 1),
        Err(MissingYear(2023))
    );
    assert_eq!(
        cal.is_working_day(date("2027-01-04")),
        Err(MissingYear(2027))
    );
    assert_eq!(cal.day(date("2023-06-01")), Err(MissingYear(2023)));
    assert_eq!(
        cal.working_days_between(date("2026-12-01"), date("2027-01-10")),
        Err(MissingYear(2027))
    );
    assert_eq!(
        cal.next_working_day_on_or_after(date("2026-12-31")),
        Ok(date("2026-12-31"))
    );
    assert_eq!(
        MissingYear(2027).to_string(),
        "no working-day schedule is loaded for year 2027"
    );
    // Huge n must not overflow; it runs into the first missing year.
    assert_eq!(
        cal.add_working_days(date("2024-01-01"), u32::MAX),
        Err(MissingYear(2027))
    );
}

#[test]
fn non_contiguous_years_and_with_year() {
    let base = Calendar::builtin();
    let y2028 = YearSchedule::from_doc(&doc(2028, &[("元旦", "2028-01-01", "2028-01-03")], &[]))
        .expect("valid");
    let cal = base.with_year(y2028);
    assert_eq!(cal.years(), vec![2024, 2025, 2026, 2028]);
    assert_eq!(base.years(), vec![2024, 2025, 2026], "original unchanged");
    assert_eq!(
        cal.add_working_days(date("2026-12-31"), 1),
        Err(MissingYear(2027))
    );
    assert_eq!(
        cal.working_days_between(date("2026-12-01"), date("2028-01-10")),
        Err(MissingYear(2027))
    );
    // 2027-12-31 itself is not consulted; 2028-01-01..03 are off, 01-04 is a Tuesday.
    assert_eq!(
        cal.add_working_days(date("2027-12-31"), 1),
        Ok(date("2028-01-04"))
    );
    assert_eq!(
        cal.day(date("2028-01-02")).map(|i| i.holiday_name),
        Ok(Some("元旦".to_owned()))
    );

    // Replacing a year takes effect.
    let flat_2026 = YearSchedule::from_doc(&doc(2026, &[], &[])).expect("valid");
    let replaced = cal.with_year(flat_2026);
    assert_eq!(replaced.years(), vec![2024, 2025, 2026, 2028]);
    assert_eq!(replaced.is_working_day(date("2026-10-01")), Ok(true));
    assert_eq!(cal.is_working_day(date("2026-10-01")), Ok(false));
}

#[test]
fn next_working_day_on_or_after() {
    let cal = Calendar::builtin();
    let cases = [
        ("2026-02-14", "2026-02-14"),
        ("2026-02-15", "2026-02-24"),
        ("2024-06-08", "2024-06-11"),
        ("2024-02-09", "2024-02-09"),
        ("2025-12-31", "2025-12-31"),
        ("2026-01-01", "2026-01-04"),
    ];
    for (d, want) in cases {
        assert_eq!(
            cal.next_working_day_on_or_after(date(d)),
            Ok(date(want)),
            "{d}"
        );
    }
}

#[test]
fn working_days_between_small_cases() {
    let cal = Calendar::builtin();
    assert_eq!(
        cal.working_days_between(date("2026-02-13"), date("2026-02-24")),
        Ok(2)
    );
    assert_eq!(
        cal.working_days_between(date("2026-02-24"), date("2026-02-13")),
        Ok(0)
    );
    assert_eq!(
        cal.working_days_between(date("2026-02-24"), date("2026-02-24")),
        Ok(0)
    );
    // Empty interval needs no schedule at all.
    assert_eq!(
        cal.working_days_between(date("2030-01-02"), date("2030-01-01")),
        Ok(0)
    );
}

/// Exhaustive over every start in 2023-12-31..=2026-12-31 and every n until 2027 is hit.
#[test]
fn fast_paths_match_day_by_day_walk() {
    let cal = Calendar::builtin();
    let last = date("2026-12-31");
    for from in date("2023-12-31").iter_days().take_while(|d| *d <= last) {
        let mut n = 0u32;
        let mut d = from;
        assert_eq!(cal.add_working_days(from, 0), Ok(from));
        while d < last {
            d = d.succ_opt().expect("in range");
            let working = cal.is_working_day(d).expect("loaded");
            n += u32::from(working);
            assert_eq!(cal.working_days_between(from, d), Ok(n), "({from}, {d}]");
            if working {
                assert_eq!(cal.add_working_days(from, n), Ok(d), "{from} + {n}");
            }
        }
        assert_eq!(
            cal.add_working_days(from, n + 1),
            Err(MissingYear(2027)),
            "{from} + {}",
            n + 1
        );
    }
    // And against the fully naive reference for a spread of (from, n) pairs.
    let mut seed = 0x9E37_79B9_u32;
    for _ in 0..2_000 {
        // xorshift32: deterministic pseudo-random pairs without a dev-dependency.
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let from = date("2024-01-01") + chrono::Days::new(u64::from(seed % 1096));
        let n = (seed >> 11) % 401;
        let fast = cal.add_working_days(from, n);
        assert_eq!(fast, naive_add(&cal, from, n), "{from} + {n}");
        if let Ok(to) = fast {
            assert_eq!(cal.working_days_between(from, to), Ok(n), "{from} + {n}");
        }
    }
}

#[test]
fn validation_reports_each_fault_with_its_field() {
    let cases: Vec<(ScheduleDoc, &str)> = vec![
        (doc(1900, &[], &[]), "year"),
        (doc(2201, &[], &[]), "year"),
        (
            doc(2026, &[("", "2026-01-01", "2026-01-01")], &[]),
            "holidays[0].name",
        ),
        (
            doc(2026, &[("   ", "2026-01-01", "2026-01-01")], &[]),
            "holidays[0].name",
        ),
        (
            doc(2026, &[(&"节".repeat(41), "2026-01-01", "2026-01-01")], &[]),
            "holidays[0].name",
        ),
        (
            doc(2026, &[("元旦", "2025-12-31", "2026-01-01")], &[]),
            "holidays[0].start",
        ),
        (
            doc(2026, &[("元旦", "2026-12-31", "2027-01-01")], &[]),
            "holidays[0].end",
        ),
        (
            doc(2026, &[("春节", "2026-02-23", "2026-02-15")], &[]),
            "holidays[0].end",
        ),
        (
            doc(
                2026,
                &[
                    ("春节", "2026-02-15", "2026-02-23"),
                    ("别的", "2026-02-20", "2026-02-25"),
                ],
                &[],
            ),
            "holidays[1]",
        ),
        (
            doc(
                2026,
                &[("春节", "2026-02-15", "2026-02-23")],
                &["2026-02-15"],
            ),
            "makeup_workdays[0]",
        ),
        (doc(2026, &[], &["2026-02-16"]), "makeup_workdays[0]"),
        (doc(2026, &[], &["2025-12-28"]), "makeup_workdays[0]"),
        (
            doc(2026, &[], &["2026-02-14", "2026-02-14"]),
            "makeup_workdays[1]",
        ),
    ];
    for (d, field) in cases {
        let errs = YearSchedule::from_doc(&d).expect_err(field);
        assert_eq!(fields(&errs), vec![field], "{d:?}: {errs:?}");
        assert!(!errs[0].message.is_empty());
    }
    // Exactly 40 characters is allowed.
    assert!(
        YearSchedule::from_doc(&doc(
            2026,
            &[(&"节".repeat(40), "2026-01-01", "2026-01-01")],
            &[]
        ))
        .is_ok()
    );
}

#[test]
fn validation_reports_all_faults_at_once() {
    let d = doc(
        2026,
        &[
            ("春节", "2026-02-15", "2026-02-23"),
            ("", "2026-02-22", "2026-02-24"),
            ("国庆节", "2026-10-07", "2026-10-01"),
            ("元旦", "2025-12-31", "2027-01-01"),
        ],
        &["2026-02-16", "2026-03-07", "2026-03-07", "2027-01-02"],
    );
    let errs = YearSchedule::from_doc(&d).expect_err("invalid");
    assert_eq!(
        fields(&errs),
        vec![
            "holidays[1].name",
            "holidays[1]",
            "holidays[2].end",
            "holidays[3].start",
            "holidays[3].end",
            // 2026-02-16 is a Monday and also inside 春节.
            "makeup_workdays[0]",
            "makeup_workdays[0]",
            "makeup_workdays[2]",
            "makeup_workdays[3]",
        ],
        "{errs:#?}"
    );
}

#[test]
fn schedule_doc_json_shape() {
    let json = r#"{"year": 2026,
        "holidays": [{"name": "元旦", "start": "2026-01-01", "end": "2026-01-03"}],
        "makeup_workdays": ["2026-01-04"]}"#;
    let parsed: ScheduleDoc = serde_json::from_str(json).expect("valid shape");
    assert_eq!(
        parsed,
        doc(
            2026,
            &[("元旦", "2026-01-01", "2026-01-03")],
            &["2026-01-04"]
        )
    );
    let typo = r#"{"year": 2026, "holidays": [], "makeup_days": []}"#;
    assert!(serde_json::from_str::<ScheduleDoc>(typo).is_err());

    let info = Calendar::builtin().day(date("2026-02-14")).expect("loaded");
    assert_eq!(
        serde_json::to_value(&info).expect("serialisable"),
        serde_json::json!({
            "date": "2026-02-14",
            "working_day": true,
            "kind": "makeup_workday",
            "holiday_name": null
        })
    );
}

#[test]
fn to_doc_is_normalised() {
    let d = doc(
        2026,
        &[
            ("国庆节", "2026-10-01", "2026-10-07"),
            ("元旦", "2026-01-01", "2026-01-03"),
        ],
        &["2026-10-10", "2026-01-04"],
    );
    let out = YearSchedule::from_doc(&d).expect("valid").to_doc();
    assert_eq!(
        out,
        doc(
            2026,
            &[
                ("元旦", "2026-01-01", "2026-01-03"),
                ("国庆节", "2026-10-01", "2026-10-07"),
            ],
            &["2026-01-04", "2026-10-10"],
        )
    );
}
