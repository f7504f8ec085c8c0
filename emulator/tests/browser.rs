//! A person in a real browser: headless Chromium (driven by playwright-core,
//! installed by the README's test command) opens the emulator's consent page
//! and clicks Allow or Deny; the installed-app flow must finish accordingly.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use gapi_auth::{ClientConfig, Credentials, InstalledFlow};
use gapi_emulator::{Emulator, EmulatorOptions};

fn node_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../auth/tests/node")
}

fn flow(emu: &Emulator, button: &'static str, cache: PathBuf) -> InstalledFlow {
    assert!(
        node_dir().join("node_modules/playwright-core").is_dir(),
        "playwright-core is not installed: run `npm ci` in auth/tests/node (scripts/test.sh does)"
    );
    let mut client = ClientConfig::new("browser-test.apps.googleusercontent.com", Some("s".into()));
    client.auth_uri = emu.auth_uri();
    client.token_uri = emu.token_uri();
    InstalledFlow::new(client, &[gapi_drive_v3::scopes::DRIVE_METADATA_READONLY])
        .token_cache(cache)
        .timeout(Duration::from_secs(60))
        .browser(move |url: &str| {
            Command::new("node")
                .arg("click.mjs")
                .arg(url)
                .arg(button)
                .current_dir(node_dir())
                .stdout(Stdio::null())
                .spawn()
                .map(|_| ())
        })
}

#[tokio::test]
async fn clicking_allow_signs_in_and_deny_is_a_clear_error() {
    let emu = Emulator::start(EmulatorOptions::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();

    let denied = flow(&emu, "deny", dir.path().join("denied.json"))
        .authenticate()
        .await
        .unwrap_err();
    assert!(denied.to_string().contains("access was denied"), "{denied}");
    assert!(!dir.path().join("denied.json").exists());

    let cache = dir.path().join("token.json");
    let creds = flow(&emu, "allow", cache.clone())
        .authenticate()
        .await
        .unwrap();
    assert!(creds.headers().await.unwrap()["authorization"]
        .to_str()
        .unwrap()
        .starts_with("Bearer ya29.emulator-"));
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&cache).unwrap()).unwrap();
    assert!(saved["refresh_token"]
        .as_str()
        .unwrap()
        .starts_with("1//emulator-"));
}
