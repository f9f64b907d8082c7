//! What the tests of the `tray-import` binary share.

use std::process::{Command, Output};

/// Runs the prebuilt `tray-import` with `args` on a blocking thread (the fake Tray answers on
/// the calling test's runtime). TRAY_MASTER_TOKEN is `token`, or unset; `envs` are added.
pub async fn tray_import(args: Vec<String>, token: Option<&str>, envs: &[(&str, &str)]) -> Output {
    let token = token.map(str::to_owned);
    let envs: Vec<(String, String)> = envs
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect();
    tokio::task::spawn_blocking(move || {
        let mut command = Command::new(env!("CARGO_BIN_EXE_tray-import"));
        command
            .args(&args)
            .env_remove("TRAY_MASTER_TOKEN")
            .envs(envs);
        if let Some(token) = token {
            command.env("TRAY_MASTER_TOKEN", token);
        }
        command.output().expect("tray-import runs")
    })
    .await
    .unwrap()
}

/// Output bytes as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
