//! Batch requests against the emulator's Drive batch endpoint: typed
//! answers in order, per-call failures, per-call retries (a rate-limited
//! call, a stale token), the whole batch retried, and Drive's limit of 100
//! calls enforced before anything is sent.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{drive_for, emulator, sign_in};
use gapi_drive_v3::types::File;
use gapi_emulator::Fault;

/// What the emulator served since `before` requests.
fn served_since(emu: &gapi_emulator::Emulator, before: usize) -> Vec<String> {
    emu.served()[before..].to_vec()
}

#[tokio::test]
async fn a_drive_batch_answers_each_call_with_its_own_type_or_error() {
    let emu = emulator(true).await;
    let drive = drive_for(&emu, sign_in(&emu).await);
    let before = emu.served().len();

    let mut batch = drive.batch();
    assert_eq!(batch.max_calls(), Some(100));
    let got = batch.add(drive.files().get("emu-file-0001").fields("id,name"));
    let missing = batch.add(drive.files().get("no-such-file"));
    let renamed = batch.add(drive.files().update(
        "emu-file-0002",
        File::default().with_name("Renamed in a batch.txt"),
    ));
    let deleted = batch.add(drive.files().delete("emu-file-0003"));
    let listed = batch.add(drive.files().list().page_size(2));
    let answers = batch.execute().await.unwrap();

    assert_eq!(
        answers.statuses(),
        vec![Some(200), Some(404), Some(200), Some(204), Some(200)]
    );
    let file = answers.get(got).unwrap();
    assert_eq!(file.id.as_deref(), Some("emu-file-0001"));
    assert_eq!(file.name.as_deref(), Some("Document 0001.txt"));
    assert_eq!(file.mime_type, None, "fields= travelled inside the part");
    let error = answers.get(missing).unwrap_err();
    assert!(error.is_not_found(), "{error}");
    assert_eq!(error.method(), "drive.files.get");
    assert_eq!(error.reason(), Some("notFound"));
    assert_eq!(
        answers.get(renamed).unwrap().name.as_deref(),
        Some("Renamed in a batch.txt")
    );
    answers.get(deleted).unwrap();
    assert_eq!(answers.get(listed).unwrap().files.unwrap().len(), 2);

    // One HTTP request carried all five, and they took effect.
    assert_eq!(
        served_since(&emu, before),
        vec![
            "POST /batch/drive/v3",
            "batch: GET /drive/v3/files/emu-file-0001",
            "batch: GET /drive/v3/files/no-such-file",
            "batch: PATCH /drive/v3/files/emu-file-0002",
            "batch: DELETE /drive/v3/files/emu-file-0003",
            "batch: GET /drive/v3/files",
        ]
    );
    let now = drive.files().get("emu-file-0002").execute().await.unwrap();
    assert_eq!(now.name.as_deref(), Some("Renamed in a batch.txt"));
    let gone = drive.files().get("emu-file-0003").execute().await;
    assert!(gone.unwrap_err().is_not_found());
}

#[tokio::test]
async fn rate_limited_calls_are_sent_again_alone_and_stale_tokens_refresh() {
    let emu = emulator(true).await;
    let drive = drive_for(&emu, sign_in(&emu).await);

    // The first two calls of the batch are rate-limited inside it.
    emu.inject(Fault::BatchCalls {
        status: 429,
        count: 2,
    });
    let before = emu.served().len();
    let mut batch = drive.batch();
    let slots: Vec<_> = (4..8)
        .map(|i| batch.add(drive.files().get(format!("emu-file-{i:04}"))))
        .collect();
    let answers = batch.execute().await.unwrap();
    for (i, slot) in slots.iter().enumerate() {
        let file = answers.get(*slot).unwrap();
        assert_eq!(file.id.unwrap(), format!("emu-file-{:04}", i + 4));
    }
    assert_eq!(
        served_since(&emu, before),
        vec![
            "POST /batch/drive/v3",
            "batch: GET /drive/v3/files/emu-file-0004",
            "batch: GET /drive/v3/files/emu-file-0005",
            "batch: GET /drive/v3/files/emu-file-0006",
            "batch: GET /drive/v3/files/emu-file-0007",
            // Only the two that failed, in a second, smaller batch.
            "POST /batch/drive/v3",
            "batch: GET /drive/v3/files/emu-file-0004",
            "batch: GET /drive/v3/files/emu-file-0005",
        ]
    );

    // Every call of a batch answers 401 when the token went stale: one
    // refresh, and the batch goes again.
    emu.inject(Fault::ExpireTokens);
    let mut batch = drive.batch();
    let one = batch.add(drive.files().get("emu-file-0008"));
    let answers = batch.execute().await.unwrap();
    assert_eq!(
        answers.get(one).unwrap().id.as_deref(),
        Some("emu-file-0008")
    );

    // With retries off, the failure is the call's own, and the others
    // keep their answers.
    emu.inject(Fault::BatchCalls {
        status: 503,
        count: 1,
    });
    let mut batch = drive.batch();
    batch.retry_policy(gapi_runtime::RetryPolicy::none());
    let failed = batch.add(drive.files().get("emu-file-0009"));
    let fine = batch.add(drive.files().get("emu-file-0010"));
    let answers = batch.execute().await.unwrap();
    assert_eq!(answers.get(failed).unwrap_err().status(), Some(503));
    assert!(answers.get(fine).is_ok());
}

#[tokio::test]
async fn the_whole_batch_is_retried_and_limits_hold_before_sending() {
    let emu = emulator(true).await;
    let drive = drive_for(&emu, sign_in(&emu).await);

    // A 503 for the batch request itself: all its calls are reads, so the
    // batch is sent again.
    emu.inject(Fault::Status {
        status: 503,
        count: 1,
        retry_after: None,
    });
    let mut batch = drive.batch();
    let slot = batch.add(drive.files().get("emu-file-0011"));
    let answers = batch.execute().await.unwrap();
    assert!(answers.get(slot).is_ok());

    // A write in the batch: a 503 for the whole batch is not retried (the
    // calls may have run).
    emu.inject(Fault::Status {
        status: 503,
        count: 1,
        retry_after: None,
    });
    let mut batch = drive.batch();
    batch.add(drive.files().get("emu-file-0012"));
    batch.add(drive.files().update("emu-file-0013", File::default()));
    let error = batch.execute().await.unwrap_err();
    assert_eq!(error.status(), Some(503));
    assert_eq!(error.method(), "drive.batch");

    // Drive takes 100 calls per batch: 101 fail before anything is sent.
    let before = emu.served().len();
    let mut batch = drive.batch();
    for i in 0..101 {
        batch.add(drive.files().get(format!("emu-file-{i:04}")));
    }
    let error = batch.execute().await.unwrap_err();
    assert!(error.is_build(), "{error}");
    assert!(
        error.to_string().contains("at most 100"),
        "the message names the limit: {error}"
    );
    assert_eq!(emu.served().len(), before, "nothing was sent");

    // A call of another API cannot join a Drive batch.
    let oauth2 = gapi_oauth2_v2::Oauth2::builder()
        .root_url(emu.root_url())
        .build()
        .unwrap();
    let mut batch = drive.batch();
    batch.add(oauth2.userinfo().get());
    let error = batch.execute().await.unwrap_err();
    assert!(error.to_string().contains("oauth2.userinfo.get"), "{error}");

    // An empty batch sends nothing.
    let answers = drive.batch().execute().await.unwrap();
    assert!(answers.is_empty());
    assert_eq!(emu.served().len(), before);

    // A slot of one batch does not read another batch's answers.
    let mut first = drive.batch();
    let slot = first.add(drive.files().get("emu-file-0001"));
    let mut second = drive.batch();
    second.add(drive.files().get("emu-file-0001"));
    let answers = second.execute().await.unwrap();
    assert!(answers.get(slot).unwrap_err().is_build());
}
