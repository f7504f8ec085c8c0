//! `gapi_runtime::mock` as a user's own test would use it: a generated Drive
//! client pointed at a mock server, canned answers by method id, recorded
//! requests, and an error for a call nobody expected.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use gapi_drive_v3::runtime::auth::StaticToken;
use gapi_drive_v3::runtime::futures_util::TryStreamExt;
use gapi_drive_v3::types::File;
use gapi_drive_v3::Drive;
use gapi_runtime::media::ResumableOptions;
use gapi_runtime::mock::{MockResponse, MockServer};
use serde_json::json;

async fn drive_against(mock: &MockServer) -> Drive {
    Drive::builder()
        .root_url(mock.url())
        .credentials(StaticToken::new("ya29.test"))
        .build()
        .unwrap()
}

#[tokio::test]
async fn canned_answers_by_method_id_and_recorded_requests() {
    let mock = MockServer::start(gapi_drive_v3::methods()).await.unwrap();
    mock.once(
        "drive.files.list",
        MockResponse::json(json!({"files": [{"id": "1", "name": "a"}], "nextPageToken": "p2"})),
    )
    .once(
        "drive.files.list",
        MockResponse::json(json!({"files": [{"id": "2", "name": "b"}]})),
    )
    .on(
        "drive.files.get",
        MockResponse::json(json!({"id": "1", "name": "a", "size": "12"})),
    )
    .on(
        "drive.files.generateIds",
        MockResponse::json(json!({"ids": ["x"]})),
    );
    let drive = drive_against(&mock).await;

    let all: Vec<File> = drive
        .files()
        .list()
        .page_size(1)
        .items()
        .try_collect()
        .await
        .unwrap();
    let names: Vec<_> = all.iter().filter_map(|f| f.name.as_deref()).collect();
    assert_eq!(names, ["a", "b"]);
    let file = drive
        .files()
        .get("1")
        .fields("id,name,size")
        .execute()
        .await
        .unwrap();
    assert_eq!(file.size, Some(12));
    // `files/generateIds` is told apart from `files/{fileId}`.
    let ids = drive.files().generate_ids().execute().await.unwrap();
    assert_eq!(ids.ids.unwrap_or_default(), ["x"]);

    let lists = mock.calls("drive.files.list");
    assert_eq!(lists.len(), 2);
    assert_eq!(lists[0].query_value("pageSize"), Some("1"));
    assert_eq!(lists[1].query_value("pageToken"), Some("p2"));
    assert_eq!(
        mock.calls("drive.files.get")[0].query_value("fields"),
        Some("id,name,size")
    );
    assert_eq!(lists[0].header("authorization"), Some("Bearer ya29.test"));
    assert!(mock.unexpected().is_empty());
}

#[tokio::test]
async fn an_unexpected_call_is_an_error_naming_the_method() {
    let mock = MockServer::start(gapi_drive_v3::methods()).await.unwrap();
    let drive = drive_against(&mock).await;
    let err = drive.files().delete("x").execute().await.unwrap_err();
    assert_eq!(err.status(), Some(501));
    assert!(
        err.to_string()
            .contains("no response was set for drive.files.delete"),
        "{err}"
    );
    let unexpected = mock.unexpected();
    assert_eq!(unexpected.len(), 1);
    assert_eq!(unexpected[0].method_id, Some("drive.files.delete"));
    assert_eq!(unexpected[0].http_method, "DELETE");
}

#[tokio::test]
async fn sequences_errors_bodies_and_uploads() {
    let mock = MockServer::start(gapi_drive_v3::methods()).await.unwrap();
    // Python's HttpMockSequence: answers in order, whatever the method.
    mock.sequence([
        MockResponse::error(404, "NOT_FOUND", "File not found: nope."),
        MockResponse::json(json!({"id": "new", "name": "report.pdf"})),
    ]);
    let drive = drive_against(&mock).await;
    let err = drive.files().get("nope").execute().await.unwrap_err();
    assert!(err.is_not_found());
    assert_eq!(err.google_error().unwrap().message, "File not found: nope.");
    let created = drive
        .files()
        .create(File::default().with_name("report.pdf"))
        .execute()
        .await
        .unwrap();
    assert_eq!(created.id.as_deref(), Some("new"));
    let create = &mock.calls("drive.files.create")[0];
    assert_eq!(create.json(), json!({"name": "report.pdf"}));

    // A resumable upload in three chunks ends with the canned answer.
    mock.on(
        "drive.files.create",
        MockResponse::json(json!({"id": "big"})),
    );
    let data = vec![5u8; 600 * 1024];
    let file = drive
        .files()
        .create(File::default())
        .upload_resumable(
            data,
            "application/octet-stream",
            ResumableOptions::default().chunk_size(256 * 1024),
        )
        .await
        .unwrap();
    assert_eq!(file.id.as_deref(), Some("big"));
    let uploads = mock.calls("drive.files.create");
    let received: usize = uploads.iter().map(|r| r.body.len()).sum::<usize>()
        - uploads[0].body.len()
        - uploads[1].body.len();
    assert_eq!(received, 600 * 1024, "every chunk reached the mock");
    assert_eq!(
        uploads.len(),
        2 + 3,
        "the create, the session start, three chunks"
    );
}

#[tokio::test]
#[should_panic(expected = "the API has no method \"drive.files.lst\"")]
async fn a_typo_in_a_method_id_fails_the_test_at_once() {
    let mock = MockServer::start(gapi_drive_v3::methods()).await.unwrap();
    mock.on("drive.files.lst", MockResponse::empty());
}

#[tokio::test]
async fn batches_are_answered_call_by_call() {
    let mock = MockServer::start(gapi_drive_v3::methods()).await.unwrap();
    mock.on(
        "drive.files.get",
        MockResponse::json(json!({"id": "1", "name": "a"})),
    )
    .once(
        "drive.files.delete",
        MockResponse::error(403, "PERMISSION_DENIED", "Not yours."),
    );
    let drive = drive_against(&mock).await;
    let mut batch = drive.batch();
    let got = batch.add(drive.files().get("1"));
    let deleted = batch.add(drive.files().delete("2"));
    let answers = batch.execute().await.unwrap();
    assert_eq!(answers.get(got).unwrap().name.as_deref(), Some("a"));
    assert_eq!(answers.get(deleted).unwrap_err().status(), Some(403));
    // Each call is recorded with its own method id, path and credentials.
    let gets = mock.calls("drive.files.get");
    assert_eq!(gets.len(), 1);
    assert_eq!(gets[0].path, "/drive/v3/files/1");
    assert_eq!(gets[0].header("authorization"), Some("Bearer ya29.test"));
    assert_eq!(mock.calls("drive.files.delete")[0].http_method, "DELETE");
    assert!(mock.unexpected().is_empty());
}
