//! What the emulator test files share: an emulator, a signed-in user, a
//! Drive client with fast retries.
// Each test file uses its own subset.
#![allow(dead_code, clippy::unwrap_used)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use gapi_auth::{ClientConfig, InstalledFlow};
use gapi_emulator::{Emulator, EmulatorOptions};

pub async fn emulator(auto_consent: bool) -> Emulator {
    Emulator::start(EmulatorOptions {
        auto_consent,
        ..EmulatorOptions::default()
    })
    .await
    .unwrap()
}

pub fn client_config(emu: &Emulator) -> ClientConfig {
    let mut c = ClientConfig::new(
        "emulator-client.apps.googleusercontent.com",
        Some("secret".into()),
    );
    c.auth_uri = emu.auth_uri();
    c.token_uri = emu.token_uri();
    c
}

/// Follows the consent redirect the way a browser does after "Allow".
pub fn browser(
    visits: Arc<AtomicUsize>,
) -> impl Fn(&str) -> std::io::Result<()> + Send + Sync + 'static {
    move |url: &str| {
        visits.fetch_add(1, Ordering::SeqCst);
        let url = url.to_string();
        tokio::spawn(async move {
            let _ = reqwest::get(url).await;
        });
        Ok(())
    }
}

/// What [`sign_in`] asks for: every API these tests call (the emulator
/// checks each method's scopes, as Google does).
pub const SCOPES: &[&str] = &[
    "https://www.googleapis.com/auth/drive",
    "https://www.googleapis.com/auth/cloud-platform",
    "https://www.googleapis.com/auth/devstorage.read_only",
    "https://www.googleapis.com/auth/userinfo.email",
];

/// Signs in against the emulator (auto-consent) and returns the credentials.
pub async fn sign_in(emu: &Emulator) -> gapi_auth::UserCredentials {
    InstalledFlow::new(client_config(emu), SCOPES)
        .browser(browser(Arc::new(AtomicUsize::new(0))))
        .authenticate()
        .await
        .unwrap()
}

/// The access token `creds` hold now (for requests sent without a client).
pub async fn access_token(creds: &gapi_auth::UserCredentials) -> String {
    creds
        .token()
        .await
        .unwrap()
        .access_token
        .secret()
        .to_string()
}

/// A Drive client for the emulator with fast retries.
pub fn drive_for(emu: &Emulator, creds: gapi_auth::UserCredentials) -> gapi_drive_v3::Drive {
    gapi_drive_v3::Drive::builder()
        .root_url(emu.root_url())
        .credentials(creds)
        .retry_policy(gapi_runtime::RetryPolicy {
            initial_backoff: std::time::Duration::from_millis(10),
            ..Default::default()
        })
        .build()
        .unwrap()
}

/// The venv's Python with google-auth (the README's test command makes it).
pub fn python() -> std::path::PathBuf {
    let p = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/python");
    assert!(
        p.exists(),
        "{} is missing: the README's test command creates the venv with google-auth",
        p.display()
    );
    p
}

/// An RSA key made by openssl, for a service account key file.
pub fn rsa_pem(dir: &std::path::Path) -> String {
    let pem = dir.join("key.pem");
    let status = std::process::Command::new("openssl")
        .args([
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
        ])
        .arg(&pem)
        .output()
        .expect("openssl runs")
        .status;
    assert!(status.success());
    std::fs::read_to_string(pem).unwrap()
}

/// `value` written as JSON to `dir/name`.
pub fn write(dir: &std::path::Path, name: &str, value: &serde_json::Value) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(value).unwrap()).unwrap();
    path
}
