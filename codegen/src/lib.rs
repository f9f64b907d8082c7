//! Typed Tray credentials: turns Tray service environment schemas into Rust types.

pub mod fetch;
pub mod snapshot;
