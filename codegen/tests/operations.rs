//! Long-running operations are found in the documents, not in a list of
//! APIs: both shapes are recognised where Google uses them, polled through
//! the right methods, and only methods that start an operation get `.poll()`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use gapi_codegen::ir::{Api, Method, PollingStyle, Resource};
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
    methods(api)
        .iter()
        .find(|m| m.id == id)
        .unwrap_or_else(|| panic!("{id} not in {}", api.id))
        .polling
        .is_some()
}

#[test]
fn compute_operations_poll_through_zonal_regional_and_global_gets() {
    let api = lower("compute.v1");
    assert_eq!(api.pollings.len(), 1);
    let PollingStyle::BySelfLink { gets } = &api.pollings[0].style else {
        panic!("compute's Operation is Compute-style");
    };
    let ids: Vec<&str> = gets.iter().map(|g| g.id.as_str()).collect();
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

    let sql = lower("sqladmin.v1");
    assert!(
        matches!(&sql.pollings[0].style, PollingStyle::BySelfLink { gets } if gets[0].id == "sql.operations.get")
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
        let PollingStyle::ByName { get, param } = &polling.style else {
            panic!("{stem}: AIP-style expected");
        };
        assert!(get.id.ends_with("operations.get"), "{stem}: {}", get.id);
        assert!(get.path.ends_with(&format!("{{+{param}}}")), "{}", get.path);
        assert!(polled(&api, starts), "{stem}: {starts}");
        assert!(!polled(&api, &get.id));
    }
}

#[test]
fn apis_without_operations_get_no_poller() {
    for stem in ["drive.v3", "oauth2.v2", "gmail.v1"] {
        let api = lower(stem);
        assert!(api.pollings.is_empty(), "{stem}: {:?}", api.pollings);
        assert!(methods(&api).iter().all(|m| m.polling.is_none()));
    }
}
