//! Every value of every enum the API document lists is one the service takes. The enums and the
//! places requests carry them (body fields, array items, nested objects, parameters) are read from
//! the generated document; each place has a probe below that sends a request the service would
//! otherwise take, with each listed value in turn, and the value must not be refused as invalid.
//! An enum or a place the test has no probe for fails the test, so a new one cannot slip past.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};
use xiaobao::http::Role;

use crate::helpers::*;

/// Enums found only in answers: no request carries them, so there is nothing to send. An enum
/// that newly appears in a request, or a new answer-only one, fails the test until it is sorted.
const ANSWER_ONLY: &[&str] = &[
    "AgreementStatus",
    "AlertKind",
    "ConfirmedVia",
    "DayKind",
    "DeadlineKind",
    "DeadlineStatus",
    "Enrolment",
    "MediaType",
    "OdrState",
    "OfferParty",
    "OfferStatus",
    "Outcome",
    "PartyRole",
    "PauseReason",
    "Removed",
    "RoutingRule",
    "RuleSetId",
    "SessionStatus",
    "Unit",
    "Uploader",
    "UrgentStatus",
];

/// One place a request carries an enum: `"POST /api/v1/complaints"` and `"body.complainant.id_type"`
/// (`[]` for an array's items, `query:NAME` / `path:NAME` / `header:NAME` for a parameter).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Place {
    operation: String,
    location: String,
}

/// Every enum schema of the document and the places requests carry it, by walking each
/// operation's parameters and request body through `$ref`, `oneOf`/`anyOf`/`allOf`, properties,
/// array items and maps.
fn enum_places(doc: &Value) -> (BTreeMap<String, Vec<String>>, BTreeMap<String, Vec<Place>>) {
    fn walk(
        doc: &Value,
        node: &Value,
        location: &str,
        seen: &BTreeSet<String>,
        out: &mut Vec<(String, String)>,
    ) {
        if let Some(reference) = node["$ref"].as_str() {
            let name = reference.rsplit('/').next().unwrap().to_owned();
            let schema = &doc["components"]["schemas"][&name];
            if schema.get("enum").is_some() {
                out.push((name, location.to_owned()));
            } else if !seen.contains(&name) {
                let mut seen = seen.clone();
                seen.insert(name);
                walk(doc, schema, location, &seen, out);
            }
            return;
        }
        if node.get("enum").is_some() {
            out.push((format!("inline enum at {location}"), location.to_owned()));
        }
        for key in ["oneOf", "anyOf", "allOf"] {
            for alt in node[key].as_array().into_iter().flatten() {
                walk(doc, alt, location, seen, out);
            }
        }
        for (name, prop) in node["properties"].as_object().into_iter().flatten() {
            walk(doc, prop, &format!("{location}.{name}"), seen, out);
        }
        if node["items"].is_object() {
            walk(doc, &node["items"], &format!("{location}[]"), seen, out);
        }
        if node["additionalProperties"].is_object() {
            walk(
                doc,
                &node["additionalProperties"],
                &format!("{location}{{}}"),
                seen,
                out,
            );
        }
    }
    let mut values = BTreeMap::new();
    let mut inline = Vec::new();
    walk(
        doc,
        &doc["components"],
        "components",
        &BTreeSet::new(),
        &mut inline,
    );
    for (name, schema) in doc["components"]["schemas"].as_object().unwrap() {
        if let Some(list) = schema["enum"].as_array() {
            let list = list
                .iter()
                .map(|v| v.as_str().unwrap().to_owned())
                .collect();
            values.insert(name.clone(), list);
        }
    }
    let mut places: BTreeMap<String, Vec<Place>> = BTreeMap::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let operation = format!("{} {path}", method.to_uppercase());
            let mut found = Vec::new();
            for p in op["parameters"].as_array().into_iter().flatten() {
                let location = format!(
                    "{}:{}",
                    p["in"].as_str().unwrap(),
                    p["name"].as_str().unwrap()
                );
                walk(doc, &p["schema"], &location, &BTreeSet::new(), &mut found);
            }
            for (_, content) in op["requestBody"]["content"]
                .as_object()
                .into_iter()
                .flatten()
            {
                walk(
                    doc,
                    &content["schema"],
                    "body",
                    &BTreeSet::new(),
                    &mut found,
                );
            }
            for (name, location) in found {
                let place = Place {
                    operation: operation.clone(),
                    location,
                };
                let list = places.entry(name).or_default();
                if !list.contains(&place) {
                    list.push(place);
                }
            }
        }
    }
    // An enum written inline in a request has no name to sort it by: name it in the document.
    assert!(
        !places.keys().any(|k| k.starts_with("inline")),
        "inline enums in requests: {:?}",
        places
            .keys()
            .filter(|k| k.starts_with("inline"))
            .collect::<Vec<_>>()
    );
    (values, places)
}

/// Sets the value at a body location (`body.a.b`, `body.list[]`, `body.list[].field`); an array
/// gets the value as its only item, or in its first item.
fn set_at(body: &mut Value, location: &str, value: &str) {
    let path = location.strip_prefix("body").expect("a body location");
    let mut node = body;
    let segments: Vec<&str> = path.split('.').filter(|s| !s.is_empty()).collect();
    for (i, segment) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        if let Some(name) = segment.strip_suffix("[]") {
            if last {
                node[name] = json!([value]);
                return;
            }
            if !node[name].is_array() || node[name].as_array().unwrap().is_empty() {
                node[name] = json!([{}]);
            }
            node = &mut node[name][0];
        } else if last {
            node[*segment] = json!(value);
        } else {
            node = &mut node[*segment];
        }
    }
}

/// The state the probes act on: a restaurant at 西塘, a platform operator, and callers for them.
struct World {
    app: TestApp,
    root: String,
    bureau: String,
    enforcement: String,
    mediator: String,
    desk: String,
    /// Another mediator of the station, to take over a case on a granted recusal.
    other_mediator: String,
    seq: std::sync::atomic::AtomicU32,
}

/// The USCC of a platform operator the world registers, for a platform seller to name.
fn platform_uscc() -> String {
    uscc("91330421MA2P00001")
}

struct Filed {
    id: String,
    receipt: String,
    secret: String,
}

impl World {
    async fn new() -> World {
        let app = spawn_app().await;
        let restaurant = app.business("西塘某餐馆", &uscc("91330421MA2B3C4D5")).await;
        World {
            root: app.staff("root", Role::SystemAdmin, None, None, None).await,
            bureau: app
                .staff("jiashan", Role::BureauAdmin, Some("330421"), None, None)
                .await,
            enforcement: app
                .staff("enf", Role::EnforcementOfficer, Some("330421"), None, None)
                .await,
            mediator: app
                .staff("xitang", Role::Mediator, None, Some("S330421103"), None)
                .await,
            desk: app
                .staff("desk", Role::EnterpriseAgent, None, None, Some(&restaurant))
                .await,
            other_mediator: app
                .staff_with_email(
                    "xitang2",
                    Role::Mediator,
                    None,
                    Some("S330421103"),
                    None,
                    None,
                )
                .await
                .1,
            app,
            seq: Default::default(),
        }
    }

    async fn platform(&self) {
        let res = self
            .app
            .post_as(
                "/api/v1/businesses",
                &self.bureau,
                &json!({
                    "name": "某电商平台",
                    "uscc": platform_uscc(),
                    "address": "浙江省嘉兴市嘉善县西塘镇南大街10号",
                    "division_code": "330421103",
                    "platform_role": "platform_operator",
                }),
            )
            .await;
        assert_eq!(res.status, 201, "{}", res.text);
    }

    fn next(&self) -> u32 {
        self.seq.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
    }

    /// A fresh complaint, accepted by 西塘, so a probe that changes state starts clean.
    async fn file(&self) -> Filed {
        let res = self.app.post("/api/v1/complaints", &complaint()).await;
        assert_eq!(res.status, 201, "{}", res.text);
        let id = res.body["id"].as_str().unwrap();
        let accepted = self
            .app
            .post_as(
                &format!("/api/v1/cases/{id}/accept"),
                &self.mediator,
                &json!({}),
            )
            .await;
        assert_eq!(accepted.status, 200, "{}", accepted.text);
        Filed {
            id: res.body["id"].as_str().unwrap().into(),
            receipt: res.body["receipt_number"].as_str().unwrap().into(),
            secret: res.body["access_secret"].as_str().unwrap().into(),
        }
    }
}

/// A request ready to send, the enum value still to be put at its place.
struct Request {
    path: String,
    headers: Vec<(&'static str, String)>,
    body: Value,
}

fn staff(token: &str, path: String, body: Value) -> Request {
    Request {
        path,
        headers: vec![("authorization", format!("Bearer {token}"))],
        body,
    }
}

fn anyone(path: String, body: Value) -> Request {
    Request {
        path,
        headers: Vec::new(),
        body,
    }
}

/// A named report about a pickle factory at 天凝 (嘉善).
fn report_body() -> Value {
    json!({
        "channel": "hotline_12315",
        "category": "food",
        "respondent": {"name": "某腌菜厂", "address": "浙江省嘉兴市嘉善县天凝镇工业路5号"},
        "clue": {"what": "腌菜中检出异物，生产环境脏乱", "occurred_on": "2026-11-18"},
        "reporter": {"name": "李四", "phone": "0573-84561234", "id_type": "resident_id", "id_number": resident_id("33042119900101123")},
    })
}

/// The identity document number that goes with an `id_type`.
fn id_number(id_type: &str) -> String {
    match id_type {
        "resident_id" => resident_id("33042119900101123"),
        "passport" => "E12345678".into(),
        "hk_macao_permit" => "H12345678".into(),
        "taiwan_permit" => "12345678".into(),
        "foreign_permanent_residence" => "USA330421900101".into(),
        _ => "X1234567".into(),
    }
}

/// Statuses a probe may get besides 2xx, where it does not build the state the operation needs
/// (the JSON body, and with it the enum, is read before the state is looked at):
/// - a termination notice needs a terminated case, an offer or a counter-offer a case in ODR
///   with an enrolled business: 409;
/// - a joint session needs an incident of cases in two bureaus: 404.
fn also_allowed(operation: &str) -> &'static [u16] {
    match operation {
        "POST /api/v1/cases/{id}/termination/told"
        | "POST /api/v1/odr/cases/{id}/offers"
        | "POST /api/v1/track/{receipt_number}/odr/counter" => &[409],
        "POST /api/v1/incidents/{id}/sessions" => &[404],
        _ => &[],
    }
}

/// The request of `operation` with `value` in the place `location`.
async fn probe(w: &World, operation: &str, location: &str, value: &str) -> Option<Request> {
    let n = w.next();
    let mut req = match operation {
        "POST /api/v1/complaints" => anyone("/api/v1/complaints".into(), complaint()),
        "POST /api/v1/stations/{id}/complaints" => staff(
            &w.mediator,
            "/api/v1/stations/S330421103/complaints".into(),
            complaint(),
        ),
        "POST /api/v1/reports" => anyone("/api/v1/reports".into(), report_body()),
        "POST /api/v1/reports/{id}/decision" => {
            // Anonymous and about a factory of its own, so that it is not merged into another.
            let mut body = report_body();
            body.as_object_mut().unwrap().remove("reporter");
            body["respondent"]["name"] = json!(format!("某腌菜{n}厂"));
            let report = w.app.post("/api/v1/reports", &body).await;
            assert_eq!(report.status, 201, "{}", report.text);
            staff(
                &w.enforcement,
                format!(
                    "/api/v1/reports/{}/decision",
                    report.body["id"].as_str().unwrap()
                ),
                json!({"decision": "opened", "reason": "经核查，线索属实，依法立案调查。"}),
            )
        }
        "POST /api/v1/cases/{id}/leads" => {
            let f = w.file().await;
            staff(
                &w.mediator,
                format!("/api/v1/cases/{}/leads", f.id),
                json!({"kind": "case", "act": "销售过期食品"}),
            )
        }
        "POST /api/v1/leads/{id}/decision" => {
            let f = w.file().await;
            let lead = w
                .app
                .post_as(
                    &format!("/api/v1/cases/{}/leads", f.id),
                    &w.mediator,
                    &json!({"kind": "case", "act": "销售过期食品"}),
                )
                .await;
            assert_eq!(lead.status, 201, "{}", lead.text);
            let accepted = w
                .app
                .post_as(
                    &format!("/api/v1/leads/{}/accept", lead.body["id"]),
                    &w.enforcement,
                    &json!({}),
                )
                .await;
            assert_eq!(accepted.status, 200, "{}", accepted.text);
            staff(
                &w.enforcement,
                format!("/api/v1/leads/{}/decision", lead.body["id"]),
                json!({"decision": "opened", "reason": "经核查，线索属实，依法立案调查。"}),
            )
        }
        "POST /api/v1/businesses" => {
            let mut body = json!({
                "name": format!("西塘第{n}号网店"),
                "uscc": uscc(&format!("91330421MA2B{n:05}")),
                "address": "浙江省嘉兴市嘉善县西塘镇南大街9号",
                "division_code": "330421103",
            });
            if value == "platform_seller" {
                body["platform_uscc"] = json!(platform_uscc());
            }
            staff(&w.bureau, "/api/v1/businesses".into(), body)
        }
        "POST /api/v1/businesses/{id}/odr/decision" => {
            let id = w
                .app
                .business(
                    &format!("西塘第{n}号店"),
                    &uscc(&format!("91330421MA2C{n:05}")),
                )
                .await;
            let applied = w
                .app
                .post_as(
                    &format!("/api/v1/businesses/{id}/odr/apply"),
                    &w.bureau,
                    &json!({"desk_contact": "王经理", "desk_phone": "13900000000", "commitment": "十个工作日内答复，履行和解协议。"}),
                )
                .await;
            assert_eq!(applied.status, 200, "{}", applied.text);
            if value != "enroll" {
                let enrolled = w
                    .app
                    .post_as(
                        &format!("/api/v1/businesses/{id}/odr/decision"),
                        &w.bureau,
                        &json!({"decision": "enroll", "reason": "符合在线纠纷解决企业条件。"}),
                    )
                    .await;
                assert_eq!(enrolled.status, 200, "{}", enrolled.text);
            }
            staff(
                &w.bureau,
                format!("/api/v1/businesses/{id}/odr/decision"),
                json!({"decision": "enroll", "reason": "符合在线纠纷解决企业条件。"}),
            )
        }
        "POST /api/v1/users" => {
            let scope = match value {
                "enterprise_agent" => {
                    let id = w
                        .app
                        .business(
                            &format!("西塘第{n}号铺"),
                            &uscc(&format!("91330421MA2D{n:05}")),
                        )
                        .await;
                    json!({"business_id": id})
                }
                "mediator" => json!({"station_id": "S330421103"}),
                "bureau_admin" | "enforcement_officer" => json!({"bureau_code": "330421"}),
                _ => json!({}),
            };
            let mut body = json!({
                "username": format!("user{n}"),
                "password": "a long enough password",
                "display_name": format!("用户{n}"),
            });
            body.as_object_mut()
                .unwrap()
                .extend(scope.as_object().unwrap().clone());
            staff(&w.root, "/api/v1/users".into(), body)
        }
        "PATCH /api/v1/users/{id}" => {
            let created = w
                .app
                .post_as(
                    "/api/v1/users",
                    &w.root,
                    &json!({"username": format!("change{n}"), "password": "a long enough password",
                            "display_name": format!("调整{n}"), "role": "mediator", "station_id": "S330421103"}),
                )
                .await;
            assert_eq!(created.status, 201, "{}", created.text);
            let body = if value == "mediator" {
                json!({"station_id": "S330421103"})
            } else {
                json!({})
            };
            staff(
                &w.root,
                format!("/api/v1/users/{}", created.body["id"].as_str().unwrap()),
                body,
            )
        }
        "POST /api/v1/cases/{id}/pauses" => {
            let f = w.file().await;
            staff(
                &w.mediator,
                format!("/api/v1/cases/{}/pauses", f.id),
                json!({"reason": "testing", "note": "送检"}),
            )
        }
        "POST /api/v1/cases/{id}/sessions" => {
            let f = w.file().await;
            staff(
                &w.mediator,
                format!("/api/v1/cases/{}/sessions", f.id),
                json!({
                    "mode": "online",
                    "starts_at": format!("2027-01-{:02}T02:00:00Z", 4 + n % 20),
                    "ends_at": format!("2027-01-{:02}T03:00:00Z", 4 + n % 20),
                    "video_url": "https://meeting.example.cn/r/123",
                    "address": "嘉善县西塘镇市场监督管理所调解室",
                    "room": "调解室",
                }),
            )
        }
        "POST /api/v1/cases/{id}/recusals" => {
            let f = w.file().await;
            staff(
                &w.mediator,
                format!("/api/v1/cases/{}/recusals", f.id),
                json!({"applicant": "complainant", "reason": "调解员与被投诉人有利害关系"}),
            )
        }
        "POST /api/v1/cases/{id}/recusals/decision" => {
            let f = w.file().await;
            let filed = w
                .app
                .post_as(
                    &format!("/api/v1/cases/{}/recusals", f.id),
                    &w.mediator,
                    &json!({"applicant": "complainant", "reason": "调解员与被投诉人有利害关系"}),
                )
                .await;
            let _ = filed;
            staff(
                &w.bureau,
                format!("/api/v1/cases/{}/recusals/decision", f.id),
                json!({"decision": "rejected", "new_mediator_id": w.other_mediator}),
            )
        }
        "POST /api/v1/cases/{id}/termination/told" => {
            let f = w.file().await;
            staff(
                &w.mediator,
                format!("/api/v1/cases/{}/termination/told", f.id),
                json!({"channel": "phone", "note": "电话告知"}),
            )
        }
        "POST /api/v1/odr/cases/{id}/offers" => {
            let f = w.file().await;
            staff(
                &w.desk,
                format!("/api/v1/odr/cases/{}/offers", f.id),
                json!({"kind": "refund", "amount_fen": 12800, "perform_by": "2027-01-10", "message": "全额退款"}),
            )
        }
        "POST /api/v1/track/{receipt_number}/odr/counter" => {
            let f = w.file().await;
            let mut r = anyone(
                format!("/api/v1/track/{}/odr/counter", f.receipt),
                json!({"kind": "refund", "amount_fen": 12800, "perform_by": "2027-01-10", "message": "全额退款"}),
            );
            r.headers.push(("x-access-secret", f.secret));
            r
        }
        "POST /api/v1/track/{receipt_number}/rating" => {
            // A case is rated once it is closed: the consumer withdraws it first.
            let f = w.file().await;
            let closed = w
                .app
                .request(
                    "POST",
                    &format!("/api/v1/track/{}/withdraw", f.receipt),
                    &[
                        ("x-access-secret", f.secret.as_str()),
                        ("content-type", "application/json"),
                    ],
                    Some(json!({"reason": "已与商家协商解决"}).to_string()),
                )
                .await;
            assert_eq!(closed.status, 200, "{}", closed.text);
            let mut r = anyone(
                format!("/api/v1/track/{}/rating", f.receipt),
                json!({"comment": "处理及时"}),
            );
            r.headers.push(("x-access-secret", f.secret));
            r
        }
        "POST /api/v1/cases/{id}/return-visit" => {
            // A return visit is opened when mediation ends in an agreement.
            let f = w.file().await;
            let agreed = w
                .app
                .post_as(
                    &format!("/api/v1/cases/{}/agreement", f.id),
                    &w.mediator,
                    &json!({
                        "terms": [{"what": "退还餐费", "amount_fen": 12800, "due_on": "2027-01-10"}],
                        "in_person": false,
                        "particulars": {"respondent_agent": "王经理"}
                    }),
                )
                .await;
            assert_eq!(agreed.status, 201, "{}", agreed.text);
            let today = xiaobao::deadlines::local_date(w.app.clock.now());
            staff(
                &w.mediator,
                format!("/api/v1/cases/{}/return-visit", f.id),
                json!({"visited_on": today, "channel": "phone", "result": "协议已履行", "satisfaction": "satisfied"}),
            )
        }
        "GET /api/v1/transfers" => staff(&w.bureau, "/api/v1/transfers".into(), Value::Null),
        "GET /api/v1/leads" => staff(&w.bureau, "/api/v1/leads".into(), Value::Null),
        "GET /api/v1/cases" => staff(&w.bureau, "/api/v1/cases".into(), Value::Null),
        "GET /api/v1/outbox" => staff(&w.root, "/api/v1/outbox".into(), Value::Null),
        "POST /api/v1/incidents/{id}/sessions" => staff(
            &w.bureau,
            "/api/v1/incidents/00000000-0000-0000-0000-000000000000/sessions".into(),
            json!({
                "mode": "online",
                "held_at": "2027-01-05T02:00:00Z",
                "bureau_codes": ["330421"],
                "link": "https://meeting.example.cn/r/123",
            }),
        ),
        _ => return None,
    };
    if let Some(name) = location.strip_prefix("query:") {
        let sep = if req.path.contains('?') { '&' } else { '?' };
        req.path = format!("{}{sep}{name}={value}", req.path);
        return Some(req);
    }
    if location.starts_with("body.co_complainants") {
        let mut other = req.body["complainant"].clone();
        other["name"] = json!("李四");
        other["phone"] = json!("13900001111");
        req.body["co_complainants"] = json!([other]);
        req.body["complainant"]["representative"] = json!(true);
    }
    set_at(&mut req.body, location, value);
    if location.ends_with("id_type") {
        let number_at = location.replace("id_type", "id_number");
        let number = match (location.starts_with("body.co_complainants"), value) {
            (true, "resident_id") => resident_id("33042119850505432"),
            (true, _) => format!("{}7", id_number(value)),
            (false, _) => id_number(value),
        };
        set_at(&mut req.body, &number_at, &number);
    }
    Some(req)
}

#[actix_web::test]
async fn every_enum_value_in_the_document_is_accepted_where_a_request_carries_it() {
    let doc: Value = serde_json::from_str(&xiaobao::openapi::document_json()).unwrap();
    let (values, places) = enum_places(&doc);
    let unsorted: Vec<&String> = values
        .keys()
        .filter(|name| !places.contains_key(*name) && !ANSWER_ONLY.contains(&name.as_str()))
        .collect();
    assert!(
        unsorted.is_empty(),
        "enums neither in a request nor in ANSWER_ONLY: {unsorted:?}"
    );
    let stale: Vec<&&str> = ANSWER_ONLY
        .iter()
        .filter(|name| places.contains_key(**name) || !values.contains_key(**name))
        .collect();
    assert!(
        stale.is_empty(),
        "ANSWER_ONLY names enums requests carry, or none: {stale:?}"
    );

    let w = World::new().await;
    w.platform().await;
    let mut refused = Vec::new();
    let mut sent = 0;
    for (name, list) in &places {
        for place in list {
            for value in &values[name] {
                let Some(req) = probe(&w, &place.operation, &place.location, value).await else {
                    panic!(
                        "no probe for {name} at {} {}",
                        place.operation, place.location
                    );
                };
                let mut headers: Vec<(&str, &str)> = Vec::new();
                let body = (!req.body.is_null()).then(|| req.body.to_string());
                if body.is_some() {
                    headers.push(("content-type", "application/json"));
                }
                headers.extend(req.headers.iter().map(|(k, v)| (*k, v.as_str())));
                let method = place.operation.split(' ').next().unwrap();
                let res = w.app.request(method, &req.path, &headers, body).await;
                sent += 1;
                let status = res.status.as_u16();
                let leaf = place
                    .location
                    .rsplit(['.', ':'])
                    .next()
                    .unwrap()
                    .trim_end_matches("[]");
                let names_field = error_fields(&res).iter().any(|f| f.contains(leaf));
                // Everywhere else the request is one the service takes whole: any refusal is
                // reported, and one naming the enum's field is the bug this test is for.
                let taken = res.status.is_success()
                    || (also_allowed(&place.operation).contains(&status) && !names_field);
                if !taken {
                    refused.push(format!(
                        "{name} {value:?} at {} {}: {status} {}",
                        place.operation, place.location, res.text
                    ));
                }
            }
        }
    }
    assert!(sent > 100, "only {sent} requests sent");
    assert!(
        refused.is_empty(),
        "listed values refused:\n{}",
        refused.join("\n")
    );
}
