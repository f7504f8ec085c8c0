//! Long-running operations of both shapes, end to end through generated
//! clients: Gemini's `tunedModels.create` (AIP-151, polled by name), App
//! Engine's `versions.create` (AIP-151, its getter taking the name's parts)
//! and Compute's `instances.insert`/`firewalls.insert` (waited on through
//! the zonal or global `operations.wait` the `selfLink` names).

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

    // The response, typed: what the operation's `response` map holds.
    let typed: TunedModel = fast(gemini.tuned_models().create(model("sonnets")).poll())
        .until_response()
        .await
        .unwrap();
    assert_eq!(typed.display_name.as_deref(), Some("sonnets"));
    assert_eq!(typed.base_model.as_deref(), Some("models/gemini-2.0-flash"));

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

    // Zonal: instances.insert, waited on through zoneOperations.wait (the
    // server answers once the operation is done: one call, not a poll loop).
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
            format!(
                "POST /compute/v1/projects/my-project/zones/us-central1-a/operations/{op}/wait"
            ),
        ]
    );

    // Global: firewalls.insert, waited on through globalOperations.wait.
    let before = emu.served().len();
    let firewall = Firewall::default().with_name("allow-ssh");
    fast(compute.firewalls().insert("my-project", firewall).poll())
        .until_done()
        .await
        .unwrap();
    let served = emu.served()[before..].to_vec();
    assert!(
        served[1].starts_with("POST /compute/v1/projects/my-project/global/operations/operation-")
            && served[1].ends_with("/wait"),
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

    // Compute's operations carry no `response`: asking for one says where
    // the resource is instead.
    let finished = fast(
        compute
            .instances()
            .insert("my-project", "us-central1-a", instance("vm-3"))
            .poll(),
    )
    .until_finished()
    .await
    .unwrap();
    let error = finished.response::<Instance>().unwrap_err();
    assert!(error.to_string().contains("targetLink"), "{error}");

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

#[tokio::test]
async fn an_app_engine_operation_is_polled_through_the_parts_of_its_name() {
    use gapi_appengine_v1::types::Version;
    let emu = emulator(true).await;
    let app_engine = gapi_appengine_v1::Appengine::builder()
        .root_url(emu.root_url())
        .credentials(sign_in(&emu).await)
        .build()
        .unwrap();
    let version = |id: &str| Version::default().with_id(id).with_runtime("python312");
    let before = emu.served().len();
    let finished = fast(
        app_engine
            .apps()
            .services()
            .versions()
            .create("my-app", "default", version("v42"))
            .poll(),
    )
    .until_finished()
    .await
    .unwrap();
    let name = finished.operation.name.clone().unwrap();
    let op = name
        .strip_prefix("apps/my-app/operations/")
        .expect("App Engine names operations apps/A/operations/O");
    let served = emu.served()[before..].to_vec();
    assert_eq!(served[0], "POST /v1/apps/my-app/services/default/versions");
    assert_eq!(served.len(), 4, "{served:?}");
    assert!(
        served[1..]
            .iter()
            .all(|s| *s == format!("GET /v1/apps/my-app/operations/{op}")),
        "the name's parts fill appsId and operationsId: {served:?}"
    );

    // The result and the metadata, typed as the caller names them.
    let created: Version = finished.response().unwrap();
    assert_eq!(created.id.as_deref(), Some("v42"));
    assert_eq!(
        created.name.as_deref(),
        Some("apps/my-app/services/default/versions/v42")
    );
    let metadata: gapi_appengine_v1::types::OperationMetadataV1 = finished.metadata().unwrap();
    assert_eq!(
        metadata.target.as_deref(),
        Some("apps/my-app/services/default/versions/v42")
    );
    // A result of the wrong type is a decode error naming the field.
    let wrong = finished.response::<Vec<String>>().unwrap_err();
    assert!(wrong.is_decode(), "{wrong}");

    // A failed operation.
    let error = fast(
        app_engine
            .apps()
            .services()
            .versions()
            .create("my-app", "default", version("fail-1"))
            .poll(),
    )
    .until_done()
    .await
    .unwrap_err();
    assert_eq!(error.operation_error().unwrap()["code"], 9);

    // App Engine has no operations.cancel: the canceller says so.
    let poller = app_engine
        .apps()
        .services()
        .versions()
        .create("my-app", "default", version("v43"))
        .poll();
    let canceller = poller.canceller();
    let not_yet = canceller.cancel().await.unwrap_err();
    assert!(not_yet.to_string().contains("not started"), "{not_yet}");
    let mut states = fast(poller).stream();
    states.next().await.unwrap().unwrap();
    let none = canceller.cancel().await.unwrap_err();
    assert!(none.to_string().contains("no operations.cancel"), "{none}");
}
