tray_macros::connectors!("same_module");

fn main() {}
