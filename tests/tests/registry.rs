//! The generated crate's list of connectors carries what each was generated from.

use tray_connectors::CONNECTORS;

#[test]
fn each_connector_carries_the_snapshot_it_was_generated_from() {
    let root = tray_tests::repo_root();
    for entry in CONNECTORS {
        let compiled = entry.compiled_snapshot().unwrap();
        let file_name = format!("{}-{}.json", entry.service_name(), entry.service_version());
        let on_disk =
            tray_schema::snapshot::Snapshot::read(&root.join("schemas").join(&file_name)).unwrap();
        // The same JSON, key order included: a diff of the two finds nothing.
        assert_eq!(compiled.to_text(), on_disk.to_text(), "{file_name}");
        let ids: Vec<&str> = entry.environments().iter().map(|e| e.id).collect();
        let listed: Vec<&str> = compiled
            .environments
            .iter()
            .filter_map(|e| e["id"].as_str())
            .collect();
        assert_eq!(ids, listed, "{file_name}");
    }
    assert!(!CONNECTORS.is_empty());
}
