tray_macros::connectors!("snapshots");

fn main() {}
