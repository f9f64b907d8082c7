//! Imports legacy Mailchimp authentications from a SQLite table into Tray, through the
//! library, with every field typed: rename a column or change its type and this stops
//! compiling at the line that must change.
//!
//! ```sh
//! cargo run -p fake-tray -- --schemas schemas --master-token TOKEN &
//! TRAY_MASTER_TOKEN=TOKEN cargo run -p tray-import --example sqlite_mailchimp -- \
//!     --legacy legacy.sqlite --base-url http://127.0.0.1:8787/core/v1
//! ```
//!
//! Without an existing `--legacy` file, it makes one with a few demo rows. Run it twice: the
//! second run finds every row in its journal and sends nothing.

use std::collections::VecDeque;
use std::error::Error;
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection};
use tray_auth::client::{Client, Region};
use tray_auth::registry::Problem;
use tray_auth::{CreateAuthentication, Secret};
use tray_connectors::mailchimp;
use tray_import::{ImportItem, Importer, Journal, Summary};

/// One row of the legacy table, as the legacy system keeps it.
pub struct LegacyAuth {
    /// The row id: stable, so it makes the import key.
    pub id: i64,
    /// The customer the auth belongs to: the end user.
    pub customer_id: String,
    /// The Mailchimp account's name.
    pub account_name: String,
    /// The OAuth access token (NULL where the legacy system lost it).
    pub oauth_token: Option<String>,
    /// Mailchimp's data center (`us21`).
    pub data_center: String,
    /// Seconds the token lives, when known.
    pub expires_in: Option<i64>,
}

/// The legacy row as an import item: the compiler checks every field of the mapping. A row
/// without a token cannot become credentials: it is journaled and reported as invalid.
pub fn to_item(auth: LegacyAuth) -> ImportItem {
    let key = format!("legacy-mailchimp-{}", auth.id);
    let name = format!("{} (Mailchimp)", auth.account_name);
    let Some(token) = auth.oauth_token else {
        return ImportItem::invalid(
            key,
            auth.customer_id,
            name,
            Problem {
                pointer: "/credentials/access_token".into(),
                message: "the legacy row has no token (oauth_token is NULL)".into(),
            },
        );
    };
    ImportItem::new(
        key,
        auth.customer_id,
        CreateAuthentication::new(
            name,
            mailchimp::PRODUCTION,
            mailchimp::Credentials {
                access_token: Secret::from(token),
                dc: auth.data_center,
                expires_in: auth.expires_in,
            },
        ),
    )
}

/// Makes the legacy table with a few demo rows (the fourth one's data center is not one
/// Mailchimp's schema allows, and the fifth has no token: both are reported invalid and
/// never sent).
pub fn create_demo_table(path: &Path) -> rusqlite::Result<()> {
    let db = Connection::open(path)?;
    db.execute_batch(
        "CREATE TABLE IF NOT EXISTS mailchimp_auths (
             id INTEGER PRIMARY KEY,
             customer_id TEXT NOT NULL,
             account_name TEXT NOT NULL,
             oauth_token TEXT,
             data_center TEXT NOT NULL,
             expires_in INTEGER
         );",
    )?;
    db.execute_batch(
        "INSERT OR IGNORE INTO mailchimp_auths VALUES
             (1, 'cust-1', 'Bolo Ltd', 'demo-token-1-us21', 'us21', 3600),
             (2, 'cust-1', 'Bolo Newsletter', 'demo-token-2-us21', 'us21', NULL),
             (3, 'cust-2', 'Ann & Co', 'demo-token-3-us6', 'us6', 7200),
             (4, 'cust-3', 'Broken', 'demo-token-4', 'US-6', NULL),
             (5, 'cust-3', 'Lost', NULL, 'us21', NULL);",
    )?;
    Ok(())
}

/// Streams the legacy table a page at a time (memory stays flat however many rows), for the
/// importer's blocking reader thread. A read error is the stream's last item: the importer
/// stops there and returns it.
pub struct LegacyRows {
    db: Connection,
    after: i64,
    page: VecDeque<LegacyAuth>,
    done: bool,
}

const PAGE: i64 = 500;

impl LegacyRows {
    /// Opens the legacy database.
    pub fn open(path: &Path) -> rusqlite::Result<LegacyRows> {
        let db = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        Ok(LegacyRows {
            db,
            after: i64::MIN,
            page: VecDeque::new(),
            done: false,
        })
    }

    fn fetch(&mut self) -> rusqlite::Result<()> {
        let mut statement = self.db.prepare_cached(
            "SELECT id, customer_id, account_name, oauth_token, data_center, expires_in
             FROM mailchimp_auths WHERE id > ?1 ORDER BY id LIMIT ?2",
        )?;
        let rows = statement.query_map(params![self.after, PAGE], |row| {
            Ok(LegacyAuth {
                id: row.get(0)?,
                customer_id: row.get(1)?,
                account_name: row.get(2)?,
                oauth_token: row.get(3)?,
                data_center: row.get(4)?,
                expires_in: row.get(5)?,
            })
        })?;
        for row in rows {
            self.page.push_back(row?);
        }
        match self.page.back() {
            Some(last) => self.after = last.id,
            None => self.done = true,
        }
        Ok(())
    }
}

impl Iterator for LegacyRows {
    type Item = rusqlite::Result<ImportItem>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.page.is_empty() && !self.done {
            if let Err(e) = self.fetch() {
                self.done = true;
                return Some(Err(e));
            }
        }
        self.page.pop_front().map(to_item).map(Ok)
    }
}

/// Imports every row of the legacy table at `legacy` with `client`, journaled in `journal`.
pub async fn import_legacy(
    legacy: &Path,
    client: Client,
    journal: Journal,
) -> Result<Summary, Box<dyn Error>> {
    let rows = LegacyRows::open(legacy)?;
    let mut importer = Importer::new(client, journal).concurrency(4);
    let summary = importer.run(rows).await?;
    for entry in importer.journal().entries()? {
        // Keys, states and ids only: the journal holds no credential.
        println!(
            "{:<22} {:<8} {}",
            entry.key,
            entry.state,
            entry.auth_id.or(entry.detail).unwrap_or_default()
        );
    }
    Ok(summary)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let (mut legacy, mut base_url, mut region) = (PathBuf::from("legacy.sqlite"), None, None);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--legacy" => legacy = args.next().ok_or("--legacy takes a path")?.into(),
            "--base-url" => base_url = Some(args.next().ok_or("--base-url takes a URL")?),
            "--region" => region = Some(args.next().ok_or("--region takes us|eu|apac")?.parse::<Region>()?),
            other => return Err(format!("unknown argument `{other}`: use --legacy PATH (--base-url URL | --region us|eu|apac)").into()),
        }
    }
    if !legacy.exists() {
        create_demo_table(&legacy)?;
        println!("made {} with demo rows", legacy.display());
    }
    let token = std::env::var("TRAY_MASTER_TOKEN").map_err(|_| "set TRAY_MASTER_TOKEN")?;
    let mut client = Client::builder().master_token(Secret::from(token));
    client = match (base_url, region) {
        (Some(url), _) => client.base_url(url),
        (None, Some(region)) => client.region(region),
        (None, None) => return Err("say --base-url URL or --region us|eu|apac".into()),
    };
    let mut journal_path = legacy.clone().into_os_string();
    journal_path.push(".journal.sqlite");
    let summary = import_legacy(&legacy, client.build()?, Journal::open(journal_path)?).await?;
    println!(
        "{} created now, {} before; {} invalid, {} failed, {} unknown",
        summary.created, summary.already_created, summary.invalid, summary.failed, summary.unknown
    );
    Ok(())
}
