//! Values for a credentials schema, for import rows built from schemas nobody wrote rows for:
//! a valid instance ([`valid_instance`]), and invalid ones of each kind with the pointer a
//! report must name ([`invalid_instances`]).
//!
//! Every value is held to [`tray_schema::Checker`], the checker the importer and fake-tray
//! use: a valid instance passes it, and an invalid one breaks it at its pointer. Every string
//! made for a secret property carries [`SECRET_MARKER`], so that a test can search its outputs
//! for a leaked credential.
//!
//! ```
//! use tray_tests::instances::{invalid_instances, valid_instance, Markers};
//! let schema = serde_json::json!({
//!     "type": "object",
//!     "properties": {
//!         "api_key": {"type": "string", "minLength": 12},
//!         "region": {"enum": ["eu", "us"]}
//!     },
//!     "required": ["api_key", "region"]
//! });
//! let (checker, _) = tray_schema::Checker::read(&schema);
//! let markers = Markers::default();
//! let valid = valid_instance(&checker, &markers).unwrap();
//! assert_eq!(valid.value, serde_json::json!({"api_key": "SECRET-11111", "region": "eu"}));
//! let pointers: Vec<String> = invalid_instances(&checker, &valid.value, &markers)
//!     .into_iter()
//!     .map(|invalid| invalid.pointer)
//!     .collect();
//! assert_eq!(pointers, ["/credentials", "/credentials/api_key", "/credentials/region", "/credentials/api_key"]);
//! ```

mod invalid;
pub mod sample;
mod valid;

use std::cell::Cell;

pub use invalid::{invalid_instances, InvalidInstance, InvalidKind};
pub use valid::{valid_instance, Source, ValidInstance};

/// What every string made for a secret property starts with.
pub const SECRET_MARKER: &str = "SECRET-";

/// Numbers the secret strings made, so that each is different: `SECRET-1`, `SECRET-2`, ...
#[derive(Debug, Default)]
pub struct Markers {
    made: Cell<u32>,
}

impl Markers {
    /// The next marker: `SECRET-<n>`.
    pub fn next(&self) -> String {
        let n = self.made.get() + 1;
        self.made.set(n);
        format!("{SECRET_MARKER}{n}")
    }

    /// How many markers were made.
    pub fn count(&self) -> u32 {
        self.made.get()
    }
}
