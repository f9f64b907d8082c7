//! `fake-tray`: runs the local fake of Tray's API until Ctrl-C.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use fake_tray::{FakeTray, Faults, Options, RateLimit};

/// A local fake of Tray's Platform API, serving a snapshot folder on 127.0.0.1.
///
/// Point a client at `http://ADDR/core/v1` (REST) and `http://ADDR/graphql` with the master
/// token given here. End users and their tokens are made over GraphQL
/// (`createExternalUser`, `authorize`). Everything is kept in memory and lost on exit;
/// `GET /_fake/authentications` with the master token lists what was stored.
#[derive(Debug, Parser)]
#[command(name = "fake-tray", version)]
struct Cli {
    /// The snapshot folder to serve.
    #[arg(long, default_value = "schemas")]
    schemas: PathBuf,
    /// Where to listen (a loopback address).
    #[arg(long, default_value = "127.0.0.1:8787")]
    addr: SocketAddr,
    /// The master token callers must send as `Authorization: Bearer TOKEN`.
    #[arg(long)]
    master_token: String,
    /// Answer 429 beyond this many requests a second (Tray's limit is 30).
    #[arg(long, value_name = "PER_SECOND")]
    rate_limit: Option<f64>,
    /// The burst the rate limit allows (Tray's is 50).
    #[arg(long, default_value_t = 50, requires = "rate_limit")]
    burst: u32,
    /// Wait this long before every answer.
    #[arg(long, value_name = "MILLISECONDS", default_value_t = 0)]
    latency_ms: u64,
    /// The share of requests (0 to 1) answered 500.
    #[arg(long, value_name = "SHARE", default_value_t = 0.0)]
    error_share: f64,
    /// The share of requests (0 to 1) handled, then dropped without an answer.
    #[arg(long, value_name = "SHARE", default_value_t = 0.0)]
    drop_share: f64,
    /// Seeds which requests get faults, so a run can be repeated.
    #[arg(long, default_value_t = 0)]
    seed: u64,
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "fake_tray=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    for (flag, share) in [
        ("--error-share", cli.error_share),
        ("--drop-share", cli.drop_share),
    ] {
        if !(0.0..=1.0).contains(&share) {
            eprintln!("fake-tray: {flag} is a share between 0 and 1, not {share}");
            return ExitCode::from(2);
        }
    }
    let options = Options {
        schemas: cli.schemas,
        addr: cli.addr,
        master_token: cli.master_token,
        rate_limit: cli.rate_limit.map(|per_second| RateLimit {
            per_second,
            burst: cli.burst,
        }),
        faults: Faults {
            latency: Duration::from_millis(cli.latency_ms),
            server_error_share: cli.error_share,
            drop_share: cli.drop_share,
            seed: cli.seed,
        },
    };
    let tray = match FakeTray::start(options).await {
        Ok(tray) => tray,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    eprintln!(
        "fake Tray: REST {} GraphQL {} (Ctrl-C to stop)",
        tray.base_url(),
        tray.graphql_url()
    );
    if let Err(e) = tokio::signal::ctrl_c().await {
        eprintln!("fake-tray: cannot wait for Ctrl-C: {e}");
    }
    tray.shutdown().await;
    ExitCode::SUCCESS
}
