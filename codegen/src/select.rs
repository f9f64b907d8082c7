//! Which snapshots of a folder to generate: [`Config::only`](crate::Config::only)'s entries,
//! `mailchimp` (every version of the service) or `slack@4` (one version).
//!
//! Module names do not depend on the selection: with `slack-3.json` and `slack-4.json` in the
//! folder, `only = ["slack@4"]` still gives `slack_v4`, so that code written against a
//! selection compiles against the whole folder too.

use tray_schema::printable::shown;
use tray_schema::snapshot::Snapshot;

/// An `only` entry that is not `name` or `name@version`, or that matches no snapshot in the
/// folder. Its `Display` says which, lists what the folder holds and suggests the nearest.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {message}", shown(entry))]
pub struct SelectionError {
    /// The entry as given.
    pub entry: String,
    /// What is wrong and what to do.
    pub message: String,
}

/// One entry: a service name, and a version when one is named.
struct Entry<'a> {
    name: &'a str,
    version: Option<u32>,
}

impl<'a> Entry<'a> {
    fn parse(entry: &'a str) -> Result<Self, SelectionError> {
        let error = |message: String| SelectionError {
            entry: entry.to_owned(),
            message,
        };
        let (name, version) = match entry.rsplit_once('@') {
            Some((name, version)) => {
                let version = version.parse::<u32>().map_err(|_| {
                    error(format!("{} is not a service version (an integer): write `name` or `name@version`, as `slack@4`", shown(version)))
                })?;
                (name, Some(version))
            }
            None => (entry, None),
        };
        if name.is_empty() {
            return Err(error(
                "names no service: write `name` or `name@version`, as `slack@4`".to_owned(),
            ));
        }
        Ok(Entry { name, version })
    }

    fn matches(&self, snapshot: &Snapshot) -> bool {
        snapshot.service_name() == self.name
            && self.version.is_none_or(|v| v == snapshot.service_version())
    }
}

/// Which of `snapshots` the entries select (all of them when there are no entries), as one
/// flag per snapshot; an error for the first entry that is malformed or matches nothing.
pub fn selected(entries: &[String], snapshots: &[Snapshot]) -> Result<Vec<bool>, SelectionError> {
    if entries.is_empty() {
        return Ok(vec![true; snapshots.len()]);
    }
    let mut keep = vec![false; snapshots.len()];
    for raw in entries {
        let entry = Entry::parse(raw)?;
        let mut found = false;
        for (i, snapshot) in snapshots.iter().enumerate() {
            if entry.matches(snapshot) {
                keep[i] = true;
                found = true;
            }
        }
        if !found {
            return Err(SelectionError {
                entry: raw.clone(),
                message: no_match(&entry, snapshots),
            });
        }
    }
    Ok(keep)
}

/// Why `entry` matches nothing: the versions of its service the folder holds, or else the
/// nearest service and everything the folder holds.
fn no_match(entry: &Entry<'_>, snapshots: &[Snapshot]) -> String {
    let held = |s: &Snapshot| shown(&format!("{}@{}", s.service_name(), s.service_version()));
    let same_service: Vec<String> = snapshots
        .iter()
        .filter(|s| s.service_name() == entry.name)
        .map(held)
        .collect();
    if !same_service.is_empty() {
        return format!(
            "matches no snapshot: the folder holds {} of that service",
            same_service.join(", ")
        );
    }
    if snapshots.is_empty() {
        return "matches no snapshot: the folder holds none".to_owned();
    }
    let near = snapshots
        .iter()
        .map(|s| {
            let known = match entry.version {
                Some(_) => format!("{}@{}", s.service_name(), s.service_version()),
                None => s.service_name().to_owned(),
            };
            let score = strsim::jaro_winkler(&entry.name.to_lowercase(), s.service_name());
            (score, known)
        })
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, known)| format!(" (did you mean {}?)", shown(&known)))
        .unwrap_or_default();
    let all: Vec<String> = snapshots.iter().map(held).collect();
    format!(
        "matches no snapshot{near}; the folder holds {}",
        all.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(name: &str, version: u32) -> Snapshot {
        let value = serde_json::json!({
            "connector": {"service": {"name": name, "version": version}},
            "environments": [],
        });
        Snapshot::from_value(Snapshot::file_name(name, version), value).unwrap()
    }

    fn folder() -> Vec<Snapshot> {
        vec![
            snapshot("mailchimp", 1),
            snapshot("slack", 3),
            snapshot("slack", 4),
        ]
    }

    fn select(entries: &[&str]) -> Result<Vec<bool>, String> {
        let entries: Vec<String> = entries.iter().map(|e| e.to_string()).collect();
        selected(&entries, &folder()).map_err(|e| e.to_string())
    }

    #[test]
    fn names_select_every_version_and_versions_one() {
        assert_eq!(select(&[]), Ok(vec![true, true, true]));
        assert_eq!(select(&["slack"]), Ok(vec![false, true, true]));
        assert_eq!(
            select(&["slack@4", "mailchimp"]),
            Ok(vec![true, false, true])
        );
    }

    #[test]
    fn an_entry_matching_nothing_lists_the_folder_and_suggests() {
        assert_eq!(
            select(&["slak@4"]).unwrap_err(),
            r#""slak@4": matches no snapshot (did you mean "slack@4"?); the folder holds "mailchimp@1", "slack@3", "slack@4""#
        );
        assert_eq!(
            select(&["slack@5"]).unwrap_err(),
            r#""slack@5": matches no snapshot: the folder holds "slack@3", "slack@4" of that service"#
        );
        assert_eq!(
            select(&["mailchim"]).unwrap_err(),
            r#""mailchim": matches no snapshot (did you mean "mailchimp"?); the folder holds "mailchimp@1", "slack@3", "slack@4""#
        );
        let far = select(&["zendesk"]).unwrap_err();
        assert!(!far.contains("did you mean"), "{far}");
    }

    #[test]
    fn malformed_entries_say_how_to_write_one() {
        assert_eq!(
            select(&["slack@four"]).unwrap_err(),
            r#""slack@four": "four" is not a service version (an integer): write `name` or `name@version`, as `slack@4`"#
        );
        assert!(select(&["@4"]).unwrap_err().contains("names no service"));
    }
}
