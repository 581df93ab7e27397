use chrono::Duration;
use serde_json::json;
use xiaobao::http::Role;
use xiaobao::mail::{Attachment, Delivery, Mail, Mailer, enqueue};

use crate::helpers::*;
use testkit::smtp::SmtpSink;

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
