//! ID tokens end to end against the emulator (which signs them with its own
//! key and publishes a JWKS): fetched from a service account key, an
//! impersonated service account, the metadata server and a user signed in
//! with `openid`, each found the way google-auth's `fetch_id_token` finds
//! it; verified by gapi's verifier and by google-auth's `verify_token`, each
//! on the other's tokens.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, SystemTime};

use common::{python, rsa_pem, write};
use gapi_auth::{Credentials, IdTokenCredentials, IdTokenVerifier};
use gapi_emulator::identity::METADATA_SERVICE_ACCOUNT;
use gapi_emulator::{Emulator, EmulatorOptions};

const AUDIENCE: &str = "https://hello-abc123-uc.a.run.app";
const ACCOUNT: &str = "invoker@my-project.iam.gserviceaccount.com";
const TARGET: &str = "deployer@my-project.iam.gserviceaccount.com";

/// google-auth's `fetch_id_token` with `env`, then `verify_token` of its
/// token and of `ours`; prints its token and both verified emails.
async fn google_auth(env: Vec<(&'static str, String)>, certs: String, ours: String) -> Vec<String> {
    let script = r#"
import sys
from google.auth.transport.requests import Request
from google.oauth2 import id_token
audience, certs, ours = sys.argv[1:4]
theirs = id_token.fetch_id_token(Request(), audience)
print(theirs)
for token in (theirs, ours):
    claims = id_token.verify_token(token, Request(), audience=audience, certs_url=certs)
    print(claims["email"])
"#;
    let mut command = std::process::Command::new(python());
    command.args(["-c", script, AUDIENCE, &certs, &ours]);
    for name in [
        "GOOGLE_APPLICATION_CREDENTIALS",
        "GCE_METADATA_HOST",
        "GCE_METADATA_IP",
    ] {
        command.env_remove(name);
    }
    command.envs(env);
    let out = tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

async fn from_adc(
    audience: &str,
    env: &[(&str, String)],
) -> Result<IdTokenCredentials, gapi_auth::AuthError> {
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    IdTokenCredentials::from_adc_with_env(audience, move |name| {
        env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    })
    .await
}

#[tokio::test]
async fn id_tokens_from_every_source_verify_both_ways() {
    let emu = Emulator::start(EmulatorOptions::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let verifier = IdTokenVerifier::new(AUDIENCE).with_certs_url(emu.certs_url());

    // A service account key.
    let key = write(
        dir.path(),
        "key.json",
        &serde_json::json!({
            "type": "service_account", "project_id": "my-project",
            "private_key_id": "k1", "private_key": rsa_pem(dir.path()),
            "client_email": ACCOUNT, "client_id": "1", "token_uri": emu.token_uri(),
        }),
    );
    let env = vec![("GOOGLE_APPLICATION_CREDENTIALS", key.display().to_string())];
    let creds = from_adc(AUDIENCE, &env).await.unwrap();
    let ours = creds.id_token().await.unwrap();
    let claims = verifier.verify(&ours).await.unwrap();
    assert_eq!(
        (claims.email.as_deref(), claims.aud.as_str()),
        (Some(ACCOUNT), AUDIENCE)
    );
    // As a client's credentials: the ID token is the bearer token, cached.
    let headers = creds.headers().await.unwrap();
    assert_eq!(headers["authorization"], format!("Bearer {ours}"));
    let out = google_auth(env, emu.certs_url(), ours).await;
    assert_eq!(out[1..], [ACCOUNT, ACCOUNT]);
    assert_eq!(
        verifier.verify(&out[0]).await.unwrap().email.as_deref(),
        Some(ACCOUNT)
    );

    // The metadata server (GCE_METADATA_HOST, as on Cloud Run).
    let env = vec![("GCE_METADATA_HOST", emu.metadata_host())];
    let ours = from_adc(AUDIENCE, &env)
        .await
        .unwrap()
        .id_token()
        .await
        .unwrap();
    let claims = verifier.verify(&ours).await.unwrap();
    assert_eq!(claims.email.as_deref(), Some(METADATA_SERVICE_ACCOUNT));
    // google-auth pings GCE_METADATA_IP before it asks GCE_METADATA_HOST.
    let mut python_env = env.clone();
    python_env.push(("GCE_METADATA_IP", emu.metadata_host()));
    let out = google_auth(python_env, emu.certs_url(), ours).await;
    assert_eq!(
        out[1..],
        [METADATA_SERVICE_ACCOUNT, METADATA_SERVICE_ACCOUNT]
    );

    // An impersonated service account, its source a signed-in user.
    let user: serde_json::Value = serde_json::from_str(
        &emu.sign_in(&["https://www.googleapis.com/auth/cloud-platform"])
            .authorized_user_json(),
    )
    .unwrap();
    let impersonated = write(
        dir.path(),
        "impersonated.json",
        &serde_json::json!({
            "type": "impersonated_service_account",
            "service_account_impersonation_url": emu.impersonation_url(TARGET),
            "source_credentials": user,
        }),
    );
    let env = vec![(
        "GOOGLE_APPLICATION_CREDENTIALS",
        impersonated.display().to_string(),
    )];
    let ours = from_adc(AUDIENCE, &env)
        .await
        .unwrap()
        .id_token()
        .await
        .unwrap();
    assert_eq!(
        verifier.verify(&ours).await.unwrap().email.as_deref(),
        Some(TARGET)
    );
    // A denied account: IAM's words reach the caller.
    let denied = write(
        dir.path(),
        "denied.json",
        &serde_json::json!({
            "type": "impersonated_service_account",
            "service_account_impersonation_url": emu.impersonation_url("denied@my-project.iam.gserviceaccount.com"),
            "source_credentials": user,
        }),
    );
    let e = from_adc(
        AUDIENCE,
        &[(
            "GOOGLE_APPLICATION_CREDENTIALS",
            denied.display().to_string(),
        )],
    )
    .await
    .unwrap()
    .id_token()
    .await
    .unwrap_err()
    .to_string();
    assert!(e.contains("getOpenIdToken"), "{e}");

    // A user signed in with `openid`: the audience is the OAuth client.
    let signed_in = emu.sign_in(&["openid", "email"]);
    let file = dir.path().join("user.json");
    std::fs::write(&file, signed_in.authorized_user_json()).unwrap();
    let env = [("GOOGLE_APPLICATION_CREDENTIALS", file.display().to_string())];
    let ours = from_adc(AUDIENCE, &env)
        .await
        .unwrap()
        .id_token()
        .await
        .unwrap();
    let claims = IdTokenVerifier::new(signed_in.client_id.clone())
        .with_certs_url(emu.certs_url())
        .verify(&ours)
        .await
        .unwrap();
    assert_eq!(claims.email.as_deref(), Some("ada@example.com"));
    // Without `openid` there is none, and the error says what to do.
    let no_openid = emu.sign_in(&["https://www.googleapis.com/auth/drive.readonly"]);
    std::fs::write(&file, no_openid.authorized_user_json()).unwrap();
    let e = from_adc(AUDIENCE, &env)
        .await
        .unwrap()
        .id_token()
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("`openid` scope"), "{e}");

    // Nothing configured and no metadata server: say so.
    let e = from_adc(
        AUDIENCE,
        &[("GCE_METADATA_HOST", "127.0.0.1:9".to_string())],
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("no metadata server answered at 127.0.0.1:9"),
        "{e}"
    );
}

#[tokio::test]
async fn the_verifier_refuses_what_it_should() {
    let emu = Emulator::start(EmulatorOptions::default()).await.unwrap();
    let env = [("GCE_METADATA_HOST", emu.metadata_host())];
    let token = from_adc(AUDIENCE, &env)
        .await
        .unwrap()
        .id_token()
        .await
        .unwrap();
    let jwks = reqwest::get(emu.certs_url())
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let now = SystemTime::now();
    let verifier = IdTokenVerifier::new(AUDIENCE);
    assert!(verifier.verify_with_jwks(&token, &jwks, now).is_ok());
    let refused = |verifier: &IdTokenVerifier, token: &str, at: SystemTime| {
        verifier
            .verify_with_jwks(token, &jwks, at)
            .unwrap_err()
            .to_string()
    };
    // Another audience.
    let e = refused(&IdTokenVerifier::new("https://other.example"), &token, now);
    assert!(e.contains("not \"https://other.example\""), "{e}");
    // Expired (an hour and more later).
    let e = refused(&verifier, &token, now + Duration::from_secs(7200));
    assert!(e.contains("expired"), "{e}");
    // Another issuer trusted instead of Google's.
    let e = refused(
        &IdTokenVerifier::new(AUDIENCE).with_issuers(&["https://issuer.example"]),
        &token,
        now,
    );
    assert!(e.contains("is not trusted"), "{e}");
    // Claims changed after signing.
    let parts: Vec<&str> = token.split('.').collect();
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut claims: serde_json::Value =
        serde_json::from_slice(&b64.decode(parts[1]).unwrap()).unwrap();
    claims["email"] = "admin@my-project.iam.gserviceaccount.com".into();
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        b64.encode(claims.to_string()),
        parts[2]
    );
    let e = refused(&verifier, &forged, now);
    assert!(e.contains("signature does not match"), "{e}");
    // `alg: none` and garbage.
    let none = format!("{}.{}.", b64.encode(r#"{"alg":"none"}"#), parts[1]);
    assert!(refused(&verifier, &none, now).contains("RS256"));
    assert!(refused(&verifier, "not-a-jwt", now).contains("not valid"));
}
