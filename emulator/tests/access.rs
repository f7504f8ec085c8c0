//! Who may call what: the emulator answers as Google does for scopes and API
//! keys, and says plainly when it does not serve a method (never an
//! authentication error for its own gap).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use gapi_drive_v3::scopes::{DRIVE, DRIVE_METADATA_READONLY};
use gapi_drive_v3::types::File;
use gapi_emulator::{Emulator, EmulatorOptions};
use gapi_runtime::auth::{ApiKey, StaticToken};

async fn emulator(api_keys: &[&str]) -> Emulator {
    Emulator::start(EmulatorOptions {
        api_keys: api_keys.iter().map(|k| k.to_string()).collect(),
        ..EmulatorOptions::default()
    })
    .await
    .unwrap()
}

fn drive(emu: &Emulator, scopes: &[&str]) -> gapi_drive_v3::Drive {
    let user = emu.sign_in(scopes);
    gapi_drive_v3::Drive::builder()
        .root_url(emu.root_url())
        .credentials(StaticToken::new(user.access_token))
        .build()
        .unwrap()
}

fn error_info_reason(body: &serde_json::Value) -> &str {
    body["error"]["details"][0]["reason"]
        .as_str()
        .unwrap_or_default()
}

#[tokio::test]
async fn a_method_not_emulated_says_so_whatever_the_credentials() {
    let emu = emulator(&[]).await;
    let user = emu.sign_in(&[DRIVE]);
    let http = reqwest::Client::new();
    for token in [Some(user.access_token.as_str()), None] {
        let mut request = http.get(format!("{}drive/v3/changes/startPageToken", emu.root_url()));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let answer = request.send().await.unwrap();
        assert_eq!(answer.status(), 501);
        let body: serde_json::Value = answer.json().await.unwrap();
        let message = body["error"]["message"].as_str().unwrap();
        assert!(
            message.starts_with("GET /drive/v3/changes/startPageToken is not emulated"),
            "{message}"
        );
        assert!(
            message.contains("credentials were not checked"),
            "{message}"
        );
        assert_eq!(body["error"]["status"], "NOT_IMPLEMENTED");
    }
}

#[tokio::test]
async fn folders_and_about_are_served() {
    let emu = emulator(&[]).await;
    let drive = drive(&emu, &[DRIVE]);
    let folder = drive
        .files()
        .create(
            File::default()
                .with_name("Reports")
                .with_mime_type("application/vnd.google-apps.folder"),
        )
        .execute()
        .await
        .unwrap();
    assert_eq!(folder.name.as_deref(), Some("Reports"));
    assert_eq!(
        folder.mime_type.as_deref(),
        Some("application/vnd.google-apps.folder")
    );
    let about = drive.about().get().fields("user").execute().await.unwrap();
    assert_eq!(
        about.user.and_then(|u| u.email_address).as_deref(),
        Some("ada@example.com")
    );
}

#[tokio::test]
async fn a_token_without_the_methods_scope_is_refused_as_google_refuses_it() {
    let emu = emulator(&[]).await;
    let drive = drive(&emu, &[DRIVE_METADATA_READONLY]);
    // Reading is within drive.metadata.readonly…
    let count = || async {
        let all = drive
            .files()
            .list()
            .page_size(1000)
            .execute()
            .await
            .unwrap();
        all.files.unwrap_or_default().len()
    };
    let before = count().await;
    // …writing is not.
    let err = drive
        .files()
        .create(File::default().with_name("notes.txt"))
        .upload(b"hello".to_vec(), "text/plain")
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(403), "{err}");
    let body: serde_json::Value = serde_json::from_slice(err.body().unwrap()).unwrap();
    assert_eq!(error_info_reason(&body), "ACCESS_TOKEN_SCOPE_INSUFFICIENT");
    assert!(
        err.to_string().contains("drive.files.create needs one of"),
        "{err}"
    );
    // Nothing was stored.
    assert_eq!(count().await, before);
}

#[tokio::test]
async fn api_keys_are_checked_against_the_configured_ones() {
    let emu = emulator(&["right-key"]).await;
    let gemini = |key: &str| {
        gapi_generativelanguage_v1beta::GenerativeLanguage::builder()
            .root_url(emu.root_url())
            .credentials(ApiKey::new(key))
            .build()
            .unwrap()
    };
    gemini("right-key").models().list().execute().await.unwrap();
    let err = gemini("wrong-key")
        .models()
        .list()
        .execute()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(400), "{err}");
    assert_eq!(
        err.to_string(),
        "generativelanguage.models.list: HTTP 400 INVALID_ARGUMENT (badRequest): API key not valid. Please pass a valid API key."
    );
    let body: serde_json::Value = serde_json::from_slice(err.body().unwrap()).unwrap();
    assert_eq!(error_info_reason(&body), "API_KEY_INVALID");
    // Drive takes no API keys: a key alone is no credential there.
    let drive = gapi_drive_v3::Drive::builder()
        .root_url(emu.root_url())
        .credentials(ApiKey::new("right-key"))
        .build()
        .unwrap();
    let err = drive.files().list().execute().await.unwrap_err();
    assert_eq!(err.status(), Some(401), "{err}");
}
