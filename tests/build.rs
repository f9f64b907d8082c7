//! Generates the connectors again, from a build script, to prove the library works there.

fn main() -> Result<(), tray_codegen::Error> {
    tray_codegen::Config::new()
        .schemas_dir("../schemas")
        .compile()
}
