//! `corpus-snapshots OUT_DIR [CORPUS_DIR]`: wraps every schema of the corpus
//! (`../shared/corpus` by default) as a Tray service snapshot in `OUT_DIR`, one
//! `<service>-1.json` each, for fake-tray to serve (`scripts/corpus-snapshots.sh`).

use std::path::PathBuf;
use std::process::ExitCode;

use tray_tests::corpus_tray::{self, Auth};

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let (Some(out), corpus, None) = (args.next(), args.next(), args.next()) else {
        eprintln!("usage: corpus-snapshots OUT_DIR [CORPUS_DIR]");
        return ExitCode::from(2);
    };
    let out = PathBuf::from(out);
    let corpus = corpus.map_or_else(corpus_tray::corpus_dir, PathBuf::from);
    match corpus_tray::write_snapshots(&corpus, &out) {
        Ok(services) => {
            let oauth = services
                .iter()
                .filter(|s| matches!(s.auth, Auth::OAuth { .. }))
                .count();
            println!(
                "wrote {} service snapshots ({oauth} OAuth) into {}",
                services.len(),
                out.display()
            );
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("corpus-snapshots: {message}");
            ExitCode::FAILURE
        }
    }
}
