//! Dates said in Chinese, as documents, mails and pages write them.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Asia::Shanghai;

/// `2026年11月30日`.
pub fn chinese_date(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// `2026年11月23日 09:30`, Beijing time.
pub fn chinese_time(at: DateTime<Utc>) -> String {
    let local = at.with_timezone(&Shanghai);
    format!(
        "{} {}",
        chinese_date(local.date_naive()),
        local.format("%H:%M")
    )
}

/// `2026年12月2日（星期三）`.
pub fn chinese_date_with_weekday(d: NaiveDate) -> String {
    format!("{}（{}）", chinese_date(d), chinese_weekday(d))
}

/// `星期三`.
pub fn chinese_weekday(d: NaiveDate) -> &'static str {
    const DAYS: [&str; 7] = [
        "星期一",
        "星期二",
        "星期三",
        "星期四",
        "星期五",
        "星期六",
        "星期日",
    ];
    DAYS[d.weekday().num_days_from_monday() as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_words() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        assert_eq!(chinese_date(d), "2026年12月2日");
        assert_eq!(chinese_date_with_weekday(d), "2026年12月2日（星期三）");
        let sunday = NaiveDate::from_ymd_opt(2026, 12, 6).unwrap();
        assert_eq!(chinese_date_with_weekday(sunday), "2026年12月6日（星期日）");
    }
}
