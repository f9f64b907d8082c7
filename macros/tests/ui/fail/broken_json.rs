tray_macros::connectors!("broken_json");

fn main() {}
