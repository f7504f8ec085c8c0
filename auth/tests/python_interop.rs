//! `token.json` interoperability with the real google-auth from PyPI, both
//! ways: what Python writes we read, what we write Python reads. The venv is
//! created by the README's test command (`.venv` at the workspace root).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, UNIX_EPOCH};

use gapi_auth::{AccessToken, ClientSecret, FileTokenStore, RefreshToken, StoredUser, TokenStore};

fn python() -> PathBuf {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/python");
    assert!(
        p.exists(),
        "{} is missing: the README's test command creates the venv with google-auth",
        p.display()
    );
    p
}

fn run_python(script: &str, arg: &str) -> String {
    let out = Command::new(python())
        .args(["-c", script, arg])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn we_read_what_google_auth_writes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("token.json");
    run_python(
        r#"
import sys, datetime
from google.oauth2.credentials import Credentials
creds = Credentials(
    token="ya29.from-python", refresh_token="1//py-refresh",
    token_uri="https://oauth2.googleapis.com/token", client_id="cid.apps.googleusercontent.com",
    client_secret="GOCSPX-secret", scopes=["https://www.googleapis.com/auth/drive.metadata.readonly"],
    expiry=datetime.datetime(2031, 5, 6, 7, 8, 9, 123456))
open(sys.argv[1], "w").write(creds.to_json())
"#,
        path.to_str().unwrap(),
    );
    let user = FileTokenStore::new(&path).load().unwrap().unwrap();
    assert_eq!(user.token.unwrap().secret(), "ya29.from-python");
    assert_eq!(user.refresh_token.secret(), "1//py-refresh");
    assert_eq!(user.client_id, "cid.apps.googleusercontent.com");
    assert_eq!(user.client_secret.unwrap().secret(), "GOCSPX-secret");
    assert_eq!(
        user.scopes,
        ["https://www.googleapis.com/auth/drive.metadata.readonly"]
    );
    let expiry = user.expiry.unwrap().duration_since(UNIX_EPOCH).unwrap();
    assert_eq!(expiry.as_secs(), 1_935_817_689, "2031-05-06T07:08:09Z");
    assert_eq!(expiry.subsec_micros(), 123_456);
}

#[test]
fn google_auth_reads_what_we_write() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("token.json");
    let user = StoredUser {
        token: Some(AccessToken::new("ya29.from-rust")),
        expiry: Some(UNIX_EPOCH + Duration::new(1_935_817_689, 250_000_000)),
        refresh_token: RefreshToken::new("1//rust-refresh"),
        token_uri: "https://oauth2.googleapis.com/token".into(),
        client_id: "cid".into(),
        client_secret: Some(ClientSecret::new("cs")),
        scopes: vec!["a".into(), "b".into()],
        universe_domain: None,
        account: None,
        quota_project_id: None,
        extra: serde_json::Map::new(),
    };
    FileTokenStore::new(&path).save(&user).unwrap();
    let out = run_python(
        r#"
import sys, json
from google.oauth2.credentials import Credentials
c = Credentials.from_authorized_user_file(sys.argv[1])
print(json.dumps({"token": c.token, "refresh_token": c.refresh_token, "client_id": c.client_id,
  "client_secret": c.client_secret, "scopes": c.scopes, "expiry": c.expiry.isoformat(),
  "token_uri": c.token_uri, "roundtrip": json.loads(c.to_json())}))
"#,
        path.to_str().unwrap(),
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["token"], "ya29.from-rust");
    assert_eq!(v["refresh_token"], "1//rust-refresh");
    assert_eq!(v["client_id"], "cid");
    assert_eq!(v["client_secret"], "cs");
    assert_eq!(v["scopes"], serde_json::json!(["a", "b"]));
    assert_eq!(v["expiry"], "2031-05-06T07:08:09");
    // Python's own re-serialization of our file has the same keys as ours.
    let ours: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let mut ours_keys: Vec<_> = ours.as_object().unwrap().keys().cloned().collect();
    let mut theirs_keys: Vec<_> = v["roundtrip"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    ours_keys.sort();
    theirs_keys.sort();
    assert_eq!(ours_keys, theirs_keys);
}
