tray_macros::connectors!("schemas", only = ["mailchimp", "slak@4"]);

fn main() {}
