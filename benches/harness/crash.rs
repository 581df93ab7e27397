//! Crash safety: steady intake while the service is SIGKILLed and restarted; afterwards every
//! acknowledged complaint exists once with its content, no case is half-written, and every
//! outbox mail reached the SMTP sink.

use std::time::Duration;

use testkit::SmtpSink;

use crate::Length;
use crate::rig::*;

pub async fn run(length: Length) -> bool {
    let kills = length.pick(3, 10);
    let span = Duration::from_secs(length.pick(60, 300));
    let workers = env_or("HARNESS_WORKERS", 8);
    let url = fresh_database("xiaobao_harness_crash").await;
    let sink = SmtpSink::start().await;
    let mut svc = Service::new("crash", 18301, &url, &sink.url());
    let users = svc.prepare(1);
    svc.start();
    let client = client();
    svc.wait_ready(&client).await;
    put_on_duty(&client, &svc.base(), &users).await;

    let (tally, handles) = start_intake(&client, vec![svc.base()], workers, "crash", Some(pace()));
    let every = span / (kills + 1);
    let mut ready = Vec::new();
    for _ in 0..kills {
        actix_web::rt::time::sleep(every).await;
        svc.kill();
        svc.start();
        ready.push(svc.wait_ready(&client).await);
    }
    actix_web::rt::time::sleep(every).await;
    stop(&tally, handles).await;

    let db = connect(&url).await;
    let t = std::mem::take(&mut *tally.borrow_mut());
    let cases = check_cases(&db, &t.sent).await;
    let mail = drain_mail(&db, &sink, Duration::from_secs(length.pick(180, 600))).await;
    let refused = t.answers.iter().filter(|a| a.1 == 0).count();
    let errors_5xx = t.answers.iter().filter(|a| a.1 >= 500).count();
    let ready_ms: Vec<String> = ready
        .iter()
        .map(|d| format!("{:.2}", d.as_secs_f64()))
        .collect();
    println!(
        "  load             {workers} clients, {:.0} s, {} requests, {} complaints sent",
        span.as_secs_f64(),
        t.answers.len(),
        t.sent.len()
    );
    println!(
        "  kills            {kills} × SIGKILL; ready again after {} s",
        ready_ms.join(", ")
    );
    println!("  connection fails {refused} (retried with the same Idempotency-Key)");
    println!("  5xx answers      {errors_5xx}");
    println!("  acknowledged     {} (201)", cases.acknowledged);
    println!(
        "  in the database  {} cases; missing {}, duplicated {}, content differs {}, half-written {}",
        cases.cases_in_db, cases.missing, cases.duplicated, cases.mismatched, cases.half_written
    );
    print_mail(&mail);
    let pass = cases.ok() && cases.acknowledged > 0 && mail.unsent == 0 && mail.lost == 0;
    verdict(
        "crash",
        pass,
        "acknowledged complaints all present once and whole; every outbox mail delivered",
    )
}

pub fn print_mail(mail: &MailCheck) {
    println!(
        "  mail             {} in the outbox, {} unsent; sink got {} ({} distinct Message-IDs, {} resent duplicates), {} lost; drained in {:.1} s",
        mail.outbox,
        mail.unsent,
        mail.received,
        mail.distinct,
        mail.duplicates(),
        mail.lost,
        mail.waited.as_secs_f64()
    );
}
