//! Database faults: the harness cluster is stopped under intake load and started again after
//! about five seconds. Meanwhile the service must answer 503 problems (never 500), then recover by
//! itself; nothing acknowledged may be lost and the outbox must drain.

use std::time::{Duration, Instant};

use testkit::SmtpSink;

use crate::Length;
use crate::crash::print_mail;
use crate::rig::*;

pub async fn run(length: Length) -> bool {
    let outages = length.pick(1, 3);
    let outage = Duration::from_secs(5);
    let between = Duration::from_secs(length.pick(10, 30));
    let workers = env_or("HARNESS_WORKERS", 8);
    let url = fresh_database("xiaobao_harness_dbfault").await;
    let sink = SmtpSink::start().await;
    let mut svc = Service::new("dbfault", 18302, &url, &sink.url());
    let users = svc.prepare(1);
    svc.start();
    let client = client();
    svc.wait_ready(&client).await;
    put_on_duty(&client, &svc.base(), &users).await;

    let (tally, handles) =
        start_intake(&client, vec![svc.base()], workers, "dbfault", Some(pace()));
    let load_started = Instant::now();
    let mut windows = Vec::new();
    let mut cluster_ok = true;
    for _ in 0..outages {
        actix_web::rt::time::sleep(between).await;
        let down = load_started.elapsed().as_secs_f64();
        cluster_ok &= blocking(|| cluster_ctl("stop")).await;
        let stopped = load_started.elapsed().as_secs_f64();
        actix_web::rt::time::sleep(outage).await;
        let restart = load_started.elapsed().as_secs_f64();
        cluster_ok &= blocking(|| cluster_ctl("start")).await;
        let up = load_started.elapsed().as_secs_f64();
        windows.push((down, stopped, restart, up));
    }
    actix_web::rt::time::sleep(between).await;
    stop(&tally, handles).await;

    let db = connect(&url).await;
    let t = std::mem::take(&mut *tally.borrow_mut());
    let cases = check_cases(&db, &t.sent).await;
    let mail = drain_mail(&db, &sink, Duration::from_secs(length.pick(300, 900))).await;
    let mut pass = cluster_ok;
    println!(
        "  load             {workers} clients, {} requests, {} complaints sent",
        t.answers.len(),
        t.sent.len()
    );
    for (i, (down, stopped, restart, up)) in windows.iter().enumerate() {
        // Requests made and answered while the cluster was down (after the stop returned and
        // before the start began).
        let during: Vec<u16> = t
            .answers
            .iter()
            .filter(|(at, _, lat)| *at - lat.as_secs_f64() >= *stopped && *at <= *restart)
            .map(|a| a.1)
            .collect();
        let n503 = during.iter().filter(|s| **s == 503).count();
        let other: Vec<&u16> = during.iter().filter(|s| **s != 503).collect();
        let recovered = t
            .answers
            .iter()
            .filter(|(at, status, _)| *status == 201 && *at > *restart)
            .map(|(at, _, _)| at - restart)
            .fold(f64::INFINITY, f64::min);
        println!(
            "  outage {}         stop took {:.1} s, down {:.1} s: {} answers, {} × 503, other {:?}; first 201 {:.2} s after the start began (the start took {:.1} s)",
            i + 1,
            stopped - down,
            restart - stopped,
            during.len(),
            n503,
            other,
            recovered,
            up - restart
        );
        pass &= n503 > 0 && other.is_empty() && recovered < 30.0;
    }
    let errors_500 = t.answers.iter().filter(|a| a.1 == 500).count();
    let refused = t.answers.iter().filter(|a| a.1 == 0).count();
    println!(
        "  whole run        {errors_500} × 500, {refused} connection failures, {} error answers not problem+json",
        t.bad_error_bodies
    );
    println!("  acknowledged     {} (201)", cases.acknowledged);
    println!(
        "  in the database  {} cases; missing {}, duplicated {}, content differs {}, half-written {}",
        cases.cases_in_db, cases.missing, cases.duplicated, cases.mismatched, cases.half_written
    );
    print_mail(&mail);
    pass &= errors_500 == 0
        && t.bad_error_bodies == 0
        && cases.ok()
        && mail.unsent == 0
        && mail.lost == 0;
    verdict(
        "dbfault",
        pass,
        "503 problems while the database is down, recovery without a restart, nothing lost",
    )
}

async fn blocking(f: impl FnOnce() -> bool + Send + 'static) -> bool {
    actix_web::rt::task::spawn_blocking(f)
        .await
        .unwrap_or(false)
}
