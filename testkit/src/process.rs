//! What the benchmarks share about the service under test: their settings from the environment,
//! the server process (killed when dropped) and its memory.

use std::process::Child;

/// The value of `key` parsed, or `default` when it is unset or does not parse.
pub fn env_or<T: std::str::FromStr>(key: &str, default: T) -> T {
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A started server, stopped when dropped.
pub struct Server(pub Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
    }
}

impl Server {
    pub fn pid(&self) -> u32 {
        self.0.id()
    }
}

/// A memory figure of process `pid` in MiB from `/proc/PID/status`: `VmRSS` (now) or `VmHWM`
/// (the peak).
pub fn memory_mb(pid: u32, field: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field) && l[field.len()..].starts_with(':'))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}
