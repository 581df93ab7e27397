//! Proof under load and faults, against real PostgreSQL and real service processes.
//!
//! `scripts/harness.sh [short|full] [crash|dbfault|instances|soak]…` prepares the dedicated
//! PostgreSQL cluster (port 5433) and runs `cargo bench --bench harness -- …`, which builds the
//! service in release. Each part prints its figures and PASS or FAIL; the exit status is non-zero
//! when any part fails. See the README, "Proof under load and faults".

mod crash;
mod dbfault;
mod instances;
mod rig;
mod soak;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Length {
    Short,
    Full,
}

impl Length {
    pub fn pick<T>(self, short: T, full: T) -> T {
        match self {
            Length::Short => short,
            Length::Full => full,
        }
    }
}

const PARTS: [&str; 4] = ["crash", "dbfault", "instances", "soak"];

#[actix_web::main]
async fn main() -> std::process::ExitCode {
    // `cargo bench` passes `--bench`; the rest are ours.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let length = if args.iter().any(|a| a == "full") {
        Length::Full
    } else {
        Length::Short
    };
    let mut parts: Vec<&str> = PARTS
        .into_iter()
        .filter(|p| args.iter().any(|a| a == p))
        .collect();
    if let Some(bad) = args
        .iter()
        .find(|a| !PARTS.contains(&a.as_str()) && !["short", "full"].contains(&a.as_str()))
    {
        eprintln!(
            "unknown argument {bad:?}; usage: harness [short|full] [crash|dbfault|instances|soak]…"
        );
        return std::process::ExitCode::from(2);
    }
    if parts.is_empty() {
        parts = PARTS.to_vec();
    }
    let started = std::time::Instant::now();
    let mut results = Vec::new();
    for part in parts {
        println!("== {part} ({})", length.pick("short", "full"));
        let pass = match part {
            "crash" => crash::run(length).await,
            "dbfault" => dbfault::run(length).await,
            "instances" => instances::run(length).await,
            _ => soak::run(length).await,
        };
        results.push((part, pass));
    }
    println!(
        "== summary ({:.0} s): {}",
        started.elapsed().as_secs_f64(),
        results
            .iter()
            .map(|(p, ok)| format!("{p} {}", if *ok { "PASS" } else { "FAIL" }))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if results.iter().all(|(_, ok)| *ok) {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    }
}
