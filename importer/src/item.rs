//! What an import takes: one authentication to create for one end user, with a key that
//! identifies it across runs.

use std::fmt;

use tray_auth::registry::{ConnectorEntry, Problem};
use tray_auth::{Connector, CreateAuthentication};

use crate::catalog::Catalog;
use crate::check::{check, CheckedRow};
use crate::identity::{Digester, Identity};
use crate::input::{Row, RowProblem};

/// One authentication to import: from your own code (typed, checked by the compiler) with
/// [`ImportItem::new`], or from a file row (checked at run time against the schemas Tray
/// serves now) with [`ImportItem::from_row`].
///
/// ```
/// use tray_auth::{CreateAuthentication, Secret};
/// use tray_connectors::mailchimp;
/// use tray_import::ImportItem;
///
/// let item = ImportItem::new(
///     "legacy-auth-17",     // stable across runs: the journal knows the row by it
///     "customer-42",        // the end user's id in your system
///     CreateAuthentication::new(
///         "Bolo's Mailchimp",
///         mailchimp::PRODUCTION,
///         mailchimp::Credentials {
///             access_token: Secret::from("a22x-us21"),
///             dc: "us21".to_owned(),
///             expires_in: None,
///         },
///     ),
/// );
/// assert!(item.problems().is_empty());
/// assert!(!format!("{item:?}").contains("a22x"));
/// ```
pub struct ImportItem {
    pub(crate) number: Option<u64>,
    pub(crate) key: String,
    pub(crate) external_user_id: String,
    pub(crate) name: String,
    /// `service@version`, when known (always for typed items; for valid file rows).
    connector: Option<String>,
    service_environment_id: Option<String>,
    /// The digest of the schemas a file row was checked against, when its environment was
    /// found (typed items were checked by the compiler).
    schema_digest: Option<String>,
    /// The compiled connector of a typed item, checked against Tray before its first create.
    entry: Option<ConnectorEntry>,
    pub(crate) content: Result<CheckedRow, Vec<Problem>>,
}

impl ImportItem {
    /// A typed authentication for the end user `external_user_id`, known across runs as `key`.
    ///
    /// It is checked with [`CreateAuthentication::validate`] (patterns, lengths, ranges) and
    /// turned into Tray's body once, here; a payload that does not validate becomes an
    /// `invalid` row that never reaches Tray.
    pub fn new<C: Connector>(
        key: impl Into<String>,
        external_user_id: impl Into<String>,
        payload: CreateAuthentication<C>,
    ) -> ImportItem {
        let key = key.into();
        let external_user_id = external_user_id.into();
        let name = payload.name().to_owned();
        let service_environment_id = payload.service_environment_id().to_string();
        let connector = format!("{}@{}", C::SERVICE_NAME, C::SERVICE_VERSION);
        let content = payload.body().map(|body| CheckedRow {
            number: 0,
            key: key.clone(),
            external_user_id: external_user_id.clone(),
            connector: connector.clone(),
            service_environment_id: service_environment_id.clone(),
            name: name.clone(),
            body,
        });
        ImportItem {
            number: None,
            key,
            external_user_id,
            name,
            connector: Some(connector),
            service_environment_id: Some(service_environment_id),
            schema_digest: None,
            entry: Some(ConnectorEntry::of::<C>()),
            content,
        }
    }

    /// A row that cannot become an authentication (a NULL column, a value your code cannot
    /// map): it is journaled and reported as `invalid` with `problem` (a pointer into Tray's
    /// body and what is wrong; never the value) and never sent. A later run that gives a
    /// valid item under the same key sends it.
    ///
    /// ```
    /// use tray_auth::registry::Problem;
    /// use tray_import::ImportItem;
    ///
    /// let item = ImportItem::invalid(
    ///     "legacy-auth-18",
    ///     "customer-43",
    ///     "Ann's Mailchimp",
    ///     Problem {
    ///         pointer: "/credentials/access_token".into(),
    ///         message: "the legacy row has no token (NULL in oauth_token)".into(),
    ///     },
    /// );
    /// assert_eq!(item.problems()[0].pointer, "/credentials/access_token");
    /// ```
    pub fn invalid(
        key: impl Into<String>,
        external_user_id: impl Into<String>,
        name: impl Into<String>,
        problem: Problem,
    ) -> ImportItem {
        ImportItem {
            number: None,
            key: key.into(),
            external_user_id: external_user_id.into(),
            name: name.into(),
            connector: None,
            service_environment_id: None,
            schema_digest: None,
            entry: None,
            content: Err(vec![problem]),
        }
    }

    /// A row read from a file ([`crate::input`]), checked against its service environment's
    /// schemas in `catalog` (what Tray serves now, or snapshot files). A row that cannot be
    /// read or does not fit them becomes an `invalid` row, with its problems.
    pub fn from_row(catalog: &Catalog, row: Result<Row, RowProblem>) -> ImportItem {
        match row {
            Ok(row) => {
                let content = check(catalog, &row);
                let schema_digest = catalog.schema_digest(&row);
                let checked = content.as_ref().ok();
                ImportItem {
                    number: Some(row.number),
                    key: row.key,
                    external_user_id: row.external_user_id,
                    name: row.name,
                    connector: checked.map(|c| c.connector.clone()),
                    service_environment_id: checked.map(|c| c.service_environment_id.clone()),
                    schema_digest,
                    // Checked against the live schemas, not a compiled snapshot.
                    entry: None,
                    content,
                }
            }
            Err(problem) => {
                let pointer = if problem.field.is_empty() {
                    String::new()
                } else {
                    format!("/{}", problem.field.replace('.', "/"))
                };
                ImportItem {
                    number: Some(problem.row),
                    key: format!("row-{}", problem.row),
                    external_user_id: String::new(),
                    name: String::new(),
                    connector: None,
                    service_environment_id: None,
                    schema_digest: None,
                    entry: None,
                    content: Err(vec![Problem {
                        pointer,
                        message: problem.message,
                    }]),
                }
            }
        }
    }

    /// Sets the row number shown in reports (by default, the item's position in the input,
    /// counting from 1).
    #[must_use]
    pub fn row_number(mut self, number: u64) -> ImportItem {
        self.number = Some(number);
        self
    }

    /// The item's key.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The row number it was given (file rows have theirs), if any.
    pub fn row(&self) -> Option<u64> {
        self.number
    }

    /// The end user's id in your system (empty for a file row that could not be read).
    pub fn external_user_id(&self) -> &str {
        &self.external_user_id
    }

    /// The authentication's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The compiled connector of a typed item that can be sent: the one to check against Tray
    /// before its first create.
    pub(crate) fn connector_entry(&self) -> Option<ConnectorEntry> {
        self.entry.filter(|_| self.content.is_ok())
    }

    /// What the item's key stands for, as the journal records it.
    pub(crate) fn identity(&self, digester: &Digester) -> Identity {
        Identity {
            external_user_id: self.external_user_id.clone(),
            connector: self.connector.clone(),
            service_environment_id: self.service_environment_id.clone(),
            name: self.name.clone(),
            digest: self
                .content
                .as_ref()
                .ok()
                .map(|row| digester.digest(&row.body)),
            schema_digest: self.schema_digest.clone(),
        }
    }

    /// The digest of the schemas a file row was checked against (`None` for typed items, and
    /// for rows whose service environment was not found).
    pub fn schema_digest(&self) -> Option<&str> {
        self.schema_digest.as_deref()
    }

    /// What is wrong with the item (empty when it can be sent). Pointers, never values.
    pub fn problems(&self) -> &[Problem] {
        match &self.content {
            Ok(_) => &[],
            Err(problems) => problems,
        }
    }
}

impl fmt::Debug for ImportItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The body holds credentials: only what identifies the item is shown.
        f.debug_struct("ImportItem")
            .field("number", &self.number)
            .field("key", &self.key)
            .field("external_user_id", &self.external_user_id)
            .field("name", &self.name)
            .field("problems", &self.problems())
            .finish_non_exhaustive()
    }
}

/// What [`Importer::run`](crate::Importer::run) takes: an [`ImportItem`], or a reader's `Result<ImportItem, E>`,
/// whose first `Err` stops the run cleanly (nothing after it is read; what is in flight
/// finishes and is journaled) and comes back as [`ImportError::Input`](crate::ImportError::Input).
pub trait IntoImportItem: Send + 'static {
    /// The item, or the reader's error.
    fn into_import_item(self) -> Result<ImportItem, Box<dyn std::error::Error + Send + Sync>>;
}

impl IntoImportItem for ImportItem {
    fn into_import_item(self) -> Result<ImportItem, Box<dyn std::error::Error + Send + Sync>> {
        Ok(self)
    }
}

impl<E> IntoImportItem for Result<ImportItem, E>
where
    E: Into<Box<dyn std::error::Error + Send + Sync>> + Send + 'static,
{
    fn into_import_item(self) -> Result<ImportItem, Box<dyn std::error::Error + Send + Sync>> {
        self.map_err(Into::into)
    }
}
