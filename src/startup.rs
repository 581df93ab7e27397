//! Builds the application: database, reference data, routes and the HTTP server.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use sea_orm::DatabaseConnection;
use utoipa_actix_web::AppExt;

use crate::calendar::CalendarStore;
use crate::config::Settings;
use crate::deadlines::RuleBook;
use crate::domain::secrets::Sealer;
use crate::env::Env;
use crate::http::fallback::{self, RouteTable};
use crate::http::{ApiError, request_id};
use crate::state::{AppState, Clock};
use crate::{calendar, db, mediation, workers};

pub struct Application {
    port: u16,
    server: Server,
    pub state: web::Data<AppState>,
}

impl Application {
    /// Connects, migrates, loads reference data and binds; `run` then serves.
    pub async fn build(
        settings: Settings,
        clock: Clock,
    ) -> Result<Application, Box<dyn std::error::Error>> {
        // A bad SMTP_URL or CA file stops the start, before anything is bound or migrated.
        let mailer = crate::mail::Mailer::from_settings(&settings)?;
        let listener = TcpListener::bind((settings.host.as_str(), settings.port))?;
        let db = db::connect(&settings).await?;
        db::migrate(&db).await?;
        crate::routing::reference::load(&db, chrono::Utc::now()).await?;
        let run_workers = settings.workers;
        let app = Self::with_listener(settings, db, clock, listener).await?;
        if run_workers {
            workers::spawn(app.state.clone(), mailer);
        }
        Ok(app)
    }

    pub async fn with_listener(
        settings: Settings,
        db: DatabaseConnection,
        clock: Clock,
        listener: TcpListener,
    ) -> Result<Application, Box<dyn std::error::Error>> {
        let port = listener.local_addr()?.port();
        mediation::signing::register_configured(&db, &settings, clock.now()).await?;
        let blobs = crate::evidence::store::Blobs::from_settings(&settings)?;
        let settings = Arc::new(settings);
        let (calendar, seen) = calendar::load(&db).await?;
        let state = web::Data::new(AppState {
            db,
            env: Env {
                settings: settings.clone(),
                calendar: CalendarStore::new(calendar, seen),
                rules: Arc::new(RuleBook::builtin()),
                sealer: Arc::new(Sealer::new(settings.session_key_bytes().as_deref())),
                blobs,
            },
            clock,
            pool_runtime: tokio::runtime::Handle::current(),
        });
        let document = crate::openapi::document();
        let routes_table = web::Data::new(RouteTable::from_openapi(&document));
        let document = web::Data::new(crate::http::health::ApiDocument(document.to_json()?));
        let app_state = state.clone();
        let max_body = settings.max_body_bytes;
        let session_key = crate::web::session::key(&settings);
        let tls = settings.served_over_tls();
        let server = HttpServer::new(move || {
            App::new()
                .wrap(from_fn(fallback::guard))
                .wrap(from_fn(request_id::middleware))
                .wrap(from_fn(crate::web::headers::middleware))
                .app_data(app_state.clone())
                .app_data(routes_table.clone())
                .app_data(document.clone())
                .app_data(web::PayloadConfig::new(max_body))
                .app_data(web::QueryConfig::default().error_handler(|e, _| {
                    ApiError::unprocessable(
                        "invalid_query",
                        format!("the query string is invalid: {e}"),
                    )
                    .into()
                }))
                .app_data(web::PathConfig::default().error_handler(|e, _| {
                    ApiError::not_found(format!("the path is invalid: {e}")).into()
                }))
                .into_utoipa_app()
                .configure(crate::openapi::routes)
                .into_app()
                .service(crate::web::pages(session_key.clone(), tls))
                .default_service(web::to(fallback::not_found))
        })
        .shutdown_timeout(10)
        .listen(listener)?
        .run();
        Ok(Application {
            port,
            server,
            state,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until SIGINT/SIGTERM, then lets in-flight requests finish.
    pub async fn run(self) -> std::io::Result<()> {
        self.server.await
    }
}
