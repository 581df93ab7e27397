//! Soak: mixed load for a long while (intake, consumers tracking their cases, staff reading their
//! work list and accepting cases) with the service's resident memory and the latency percentiles
//! sampled per interval. It passes when memory levels off and p99 does not climb.

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
    let mut samples: Vec<(f64, f64)> = Vec::new();
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
        samples.push((rss, p99));
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
    let max = |s: &[(f64, f64)]| s.iter().map(|x| x.0).fold(f64::MIN, f64::max);
    let median_p99 = |s: &[(f64, f64)]| {
        let mut v: Vec<f64> = s.iter().map(|x| x.1).collect();
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
    };
    let (rss_mid, rss_last) = (max(middle), max(last));
    let rss_ok = rss_last <= rss_mid + (rss_mid * 0.05).max(5.0);
    let (p99_mid, p99_last) = (median_p99(middle), median_p99(last));
    let p99_ok = p99_last <= p99_mid * 1.5 + 5.0;
    println!(
        "  requests         {} ({} intake acknowledged), {errors_5xx} × 5xx or failed connections",
        all.len(),
        t.sent.iter().filter(|s| s.receipt.is_some()).count()
    );
    println!(
        "  memory           RSS max {rss_mid:.1} MB in the middle third, {rss_last:.1} MB in the last third"
    );
    println!(
        "  latency          median p99 {p99_mid:.2} ms in the middle third, {p99_last:.2} ms in the last third"
    );
    verdict(
        "soak",
        errors_5xx == 0 && samples.len() >= 3 && rss_ok && p99_ok,
        "no 5xx, RSS on a plateau, p99 without an upward trend",
    )
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
