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

/// Two Rust types of one name would share one schema in the document (utoipa keeps the last one
/// registered), so the document would describe one of them wrongly: every schema type has a name
/// of its own. Read from the source: every `derive(… ToSchema …)` and every `text_enum!`.
#[test]
fn no_two_schema_types_share_a_name() {
    fn files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut sources = Vec::new();
    files(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut sources,
    );
    let mut seen: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for file in sources {
        let text = std::fs::read_to_string(&file).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let line = line.trim();
            let schema = (line.starts_with("#[derive(") && line.contains("ToSchema"))
                || line.starts_with("text_enum!");
            if !schema {
                continue;
            }
            // The item the derive or macro applies to: the next `struct` or `enum` line, unless
            // renamed with `#[schema(as = …)]` on the way.
            let mut renamed = false;
            for next in &lines[i + 1..] {
                let next = next.trim();
                renamed |= next.starts_with("#[schema(as");
                let item = ["pub struct ", "pub enum ", "struct ", "enum "]
                    .iter()
                    .find_map(|k| next.strip_prefix(k));
                if let Some(rest) = item {
                    let name: String = rest
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    if !renamed {
                        seen.entry(name)
                            .or_default()
                            .push(file.display().to_string());
                    }
                    break;
                }
            }
        }
    }
    for known in ["CaseStatus", "Tracking", "OfferRequest"] {
        assert!(seen.contains_key(known), "the scan missed {known}");
    }
    let shared: Vec<_> = seen.iter().filter(|(_, files)| files.len() > 1).collect();
    assert!(shared.is_empty(), "schema names used twice: {shared:?}");
}
