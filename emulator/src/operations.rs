//! Long-running operations of both shapes Google uses:
//! - **AIP-151**, for Gemini's `tunedModels.create`: an operation named
//!   `tunedModels/ID/operations/OP` with `done` and then `response` (the
//!   tuned model) or `error`, fetched at `GET /v1beta/{name}`;
//! - **Compute**, for `instances.insert` (zonal) and `firewalls.insert`
//!   (global): `status` going `PENDING` → `RUNNING` → `DONE`, a `selfLink`
//!   to the zonal or global operation, and failures in `error.errors[]`.
//!
//! - **AIP-151 under an App Engine path**, for
//!   `apps.services.versions.create`: named `apps/A/operations/O`, fetched
//!   at `GET /v1/apps/{appsId}/operations/{operationsId}` (the name's parts,
//!   not `{+name}`), ending with the version.
//!
//! Compute's `operations.wait` (`POST …/operations/{operation}/wait`)
//! answers with the final state at once, as Google's does once the
//! operation is done.
//!
//! Each operation is done after [`POLLS_BEFORE_DONE`] fetches. A name (the
//! tuned model's display name, the instance's or firewall's name) that
//! starts with `fail` makes the operation end with an error.

use std::collections::HashMap;

use hyper::Response;
use serde_json::{json, Value};

use crate::http_util::{google_error, json, Body};

/// How many fetches of an operation find it still running.
pub(crate) const POLLS_BEFORE_DONE: u32 = 2;

/// One operation: its state while running, its final state, and how many
/// more fetches find it running.
struct Operation {
    running: Value,
    done: Value,
    polls_left: u32,
}

/// Every operation started, by the path it is fetched at.
#[derive(Default)]
pub(crate) struct Operations {
    by_path: HashMap<String, Operation>,
}

impl Operations {
    fn start(&mut self, path: String, running: Value, done: Value) {
        self.by_path.insert(
            path,
            Operation {
                running,
                done,
                polls_left: POLLS_BEFORE_DONE,
            },
        );
    }

    /// `GET` of an operation's path.
    pub(crate) fn fetch(&mut self, path: &str) -> Response<Body> {
        let Some(op) = self.by_path.get_mut(path) else {
            return google_error(
                404,
                "NOT_FOUND",
                "notFound",
                &format!("Operation {path} not found."),
            );
        };
        if op.polls_left > 0 {
            op.polls_left -= 1;
            return json(200, &op.running);
        }
        json(200, &op.done)
    }

    /// `POST …/operations/{operation}/wait` of the operation at `path`:
    /// its final state (the server-side wait outlasts the emulated work).
    pub(crate) fn wait(&mut self, path: &str) -> Response<Body> {
        if let Some(op) = self.by_path.get_mut(path) {
            op.polls_left = 0;
        }
        self.fetch(path)
    }

    /// `POST /v1/apps/{app}/services/{service}/versions`: an AIP operation
    /// named `apps/{app}/operations/{id}` that ends with the version (or an
    /// error, for a version id starting with `fail`).
    pub(crate) fn create_app_engine_version(
        &mut self,
        app: &str,
        service: &str,
        body: &[u8],
    ) -> Response<Body> {
        let request: Value = serde_json::from_slice(body).unwrap_or_default();
        let Some(version) = request["id"].as_str() else {
            return google_error(
                400,
                "INVALID_ARGUMENT",
                "badRequest",
                "Version id is required.",
            );
        };
        let op = format!("{:08x}-{:04x}", fastrand::u32(..), fastrand::u16(..));
        let name = format!("apps/{app}/operations/{op}");
        let target = format!("apps/{app}/services/{service}/versions/{version}");
        let metadata = json!({
            "@type": "type.googleapis.com/google.appengine.v1.OperationMetadataV1",
            "method": "google.appengine.v1.Versions.CreateVersion",
            "insertTime": "2026-01-01T00:00:00Z", "user": "ada@example.com", "target": target,
        });
        let running = json!({"name": name, "metadata": metadata});
        let done = if version.starts_with("fail") {
            json!({"name": name, "metadata": metadata, "done": true,
                "error": {"code": 9, "message": "Cannot operate on a deleted service.", "details": []}})
        } else {
            json!({"name": name, "metadata": metadata, "done": true, "response": {
                "@type": "type.googleapis.com/google.appengine.v1.Version",
                "name": target, "id": version, "servingStatus": "SERVING",
                "runtime": request["runtime"].as_str().unwrap_or("python312"),
            }})
        };
        let answer = json(200, &running);
        self.start(format!("/v1/{name}"), running, done);
        answer
    }

    /// `POST /v1beta/tunedModels`: an AIP operation that ends with the
    /// tuned model (or an error).
    pub(crate) fn create_tuned_model(
        &mut self,
        body: &[u8],
        query: &[(String, String)],
    ) -> Response<Body> {
        let request: Value = serde_json::from_slice(body).unwrap_or_default();
        let display = request["displayName"].as_str().unwrap_or("tuned model");
        let id = crate::http_util::get(query, "tunedModelId")
            .map(str::to_string)
            .unwrap_or_else(|| format!("tuned-{:08x}", fastrand::u32(..)));
        let model = format!("tunedModels/{id}");
        let name = format!("{model}/operations/{:08x}", fastrand::u32(..));
        let metadata = json!({
            "@type": "type.googleapis.com/google.ai.generativelanguage.v1beta.CreateTunedModelMetadata",
            "tunedModel": model, "totalSteps": 10, "completedSteps": 0,
        });
        let running = json!({"name": name, "metadata": metadata, "done": false});
        let done = if display.starts_with("fail") {
            json!({"name": name, "metadata": metadata, "done": true,
                "error": {"code": 3, "message": "Training data is empty.", "details": []}})
        } else {
            json!({"name": name, "metadata": metadata, "done": true, "response": {
                "@type": "type.googleapis.com/google.ai.generativelanguage.v1beta.TunedModel",
                "name": model, "displayName": display, "state": "ACTIVE",
                "baseModel": request["baseModel"].as_str().unwrap_or("models/gemini-2.0-flash"),
            }})
        };
        let answer = json(200, &running);
        self.start(format!("/v1beta/{name}"), running, done);
        answer
    }

    /// `POST /compute/v1/projects/P/zones/Z/instances` (`scope` =
    /// `zones/Z`) or `/compute/v1/projects/P/global/firewalls` (`scope` =
    /// `global`): a Compute operation in that scope.
    pub(crate) fn compute_insert(
        &mut self,
        root: &str,
        project: &str,
        scope: &str,
        collection: &str,
        body: &[u8],
    ) -> Response<Body> {
        let request: Value = serde_json::from_slice(body).unwrap_or_default();
        let Some(target) = request["name"].as_str() else {
            return google_error(
                400,
                "INVALID_ARGUMENT",
                "required",
                "Required field 'resource.name' not specified",
            );
        };
        let base = format!("{root}compute/v1/projects/{project}");
        let op = format!("operation-{:016x}", fastrand::u64(..));
        let path = format!("/compute/v1/projects/{project}/{scope}/operations/{op}");
        let mut running = json!({
            "kind": "compute#operation", "id": fastrand::u64(..).to_string(), "name": op,
            "operationType": "insert", "status": "RUNNING", "progress": 0,
            "targetLink": format!("{base}/{scope}/{collection}/{target}"),
            "selfLink": format!("{root}{}", path.trim_start_matches('/')),
            "insertTime": "2026-01-01T00:00:00.000-08:00", "user": "ada@example.com",
        });
        if let Some(zone) = scope.strip_prefix("zones/") {
            running["zone"] = json!(format!("{base}/zones/{zone}"));
        }
        let mut done = running.clone();
        done["status"] = json!("DONE");
        done["progress"] = json!(100);
        done["endTime"] = json!("2026-01-01T00:00:05.000-08:00");
        if target.starts_with("fail") {
            done["httpErrorStatusCode"] = json!(403);
            done["httpErrorMessage"] = json!("FORBIDDEN");
            done["error"] = json!({"errors": [{"code": "QUOTA_EXCEEDED",
                "message": "Quota 'CPUS' exceeded. Limit: 8.0 in region us-central1."}]});
        }
        let mut first = running.clone();
        first["status"] = json!("PENDING");
        self.start(path, running, done);
        json(200, &first)
    }
}
