tray_macros::connectors!(schemas);

fn main() {}
