//! iCalendar (RFC 5545) for session notices: one VEVENT with times in UTC, so every calendar
//! places it right without a VTIMEZONE block; a cancellation reuses the UID with a higher SEQUENCE.

use chrono::{DateTime, Utc};

pub struct Event<'a> {
    pub uid: &'a str,
    pub sequence: u32,
    pub stamp: DateTime<Utc>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub summary: &'a str,
    pub location: &'a str,
    pub url: Option<&'a str>,
    pub description: &'a str,
    pub cancelled: bool,
}

impl Event<'_> {
    pub fn to_ics(&self) -> String {
        let time = |t: DateTime<Utc>| t.format("%Y%m%dT%H%M%SZ").to_string();
        let method = if self.cancelled { "CANCEL" } else { "PUBLISH" };
        let mut lines = vec![
            "BEGIN:VCALENDAR".to_owned(),
            "VERSION:2.0".to_owned(),
            "PRODID:-//xiaobao//mediation sessions//ZH".to_owned(),
            "CALSCALE:GREGORIAN".to_owned(),
            format!("METHOD:{method}"),
            "BEGIN:VEVENT".to_owned(),
            format!("UID:{}", self.uid),
            format!("SEQUENCE:{}", self.sequence),
            format!("DTSTAMP:{}", time(self.stamp)),
            format!("DTSTART:{}", time(self.starts_at)),
            format!("DTEND:{}", time(self.ends_at)),
            format!("SUMMARY:{}", escape(self.summary)),
            format!("LOCATION:{}", escape(self.location)),
        ];
        if let Some(url) = self.url {
            lines.push(format!("URL:{url}"));
        }
        lines.push(format!("DESCRIPTION:{}", escape(self.description)));
        lines.push(format!(
            "STATUS:{}",
            if self.cancelled {
                "CANCELLED"
            } else {
                "CONFIRMED"
            }
        ));
        lines.extend(["END:VEVENT".to_owned(), "END:VCALENDAR".to_owned()]);
        lines.iter().map(|l| fold(l)).collect::<String>()
    }
}

/// TEXT escaping (RFC 5545 §3.3.11).
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line at 75 octets without splitting a UTF-8 character, and ends it with CRLF.
fn fold(line: &str) -> String {
    let mut out = String::new();
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn an_event_has_utc_times_escaped_text_and_folded_lines() {
        let ics = Event {
            uid: "session-7@xiaobao",
            sequence: 0,
            stamp: at("2026-11-23T02:00:00Z"),
            starts_at: at("2026-11-25T09:30:00+08:00"),
            ends_at: at("2026-11-25T11:00:00+08:00"),
            summary: "调解会 TS20261123-ABC",
            location: "西塘市场监督管理所 第一调解室, 南大街8号; 二楼",
            url: None,
            description: &"很长的说明".repeat(20),
            cancelled: false,
        }
        .to_ics();
        assert!(ics.contains("DTSTART:20261125T013000Z\r\n"), "{ics}");
        assert!(ics.contains("DTEND:20261125T030000Z\r\n"));
        assert!(ics.contains("UID:session-7@xiaobao\r\n"));
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\n") && ics.ends_with("END:VCALENDAR\r\n"));
        for line in ics.split("\r\n") {
            assert!(line.len() <= 75, "{line}");
        }
        // Unfolding restores the escaped text.
        let unfolded = ics.replace("\r\n ", "");
        assert!(unfolded.contains("第一调解室\\, 南大街8号\\; 二楼"));
        assert!(unfolded.contains(&format!("DESCRIPTION:{}", "很长的说明".repeat(20))));
    }
}
