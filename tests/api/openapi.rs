use crate::helpers::*;

#[actix_web::test]
async fn the_committed_api_document_matches_the_code() {
    let generated = xiaobao::openapi::document_json();
    let committed = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/api-spec/openapi.json"
    ))
    .unwrap_or_default();
    assert!(
        generated.trim() == committed.trim(),
        "api-spec/openapi.json is stale: run `cargo run -- openapi > api-spec/openapi.json`"
    );
    let app = spawn_app().await;
    let served = app.get("/api/v1/openapi.json").await;
    assert_eq!(served.status, 200);
    assert_eq!(
        served.body,
        serde_json::from_str::<serde_json::Value>(&generated).unwrap()
    );
}

#[actix_web::test]
async fn every_operation_states_who_may_call_it() {
    let doc: serde_json::Value = serde_json::from_str(&xiaobao::openapi::document_json()).unwrap();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let text = format!(
                "{} {}",
                op["summary"].as_str().unwrap_or(""),
                op["description"].as_str().unwrap_or("")
            )
            .to_lowercase();
            let says_who = [
                "anyone",
                "consumer",
                "any ",
                "system_admin",
                "bureau_admin",
                "staff",
                "desk",
            ]
            .iter()
            .any(|w| text.contains(w));
            assert!(
                says_who,
                "{method} {path} does not say who may call it: {text}"
            );
        }
    }
}

#[test]
fn every_creating_post_declares_idempotency_key() {
    let doc: serde_json::Value = serde_json::from_str(&xiaobao::openapi::document_json()).unwrap();
    let mut missing = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        let Some(op) = item.get("post") else { continue };
        if op["responses"].get("201").is_none() {
            continue;
        }
        let declared = op["parameters"].as_array().is_some_and(|ps| {
            ps.iter()
                .any(|p| p["name"] == "Idempotency-Key" && p["in"] == "header")
        });
        if !declared {
            missing.push(path.clone());
        }
    }
    assert!(
        missing.is_empty(),
        "creating POSTs without Idempotency-Key: {missing:?}"
    );
}
