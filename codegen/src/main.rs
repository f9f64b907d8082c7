//! `tray-codegen`: generate typed Rust credentials from Tray schema snapshots.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Typed Rust credentials from Tray's service environment schemas.
///
/// Snapshots of Tray's schemas live in `schemas/` (one JSON file per service version);
/// `generate` turns them into the `tray-connectors` crate in `generated/`, and `check` tells
/// when the committed crate is not what the snapshots produce.
#[derive(Parser)]
#[command(name = "tray-codegen", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Regenerate the typed crate from the snapshots (offline).
    Generate {
        /// The snapshot folder.
        #[arg(long, default_value = "schemas")]
        schemas: PathBuf,
        /// The generated crate's folder (its `src/` and `Cargo.toml` are rewritten).
        #[arg(long, default_value = "generated")]
        out: PathBuf,
        /// Do not print warnings about schemas.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Fail, naming the stale files with a diff, when the generated crate is not what the
    /// snapshots produce.
    Check {
        /// The snapshot folder.
        #[arg(long, default_value = "schemas")]
        schemas: PathBuf,
        /// The generated crate's folder.
        #[arg(long, default_value = "generated")]
        out: PathBuf,
    },
    /// Fetch schema snapshots from Tray into `schemas/` (the master token comes from
    /// TRAY_MASTER_TOKEN).
    #[cfg(feature = "fetch")]
    Fetch(tray_codegen::fetch::FetchArgs),
    /// Tell what changed between two snapshot files or folders, judged on the Rust types the
    /// generator plans for each, and whether it breaks code written against the old types.
    ///
    /// Each change is `breaking` (code written against the old types no longer compiles, or
    /// reads the same JSON differently: a field removed, added or retyped, an `Option` gained
    /// or lost, an enum value added or removed), `runtime-breaking` (it still compiles, but
    /// what worked may now fail at run time: a tightened pattern, length or bound that
    /// `validate()` checks, a changed environment id) or `compatible`. Breaking changes come
    /// first.
    ///
    /// Exit status: 0 when nothing breaks, 1 when a change is breaking or runtime-breaking, 2
    /// when a snapshot cannot be read.
    Diff {
        /// The old snapshot file or folder.
        old: PathBuf,
        /// The new snapshot file or folder.
        new: PathBuf,
        /// Print JSON, for CI.
        #[arg(long)]
        json: bool,
    },
    /// Print the Rust types for one bare JSON Schema, to try the generator on any schema.
    ///
    /// An object schema gives a struct named `--name`; an `enum`, `oneOf` or several types give
    /// an enum of that name. Any other root (`{"type": "integer"}`, `true`, an array) gives a
    /// type alias (`pub type Credentials = i64;`) and a warning. Warnings go to stderr; the exit
    /// status is 0 whenever code was printed.
    Schema {
        /// The schema file.
        file: PathBuf,
        /// The name of the root type. A prelude name that generated code uses (`String`,
        /// `Option`, `Vec`, ...) gets a `Type` suffix, with a warning.
        #[arg(long, default_value = "Credentials")]
        name: String,
    },
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error}");
            // 1 says "stale" or "breaking"; 2 says the command could not do its job.
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode, tray_codegen::Error> {
    match cli.command {
        Command::Generate {
            schemas,
            out,
            quiet,
        } => {
            let generation = tray_codegen::Config::new()
                .schemas_dir(&schemas)
                .generate_crate()?;
            if !quiet {
                print_diagnostics(&generation.diagnostics);
            }
            generation.write(&out)?;
            for removed in generation.remove_leftovers(&out)? {
                eprintln!("removed {}: no snapshot produces it", removed.display());
            }
            let modules = generation.files.len().saturating_sub(2);
            eprintln!(
                "generated {modules} connector modules from {} into {}",
                schemas.display(),
                out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Check { schemas, out } => {
            let generation = tray_codegen::Config::new()
                .schemas_dir(&schemas)
                .generate_crate()?;
            let stale = generation.check(&out)?;
            if stale.is_empty() {
                eprintln!("{} is up to date with {}", out.display(), schemas.display());
                return Ok(ExitCode::SUCCESS);
            }
            for file in &stale {
                print!("{}", file.diff);
            }
            eprintln!("error: {} generated file(s) are stale:", stale.len());
            for file in &stale {
                eprintln!("  {}", file.path.display());
            }
            eprintln!("run `cargo run -p tray-codegen -- generate` and commit the result");
            Ok(ExitCode::FAILURE)
        }
        #[cfg(feature = "fetch")]
        Command::Fetch(args) => Ok(tray_codegen::fetch::command(&args)),
        Command::Diff { old, new, json } => {
            let old = tray_codegen::diff::read(&old)?;
            let new = tray_codegen::diff::read(&new)?;
            let diff = tray_codegen::diff::diff(&old, &new);
            if json {
                let text = serde_json::to_string_pretty(&diff).expect("a diff always serializes");
                println!("{text}");
            } else {
                print!("{diff}");
            }
            Ok(if diff.breaking {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Schema { file, name } => {
            let schema = tray_codegen::snapshot::read_json(&file)?;
            let (code, diagnostics) = tray_codegen::schema_to_rust(&schema, &name, Some(&file))?;
            print_diagnostics(&diagnostics);
            print!("{code}");
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn print_diagnostics(diagnostics: &[tray_codegen::Diagnostic]) {
    for diagnostic in diagnostics {
        eprintln!("{diagnostic}");
    }
    if !diagnostics.is_empty() {
        eprintln!(
            "{} warning(s): each names the file and JSON pointer of what was not understood",
            diagnostics.len()
        );
    }
}
