//! Soak: mixed load for a long while (intake, consumers tracking their cases, staff reading their
//! work list and accepting cases) with the service's resident memory and the latency percentiles
//! sampled per interval. The full run passes when memory levels off and p99 does not climb. The
//! short run (45 s in CI, often on a machine busy with other work) is too short for a plateau:
//! a stall of a few seconds queues requests and lifts RSS by a step or p99 by a swing that say
//! nothing about a leak, so it is judged by the slope of RSS over the whole run against a
//! generous bound, which a real leak still exceeds.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use rand::Rng;
use serde_json::json;
use testkit::SmtpSink;

use crate::Length;
use crate::rig::*;

type Records = Rc<RefCell<Vec<(f64, u16, Duration)>>>;

pub async fn run(length: Length) -> bool {
    let span = Duration::from_secs(length.pick(45, 1800));
    let interval = Duration::from_secs(length.pick(5, 60));
    let url = fresh_database("xiaobao_harness_soak").await;
    let sink = SmtpSink::start().await;
    let mut svc = Service::new("soak", 18321, &url, &sink.url());
    let users = svc.prepare(1);
    svc.start();
    let client = client();
    svc.wait_ready(&client).await;
    let base = svc.base();
    put_on_duty(&client, &base, &users).await;
    let token = login(&client, &base, &users[0].0).await;

    let (tally, intake) = start_intake(&client, vec![base.clone()], 4, "soak", Some(pace()));
    let started = Instant::now();
    let records: Records = Rc::default();
    let mut others = Vec::new();
    for w in 0..4 {
        let (client, base, tally, records, token) = (
            client.clone(),
            base.clone(),
            tally.clone(),
            records.clone(),
            token.clone(),
        );
        others.push(actix_web::rt::spawn(async move {
            while !tally.borrow().stop {
                let t0 = Instant::now();
                let status = if w % 2 == 0 {
                    track(&client, &base, &tally).await
                } else {
                    staff(&client, &base, &token).await
                };
                if let Some(status) = status {
                    records.borrow_mut().push((
                        started.elapsed().as_secs_f64(),
                        status,
                        t0.elapsed(),
                    ));
                }
                actix_web::rt::time::sleep(pace()).await;
            }
        }));
    }

    println!("  interval   RSS MB   requests   p50 ms   p99 ms");
    let mut samples: Vec<Sample> = Vec::new();
    let mut from = 0.0;
    while started.elapsed() < span {
        actix_web::rt::time::sleep(interval).await;
        let to = started.elapsed().as_secs_f64();
        let rss = svc.rss_mb();
        let mut window: Vec<Duration> = tally
            .borrow()
            .answers
            .iter()
            .chain(records.borrow().iter())
            .filter(|(at, _, _)| *at > from && *at <= to)
            .map(|(_, _, d)| *d)
            .collect();
        window.sort();
        let (p50, p99) = (ms(percentile(&window, 0.5)), ms(percentile(&window, 0.99)));
        println!(
            "  {:>5.0} s  {rss:>7.1}  {:>9}  {p50:>7.2}  {p99:>7.2}",
            to,
            window.len()
        );
        samples.push(Sample { at: to, rss, p99 });
        from = to;
    }
    stop(&tally, intake).await;
    for h in others {
        let _ = h.await;
    }

    let t = std::mem::take(&mut *tally.borrow_mut());
    let all: Vec<u16> = t
        .answers
        .iter()
        .chain(records.borrow().iter())
        .map(|a| a.1)
        .collect();
    let errors_5xx = all.iter().filter(|s| **s >= 500 || **s == 0).count();
    let third = samples.len() / 3;
    let (middle, last) = (&samples[third..2 * third], &samples[2 * third..]);
    let max_rss = |s: &[Sample]| s.iter().map(|x| x.rss).fold(f64::MIN, f64::max);
    let median_p99 = |s: &[Sample]| {
        let mut v: Vec<f64> = s.iter().map(|x| x.p99).collect();
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
    };
    let (rss_mid, rss_last) = (max_rss(middle), max_rss(last));
    let plateau_ok = rss_last <= rss_mid + (rss_mid * 0.05).max(5.0);
    let (p99_mid, p99_last) = (median_p99(middle), median_p99(last));
    let p99_ok = p99_last <= p99_mid * 1.5 + 5.0;
    // The fitted line's rise from the first sample to the last: a step of h MB at two thirds of
    // the run counts as about 1.3 h, a steady leak as all it grew.
    let per_second = rss_slope(&samples);
    let growth = per_second * samples.last().map_or(0.0, |l| l.at - samples[0].at);
    let growth_bound = samples.first().map_or(0.0, |f| f.rss * 0.25).max(20.0);
    let growth_ok = growth <= growth_bound;
    println!(
        "  requests         {} ({} intake acknowledged), {errors_5xx} × 5xx or failed connections",
        all.len(),
        t.sent.iter().filter(|s| s.receipt.is_some()).count()
    );
    println!(
        "  memory           RSS max {rss_mid:.1} MB in the middle third, {rss_last:.1} MB in the last third"
    );
    println!(
        "  memory slope     {:.2} MB/min over the whole run, {growth:.1} MB along the fitted line (bound {growth_bound:.1} MB)",
        per_second * 60.0
    );
    println!(
        "  latency          median p99 {p99_mid:.2} ms in the middle third, {p99_last:.2} ms in the last third"
    );
    let enough = errors_5xx == 0 && samples.len() >= 3;
    match length {
        Length::Short => verdict(
            "soak",
            enough && growth_ok,
            "no 5xx, RSS growth over the whole run within bound; plateau and p99 trend are judged by the full run",
        ),
        Length::Full => verdict(
            "soak",
            enough && plateau_ok && p99_ok,
            "no 5xx, RSS on a plateau, p99 without an upward trend",
        ),
    }
}

/// One interval's figures: when it ended (seconds into the run), the service's RSS and the p99.
struct Sample {
    at: f64,
    rss: f64,
    p99: f64,
}

/// Least-squares slope of RSS over time, in MB per second (0 for fewer than two samples).
fn rss_slope(samples: &[Sample]) -> f64 {
    let n = samples.len() as f64;
    let mean_t = samples.iter().map(|s| s.at).sum::<f64>() / n;
    let mean_rss = samples.iter().map(|s| s.rss).sum::<f64>() / n;
    let (cov, var) = samples.iter().fold((0.0, 0.0), |(cov, var), s| {
        let dt = s.at - mean_t;
        (cov + dt * (s.rss - mean_rss), var + dt * dt)
    });
    if var > 0.0 { cov / var } else { 0.0 }
}

/// A consumer follows one of the acknowledged complaints.
async fn track(client: &awc::Client, base: &str, tally: &Shared) -> Option<u16> {
    let (receipt, secret) = {
        let t = tally.borrow();
        let known: Vec<&Sent> = t
            .sent
            .iter()
            .filter(|s| s.access_secret.is_some())
            .collect();
        if known.is_empty() {
            return None;
        }
        let s = known[rand::rng().random_range(0..known.len())];
        (s.receipt.clone()?, s.access_secret.clone()?)
    };
    call(
        client,
        "GET",
        &format!("{base}/api/v1/track/{receipt}"),
        None,
        &[("x-access-secret", &secret)],
        None,
    )
    .await
    .map(|a| a.status)
    .or(Some(0))
}

/// Staff read their work list and accept one of the pending cases on it.
async fn staff(client: &awc::Client, base: &str, token: &str) -> Option<u16> {
    let list = call(
        client,
        "GET",
        &format!("{base}/api/v1/cases?status=pending_acceptance&limit=50"),
        Some(token),
        &[],
        None,
    )
    .await?;
    if list.status != 200 {
        return Some(list.status);
    }
    let ids: Vec<&str> = list
        .body
        .as_array()
        .map(|a| a.iter().filter_map(|c| c["id"].as_str()).collect())
        .unwrap_or_default();
    if ids.is_empty() {
        return Some(200);
    }
    let id = ids[rand::rng().random_range(0..ids.len())];
    call(
        client,
        "POST",
        &format!("{base}/api/v1/cases/{id}/accept"),
        Some(token),
        &[],
        Some(&json!({})),
    )
    .await
    .map(|a| a.status)
    .or(Some(0))
}
