//! Long-running operations of both shapes, end to end through generated
//! clients: Gemini's `tunedModels.create` (AIP-151, polled by name) and
//! Compute's `instances.insert`/`firewalls.insert` (polled through the
//! zonal or global `operations.get` the `selfLink` names).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::{emulator, sign_in};
use gapi_runtime::futures_util::StreamExt;

fn fast<O: serde::de::DeserializeOwned + Send + 'static>(
    poller: gapi_runtime::lro::Poller<O>,
) -> gapi_runtime::lro::Poller<O> {
    poller
        .initial_delay(Duration::from_millis(5))
        .max_delay(Duration::from_millis(20))
}

#[tokio::test]
async fn a_gemini_tuning_operation_is_polled_by_name_until_done() {
    use gapi_generativelanguage_v1beta::types::TunedModel;
    let emu = emulator(true).await;
    let gemini = gapi_generativelanguage_v1beta::GenerativeLanguage::builder()
        .root_url(emu.root_url())
        .credentials(gapi_auth::ApiKey::new("emulator-key"))
        .build()
        .unwrap();
    let model = |name: &str| {
        TunedModel::default()
            .with_display_name(name)
            .with_base_model("models/gemini-2.0-flash")
    };
    let before = emu.served().len();
    let done = fast(gemini.tuned_models().create(model("poems")).poll())
        .until_done()
        .await
        .unwrap();
    assert_eq!(done.done, Some(true));
    let response = done.response.expect("the tuned model");
    assert_eq!(response["displayName"], "poems");
    assert_eq!(response["state"], "ACTIVE");
    let name = done.name.unwrap();
    let served = emu.served()[before..].to_vec();
    assert_eq!(served[0], "POST /v1beta/tunedModels");
    assert_eq!(
        served.len(),
        4,
        "the call, two polls running, one done: {served:?}"
    );
    assert!(
        served[1..]
            .iter()
            .all(|s| *s == format!("GET /v1beta/{name}")),
        "{served:?}"
    );

    // Every state, as a stream.
    let states: Vec<_> = fast(gemini.tuned_models().create(model("haiku")).poll())
        .stream()
        .collect()
        .await;
    let done_flags: Vec<Option<bool>> = states.iter().map(|s| s.as_ref().unwrap().done).collect();
    assert_eq!(
        done_flags,
        vec![Some(false), Some(false), Some(false), Some(true)]
    );

    // An operation that fails is an error carrying Google's `error` object.
    let error = fast(gemini.tuned_models().create(model("fail: no data")).poll())
        .until_done()
        .await
        .unwrap_err();
    assert_eq!(error.operation_error().unwrap()["code"], 3);
    assert!(
        error.to_string().contains("Training data is empty"),
        "{error}"
    );
    assert_eq!(error.method(), "generativelanguage.tunedModels.create");
}

#[tokio::test]
async fn compute_operations_are_polled_where_their_self_link_points() {
    use gapi_compute_v1::types::{Firewall, Instance};
    let emu = emulator(true).await;
    let compute = gapi_compute_v1::Compute::builder()
        .root_url(emu.root_url())
        .credentials(sign_in(&emu).await)
        .build()
        .unwrap();
    let instance = |name: &str| Instance::default().with_name(name);

    // Zonal: instances.insert, polled through zoneOperations.get.
    let before = emu.served().len();
    let done = fast(
        compute
            .instances()
            .insert("my-project", "us-central1-a", instance("vm-1"))
            .poll(),
    )
    .until_done()
    .await
    .unwrap();
    assert_eq!(
        done.status,
        Some(gapi_compute_v1::types::OperationStatus::Done)
    );
    assert!(done
        .target_link
        .unwrap()
        .ends_with("/zones/us-central1-a/instances/vm-1"));
    let op = done.name.unwrap();
    assert_eq!(
        emu.served()[before..].to_vec(),
        vec![
            "POST /compute/v1/projects/my-project/zones/us-central1-a/instances".to_string(),
            format!("GET /compute/v1/projects/my-project/zones/us-central1-a/operations/{op}"),
            format!("GET /compute/v1/projects/my-project/zones/us-central1-a/operations/{op}"),
            format!("GET /compute/v1/projects/my-project/zones/us-central1-a/operations/{op}"),
        ]
    );

    // Global: firewalls.insert, polled through globalOperations.get.
    let before = emu.served().len();
    let firewall = Firewall::default().with_name("allow-ssh");
    fast(compute.firewalls().insert("my-project", firewall).poll())
        .until_done()
        .await
        .unwrap();
    let served = emu.served()[before..].to_vec();
    assert!(
        served[1].starts_with("GET /compute/v1/projects/my-project/global/operations/operation-"),
        "{served:?}"
    );

    // A failed operation: Compute's error.errors[].
    let error = fast(
        compute
            .instances()
            .insert("my-project", "us-central1-a", instance("fail-big"))
            .poll(),
    )
    .until_done()
    .await
    .unwrap_err();
    assert!(error.to_string().contains("QUOTA_EXCEEDED"), "{error}");
    assert_eq!(
        error.operation_error().unwrap()["errors"][0]["code"],
        "QUOTA_EXCEEDED"
    );

    // Not done in time.
    let error = compute
        .instances()
        .insert("my-project", "us-central1-a", instance("vm-slow"))
        .poll()
        .initial_delay(Duration::from_millis(50))
        .timeout(Duration::from_millis(10))
        .until_done()
        .await
        .unwrap_err();
    assert!(error.is_timeout(), "{error}");

    // An operation in hand (from a listing, or saved) is resumed.
    let started = compute
        .instances()
        .insert("my-project", "us-central1-a", instance("vm-2"))
        .execute()
        .await
        .unwrap();
    let done = fast(
        gapi_runtime::lro::Poller::resume(
            compute.client(),
            &gapi_compute_v1::OPERATION_POLLING,
            &started,
        )
        .unwrap(),
    )
    .until_done()
    .await
    .unwrap();
    assert_eq!(done.name, started.name);
}
