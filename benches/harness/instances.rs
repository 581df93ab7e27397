//! Several instances: three service processes on one database, each running the sweeper and the
//! mail sender, under intake load. No mail or reminder goes out twice or not at all, and when
//! staff on different instances claim the same urgent item or accept the same case at the same
//! moment, exactly one wins and the others get 409.

use std::collections::HashMap;
use std::time::Duration;

use sea_orm::ConnectionTrait;
use serde_json::json;
use testkit::SmtpSink;

use crate::Length;
use crate::crash::print_mail;
use crate::rig::*;

/// The bureau whose staff contest its cases.
const CONTESTED: &str = "330421";

pub async fn run(length: Length) -> bool {
    let contests = length.pick(10, 50);
    let span = Duration::from_secs(length.pick(25, 180));
    let workers = env_or("HARNESS_WORKERS", 8);
    let url = fresh_database("xiaobao_harness_instances").await;
    let sink = SmtpSink::start().await;
    let mut services: Vec<Service> = (0..3)
        .map(|i| Service::new(&format!("instance{}", i + 1), 18311 + i, &url, &sink.url()))
        .collect();
    let users = services[0].prepare(3);
    for s in &mut services {
        s.start();
    }
    let client = client();
    for s in &services {
        s.wait_ready(&client).await;
    }
    let bases: Vec<String> = services.iter().map(Service::base).collect();
    put_on_duty(&client, &bases[0], &users).await;
    let mut tokens = Vec::new();
    for (username, _, bureau) in &users {
        if bureau == CONTESTED {
            tokens.push(login(&client, &bases[0], username).await);
        }
    }

    let (tally, handles) = start_intake(&client, bases.clone(), workers, "instances", Some(pace()));
    // Let cases accumulate, then contest them while the load goes on.
    actix_web::rt::time::sleep(span / 3).await;
    let mut claim_results = Vec::new();
    let mut accept_results = Vec::new();
    let queue = call(
        &client,
        "GET",
        &format!("{}/api/v1/urgent-queue", bases[0]),
        Some(&tokens[0]),
        &[],
        None,
    )
    .await
    .map(|a| a.body)
    .unwrap_or_default();
    let items: Vec<i64> = queue
        .as_array()
        .map(|a| a.iter().filter_map(|i| i["id"].as_i64()).collect())
        .unwrap_or_default();
    let pending = call(
        &client,
        "GET",
        &format!(
            "{}/api/v1/cases?status=pending_acceptance&limit=200",
            bases[0]
        ),
        Some(&tokens[0]),
        &[],
        None,
    )
    .await
    .map(|a| a.body)
    .unwrap_or_default();
    let cases: Vec<String> = pending
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|c| c["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    for round in 0..contests {
        if let Some(item) = items.get(round) {
            claim_results.push(
                contest(
                    &client,
                    &bases,
                    &tokens,
                    &format!("urgent-queue/{item}/claim"),
                )
                .await,
            );
        }
        // Skip the cases whose urgent item was just claimed, to contest fresh ones.
        if let Some(case) = cases.get(cases.len() - 1 - round.min(cases.len() - 1)) {
            accept_results
                .push(contest(&client, &bases, &tokens, &format!("cases/{case}/accept")).await);
        }
    }
    actix_web::rt::time::sleep(span * 2 / 3).await;
    stop(&tally, handles).await;

    let db = connect(&url).await;
    let t = std::mem::take(&mut *tally.borrow_mut());
    let check = check_cases(&db, &t.sent).await;
    let mail = drain_mail(&db, &sink, Duration::from_secs(length.pick(180, 600))).await;
    let reminders = reminders(&db, &sink).await;

    println!(
        "  load             3 instances, {workers} clients, {:.0} s, {} requests, {} acknowledged",
        span.as_secs_f64(),
        t.answers.len(),
        check.acknowledged
    );
    println!(
        "  in the database  {} cases; missing {}, duplicated {}, content differs {}, half-written {}",
        check.cases_in_db, check.missing, check.duplicated, check.mismatched, check.half_written
    );
    print_mail(&mail);
    println!(
        "  reminders        {} deadlines reminded, {} reminder events, {} reminder mails queued, {} received ({} twice), {} still owed",
        reminders.flagged,
        reminders.events,
        reminders.queued,
        reminders.received,
        reminders.repeated,
        reminders.owed
    );
    // One 200, and every other answer a 409.
    let fair = |results: &[(usize, usize, Vec<u16>)]| {
        results
            .iter()
            .filter(|(won, lost, other)| *won == 1 && *lost > 0 && other.is_empty())
            .count()
    };
    let claim_ok = fair(&claim_results);
    let accept_ok = fair(&accept_results);
    for (what, results) in [("claim", &claim_results), ("accept", &accept_results)] {
        for (won, lost, other) in results.iter() {
            if *won != 1 || !other.is_empty() {
                println!("    {what} contest: {won} won, {lost} × 409, other {other:?}");
            }
        }
    }
    println!(
        "  contests         {claim_ok}/{} urgent claims and {accept_ok}/{} acceptances: one winner, the rest 409",
        claim_results.len(),
        accept_results.len()
    );
    let pass = check.ok()
        && mail.unsent == 0
        && mail.lost == 0
        && mail.duplicates() == 0
        && reminders.repeated == 0
        && reminders.owed == 0
        && reminders.flagged == reminders.events
        && reminders.queued == reminders.received as i64
        && !claim_results.is_empty()
        && !accept_results.is_empty()
        && claim_ok == claim_results.len()
        && accept_ok == accept_results.len();
    verdict(
        "instances",
        pass,
        "no duplicate or lost mail or reminder; every contest has one winner",
    )
}

/// The same step by every token at once, each through a different instance: (200s, 409s, others).
async fn contest(
    client: &awc::Client,
    bases: &[String],
    tokens: &[String],
    path: &str,
) -> (usize, usize, Vec<u16>) {
    let body = json!({});
    let answers = futures_util::future::join_all(tokens.iter().enumerate().map(|(i, token)| {
        let url = format!("{}/api/v1/{path}", bases[i % bases.len()]);
        let body = &body;
        async move {
            call(client, "POST", &url, Some(token), &[], Some(body))
                .await
                .map(|a| a.status)
                .unwrap_or(0)
        }
    }))
    .await;
    let won = answers.iter().filter(|s| **s == 200).count();
    let lost = answers.iter().filter(|s| **s == 409).count();
    let other = answers
        .into_iter()
        .filter(|s| *s != 200 && *s != 409)
        .collect();
    (won, lost, other)
}

struct Reminders {
    flagged: i64,
    events: i64,
    queued: i64,
    received: usize,
    repeated: usize,
    owed: i64,
}

async fn reminders(db: &sea_orm::DatabaseConnection, sink: &SmtpSink) -> Reminders {
    let count = |sql: &'static str| async move {
        db.query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            sql,
        ))
        .await
        .ok()
        .flatten()
        .and_then(|r| r.try_get::<i64>("", "n").ok())
        .unwrap_or(-1)
    };
    let mut subjects: HashMap<String, usize> = HashMap::new();
    for m in sink.messages() {
        let subject = m.subject();
        if subject.starts_with("【即将到期】") || subject.starts_with("【已超期】") {
            *subjects.entry(subject).or_default() += 1;
        }
    }
    Reminders {
        flagged: count(
            "SELECT (SELECT count(*) FROM deadlines WHERE due_soon_notified_at IS NOT NULL) \
             + (SELECT count(*) FROM deadlines WHERE overdue_notified_at IS NOT NULL) AS n",
        )
        .await,
        events: count(
            "SELECT count(*) AS n FROM case_events WHERE kind IN ('deadline_due_soon', 'deadline_overdue')",
        )
        .await,
        queued: count("SELECT count(*) AS n FROM outbox WHERE dedupe_key LIKE 'deadline:%'").await,
        received: subjects.len(),
        repeated: subjects.values().filter(|n| **n > 1).count(),
        owed: count(UNREMINDED).await,
    }
}
