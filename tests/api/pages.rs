//! The pages' foundation over HTTP: security headers on every answer, hashed assets cached for a
//! year, the Chinese 404, the session's CSRF token and the site check on every POST, and the
//! 大字版 switch.

use awc::http::StatusCode;
use xiaobao::deadlines::DeadlineKind;

use crate::helpers::{TestApp, spawn_app, spawn_app_with};

/// A browser's side of one visit: no redirects followed, so a 303 and its cookies are seen.
pub(crate) struct Visit<'a> {
    app: &'a TestApp,
    client: awc::Client,
}

pub(crate) struct Page {
    pub status: StatusCode,
    pub headers: awc::http::header::HeaderMap,
    pub text: String,
}

impl Page {
    pub(crate) fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    /// `name=value` of a cookie the answer sets.
    pub(crate) fn set_cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all("set-cookie")
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with(&format!("{name}=")))
            .map(str::to_owned)
    }

    /// The value of the first `<input … name="NAME" value="…">`.
    pub(crate) fn input(&self, name: &str) -> String {
        let marker = format!(r#"name="{name}" value=""#);
        let start = self.text.find(&marker).expect("the input is on the page") + marker.len();
        self.text[start..].split('"').next().unwrap().to_owned()
    }
}

impl<'a> Visit<'a> {
    pub(crate) fn new(app: &'a TestApp) -> Self {
        Visit {
            app,
            client: awc::Client::builder().disable_redirects().finish(),
        }
    }

    pub(crate) async fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        form: Option<&str>,
    ) -> Page {
        let body = form.map(|f| {
            (
                "application/x-www-form-urlencoded".to_owned(),
                f.as_bytes().to_vec(),
            )
        });
        self.send_body(method, path, headers, body).await
    }

    /// Sends `body` (its content type and bytes), e.g. a multipart form.
    pub(crate) async fn send_body(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<(String, Vec<u8>)>,
    ) -> Page {
        let mut req = self
            .client
            .request(method.parse().unwrap(), format!("{}{path}", self.app.base));
        for h in headers {
            req = req.insert_header(*h);
        }
        let mut res = match body {
            Some((content_type, body)) => {
                req.insert_header(("content-type", content_type))
                    .send_body(body)
                    .await
            }
            None => req.send().await,
        }
        .expect("request sent");
        let body = res.body().await.expect("body read");
        Page {
            status: res.status(),
            headers: res.headers().clone(),
            text: String::from_utf8_lossy(&body).into_owned(),
        }
    }

    pub(crate) async fn get(&self, path: &str, headers: &[(&str, &str)]) -> Page {
        self.send("GET", path, headers, None).await
    }
}

pub(crate) fn session_cookie(page: &Page) -> String {
    let set = page
        .set_cookie("xiaobao_session")
        .expect("the first page sets the session");
    assert!(set.contains("HttpOnly"), "{set}");
    assert!(set.contains("SameSite=Lax"), "{set}");
    set.split(';').next().unwrap().to_owned()
}

#[actix_web::test]
async fn every_answer_carries_the_security_headers_and_only_hashed_assets_are_cached() {
    let app = spawn_app().await;
    let visit = Visit::new(&app);

    let api = visit.get("/api/v1/calendar/days/2026-11-23", &[]).await;
    let page = visit.get("/", &[]).await;
    let missing = visit.get("/api/v1/nowhere", &[]).await;
    for res in [&api, &page, &missing] {
        assert_eq!(res.header("x-content-type-options"), "nosniff");
        assert_eq!(res.header("referrer-policy"), "no-referrer");
        assert_eq!(res.header("cache-control"), "no-store");
        assert!(res.header("strict-transport-security").is_empty());
    }
    assert_eq!(api.status, StatusCode::OK);
    let csp = page.header("content-security-policy");
    for directive in [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(directive), "{csp}");
    }
    assert!(page.text.contains(r#"<html lang="zh-CN">"#));
    assert!(!page.text.contains("style=\""), "no inline style on a page");

    let css = page
        .text
        .split('"')
        .find(|s| s.starts_with("/static/app.") && s.ends_with(".css"));
    let css = css.expect("the page links its stylesheet by hashed name");
    assert_eq!(css.len(), "/static/app.12345678.css".len());
    let asset = visit.get(css, &[]).await;
    assert_eq!(asset.status, StatusCode::OK);
    assert_eq!(asset.header("content-type"), "text/css; charset=utf-8");
    assert_eq!(
        asset.header("cache-control"),
        "public, max-age=31536000, immutable"
    );
    assert_eq!(asset.header("x-content-type-options"), "nosniff");
    assert!(
        asset.set_cookie("xiaobao_session").is_none(),
        "assets carry no session"
    );

    let stale = visit.get("/static/app.00000000.css", &[]).await;
    assert_eq!(stale.status, StatusCode::NOT_FOUND);
    assert_eq!(stale.header("cache-control"), "no-store");
}

#[actix_web::test]
async fn over_tls_cookies_are_secure_and_hsts_is_sent() {
    let app = spawn_app_with(|s| s.public_url = Some("https://12315.example.cn".into())).await;
    let visit = Visit::new(&app);
    let page = visit.get("/", &[]).await;
    assert_eq!(page.header("strict-transport-security"), "max-age=31536000");
    assert!(
        page.set_cookie("xiaobao_session")
            .unwrap()
            .contains("Secure")
    );
    let api = visit.get("/healthz", &[]).await;
    assert_eq!(api.header("strict-transport-security"), "max-age=31536000");

    // Forms must then come from the public origin, not merely from the Host they were sent to.
    let cookie = session_cookie(&page);
    let form = format!("csrf_token={}&size=large&back=/", page.input("csrf_token"));
    let local = visit
        .send(
            "POST",
            "/settings/text-size",
            &[("cookie", &cookie), ("origin", &app.base)],
            Some(&form),
        )
        .await;
    assert_eq!(local.status, StatusCode::FORBIDDEN);
    let public = visit
        .send(
            "POST",
            "/settings/text-size",
            &[("cookie", &cookie), ("origin", "https://12315.example.cn")],
            Some(&form),
        )
        .await;
    assert_eq!(public.status, StatusCode::SEE_OTHER);
}

#[actix_web::test]
async fn unknown_page_paths_are_a_chinese_404_and_unknown_api_paths_stay_json() {
    let app = spawn_app().await;
    let visit = Visit::new(&app);
    let page = visit.get("/no/such/page", &[]).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.header("content-type").starts_with("text/html"));
    assert!(page.text.contains("找不到此页面"), "{}", page.text);

    for path in ["/api/v1/nowhere", "/api/nowhere"] {
        let api = visit.get(path, &[]).await;
        assert_eq!(api.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(
            api.header("content-type"),
            "application/problem+json",
            "{path}"
        );
    }
    // A known API path with the wrong method is still the API's 405, not a page.
    let wrong = visit.send("POST", "/healthz", &[], None).await;
    assert_eq!(wrong.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(wrong.header("content-type"), "application/problem+json");
    // A page path with a query string is not judged by the API's declared parameters.
    assert_eq!(visit.get("/?from=poster", &[]).await.status, StatusCode::OK);
    // The wrong method on a page path is the page scope's 404, in words too.
    let cookie = session_cookie(&visit.get("/", &[]).await);
    let start = visit.get("/", &[("cookie", &cookie)]).await;
    let form = format!("csrf_token={}", start.input("csrf_token"));
    let post = visit
        .send("POST", "/", &[("cookie", &cookie)], Some(&form))
        .await;
    assert_eq!(post.status, StatusCode::NOT_FOUND);
    assert!(post.text.contains("找不到此页面"));
}

#[actix_web::test]
async fn a_post_without_the_sessions_token_or_from_another_site_is_refused_with_a_403_page() {
    let app = spawn_app().await;
    let visit = Visit::new(&app);
    let first = visit.get("/", &[]).await;
    let cookie = session_cookie(&first);
    let token = first.input("csrf_token");
    let path = "/settings/text-size";
    let with = |t: &str| format!("csrf_token={t}&size=large&back=%2Ftrack%3Fx%3D1");

    let cases = [
        (
            "no token",
            vec![("cookie", cookie.as_str())],
            "size=large&back=/".into(),
        ),
        (
            "a wrong token",
            vec![("cookie", cookie.as_str())],
            with("AAAA"),
        ),
        ("no session", vec![], with(&token)),
        (
            "another site's Origin",
            vec![
                ("cookie", cookie.as_str()),
                ("origin", "http://evil.example"),
            ],
            with(&token),
        ),
        (
            "another site's Referer",
            vec![
                ("cookie", cookie.as_str()),
                ("referer", "http://evil.example/form"),
            ],
            with(&token),
        ),
    ];
    for (what, headers, form) in cases {
        let res = visit.send("POST", path, &headers, Some(&form)).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{what}");
        assert!(
            res.header("content-type").starts_with("text/html"),
            "{what}"
        );
        assert!(
            res.text.contains("页面已过期，请重新提交"),
            "{what}: {}",
            res.text
        );
        assert!(
            res.set_cookie("xiaobao_text_size").is_none(),
            "{what}: nothing changed"
        );
    }

    // The same form from this site, as a browser under no-referrer sends it (Origin: null).
    let ok = visit
        .send(
            "POST",
            path,
            &[("cookie", &cookie), ("origin", "null")],
            Some(&with(&token)),
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text);
    assert_eq!(ok.header("location"), "/track?x=1");
    let own_origin = visit
        .send(
            "POST",
            path,
            &[("cookie", &cookie), ("origin", &app.base)],
            Some(&with(&token)),
        )
        .await;
    assert_eq!(own_origin.status, StatusCode::SEE_OTHER);
}

#[actix_web::test]
async fn the_large_text_switch_persists_and_only_goes_back_to_local_paths() {
    let app = spawn_app().await;
    let visit = Visit::new(&app);
    let first = visit.get("/", &[]).await;
    assert!(first.text.contains(">大字版</button>"));
    let cookie = session_cookie(&first);
    let token = first.input("csrf_token");

    let switch = |size: &str, back: &str| format!("csrf_token={token}&size={size}&back={back}");
    let on = visit
        .send(
            "POST",
            "/settings/text-size",
            &[("cookie", &cookie)],
            Some(&switch("large", "%2F")),
        )
        .await;
    assert_eq!(on.status, StatusCode::SEE_OTHER);
    let large = on
        .set_cookie("xiaobao_text_size")
        .expect("the preference is kept");
    assert!(large.contains("Max-Age=31536000"), "{large}");
    let large = large.split(';').next().unwrap().to_owned();

    let both = format!("{cookie}; {large}");
    let later = visit.get("/no/such/page", &[("cookie", &both)]).await;
    assert!(
        later
            .text
            .contains(r#"<html lang="zh-CN" class="large-text">"#)
    );
    assert!(later.text.contains(">标准字号</button>"));
    assert_eq!(later.input("back"), "/no/such/page");

    for evil in [
        "https%3A%2F%2Fevil.example%2F",
        "%2F%2Fevil.example",
        "%2F%5Cevil.example",
    ] {
        let res = visit
            .send(
                "POST",
                "/settings/text-size",
                &[("cookie", &cookie)],
                Some(&switch("large", evil)),
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);
        assert_eq!(res.header("location"), "/", "{evil}");
    }

    let off = visit
        .send(
            "POST",
            "/settings/text-size",
            &[("cookie", &both)],
            Some(&switch("standard", "%2F")),
        )
        .await;
    let cleared = off.set_cookie("xiaobao_text_size").unwrap();
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
}

#[actix_web::test]
async fn the_start_page_states_the_time_limits_of_the_rule_book() {
    let app = spawn_app().await;
    let page = Visit::new(&app).get("/", &[]).await;
    assert_eq!(page.status, StatusCode::OK);
    let rules = &app.state.env.rules;
    let set = rules.rule_set_for(app.clock.now());
    for kind in [DeadlineKind::Acceptance, DeadlineKind::OdrSettlement] {
        let limit = rules.limit(set, kind).unwrap();
        let words = format!("<strong>{} 个工作日</strong>", limit.amount);
        assert!(page.text.contains(&words), "{words} on the start page");
    }
    for link in [
        "/complaints/new",
        "/reports/new",
        "/track",
        "/verify",
        "/record",
    ] {
        assert!(page.text.contains(&format!(r#"href="{link}""#)), "{link}");
    }
}
