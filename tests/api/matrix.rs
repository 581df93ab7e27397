//! The role matrix: every operation in the OpenAPI document, called by every kind of caller, on a
//! complaint (and its linked report) that belongs to 嘉善 and to one business. Callers from
//! elsewhere never get a 2xx carrying that case or its complainant's personal data, and none of
//! their writes lands; the callers it belongs to never get a 5xx. The operations come from the
//! document, so a new endpoint is in the matrix from the day it is added: one with a path
//! parameter the matrix cannot fill, or without a security requirement and not on the public
//! list below, fails the test until someone decides what it is.

use std::collections::BTreeMap;

use serde_json::json;
use xiaobao::http::Role;

use crate::helpers::*;

/// Operations anyone may call: intake, consumer tracking (guarded by the access secret), public
/// disclosure, reference data, verification of issued agreements, health and the document itself.
const PUBLIC: &[&str] = &[
    "POST /api/v1/agreement-confirmations",
    "GET /api/v1/agreements/{number}/verify",
    "POST /api/v1/agreements/{number}/verify",
    "POST /api/v1/auth/login",
    "GET /api/v1/bureaus",
    "GET /api/v1/bureaus/{code}",
    "GET /api/v1/calendar/add-working-days",
    "GET /api/v1/calendar/days/{date}",
    "GET /api/v1/calendar/years",
    "POST /api/v1/complaints",
    "GET /api/v1/divisions",
    "GET /api/v1/divisions/{code}",
    "GET /api/v1/openapi.json",
    "GET /api/v1/public/businesses/{uscc}/complaints",
    "POST /api/v1/reports",
    "GET /api/v1/rule-sets/{rule_set}/grounds",
    "GET /api/v1/signing-keys",
    "GET /api/v1/stations",
    "GET /api/v1/stations/{id}",
    "GET /api/v1/track/{receipt_number}",
    "POST /api/v1/track/{receipt_number}/agreement/confirm",
    "GET /api/v1/track/{receipt_number}/evidence",
    "POST /api/v1/track/{receipt_number}/evidence",
    "GET /api/v1/track/{receipt_number}/evidence/{evidence_id}",
    "GET /api/v1/track/{receipt_number}/evidence/{evidence_id}/thumbnail",
    "GET /api/v1/track/{receipt_number}/odr",
    "POST /api/v1/track/{receipt_number}/odr/confirm",
    "POST /api/v1/track/{receipt_number}/odr/counter",
    "POST /api/v1/track/{receipt_number}/odr/offers/{offer_id}/accept",
    "POST /api/v1/track/{receipt_number}/odr/offers/{offer_id}/reject",
    "POST /api/v1/track/{receipt_number}/odr/reopen",
    "POST /api/v1/track/{receipt_number}/rating",
    "POST /api/v1/track/{receipt_number}/withdraw",
    "GET /api/v1/zone/return-brands",
    "GET /healthz",
    "GET /readyz",
];

/// Acts on the caller's own token only; calling it would end the caller's part in the matrix.
const SKIPPED: &[&str] = &["POST /api/v1/auth/logout"];

/// The resource an `{id}` names, from the path it appears in.
fn id_for<'a>(path: &str, ids: &'a BTreeMap<&str, String>) -> Option<&'a String> {
    let resource = path
        .trim_start_matches("/api/v1/")
        .split('/')
        .take_while(|s| !s.starts_with('{'))
        .collect::<Vec<_>>()
        .join("/");
    ids.get(resource.as_str())
}

#[actix_web::test]
async fn no_caller_reaches_another_jurisdictions_or_businesses_data_through_any_operation() {
    let app = spawn_app().await;
    let restaurant_uscc = uscc("91330421MA2B3C4D5");
    let restaurant = app.business("西塘某餐馆", &restaurant_uscc).await;
    let other = app
        .business("西塘另一家店", &uscc("91330421MA2B3C4D6"))
        .await;
    let mut body = complaint();
    body["complainant"]["phone"] = json!("13987651234");
    body["complainant"]["address"] = json!("上海市青浦区朱家角镇漕河街17号");
    body["also_report"] = json!({"violation": "使用过期食材，涉嫌违法", "evidence": []});
    let filed = app.post("/api/v1/complaints", &body).await;
    assert_eq!(filed.status, 201, "{}", filed.text);
    let case_id = filed.body["id"].as_str().unwrap().to_owned();
    let report_id = filed.body["linked"]["id"].as_str().unwrap().to_owned();
    let receipt = filed.body["receipt_number"].as_str().unwrap().to_owned();
    let secret = filed.body["access_secret"].as_str().unwrap().to_owned();
    // A photo of the consumer's on the case, for the evidence operations.
    let evidence = app
        .upload(
            &format!("/api/v1/track/{receipt}/evidence"),
            &[("x-access-secret", &secret)],
            &[("dish.jpg", &crate::evidence::photo())],
        )
        .await;
    assert_eq!(evidence.status, 201, "{}", evidence.text);
    let evidence_id = evidence.body[0]["id"].as_str().unwrap().to_owned();
    let id_number = body["complainant"]["id_number"]
        .as_str()
        .unwrap()
        .to_owned();
    // What must never reach an outsider: the complainant's personal data anywhere, and the case
    // itself outside the public operations (which show consented complaints without them).
    let personal = ["13987651234", id_number.as_str(), "漕河街17号"];
    let internal = [case_id.as_str(), report_id.as_str(), receipt.as_str()];

    let mut owners = vec![
        (
            "mediator of 西塘",
            app.staff("xitang", Role::Mediator, None, Some("S330421103"), None)
                .await,
        ),
        (
            "嘉善 bureau admin",
            app.staff("jiashan", Role::BureauAdmin, Some("330421"), None, None)
                .await,
        ),
        (
            "嘉善 enforcement",
            app.staff(
                "jiashan-enf",
                Role::EnforcementOfficer,
                Some("330421"),
                None,
                None,
            )
            .await,
        ),
        (
            "the restaurant's desk",
            app.staff("desk", Role::EnterpriseAgent, None, None, Some(&restaurant))
                .await,
        ),
    ];
    let root = app.staff("root", Role::SystemAdmin, None, None, None).await;
    owners.push(("system admin", root.clone()));
    // Outsiders come from 武进, outside the pilot area: the five pilot towns' stations and bureaus
    // share the studio's view of each other's cases by design (同城待遇).
    let station = json!({"id": "S320412100", "bureau_code": "320412", "name": "湖塘市场监督管理所", "towns": ["320412100"]});
    let res = app.post_as("/api/v1/stations", &root, &station).await;
    assert_eq!(res.status, 201, "{}", res.text);
    let outsiders = vec![
        ("anonymous", None),
        (
            "another business's desk",
            Some(
                app.staff("otherdesk", Role::EnterpriseAgent, None, None, Some(&other))
                    .await,
            ),
        ),
        (
            "mediator of 湖塘",
            Some(
                app.staff("hutang", Role::Mediator, None, Some("S320412100"), None)
                    .await,
            ),
        ),
        (
            "武进 bureau admin",
            Some(
                app.staff("wujin", Role::BureauAdmin, Some("320412"), None, None)
                    .await,
            ),
        ),
        (
            "武进 enforcement",
            Some(
                app.staff(
                    "wujin-enf",
                    Role::EnforcementOfficer,
                    Some("320412"),
                    None,
                    None,
                )
                .await,
            ),
        ),
    ];

    // `{id}` by resource; the others by name. Ids of kinds this setup does not create are
    // well-formed but unknown, so those cells prove only that nothing leaks and nothing lands.
    let ids: BTreeMap<&str, String> = [
        ("cases", case_id.clone()),
        ("odr/cases", case_id.clone()),
        ("reports", report_id.clone()),
        ("businesses", restaurant.clone()),
        ("odr/businesses", restaurant.clone()),
        ("stations", "S330421103".to_owned()),
        ("incidents", uuid::Uuid::new_v4().to_string()),
        ("leads", uuid::Uuid::new_v4().to_string()),
        ("transfers", uuid::Uuid::new_v4().to_string()),
        ("users", uuid::Uuid::new_v4().to_string()),
        ("outbox", "1".to_owned()),
        ("oversight/alerts", "1".to_owned()),
        ("urgent-queue", "1".to_owned()),
        ("zone/return-brands", "1".to_owned()),
    ]
    .into();
    let named: BTreeMap<&str, String> = [
        ("code", "330421".to_owned()),
        ("receipt_number", receipt.clone()),
        ("uscc", restaurant_uscc.clone()),
        ("number", "嘉市监善调〔2026〕第0001号".to_owned()),
        ("kind", "acceptance".to_owned()),
        ("year", "2026".to_owned()),
        ("date", "2026-11-23".to_owned()),
        ("rule_set", "order-121".to_owned()),
        ("key_id", "k1".to_owned()),
        ("offer_id", "1".to_owned()),
        ("session_id", "1".to_owned()),
        ("pause_id", "1".to_owned()),
        ("duty_id", "1".to_owned()),
        ("evidence_id", evidence_id),
    ]
    .into();

    let document = app.get("/api/v1/openapi.json").await;
    assert_eq!(document.status, 200);
    let mut operations = Vec::new();
    for (path, item) in document.body["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let name = format!("{} {path}", method.to_uppercase());
            let secured = op["security"].as_array().is_some_and(|s| !s.is_empty());
            assert!(
                secured || PUBLIC.contains(&name.as_str()),
                "{name} states no security requirement and is not on the public list: decide who may call it"
            );
            if SKIPPED.contains(&name.as_str()) {
                continue;
            }
            let mut url = String::new();
            for segment in path.split('/').skip(1) {
                url.push('/');
                match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    Some("id") => url.push_str(id_for(path, &ids).unwrap_or_else(|| {
                        panic!("{name}: the matrix has no id for this resource; add one")
                    })),
                    Some(param) => {
                        let value = named.get(param).unwrap_or_else(|| {
                            panic!("{name}: the matrix has no value for {{{param}}}; add one")
                        });
                        url.push_str(&urlencode(value));
                    }
                    None => url.push_str(segment),
                }
            }
            let has_body = op.get("requestBody").is_some();
            operations.push((method.to_uppercase(), name, url, has_body));
        }
    }
    assert!(operations.len() >= 100, "{} operations", operations.len());
    let cases_before = app.count("cases").await;
    let events_before = app.count("case_events").await;

    let call =
        async |method: &str, url: &str, has_body: bool, token: Option<&str>, secret: &str| {
            let bearer = token.map(|t| format!("Bearer {t}"));
            let mut headers = vec![("x-access-secret", secret)];
            if let Some(b) = &bearer {
                headers.push(("authorization", b.as_str()));
            }
            if has_body {
                headers.push(("content-type", "application/json"));
            }
            app.request(method, url, &headers, has_body.then(|| "{}".to_owned()))
                .await
        };

    let mut cells = 0;
    for (who, token) in &outsiders {
        for (method, name, url, has_body) in &operations {
            // An outsider does not hold the complainant's access secret.
            let res = call(method, url, *has_body, token.as_deref(), "not-the-secret").await;
            cells += 1;
            assert!(
                res.status.as_u16() < 500,
                "{who}: {name} → {}: {}",
                res.status,
                res.text
            );
            let public = PUBLIC.contains(&name.as_str());
            if res.status.is_success() {
                assert!(
                    method == "GET" || public,
                    "{who}: {name} is a write and answered {}: {}",
                    res.status,
                    res.text
                );
                for s in personal
                    .iter()
                    .chain(if public { &[][..] } else { &internal[..] })
                {
                    assert!(
                        !res.text.contains(s),
                        "{who}: {name} answered {} with {s:?}: {}",
                        res.status,
                        excerpt(&res.text, s)
                    );
                }
            } else {
                assert_eq!(
                    res.content_type, "application/problem+json",
                    "{who}: {name}"
                );
            }
        }
    }
    assert_eq!(
        app.count("cases").await,
        cases_before,
        "an outsider's write landed"
    );
    assert_eq!(
        app.count("case_events").await,
        events_before,
        "an outsider's write touched the case"
    );

    for (who, token) in &owners {
        for (method, name, url, has_body) in &operations {
            let res = call(method, url, *has_body, Some(token), &secret).await;
            cells += 1;
            assert!(
                res.status.as_u16() < 500,
                "{who}: {name} → {}: {}",
                res.status,
                res.text
            );
        }
    }
    assert!(cells >= 1000, "{cells} cells");
}

/// The part of a long answer around what it should not hold.
fn excerpt<'a>(text: &'a str, around: &str) -> &'a str {
    let at = text.find(around).unwrap_or(0);
    let start = text.floor_char_boundary(at.saturating_sub(200));
    let end = text.ceil_char_boundary((at + 200).min(text.len()));
    &text[start..end]
}

fn urlencode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
