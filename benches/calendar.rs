//! Working-day arithmetic speed: `cargo bench --bench calendar`. Goal: under 1 µs per call for N up to 400.

use std::hint::black_box;
use std::time::Instant;

use chrono::{Duration, NaiveDate};
use xiaobao::calendar::schedule::Calendar;

fn main() {
    let cal = Calendar::builtin();
    let start = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    // Pseudo-random (from, n) pairs that stay inside 2024–2026.
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let cases: Vec<(NaiveDate, u32)> = (0..100_000)
        .map(|_| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let day = (seed >> 33) % 500;
            let n = ((seed >> 13) % 401) as u32;
            (start + Duration::days(day as i64), n)
        })
        .collect();
    let rounds = 20;
    let t = Instant::now();
    let mut sink = 0i64;
    for _ in 0..rounds {
        for &(from, n) in &cases {
            let d = cal.add_working_days(black_box(from), black_box(n)).unwrap();
            sink = sink.wrapping_add(d.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp());
        }
    }
    let per_call = t.elapsed().as_nanos() as f64 / (rounds * cases.len()) as f64;
    let t = Instant::now();
    for _ in 0..rounds {
        for &(from, n) in &cases {
            let to = from + Duration::days(i64::from(n));
            sink = sink.wrapping_add(i64::from(
                cal.working_days_between(black_box(from), black_box(to))
                    .unwrap(),
            ));
        }
    }
    let between = t.elapsed().as_nanos() as f64 / (rounds * cases.len()) as f64;
    println!("add_working_days (N up to 400)   {per_call:>8.1} ns/call   (goal < 1000)");
    println!("working_days_between (≤400 days) {between:>8.1} ns/call");
    black_box(sink);
}
