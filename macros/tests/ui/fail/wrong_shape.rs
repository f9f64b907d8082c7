tray_macros::connectors!("wrong_shape");

fn main() {}
