//! The generated crate's list of connectors carries what each was generated from.

use std::collections::BTreeMap;

use tray_connectors::CONNECTORS;

#[test]
fn each_connector_carries_the_snapshot_it_was_generated_from() {
    let root = tray_tests::repo_root();
    // Each service environment is in exactly one entry of its service: the entry of the types
    // it pairs with.
    let mut environments: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for entry in CONNECTORS {
        let compiled = entry.compiled_snapshot().unwrap();
        let file_name = format!("{}-{}.json", entry.service_name(), entry.service_version());
        let on_disk =
            tray_schema::snapshot::Snapshot::read(&root.join("schemas").join(&file_name)).unwrap();
        // The same JSON, key order included: a diff of the two finds nothing.
        assert_eq!(compiled.to_text(), on_disk.to_text(), "{file_name}");
        assert!(!entry.environments().is_empty(), "{file_name}");
        environments
            .entry(file_name)
            .or_default()
            .extend(entry.environments().iter().map(|e| e.id));
    }
    for (file_name, mut ids) in environments {
        let on_disk =
            tray_schema::snapshot::Snapshot::read(&root.join("schemas").join(&file_name)).unwrap();
        let mut listed: Vec<&str> = on_disk
            .environments
            .iter()
            .filter_map(|e| e["id"].as_str())
            .collect();
        ids.sort_unstable();
        listed.sort_unstable();
        assert_eq!(ids, listed, "{file_name}");
    }
}

#[test]
fn an_environment_with_schemas_of_its_own_has_an_entry_of_its_own() {
    use tray_auth::Connector;
    use tray_connectors::zendesk;
    let zendesk: Vec<_> = CONNECTORS
        .iter()
        .filter(|e| e.service_name() == "zendesk")
        .collect();
    assert_eq!(zendesk.len(), 2, "{zendesk:?}");
    let titles: Vec<Vec<&str>> = zendesk
        .iter()
        .map(|e| e.environments().iter().map(|env| env.title).collect())
        .collect();
    assert_eq!(titles, [vec!["Production"], vec!["Custom OAuth app"]]);
    // The constant is typed for its environment's own marker, which knows only it.
    assert_eq!(
        zendesk::CUSTOM_OAUTH_APP.environment().map(|e| e.title),
        Some("Custom OAuth app")
    );
    assert_eq!(
        <zendesk::custom_oauth_app::CustomOauthApp as Connector>::SNAPSHOT,
        <zendesk::Zendesk as Connector>::SNAPSHOT
    );
}
