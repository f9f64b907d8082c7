//! `tray-import`: imports authentications from a JSON Lines or CSV file into Tray, each under
//! its end user, exactly once, resumably.

use std::fs::File;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tray_auth::client::{Client, RateLimit, Region};
use tray_auth::Secret;
use tray_import::catalog::{Catalog, Wanted};
use tray_import::input::{self, Format};
use tray_import::journal::JournalError;
use tray_import::report::{write_report, ReportLine};
use tray_import::{ImportError, ImportItem, Importer, Journal, Outcome, State, Summary};

/// Import existing authentications into Tray in bulk, for any Tray service: each row is
/// checked against the schemas Tray serves now for its service environment, created under its
/// end user with that user's token, and recorded in a journal, so a run can be stopped at any
/// moment and started again.
#[derive(Debug, Parser)]
#[command(name = "tray-import", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Run(RunArgs),
}

/// Import the rows of a file.
///
/// A row gives `externalUserId`, `connector` (service name as Tray spells it; `slack@4` when
/// Tray lists several versions), `name`, and optionally `serviceEnvironment` (title or id),
/// `credentials`, `userData`, `scopes` and `key` (what identifies the row across runs; default
/// `row-<number>`, which names another row once rows are inserted or deleted: give stable
/// keys). CSV columns name nested fields with dots (`credentials.access_token`); a cell is read
/// as the integer, number or boolean its schema wants (`3600`, `true`).
///
/// Before anything is sent, every service the input names is looked up in Tray (its versions,
/// then its environments and their schemas, once per run) and every row is checked against
/// them. The environment is `Production` unless a row names another; for an OAuth service it
/// is the one environment of your own OAuth app (Tray's `Production` app cannot refresh
/// tokens your app issued): name it when there are several, and name `Production` only if
/// Tray's app issued the tokens. `--schemas DIR` reads snapshot files (`tray-codegen fetch`)
/// instead of asking Tray.
///
/// The master token is read from TRAY_MASTER_TOKEN only, never from a flag. Logs go to
/// stderr, quiet by default; TRAY_IMPORT_LOG=info (or debug) says more. No output holds a
/// token or a credential.
///
/// Examples:
///
///   tray-import run --input auths.jsonl --dry-run --schemas schemas/
///
///   TRAY_MASTER_TOKEN=... tray-import run --input auths.jsonl --dry-run --region eu
///
///   TRAY_MASTER_TOKEN=... tray-import run --input auths.csv --region eu
///
///   TRAY_MASTER_TOKEN=... tray-import run --input auths.jsonl --base-url http://127.0.0.1:8787/core/v1
///
/// Run the same command again after a crash, a kill or failures: created rows are skipped,
/// failed ones retried, and rows whose outcome was unknown are looked up in Tray first. If a
/// row sent by an earlier run is not the same row any more (edited, or another row under its
/// key), nothing is sent and the rows are named.
///
/// Exit status: 0 when every row is created (or valid, in a dry run); 1 when a row is invalid,
/// failed or unknown (see the report); 2 when the import could not run or stopped early (Tray
/// unreachable, the master token refused, rows changed under their keys, an input, a
/// snapshot folder or a report that cannot be used).
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
struct RunArgs {
    /// The rows: a .jsonl or .csv file.
    #[arg(long, value_name = "FILE")]
    input: PathBuf,
    /// The input's format, when its name does not say.
    #[arg(long, value_enum)]
    format: Option<FormatArg>,
    /// The Tray region of the master token.
    #[arg(long, value_name = "us|eu|apac", conflicts_with = "base_url")]
    region: Option<Region>,
    /// A REST base URL instead of a region (`http://127.0.0.1:8787/core/v1` for fake-tray).
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// How many creates may be in flight at once.
    #[arg(long, default_value_t = 8, value_name = "N")]
    concurrency: usize,
    /// Requests a second to Tray, all tasks together (Tray allows 30).
    #[arg(long, default_value_t = 30.0, value_name = "PER_SECOND")]
    rate_limit: f64,
    /// The burst the rate limit allows (Tray allows 50).
    #[arg(long, default_value_t = 50, value_name = "N")]
    burst: u32,
    /// The journal of row states [default: FILE.journal.sqlite beside the input].
    #[arg(long, value_name = "PATH")]
    journal: Option<PathBuf>,
    /// Where to write the report, one JSON object a row [default: FILE.report.jsonl beside
    /// the input].
    #[arg(long, value_name = "PATH")]
    report: Option<PathBuf>,
    /// Check every row and send nothing; exit 1 if a row is invalid. Tray is asked for its
    /// schemas (reads only) unless --schemas is given, and then nothing is contacted.
    #[arg(long)]
    dry_run: bool,
    /// Check rows against the snapshot files in DIR (written by `tray-codegen fetch`) instead
    /// of the schemas Tray serves now. Environment ids come from the files too.
    #[arg(long, value_name = "DIR")]
    schemas: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum FormatArg {
    Jsonl,
    Csv,
}

/// How many invalid or failed rows are described on screen (the report has them all).
const SHOWN: usize = 20;

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logs();
    let Command::Run(args) = cli.command;
    let result = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) if args.dry_run => runtime.block_on(dry_run(&args)),
        Ok(runtime) => runtime.block_on(run(&args)),
        Err(e) => Err(format!("cannot start the async runtime: {e}")),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("tray-import: {message}");
            ExitCode::from(2)
        }
    }
}

/// Logs go to stderr, quiet by default; `TRAY_IMPORT_LOG=info` (or `debug`) says more. No log
/// line holds a token or a credential.
fn init_logs() {
    let filter = std::env::var("TRAY_IMPORT_LOG")
        .ok()
        .and_then(|f| tracing_subscriber::EnvFilter::try_new(f).ok())
        .unwrap_or_else(|| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
}

fn format_of(args: &RunArgs) -> Option<Format> {
    args.format.map(|f| match f {
        FormatArg::Jsonl => Format::JsonLines,
        FormatArg::Csv => Format::Csv,
    })
}

fn beside(input: &Path, suffix: &str) -> PathBuf {
    let mut name = input.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    input.with_file_name(name)
}

/// The report, opened before anything is sent so that a path that cannot be written is found
/// first; emptied and written at the end. Removed again if this run made it and wrote nothing.
struct ReportFile {
    path: PathBuf,
    file: Option<File>,
    made: bool,
}

impl ReportFile {
    /// Opens the report at `path`, which must not be one of `others` (what, path).
    fn open(path: PathBuf, others: &[(&str, &Path)]) -> Result<ReportFile, String> {
        let made = !path.exists();
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| format!("cannot write the report {}: {e}", path.display()))?;
        let report = ReportFile {
            path,
            file: Some(file),
            made,
        };
        for (what, other) in others {
            if report.is(other) {
                return Err(format!(
                    "the report {} is the {what}: give another --report",
                    report.path.display()
                ));
            }
        }
        Ok(report)
    }

    /// Whether `other` names the report's file.
    fn is(&self, other: &Path) -> bool {
        same_file(&self.path, other)
    }

    /// The report, emptied, to write.
    fn writer(mut self) -> Result<BufWriter<File>, String> {
        let file = self
            .file
            .take()
            .ok_or_else(|| format!("the report {} is written once", self.path.display()))?;
        let error =
            |e: std::io::Error| format!("cannot write the report {}: {e}", self.path.display());
        // A pipe or a terminal (`--report /dev/stdout`) has nothing to empty.
        if file.metadata().map_err(error)?.is_file() {
            file.set_len(0).map_err(error)?;
        }
        Ok(BufWriter::new(file))
    }
}

/// Whether two paths name one existing file (through links or `..`).
fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let (Ok(a), Ok(b)) = (std::fs::metadata(a), std::fs::metadata(b)) else {
            return false;
        };
        (a.dev(), a.ino()) == (b.dev(), b.ino())
    }
    #[cfg(not(unix))]
    {
        matches!((std::fs::canonicalize(a), std::fs::canonicalize(b)), (Ok(a), Ok(b)) if a == b)
    }
}

impl Drop for ReportFile {
    fn drop(&mut self) {
        if self.made && self.file.is_some() {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

fn items(
    args: &RunArgs,
    catalog: &Arc<Catalog>,
) -> Result<impl Iterator<Item = ImportItem> + Send + 'static, String> {
    let rows = input::open(&args.input, format_of(args)).map_err(|e| e.to_string())?;
    let catalog = catalog.clone();
    Ok(rows.map(move |row| ImportItem::from_row(&catalog, row)))
}

/// The services and versions the input's rows name, read as the catalog asks (one pass over
/// the input).
fn wanted(args: &RunArgs) -> Result<impl Iterator<Item = Wanted>, String> {
    let rows = input::open(&args.input, format_of(args)).map_err(|e| e.to_string())?;
    Ok(rows.flatten().map(|row| (row.service, row.service_version)))
}

/// The schemas rows are checked against: the snapshot files of `--schemas`, or what Tray
/// serves now for the services the input names. Nothing is sent before this.
async fn catalog(args: &RunArgs, client: Option<&Client>) -> Result<Arc<Catalog>, String> {
    if let Some(dir) = &args.schemas {
        let snapshots = tray_schema::snapshot::read_dir(dir).map_err(|e| e.to_string())?;
        if snapshots.is_empty() {
            return Err(format!(
                "{} holds no snapshot files: write them with `tray-codegen fetch --out {}`, or leave --schemas out to ask Tray",
                dir.display(),
                dir.display()
            ));
        }
        let source = format!("the snapshots in {}", dir.display());
        return Ok(Arc::new(Catalog::from_snapshots(&source, &snapshots)));
    }
    let client = client.ok_or("give --schemas DIR, or a token and where Tray is")?;
    let catalog = Catalog::fetch(client, wanted(args)?)
        .await
        .map_err(|e| e.to_string())?;
    Ok(Arc::new(catalog))
}

/// The client for the master token in TRAY_MASTER_TOKEN, at `--region` or `--base-url`.
fn client(args: &RunArgs) -> Result<Client, String> {
    let token = std::env::var("TRAY_MASTER_TOKEN").unwrap_or_default();
    if token.trim().is_empty() {
        let or_schemas = if args.dry_run {
            " (or give --schemas DIR to check against snapshot files without asking Tray)"
        } else {
            ""
        };
        return Err(format!("set TRAY_MASTER_TOKEN to a master token (Embedded dashboard, Settings, Tokens); it is never taken as a flag, which would end up in shell history{or_schemas}"));
    }
    if !(args.rate_limit.is_finite() && args.rate_limit > 0.0) {
        return Err("--rate-limit is requests a second, above 0 (Tray allows 30)".into());
    }
    let mut builder = Client::builder()
        .master_token(Secret::from(token.trim()))
        .rate_limit(RateLimit::new(args.rate_limit, args.burst));
    builder = match (&args.base_url, args.region) {
        (Some(url), _) => builder.base_url(url.clone()),
        (None, Some(region)) => builder.region(region),
        (None, None) => {
            return Err(
                "say where Tray is: --region us|eu|apac, or --base-url URL (or --dry-run --schemas DIR)".into(),
            )
        }
    };
    builder.build().map_err(|e| e.to_string())
}

async fn run(args: &RunArgs) -> Result<ExitCode, String> {
    let client = client(args)?;
    let journal_path = args
        .journal
        .clone()
        .unwrap_or_else(|| beside(&args.input, ".journal.sqlite"));
    // Everything that can be checked here is, before Tray is asked anything: the input, the
    // journal (locked against a second process) and the report.
    drop(input::open(&args.input, format_of(args)).map_err(|e| e.to_string())?);
    if same_file(&args.input, &journal_path) {
        return Err(format!(
            "the journal {} is the input: give another --journal",
            journal_path.display()
        ));
    }
    let report = ReportFile::open(
        report_path(args),
        &[("input", &args.input), ("journal", &journal_path)],
    )?;
    let journal = Journal::open(&journal_path).map_err(|e| e.to_string())?;
    let catalog = catalog(args, Some(&client))
        .await
        .map_err(|e| format!("{e}\nNothing was sent."))?;
    let items = items(args, &catalog)?;

    let progress = Progress::new(args)?;
    let observer = progress.clone();
    let mut importer = Importer::new(client, journal)
        .concurrency(args.concurrency)
        .on_outcome(move |outcome| observer.record(outcome));
    // Rows sent by an earlier run must still be the same rows: checked over the whole input
    // first, so that nothing is sent when one is not.
    importer
        .check_changes(self::items(args, &catalog)?)
        .map_err(|e| e.to_string())?;
    let started = Instant::now();
    let summary = importer.run(items).await;
    progress.bar.finish_and_clear();
    let summary = summary.map_err(|e| match e {
        ImportError::Task(_) | ImportError::Journal(JournalError::Sqlite { .. }) => format!(
            "{e}\nRows sent so far are in the journal {}: run the same command again to carry on.",
            journal_path.display()
        ),
        _ => e.to_string(),
    })?;

    let journal = importer.journal();
    let report_path = report.path.clone();
    write_report(&journal, &mut report.writer()?).map_err(|e| e.to_string())?;
    describe_problems(&journal);
    print_summary(&summary, started.elapsed());
    println!("journal: {}", journal_path.display());
    println!("report:  {}", report_path.display());
    if summary.is_complete() {
        Ok(ExitCode::SUCCESS)
    } else {
        if summary.failed + summary.unknown > 0 {
            eprintln!("tray-import: some rows are not created yet: run the same command again to retry failed rows and settle unknown ones");
        }
        Ok(ExitCode::from(1))
    }
}

/// Describes the first invalid, failed or unknown rows on stderr: row, key, pointer, message.
fn describe_problems(journal: &Journal) {
    let mut shown = 0usize;
    let mut more = 0u64;
    let _ = journal.for_each_entry(|entry| -> Result<(), ()> {
        if entry.state == State::Created {
            return Ok(());
        }
        if shown == SHOWN {
            more += 1;
            return Ok(());
        }
        shown += 1;
        let line = ReportLine::from_entry(entry);
        describe_line(&line);
        Ok(())
    });
    if more > 0 {
        eprintln!("... and {more} more rows: see the report");
    }
}

fn describe_line(line: &ReportLine) {
    let at = format!("row {} (key `{}`)", line.row, line.key);
    if let Some(problems) = line.problems.as_ref().and_then(|p| p.as_array()) {
        for problem in problems {
            let pointer = problem["pointer"].as_str().unwrap_or_default();
            let message = problem["message"].as_str().unwrap_or_default();
            let pointer = if pointer.is_empty() { "/" } else { pointer };
            eprintln!("{at}: {}: {pointer}: {message}", line.state);
        }
        if problems.is_empty() {
            eprintln!("{at}: {}", line.state);
        }
    } else {
        eprintln!(
            "{at}: {}: {}",
            line.state,
            line.detail.as_deref().unwrap_or("")
        );
    }
}

fn print_summary(summary: &Summary, elapsed: Duration) {
    let rows = summary.created
        + summary.already_created
        + summary.invalid
        + summary.failed
        + summary.unknown;
    let rate = rows as f64 / elapsed.as_secs_f64().max(0.001);
    println!(
        "{rows} rows in {:.1}s ({rate:.0} rows/s): {} created ({} now, {} by an earlier run), {} invalid, {} failed, {} unknown",
        elapsed.as_secs_f64(),
        summary.created + summary.already_created,
        summary.created,
        summary.already_created,
        summary.invalid,
        summary.failed,
        summary.unknown,
    );
    if summary.settled > 0 {
        println!(
            "{} rows whose outcome was unknown were found in Tray and recorded, not created again",
            summary.settled
        );
    }
}

fn report_path(args: &RunArgs) -> PathBuf {
    args.report
        .clone()
        .unwrap_or_else(|| beside(&args.input, ".report.jsonl"))
}

/// Checks every row and writes no journal; with `--schemas`, contacts nothing.
async fn dry_run(args: &RunArgs) -> Result<ExitCode, String> {
    drop(input::open(&args.input, format_of(args)).map_err(|e| e.to_string())?);
    let client = if args.schemas.is_some() {
        None
    } else {
        Some(client(args)?)
    };
    let catalog = catalog(args, client.as_ref()).await?;
    let items = items(args, &catalog)?;
    let report = ReportFile::open(report_path(args), &[("input", &args.input)])?;
    let report_path = report.path.clone();
    let mut report = report.writer()?;
    let (mut valid, mut invalid, mut shown) = (0u64, 0u64, 0usize);
    for (position, item) in items.enumerate() {
        let problems = item.problems();
        let line = ReportLine {
            row: item_row(&item, position),
            key: item.key().to_owned(),
            external_user_id: item.external_user_id().to_owned(),
            name: item.name().to_owned(),
            state: if problems.is_empty() {
                "valid"
            } else {
                "invalid"
            }
            .to_owned(),
            auth_id: None,
            problems: (!problems.is_empty()).then(|| {
                problems
                    .iter()
                    .map(|p| serde_json::json!({"pointer": p.pointer, "message": p.message}))
                    .collect()
            }),
            detail: None,
            schema_digest: item.schema_digest().map(str::to_owned),
        };
        if problems.is_empty() {
            valid += 1;
        } else {
            invalid += 1;
            if shown < SHOWN {
                shown += 1;
                describe_line(&line);
            }
        }
        serde_json::to_writer(&mut report, &line)
            .map_err(|e| format!("cannot write the report: {e}"))?;
        report
            .write_all(b"\n")
            .map_err(|e| format!("cannot write the report: {e}"))?;
    }
    report
        .flush()
        .map_err(|e| format!("cannot write the report: {e}"))?;
    if invalid as usize > shown {
        eprintln!(
            "... and {} more invalid rows: see the report",
            invalid as usize - shown
        );
    }
    println!("dry run: {valid} valid, {invalid} invalid; nothing was sent");
    println!("report:  {}", report_path.display());
    Ok(if invalid == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn item_row(item: &ImportItem, position: usize) -> u64 {
    // File rows carry their number; the fallback is the position, as the importer uses.
    item.row().unwrap_or(position as u64 + 1)
}

/// The progress bar (on stderr, only when it is a terminal) and its counts.
#[derive(Clone)]
struct Progress {
    bar: ProgressBar,
    counts: Arc<[AtomicU64; 4]>,
}

impl Progress {
    fn new(args: &RunArgs) -> Result<Progress, String> {
        let terminal = std::io::stderr().is_terminal();
        let bar = if terminal {
            // Counting the rows first gives a length, so the bar can say how long is left.
            let total = input::count_rows(&args.input, format_of(args)).unwrap_or(0);
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template(
                    "{bar:30} {pos}/{len} rows · {rate} · {eta} left · {msg}",
                )
                .map_err(|e| e.to_string())?
                .with_key(
                    "rate",
                    |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                        let _ = write!(w, "{:.0} rows/s", state.per_sec());
                    },
                ),
            );
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        } else {
            ProgressBar::hidden()
        };
        Ok(Progress {
            bar,
            counts: Arc::new(Default::default()),
        })
    }

    fn record(&self, outcome: &Outcome) {
        let slot = match outcome.state {
            State::Created => 0,
            State::Invalid => 1,
            State::Failed => 2,
            State::Unknown | State::Pending => 3,
        };
        self.counts[slot].fetch_add(1, Ordering::Relaxed);
        self.bar.inc(1);
        let [created, invalid, failed, unknown] =
            [0, 1, 2, 3].map(|i| self.counts[i].load(Ordering::Relaxed));
        self.bar.set_message(format!(
            "{created} created · {invalid} invalid · {failed} failed · {unknown} unknown"
        ));
    }
}
