//! Generates connectors from build scripts, to prove the library works there: the committed
//! snapshots again, the fixture snapshots of `fixtures/schemas` (every schema construct the
//! generator supports), and `fixtures/refs_and_secrets` (secrets of every type, and a chain of
//! definitions that doubles at each step: the generated code compiles, and stays small).

use std::path::PathBuf;

fn main() -> Result<(), tray_codegen::Error> {
    // None of these folders is an account's: the examples' ids are made up, the fixtures are
    // no Tray service. So `TRAY_ONLINE=1` (for a user's crate) never checks them.
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").ok_or(tray_codegen::Error::NoOutDir)?);
    // The snapshots' warnings (NetSuite's typo) are shown by `tray-codegen generate`; here they
    // would only repeat on every build.
    tray_codegen::Config::new()
        .schemas_dir("../schemas")
        .cargo_warnings(false)
        .online(None)
        .compile()?;
    // The fixtures' one warning (a look-ahead pattern needs the fallback engine) is asserted by
    // `tests/generated_code.rs`; here too it would only repeat on every build.
    tray_codegen::Config::new()
        .schemas_dir("fixtures/schemas")
        .out_dir(out_dir.join("fixtures"))
        .cargo_warnings(false)
        .online(None)
        .compile()?;
    tray_codegen::Config::new()
        .schemas_dir("fixtures/refs_and_secrets")
        .out_dir(out_dir.join("refs_and_secrets"))
        .cargo_warnings(false)
        .online(None)
        .compile()
}
