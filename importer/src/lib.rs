//! Import existing authentications into Tray in bulk: typed, resumable, exactly once.
//!
//! Items come from your own code, typed by the generated connector modules
//! ([`ImportItem::new`]), or from files ([`input`], checked by [`check`] against the schemas
//! Tray serves now, read into a [`catalog::Catalog`]). An [`Importer`] finds or creates each end user's Tray user, gets and renews their
//! token, and creates each authentication with it, within the client's rate limit. Every row's
//! state is kept in a [`Journal`], so that a run can be stopped at any moment (even
//! `kill -9`) and started again without a duplicate or a lost row. Before the first create of
//! a typed connector, the run checks that Tray still serves what the connector was generated
//! from ([`Importer::preflight`]), and refuses to send its rows when it does not.
//!
//! ```no_run
//! use tray_auth::client::Client;
//! use tray_auth::{CreateAuthentication, Secret};
//! use tray_connectors::mailchimp;
//! use tray_import::{ImportItem, Importer, Journal};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = Client::builder()
//!     .base_url("http://127.0.0.1:8787/core/v1")
//!     .master_token(Secret::from(std::env::var("TRAY_MASTER_TOKEN")?))
//!     .build()?;
//! let items = vec![ImportItem::new(
//!     "legacy-17",
//!     "customer-42",
//!     CreateAuthentication::new(
//!         "Bolo's Mailchimp",
//!         mailchimp::PRODUCTION,
//!         mailchimp::Credentials {
//!             access_token: Secret::from("a22x-us21"),
//!             dc: "us21".to_owned(),
//!             expires_in: Some(3600),
//!         },
//!     ),
//! )];
//! let summary = Importer::new(client, Journal::open("import.sqlite")?)
//!     .run(items)
//!     .await?;
//! assert!(summary.is_complete());
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

mod admission;
pub mod catalog;
pub mod check;
mod contact;
mod error;
pub mod identity;
mod importer;
pub mod input;
mod item;
pub mod journal;
mod lock;
mod outcome;
mod preflight;
pub mod report;
mod retry;
mod run;
mod send;
mod session;
mod settle;

pub use error::ImportError;
pub use identity::{ChangedRow, ChangedRows};
pub use importer::Importer;
pub use item::{ImportItem, IntoImportItem};
pub use journal::{Journal, State};
pub use outcome::{Outcome, Summary};
