//! Receipt numbers people can read aloud, and access secrets kept only as hashes.

use chrono::{DateTime, Utc};
use rand::Rng;

use crate::cases::CaseKind;
use crate::deadlines::local_date;

/// Crockford's base32: no I, L, O or U, so a receipt read over the phone is not misheard.
const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

fn random_chars(n: usize) -> String {
    let mut rng = rand::rng();
    (0..n)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// `TS20261122-7K3M9Q2D` for a complaint (投诉), `JB…` for a report (举报): the Shanghai date of
/// receipt and 40 random bits.
pub fn receipt_number(kind: CaseKind, received_at: DateTime<Utc>) -> String {
    let prefix = match kind {
        CaseKind::Complaint => "TS",
        CaseKind::Report => "JB",
    };
    format!(
        "{prefix}{}-{}",
        local_date(received_at).format("%Y%m%d"),
        random_chars(8)
    )
}

/// Upper-cases and trims what a consumer typed, so `ts20261122-7k3m9q2d ` still finds the case.
pub fn normalize_receipt(input: &str) -> String {
    input.trim().to_ascii_uppercase()
}

/// 24 characters, 120 bits of entropy.
pub fn access_secret() -> String {
    random_chars(24)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receipt_numbers_carry_kind_and_shanghai_date() {
        let at = DateTime::parse_from_rfc3339("2026-11-21T17:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let r = receipt_number(CaseKind::Report, at);
        assert!(r.starts_with("JB20261122-"), "{r}");
        assert_eq!(r.len(), 19);
        assert!(r[11..].bytes().all(|b| ALPHABET.contains(&b)));
        assert_ne!(access_secret(), access_secret());
    }
}
