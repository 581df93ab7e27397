use chrono::Duration;
use serde_json::json;
use xiaobao::http::Role;
use xiaobao::mail::{Attachment, Delivery, Mail, Mailer, enqueue};

use crate::helpers::*;
use testkit::smtp::{Login, SinkOptions, SinkTls, SmtpSink};
use testkit::tls::TestCa;

fn letter(to: &str) -> Mail {
    Mail {
        to: vec![to.into()],
        subject: "调解书送达 Agreement".into(),
        body: "您好，附件为调解书。".into(),
        attachments: vec![Attachment::new(
            "调解书.pdf",
            "application/pdf",
            b"%PDF-1.4 test",
        )],
        secret: None,
    }
}

#[actix_web::test]
async fn outbox_mail_goes_out_over_smtp_with_its_attachment() {
    let app = spawn_app().await;
    let sink = SmtpSink::start().await;
    let now = app.clock.now();
    assert!(
        enqueue(&app.db, &letter("zhang@example.com"), Some("k1"), now)
            .await
            .unwrap()
    );
    // The same key queues nothing more.
    assert!(
        !enqueue(&app.db, &letter("zhang@example.com"), Some("k1"), now)
            .await
            .unwrap()
    );
    let mailer = Mailer::new(&sink.url(), "xiaobao <noreply@xiaobao.local>", 5).unwrap();
    let report = mailer.deliver_due(&app.db, now).await.unwrap();
    assert_eq!(
        report,
        Delivery {
            sent: 1,
            retried: 0,
            dead: 0
        }
    );
    let got = sink.messages();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].to, ["zhang@example.com"]);
    assert_eq!(got[0].from, "noreply@xiaobao.local");
    assert_eq!(got[0].subject(), "调解书送达 Agreement");
    assert_eq!(got[0].text().trim(), "您好，附件为调解书。");
    assert!(got[0].data.contains("application/pdf"), "{}", got[0].data);
    assert!(
        got[0].data.contains("Message-ID: <outbox-1@xiaobao>")
            || got[0].data.contains("Message-Id: <outbox-1@xiaobao>")
    );
    // Nothing is sent twice.
    assert_eq!(
        mailer.deliver_due(&app.db, now).await.unwrap(),
        Delivery::default()
    );
    assert_eq!(sink.messages().len(), 1);
}

#[actix_web::test]
async fn an_smtp_outage_loses_nothing_and_retries_with_backoff() {
    let app = spawn_app().await;
    let mut sink = SmtpSink::start().await;
    let mailer = Mailer::new(&sink.url(), "noreply@xiaobao.local", 5).unwrap();
    let t0 = app.clock.now();
    enqueue(&app.db, &letter("a@example.com"), None, t0)
        .await
        .unwrap();
    assert_eq!(mailer.deliver_due(&app.db, t0).await.unwrap().sent, 1);

    sink.stop();
    enqueue(&app.db, &letter("b@example.com"), None, t0)
        .await
        .unwrap();
    enqueue(&app.db, &letter("c@example.com"), None, t0)
        .await
        .unwrap();
    assert_eq!(
        mailer.deliver_due(&app.db, t0).await.unwrap(),
        Delivery {
            sent: 0,
            retried: 2,
            dead: 0
        }
    );
    // Not due again before its backoff.
    assert_eq!(
        mailer
            .deliver_due(&app.db, t0 + Duration::seconds(10))
            .await
            .unwrap(),
        Delivery::default()
    );

    sink.restart().await;
    let report = mailer
        .deliver_due(&app.db, t0 + Duration::seconds(31))
        .await
        .unwrap();
    assert_eq!(report.sent, 2);
    let mut to: Vec<String> = sink.messages().iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    assert_eq!(to, ["a@example.com", "b@example.com", "c@example.com"]);
    assert_eq!(app.count("outbox WHERE status = 'sent'").await, 3);
}

#[actix_web::test]
async fn mail_that_keeps_failing_is_parked_dead_and_an_admin_can_resend_it() {
    let app = spawn_app().await;
    let mut sink = SmtpSink::start().await;
    sink.stop();
    let mailer = Mailer::new(&sink.url(), "noreply@xiaobao.local", 2).unwrap();
    let t0 = app.clock.now();
    enqueue(&app.db, &letter("d@example.com"), None, t0)
        .await
        .unwrap();
    assert_eq!(mailer.deliver_due(&app.db, t0).await.unwrap().retried, 1);
    assert_eq!(
        mailer
            .deliver_due(&app.db, t0 + Duration::minutes(5))
            .await
            .unwrap()
            .dead,
        1
    );

    let admin = app.staff("root", Role::SystemAdmin, None, None, None).await;
    let dead = app.get_as("/api/v1/outbox", &admin).await;
    assert_eq!(dead.status, 200, "{}", dead.text);
    assert_eq!(dead.body[0]["status"], "dead");
    assert_eq!(dead.body[0]["attempts"], 2);
    assert!(dead.body[0]["last_error"].is_string());
    let id = dead.body[0]["id"].as_i64().unwrap();
    let bureau = app
        .staff("jiashan", Role::BureauAdmin, Some("330421"), None, None)
        .await;
    assert_problem(
        &app.get_as("/api/v1/outbox", &bureau).await,
        403,
        "forbidden",
    );

    let res = app
        .post_as(&format!("/api/v1/outbox/{id}/resend"), &admin, &json!({}))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["status"], "pending");
    assert_problem(
        &app.post_as(&format!("/api/v1/outbox/{id}/resend"), &admin, &json!({}))
            .await,
        409,
        "not_dead",
    );
    sink.restart().await;
    assert_eq!(
        mailer
            .deliver_due(&app.db, app.clock.now())
            .await
            .unwrap()
            .sent,
        1
    );
    assert_eq!(sink.messages().len(), 1);
    let sent = app.get_as("/api/v1/outbox?status=sent", &admin).await;
    assert_eq!(sent.status, 200, "{}", sent.text);
    assert_eq!(sent.body[0]["id"], id);
    assert_eq!(sent.body[0]["status"], "sent");
    let none = app.get_as("/api/v1/outbox", &admin).await;
    assert_eq!(none.body, json!([]));
    assert_problem(
        &app.get_as("/api/v1/outbox?status=lost", &admin).await,
        422,
        "invalid_query",
    );
}

#[actix_web::test]
async fn two_senders_deliver_each_message_once() {
    let app = spawn_app().await;
    let sink = SmtpSink::start().await;
    let now = app.clock.now();
    for i in 0..12 {
        enqueue(&app.db, &letter(&format!("p{i}@example.com")), None, now)
            .await
            .unwrap();
    }
    let other = app.another_connection().await;
    let a = Mailer::new(&sink.url(), "noreply@xiaobao.local", 5).unwrap();
    let b = a.clone();
    let (ra, rb) = tokio::join!(a.deliver_due(&app.db, now), b.deliver_due(&other, now));
    assert_eq!(ra.unwrap().sent + rb.unwrap().sent, 12);
    let mut to: Vec<String> = sink.messages().iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    to.dedup();
    assert_eq!(to.len(), 12);
    assert_eq!(sink.messages().len(), 12);
}

#[actix_web::test]
async fn a_sender_claims_a_batch_at_once_and_takes_over_a_claim_whose_lease_lapsed() {
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    use xiaobao::entities::outbox;

    let app = spawn_app().await;
    let sink = SmtpSink::start().await;
    let now = app.clock.now();
    for i in 0..120 {
        enqueue(&app.db, &letter(&format!("p{i}@example.com")), None, now)
            .await
            .unwrap();
    }
    let mailer = Mailer::new(&sink.url(), "noreply@xiaobao.local", 5)
        .unwrap()
        .with_claim(Duration::seconds(60));
    assert_eq!(
        mailer.deliver_due(&app.db, now).await.unwrap().sent,
        xiaobao::mail::BATCH as usize
    );
    // Another instance claimed the next fifty and died before sending them.
    outbox::Entity::update_many()
        .col_expr(outbox::Column::ClaimToken, Expr::value("crashed-sender"))
        .col_expr(
            outbox::Column::LockedUntil,
            Expr::value(now + Duration::seconds(60)),
        )
        .filter(outbox::Column::Id.between(51, 100))
        .exec(&app.db)
        .await
        .unwrap();

    assert_eq!(mailer.deliver_due(&app.db, now).await.unwrap().sent, 20);
    assert_eq!(
        mailer.deliver_due(&app.db, now).await.unwrap(),
        Delivery::default()
    );
    let later = now + Duration::seconds(61);
    assert_eq!(mailer.deliver_due(&app.db, later).await.unwrap().sent, 50);

    let mut to: Vec<String> = sink.messages().iter().flat_map(|m| m.to.clone()).collect();
    assert_eq!(to.len(), 120);
    to.sort();
    to.dedup();
    assert_eq!(to.len(), 120);
    let pending = outbox::Entity::find()
        .filter(outbox::Column::Status.ne("sent"))
        .all(&app.db)
        .await
        .unwrap();
    assert!(pending.is_empty());
}

const USER: &str = "mail@bureau.example.cn";
const PASSWORD: &str = "p@ss:w%rd";
/// `USER:PASSWORD` as they stand in an `SMTP_URL`, percent-encoded.
const USERINFO: &str = "mail%40bureau.example.cn:p%40ss%3Aw%25rd";

/// A sink speaking `tls` with a certificate for 127.0.0.1 from `ca`, wanting USER and PASSWORD.
async fn tls_sink(ca: &TestCa, implicit: bool, mechanisms: &'static str) -> SmtpSink {
    let config = ca.server_config(&["127.0.0.1"]);
    SmtpSink::start_with(SinkOptions {
        tls: if implicit {
            SinkTls::Implicit(config)
        } else {
            SinkTls::StartTls(config)
        },
        login: Some((USER.into(), PASSWORD.into())),
        mechanisms,
    })
    .await
}

/// The CA's certificate in a fresh file, as an operator gives it in XIAOBAO_SMTP_CA_FILE.
fn ca_file(ca: &TestCa) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!(
        "xiaobao-smtp-ca-{}.pem",
        uuid::Uuid::new_v4().simple()
    ));
    ca.write_pem(&path);
    path
}

/// Queues one letter, delivers it through `url` trusting `ca`, and checks the sink got it
/// encrypted, after a login with the decoded credentials by `mechanism`.
async fn delivered_over_tls_with_login(sink: &SmtpSink, url: &str, ca: &TestCa, mechanism: &str) {
    let app = spawn_app().await;
    let ca_path = ca_file(ca);
    let mailer = Mailer::with_ca_file(url, Some(&ca_path), "noreply@xiaobao.local", 5).unwrap();
    let now = app.clock.now();
    enqueue(&app.db, &letter("zhang@example.com"), None, now)
        .await
        .unwrap();
    assert_eq!(
        mailer.deliver_due(&app.db, now).await.unwrap(),
        Delivery {
            sent: 1,
            retried: 0,
            dead: 0
        }
    );
    let got = sink.messages();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].to, ["zhang@example.com"]);
    assert_eq!(got[0].subject(), "调解书送达 Agreement");
    assert!(got[0].over_tls, "the message travelled in clear");
    assert_eq!(got[0].login.as_deref(), Some(USER));
    assert_eq!(
        sink.logins(),
        [Login {
            mechanism: mechanism.into(),
            user: USER.into(),
            password: PASSWORD.into(),
            over_tls: true,
            accepted: true,
        }]
    );
    assert_eq!(app.count("outbox WHERE status = 'sent'").await, 1);
    let _ = std::fs::remove_file(ca_path);
}

#[actix_web::test]
async fn mail_goes_out_over_starttls_with_a_login_to_a_server_signed_by_the_extra_ca() {
    let ca = TestCa::new("xiaobao test CA");
    let sink = tls_sink(&ca, false, "PLAIN LOGIN").await;
    let url = format!("smtp://{USERINFO}@127.0.0.1:{}?tls=required", sink.port);
    delivered_over_tls_with_login(&sink, &url, &ca, "PLAIN").await;
}

#[actix_web::test]
async fn mail_goes_out_over_implicit_tls_with_a_login() {
    let ca = TestCa::new("xiaobao test CA");
    let sink = tls_sink(&ca, true, "LOGIN").await;
    let url = format!("smtps://{USERINFO}@127.0.0.1:{}", sink.port);
    delivered_over_tls_with_login(&sink, &url, &ca, "LOGIN").await;
}

#[actix_web::test]
async fn an_untrusted_certificate_is_refused_and_the_mail_stays_queued() {
    let app = spawn_app().await;
    let ca = TestCa::new("xiaobao test CA");
    let stranger = TestCa::new("some other CA");
    let starttls = tls_sink(&ca, false, "").await;
    let implicit = tls_sink(&ca, true, "").await;
    let stranger_path = ca_file(&stranger);
    let t0 = app.clock.now();
    // STARTTLS trusting only the system's roots; smtps trusting another CA besides them.
    let attempts = [
        (
            &starttls,
            format!("smtp://{USERINFO}@127.0.0.1:{}?tls=required", starttls.port),
            None,
        ),
        (
            &implicit,
            format!("smtps://{USERINFO}@127.0.0.1:{}", implicit.port),
            Some(stranger_path.as_path()),
        ),
    ];
    for (i, (sink, url, ca_path)) in attempts.iter().enumerate() {
        let to = format!("untrusted{i}@example.com");
        enqueue(&app.db, &letter(&to), Some(&to), t0).await.unwrap();
        let mailer = Mailer::with_ca_file(url, *ca_path, "noreply@xiaobao.local", 5).unwrap();
        assert_eq!(
            mailer.deliver_due(&app.db, t0).await.unwrap(),
            Delivery {
                sent: 0,
                retried: 1,
                dead: 0
            },
            "{url}"
        );
        // The sink learns of the refusal when the client's alert arrives, just after.
        for _ in 0..200 {
            if sink.tls_failures() > 0 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        assert_eq!(sink.tls_failures(), 1, "no handshake was refused: {url}");
        assert!(sink.messages().is_empty());
        assert!(
            sink.logins().is_empty(),
            "credentials went to an untrusted server"
        );
    }
    assert_eq!(
        app.count("outbox WHERE status = 'pending' AND attempts = 1 AND last_error IS NOT NULL")
            .await,
        2
    );

    // Once the operator trusts the right CA, the next round after the backoff sends both.
    let ca_path = ca_file(&ca);
    let mailer =
        Mailer::with_ca_file(&attempts[0].1, Some(&ca_path), "noreply@xiaobao.local", 5).unwrap();
    let later = t0 + Duration::seconds(31);
    assert_eq!(mailer.deliver_due(&app.db, later).await.unwrap().sent, 2);
    let mut to: Vec<String> = starttls
        .messages()
        .iter()
        .flat_map(|m| m.to.clone())
        .collect();
    to.sort();
    assert_eq!(to, ["untrusted0@example.com", "untrusted1@example.com"]);
    assert!(starttls.messages().iter().all(|m| m.over_tls));
    assert_eq!(app.count("outbox WHERE status = 'sent'").await, 2);
    let _ = std::fs::remove_file(ca_path);
    let _ = std::fs::remove_file(stranger_path);
}

#[actix_web::test]
async fn tls_required_never_talks_in_clear_to_a_server_without_starttls() {
    let app = spawn_app().await;
    // A clear-text server that would take the login and the mail in clear.
    let sink = SmtpSink::start_with(SinkOptions {
        tls: SinkTls::None,
        login: Some((USER.into(), PASSWORD.into())),
        mechanisms: "",
    })
    .await;
    let url = format!("smtp://{USERINFO}@127.0.0.1:{}?tls=required", sink.port);
    let mailer = Mailer::new(&url, "noreply@xiaobao.local", 5).unwrap();
    let t0 = app.clock.now();
    enqueue(&app.db, &letter("clear@example.com"), None, t0)
        .await
        .unwrap();
    assert_eq!(
        mailer.deliver_due(&app.db, t0).await.unwrap(),
        Delivery {
            sent: 0,
            retried: 1,
            dead: 0
        }
    );
    assert!(sink.messages().is_empty());
    assert!(sink.logins().is_empty(), "the password was sent in clear");
    assert_eq!(
        app.count("outbox WHERE status = 'pending' AND attempts = 1")
            .await,
        1
    );

    // The same server without tls=required is a local relay: it gets the login and the mail.
    let plain = Mailer::new(
        &format!("smtp://{USERINFO}@127.0.0.1:{}", sink.port),
        "noreply@xiaobao.local",
        5,
    )
    .unwrap();
    assert_eq!(
        plain
            .deliver_due(&app.db, t0 + Duration::seconds(31))
            .await
            .unwrap()
            .sent,
        1
    );
    assert!(!sink.messages()[0].over_tls);
    assert_eq!(sink.logins()[0].password, PASSWORD);
}

#[test]
fn a_bad_ca_file_is_an_error_naming_the_setting_and_not_the_password() {
    let url = format!("smtps://{USERINFO}@127.0.0.1:465");
    let missing = std::env::temp_dir().join("xiaobao-no-such-ca.pem");
    let empty = std::env::temp_dir().join(format!(
        "xiaobao-empty-ca-{}.pem",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::write(&empty, "not a certificate\n").unwrap();
    for path in [&missing, &empty] {
        let err = Mailer::with_ca_file(&url, Some(path), "noreply@xiaobao.local", 5)
            .err()
            .expect("a bad CA file was accepted");
        assert!(err.contains("XIAOBAO_SMTP_CA_FILE"), "{err}");
        assert!(!err.contains("p%40ss") && !err.contains("p@ss"), "{err}");
    }
    let _ = std::fs::remove_file(empty);
    let err = Mailer::new(
        "smtp://u:hunter2@127.0.0.1:25?tls=sometimes",
        "noreply@xiaobao.local",
        5,
    )
    .err()
    .unwrap();
    assert!(
        err.contains("SMTP_URL") && !err.contains("hunter2"),
        "{err}"
    );
}

#[actix_web::test]
async fn the_system_admin_resends_dead_mail_from_the_workbench() {
    let app = spawn_app().await;
    let mut sink = SmtpSink::start().await;
    sink.stop();
    let mailer = Mailer::new(&sink.url(), "noreply@xiaobao.local", 1).unwrap();
    let t0 = app.clock.now();
    enqueue(&app.db, &letter("d@example.com"), None, t0)
        .await
        .unwrap();
    assert_eq!(mailer.deliver_due(&app.db, t0).await.unwrap().dead, 1);
    app.staff("root", Role::SystemAdmin, None, None, None).await;
    app.staff("jiashan", Role::BureauAdmin, Some("330421"), None, None)
        .await;

    let mut b = crate::pages_staff::Browser::signed_in(&app, "root").await;
    let page = b.get("/staff/outbox").await;
    assert_eq!(page.status, awc::http::StatusCode::OK, "{}", page.text);
    assert!(
        page.text.contains("d@example.com") && page.text.contains("已尝试 1 次"),
        "{}",
        page.text
    );
    let start = page.text.find("/staff/outbox/").unwrap();
    let end = start + page.text[start..].find('"').unwrap();
    let resend = page.text[start..end].to_owned();
    let mut bureau = crate::pages_staff::Browser::signed_in(&app, "jiashan").await;
    assert_eq!(
        bureau.get("/staff/outbox").await.status,
        awc::http::StatusCode::FORBIDDEN
    );
    assert_eq!(
        bureau.post(&resend, "").await.status,
        awc::http::StatusCode::FORBIDDEN
    );

    let done = b.post(&resend, "").await;
    assert_eq!(
        done.status,
        awc::http::StatusCode::SEE_OTHER,
        "{}",
        done.text
    );
    let page = b.get("/staff/outbox").await;
    assert!(page.text.contains("已重新发送") && page.text.contains("没有未能发出的邮件"));
    assert_eq!(
        b.post(&resend, "").await.status,
        awc::http::StatusCode::CONFLICT
    );
    assert_eq!(app.count("outbox WHERE status = 'pending'").await, 1);
}
