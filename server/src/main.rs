//! `partnerstwa`: the server binary.

use clap::{Parser, Subcommand};
use leptos::config::get_configuration;
use server::{AppState, config::Config, demo, router, telemetry};
use sqlx::PgPool;
use std::{
    process::ExitCode,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

#[derive(Parser)]
#[command(
    name = "partnerstwa",
    version,
    about = "Partnerstwa: library partnerships, offline first"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the app (the default). Migrates the database first.
    Serve,
    /// Create the database if needed and apply pending migrations.
    Migrate,
    /// Load the demo libraries, program and accounts (refused in production).
    SeedDemo,
    /// Create (or promote) an administrator and print a one-time link to set the password.
    CreateAdmin {
        /// The administrator's e-mail address (the sign-in name).
        #[arg(long)]
        email: String,
        /// Full name, as shown in the interface.
        #[arg(long)]
        name: String,
        /// Address the installation is reached at, for the printed link.
        #[arg(long, env = "PUBLIC_URL", default_value = "http://localhost:3000")]
        base_url: String,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    telemetry::init();
    let cli = Cli::parse();
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve().await,
        Command::Migrate => migrate().await.map(|_| ()),
        Command::SeedDemo => seed_demo().await,
        Command::CreateAdmin {
            email,
            name,
            base_url,
        } => create_admin(&email, &name, &base_url).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error}");
            ExitCode::FAILURE
        }
    }
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

async fn migrate() -> Result<PgPool, BoxError> {
    let config = Config::from_env()?;
    if app::db::create_if_missing(&config.database_url).await? {
        tracing::info!("created the database");
    }
    let pool = app::db::connect_lazy(&config.database_url, config.db_max_connections)?;
    app::db::migrate(&pool).await?;
    tracing::info!("database schema is up to date");
    Ok(pool)
}

async fn seed_demo() -> Result<(), BoxError> {
    let config = Config::from_env()?;
    let production = config.app_env == server::config::AppEnv::Production;
    if production {
        return Err(demo::SeedError::Production.into());
    }
    let pool = migrate().await?;
    demo::seed(&pool, production).await?;
    demo::seed_meetings(&pool, app::clock::now()).await?;
    tracing::info!("demo data is in place (password: {})", demo::DEMO_PASSWORD);
    Ok(())
}

async fn create_admin(email: &str, name: &str, base_url: &str) -> Result<(), BoxError> {
    let pool = migrate().await?;
    let created = server::admin::create_admin(&pool, email, name).await?;
    let email = created.email;
    match created.link {
        // The link is the command's output, so it goes to stdout, not the log.
        Some(path) => println!(
            "Administrator {email} is ready. Open this link (valid {} days, once) to set the password:\n{}{path}",
            app::accounts::manage::LINK_DAYS,
            base_url.trim_end_matches('/'),
        ),
        None => println!("{email} already had a password and is now an administrator."),
    }
    Ok(())
}

async fn serve() -> Result<(), BoxError> {
    let config = Config::from_env()?;
    let leptos_options = get_configuration(None)?.leptos_options;
    let addr = leptos_options.site_addr;
    if config.clock_shift_days != 0 {
        tracing::warn!(
            "the clock is shifted by {} days ({})",
            config.clock_shift_days,
            app::clock::SHIFT_VARIABLE
        );
    }
    let pool = app::db::connect_lazy(&config.database_url, config.db_max_connections)?;
    let migrated = Arc::new(AtomicBool::new(false));
    tokio::spawn(migrate_until_done(
        config.database_url.clone(),
        pool.clone(),
        migrated.clone(),
    ));
    tokio::spawn(app::attendance::retention::run_every_hour(pool.clone()));

    let app = router(AppState {
        leptos_options,
        pool,
        migrated,
        client_address_from: app::server_context::ClientAddressFrom(
            config.client_address_header.clone(),
        ),
    });
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!("listening on http://{addr}");
    server::router::serve(listener, app, shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

/// Runs the migrations, retrying while the database is unreachable, so the
/// server comes up (answering 503 on `/healthz`) before its database does.
async fn migrate_until_done(url: String, pool: PgPool, migrated: Arc<AtomicBool>) {
    let mut delay = Duration::from_secs(1);
    loop {
        let attempt = async {
            app::db::create_if_missing(&url).await?;
            app::db::migrate(&pool).await
        };
        match attempt.await {
            Ok(()) => {
                migrated.store(true, Ordering::Release);
                tracing::info!("database schema is up to date");
                return;
            }
            Err(error) => {
                tracing::warn!("database not ready, retrying in {delay:?}: {error}");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(30));
            }
        }
    }
}

/// Resolves on Ctrl-C or SIGTERM, letting requests in flight finish.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!("cannot listen for Ctrl-C: {error}");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!("cannot listen for SIGTERM: {error}");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
