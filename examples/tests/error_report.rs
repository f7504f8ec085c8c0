//! What a program whose `main` returns `Result<(), Box<dyn Error>>` prints
//! when a call fails: `Error: ` and the error's `Debug`, which must read as
//! a message (the one-line `Display`, then its causes), not a struct dump
//! with the raw body.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Output};

use gapi_drive_v3::scopes::DRIVE_METADATA_READONLY;

/// Runs `drive_get FILE_ID` against `root`, signed in as `user`.
fn drive_get(root: &str, dir: &std::path::Path, file_id: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_drive_get"))
        .arg(file_id)
        .current_dir(dir)
        .env("GAPI_EMULATOR", root)
        .env("GAPI_TOKEN_FILE", dir.join("token.json"))
        .output()
        .unwrap()
}

/// A signed-in user in `dir/token.json`, cached for the examples' own
/// emulator client (`gapi_examples::installed_flow`), so no browser opens.
fn signed_in(emu: &gapi_emulator::Emulator, dir: &std::path::Path) {
    let user = emu.sign_in(&[DRIVE_METADATA_READONLY]);
    let mut cache: serde_json::Value = serde_json::from_str(&user.token_json()).unwrap();
    cache["client_id"] = "gapi-examples.apps.googleusercontent.com".into();
    cache["client_secret"] = "emulator-secret".into();
    std::fs::write(dir.join("token.json"), cache.to_string()).unwrap();
}

/// Signs a user in at a new emulator, then runs `drive_get FILE_ID` against
/// `root` (the emulator itself when `None`), off the async runtime (the
/// emulator must keep serving meanwhile); its exit status and stderr.
async fn run_drive_get(root: Option<String>, file_id: &'static str) -> (bool, String) {
    let emu = gapi_emulator::Emulator::start(Default::default())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    signed_in(&emu, dir.path());
    let root = root.unwrap_or_else(|| emu.root_url());
    let dir_path = dir.path().to_path_buf();
    let output = tokio::task::spawn_blocking(move || drive_get(&root, &dir_path, file_id))
        .await
        .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[tokio::test]
async fn an_api_error_prints_its_message_not_a_struct_dump() {
    let (success, text) = run_drive_get(None, "no-such-file").await;
    assert!(!success);
    assert!(
        text.starts_with("Error: drive.files.get: HTTP 404 NOT_FOUND (notFound): File not found"),
        "{text}"
    );
    for dump in ["GoogleError", "body: b\"", "kind:", "Api {"] {
        assert!(!text.contains(dump), "{dump:?} in {text}");
    }
    assert_eq!(text.trim_end().lines().count(), 1, "{text}");
}

#[tokio::test]
async fn a_closed_port_is_named_with_the_reason() {
    // A port that was free a moment ago: nothing listens there now.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (success, text) = run_drive_get(Some(format!("http://127.0.0.1:{port}/")), "any").await;
    assert!(!success);
    let first = text.lines().next().unwrap_or_default();
    assert_eq!(
        first,
        format!(
            "Error: drive.files.get: could not connect to 127.0.0.1:{port} (connection refused)"
        ),
        "{text}"
    );
    assert!(text.contains("\n  caused by: "), "{text}");
    for dump in ["ConnectError", "Transport {", "hyper_util", "Custom {"] {
        assert!(!text.contains(dump), "{dump:?} in {text}");
    }
}
