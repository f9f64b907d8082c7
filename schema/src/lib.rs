//! Tray's schemas, one model for everyone: the generator plans types from it, the fake Tray and
//! the importer check values against it, so "valid" means one thing everywhere.
//!
//! - [`read`]: a loose JSON Schema (every dialect Tray serves, typos and all) into the
//!   normalized [`model`], with a [`Diagnostic`] (file and JSON pointer) for everything not
//!   understood or not enforced;
//! - [`snapshot`]: the snapshot files `tray-codegen fetch` writes, read and checked;
//! - [`diff`]: what changed between two snapshots, and whether it breaks code generated from
//!   the old one (`tray-codegen diff`, and the typed importer's check against live Tray);
//! - [`pattern`]: ECMAScript `pattern`s checked in bounded time;
//! - [`pointer`]: JSON pointers, escaped one way;
//! - [`secret`]: which values are secrets;
//! - [`json_file`], [`printable`]: untrusted files read within bounds, untrusted text printed
//!   safely.
//!
//! ```
//! use tray_schema::{Diagnostics, Reader};
//! let schema = serde_json::json!({"type": "object", "properties": {"dc": {"type": "string"}}, "required": ["dc"]});
//! let mut diagnostics = Diagnostics::new(None);
//! let document = Reader::new(&schema, "", None, &mut diagnostics).read_root();
//! assert!(matches!(document.root.kind, tray_schema::Kind::Object(_)));
//! ```

pub mod check;
mod confined;
pub mod diagnostic;
pub mod diff;
pub mod json_file;
pub mod model;
pub mod pattern;
pub mod pointer;
pub mod printable;
pub mod read;
pub mod secret;
pub mod snapshot;

pub use check::{Checker, Problem};
pub use diagnostic::{Diagnostic, Diagnostics, Effect};
pub use model::{
    Additional, Condition, Constraints, Definition, Dependency, Document, JsonType, Kind, Object,
    Property, Ref, Rules, Schema,
};
pub use read::{
    recursive_ref_message, Reader, MAX_DEPTH, MAX_REF_FILE_BYTES, MAX_REF_TOTAL_BYTES, MAX_SCHEMAS,
};
