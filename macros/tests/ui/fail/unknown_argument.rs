tray_macros::connectors!("schemas", onyl = ["mailchimp"]);

fn main() {}
