//! The command line: `serve` (default), `migrate`, `create-user`, `openapi`.

use std::io::BufRead;
use std::process::ExitCode;

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use tracing_subscriber::EnvFilter;

use crate::accounts::{self, NewUser};
use crate::actor::Actor;
use crate::config::Settings;
use crate::domain::identifiers::Uscc;
use crate::entities::business;
use crate::http::Role;
use crate::mediation::signing::Key;
use crate::startup::Application;
use crate::state::Clock;
use crate::{db, openapi};

const USAGE: &str = "usage: xiaobao [serve | migrate | openapi | create-user --username NAME --role ROLE [--display-name TEXT] [--email ADDR] [--bureau COUNTY_CODE] [--station STATION_ID] [--business-uscc USCC --business-name NAME] | signing-key --key-id ID [--bureau COUNTY_CODE]]
  create-user reads the password from XIAOBAO_NEW_PASSWORD or, if unset, the first line of standard input.
  signing-key prints a new Ed25519 key as an XIAOBAO_SIGNING_KEYS entry, and its public key.
  roles: enterprise_agent, mediator, bureau_admin, enforcement_officer, system_admin";

pub async fn run(args: Vec<String>) -> ExitCode {
    let settings = match Settings::load() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    init_logging(&settings);
    let result = match args.first().map(String::as_str) {
        None | Some("serve") => serve(settings).await,
        Some("migrate") => migrate(&settings).await,
        Some("openapi") => {
            println!("{}", openapi::document_json());
            Ok(())
        }
        Some("create-user") => create_user(&settings, &args[1..]).await,
        Some("signing-key") => signing_key(&args[1..]),
        Some("help" | "--help" | "-h") => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(format!("unknown command {other:?}\n{USAGE}").into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "failed");
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(settings: &Settings) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if settings.log_format == "json" {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

type CliResult = Result<(), Box<dyn std::error::Error>>;

async fn serve(settings: Settings) -> CliResult {
    tracing::info!(
        port = settings.port,
        postgres = settings.is_postgres(),
        "starting xiaobao"
    );
    let app = Application::build(settings, Clock::system()).await?;
    tracing::info!(port = app.port(), "listening");
    app.run().await?;
    tracing::info!("stopped");
    Ok(())
}

async fn migrate(settings: &Settings) -> CliResult {
    let conn = db::connect(settings).await?;
    db::migrate(&conn).await?;
    crate::routing::reference::load(&conn, chrono::Utc::now()).await?;
    println!("migrations applied");
    Ok(())
}

fn flag<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(String::as_str)
}

fn signing_key(args: &[String]) -> CliResult {
    let key_id = flag(args, "--key-id").ok_or("--key-id is required")?;
    let (entry, key) = Key::generate(key_id, flag(args, "--bureau"));
    println!("# XIAOBAO_SIGNING_KEYS entry (secret; comma-separate several):\n{entry}");
    println!(
        "# public key, registered and published at GET /api/v1/signing-keys when the service starts with it:\n{}",
        key.public_base64()
    );
    Ok(())
}

async fn create_user(settings: &Settings, args: &[String]) -> CliResult {
    let username = flag(args, "--username").ok_or("--username is required")?;
    let role = flag(args, "--role")
        .and_then(Role::parse)
        .ok_or("--role must be one of enterprise_agent, mediator, bureau_admin, enforcement_officer, system_admin")?;
    let password = match std::env::var("XIAOBAO_NEW_PASSWORD") {
        Ok(p) => p,
        Err(_) => {
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line)?;
            line.trim_end_matches(['\r', '\n']).to_owned()
        }
    };
    let conn = db::connect(settings).await?;
    db::migrate(&conn).await?;
    crate::routing::reference::load(&conn, chrono::Utc::now()).await?;
    let now = Utc::now();
    let business_id = match flag(args, "--business-uscc") {
        Some(raw) => {
            let uscc = Uscc::parse(raw).map_err(|e| format!("--business-uscc: {e}"))?;
            match business::Entity::find()
                .filter(business::Column::Uscc.eq(uscc.as_str()))
                .one(&conn)
                .await?
            {
                Some(b) => Some(b.id),
                None => {
                    let name = flag(args, "--business-name")
                        .ok_or("--business-name is required for a new business")?;
                    let b = business::ActiveModel {
                        id: Set(uuid::Uuid::now_v7().to_string()),
                        name: Set(name.to_owned()),
                        uscc: Set(Some(uscc.as_str().to_owned())),
                        legal_representative: Set(None),
                        address: Set(None),
                        division_code: Set(None),
                        created_at: Set(now),
                        platform_role: Set(None),
                        platform_business_id: Set(None),
                    }
                    .insert(&conn)
                    .await?;
                    Some(b.id)
                }
            }
        }
        None => None,
    };
    let new = NewUser {
        username: username.to_owned(),
        password,
        role,
        display_name: flag(args, "--display-name").unwrap_or(username).to_owned(),
        email: flag(args, "--email").map(str::to_owned),
        bureau_code: flag(args, "--bureau").map(str::to_owned),
        station_id: flag(args, "--station").map(str::to_owned),
        business_id,
    };
    validator::Validate::validate(&new).map_err(|e| {
        crate::domain::faults::flatten(&e)
            .iter()
            .map(|f| format!("{}: {}", f.field, f.message))
            .collect::<Vec<_>>()
            .join("; ")
    })?;
    let user = accounts::create_user(&conn, new, &Actor::System, now)
        .await
        .map_err(|e| {
            let fields: Vec<String> = crate::domain::faults::Failure::fields(&e)
                .iter()
                .map(|f| format!("{}: {}", f.field, f.message))
                .collect();
            format!("{e} {}", fields.join("; "))
        })?;
    println!("created {} ({}) id {}", user.username, user.role, user.id);
    Ok(())
}
