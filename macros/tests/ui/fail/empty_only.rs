tray_macros::connectors!("schemas", only = []);

fn main() {}
