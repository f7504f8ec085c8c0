//! Long-running operations are found in the documents, not in a list of
//! APIs: both shapes are recognised where Google uses them, polled through
//! the right methods, and only methods that start an operation get `.poll()`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use gapi_codegen::ir::{Api, Method, OperationShape, Polling, Resource};
use gapi_discovery::{parse_file, pinned, Strictness};

fn lower(stem: &str) -> Api {
    let path = pinned::cache_dir().join(format!("{stem}.json"));
    let doc = parse_file(&path, Strictness::Lenient)
        .unwrap_or_else(|e| {
            panic!(
                "{}: {e} (run `cargo run -p gapi-codegen -- sync`)",
                path.display()
            )
        })
        .doc;
    gapi_codegen::Generator::new(&doc).lower()
}

fn methods(api: &Api) -> Vec<&Method> {
    fn walk<'a>(r: &'a Resource, out: &mut Vec<&'a Method>) {
        out.extend(&r.methods);
        for child in &r.resources {
            walk(child, out);
        }
    }
    let mut out: Vec<&Method> = api.methods.iter().collect();
    for module in &api.resources {
        walk(&module.resource, &mut out);
    }
    out
}

fn polled(api: &Api, id: &str) -> bool {
    polling_of(api, id).is_some()
}

/// The polling of the operation `id` starts.
fn polling_of<'a>(api: &'a Api, id: &str) -> Option<&'a Polling> {
    let name = methods(api)
        .iter()
        .find(|m| m.id == id)
        .unwrap_or_else(|| panic!("{id} not in {}", api.id))
        .polling
        .clone()?;
    api.pollings.iter().find(|p| p.static_name == name)
}

#[test]
fn compute_operations_poll_through_zonal_regional_and_global_gets() {
    let api = lower("compute.v1");
    assert_eq!(api.pollings.len(), 1);
    assert_eq!(api.pollings[0].shape, OperationShape::Compute);
    let ids: Vec<&str> = api.pollings[0]
        .methods
        .iter()
        .map(|m| m.get.id.as_str())
        .collect();
    for expected in [
        "compute.zoneOperations.get",
        "compute.regionOperations.get",
        "compute.globalOperations.get",
    ] {
        assert!(ids.contains(&expected), "{ids:?}");
    }
    assert!(polled(&api, "compute.instances.insert"));
    assert!(polled(&api, "compute.firewalls.delete"));
    assert!(!polled(&api, "compute.zoneOperations.get"));
    assert!(!polled(&api, "compute.instances.get"));
    let zonal = &api.pollings[0].methods[ids
        .iter()
        .position(|id| *id == "compute.zoneOperations.get")
        .unwrap()];
    assert_eq!(
        zonal.wait.as_ref().map(|w| w.id.as_str()),
        Some("compute.zoneOperations.wait"),
        "Compute's operations are waited on where the API can"
    );

    let sql = lower("sqladmin.v1");
    assert_eq!(sql.pollings[0].shape, OperationShape::Compute);
    assert_eq!(sql.pollings[0].methods[0].get.id, "sql.operations.get");
    assert_eq!(
        sql.pollings[0].methods[0]
            .cancel
            .as_ref()
            .map(|c| c.id.as_str()),
        Some("sql.operations.cancel")
    );
    assert!(polled(&sql, "sql.instances.insert"));
}

#[test]
fn aip_operations_poll_by_name() {
    for (stem, starts) in [
        (
            "aiplatform.v1",
            "aiplatform.projects.locations.datasets.create",
        ),
        (
            "generativelanguage.v1beta",
            "generativelanguage.tunedModels.create",
        ),
        ("run.v2", "run.projects.locations.services.create"),
    ] {
        let api = lower(stem);
        let polling = api
            .pollings
            .iter()
            .find(|p| p.schema.ends_with("Operation"))
            .unwrap_or_else(|| panic!("{stem}: no operation found"));
        assert_eq!(polling.shape, OperationShape::Aip, "{stem}");
        assert_eq!(polling.addressing(), "name", "{stem}");
        let get = &polling.methods[0].get;
        assert!(get.id.ends_with("operations.get"), "{stem}: {}", get.id);
        assert!(get.path.ends_with("{+name}"), "{}", get.path);
        assert!(polled(&api, starts), "{stem}: {starts}");
        assert!(!polled(&api, &get.id));
    }
    let vertex = lower("aiplatform.v1");
    let methods = &polling_of(&vertex, "aiplatform.projects.locations.datasets.create")
        .unwrap()
        .methods[0];
    assert_eq!(
        methods.cancel.as_ref().map(|c| c.path.as_str()),
        Some("v1/{+name}:cancel")
    );
    assert_eq!(
        methods.wait.as_ref().map(|c| c.path.as_str()),
        Some("v1/{+name}:wait")
    );
}

/// The operations whose getter is not `{+name}`, or whose schema is not
/// the getter's: each gets `.poll()` through the getter that fetches it.
#[test]
fn operations_polled_through_getters_that_are_not_plus_name() {
    for (stem, starts, get, addressing) in [
        (
            "appengine.v1",
            "appengine.apps.services.versions.create",
            "appengine.apps.operations.get",
            "name parts",
        ),
        (
            "storage.v1",
            "storage.buckets.relocate",
            "storage.buckets.operations.get",
            "name parts",
        ),
        (
            "storage.v1",
            "storage.folders.rename",
            "storage.buckets.operations.get",
            "name parts",
        ),
        (
            "drive.v3",
            "drive.files.download",
            "drive.operations.get",
            "name",
        ),
        (
            "streetviewpublish.v1",
            "streetviewpublish.photoSequence.create",
            "streetviewpublish.photoSequence.get",
            "name",
        ),
        (
            "generativelanguage.v1beta",
            "generativelanguage.media.uploadToFileSearchStore",
            "generativelanguage.models.operations.get",
            "name",
        ),
    ] {
        let api = lower(stem);
        let polling = polling_of(&api, starts).unwrap_or_else(|| panic!("{starts} has no poll"));
        assert_eq!(polling.shape, OperationShape::Aip, "{starts}");
        assert_eq!(polling.methods[0].get.id, get, "{starts}");
        assert_eq!(polling.addressing(), addressing, "{starts}");
    }
    // A GET that returns an operation is not always its getter: Cloud
    // Identity's `getMembershipGraph` starts one, and nothing fetches it.
    let identity = lower("cloudidentity.v1");
    assert!(!polled(
        &identity,
        "cloudidentity.groups.memberships.getMembershipGraph"
    ));
    let storage = lower("storage.v1");
    let relocate = polling_of(&storage, "storage.buckets.relocate").unwrap();
    assert_eq!(
        relocate.methods[0].cancel.as_ref().map(|c| c.id.as_str()),
        Some("storage.buckets.operations.cancel")
    );
}

#[test]
fn apis_without_operations_get_no_poller() {
    for stem in ["oauth2.v2", "gmail.v1"] {
        let api = lower(stem);
        assert!(api.pollings.is_empty(), "{stem}: {:?}", api.pollings);
        assert!(methods(&api).iter().all(|m| m.polling.is_none()));
    }
}
