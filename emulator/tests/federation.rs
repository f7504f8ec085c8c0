//! Impersonated service accounts and workload identity federation, end to
//! end against the emulator's IAM Credentials and STS endpoints, loaded the
//! way users load them (ADC files), and checked against Python's google-auth
//! reading and using the same files.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use common::{python, rsa_pem, write};
use gapi_auth::{ApplicationDefaultCredentials, AuthError, Credentials};
use gapi_emulator::{Emulator, EmulatorOptions};

const TARGET: &str = "deployer@my-project.iam.gserviceaccount.com";
const SCOPE: &str = "https://www.googleapis.com/auth/cloud-platform";
const AUDIENCE: &str =
    "//iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/ci/providers/github";

/// The credentials ADC finds when `GOOGLE_APPLICATION_CREDENTIALS` names `file`.
async fn adc(
    file: &Path,
    allow_executables: bool,
) -> Result<ApplicationDefaultCredentials, AuthError> {
    let file = file.display().to_string();
    ApplicationDefaultCredentials::with_env(&[SCOPE], move |name| match name {
        "GOOGLE_APPLICATION_CREDENTIALS" => Some(file.clone()),
        "GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES" if allow_executables => Some("1".into()),
        _ => None,
    })
    .await
}

/// Who the emulator says a token belongs to (tokeninfo's `email`).
async fn email_of(emu: &Emulator, creds: &dyn Credentials) -> String {
    tokeninfo(emu, creds).await["email"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// The OAuth client a user's token was issued to (tokeninfo's `issued_to`).
async fn issued_to(emu: &Emulator, creds: &dyn Credentials) -> String {
    tokeninfo(emu, creds).await["issued_to"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

async fn tokeninfo(emu: &Emulator, creds: &dyn Credentials) -> serde_json::Value {
    let headers = creds.headers().await.unwrap();
    let token = headers["authorization"]
        .to_str()
        .unwrap()
        .trim_start_matches("Bearer ")
        .to_string();
    let info: serde_json::Value = reqwest::get(format!(
        "{}oauth2/v2/tokeninfo?access_token={token}",
        emu.root_url()
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    info
}

/// An unsigned JWT (the emulator checks shape and `exp`, like a fake IdP).
fn jwt(exp: u64) -> String {
    let part = |v: serde_json::Value| URL_SAFE_NO_PAD.encode(v.to_string());
    format!(
        "{}.{}.sig",
        part(serde_json::json!({"alg": "RS256", "typ": "JWT"})),
        part(
            serde_json::json!({"iss": "https://token.actions.githubusercontent.com", "sub": "repo:gapi/gapi:ref:refs/heads/main", "exp": exp})
        )
    )
}

fn in_an_hour() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 3600
}

#[tokio::test]
async fn impersonated_service_account_files_from_a_user_or_a_service_account() {
    let emu = Emulator::start(EmulatorOptions::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    // gcloud auth application-default login --impersonate-service-account=…
    let user: serde_json::Value =
        serde_json::from_str(&emu.sign_in(&[SCOPE]).authorized_user_json()).unwrap();
    let file = write(
        dir.path(),
        "impersonated.json",
        &serde_json::json!({
            "type": "impersonated_service_account",
            "service_account_impersonation_url": emu.impersonation_url(TARGET),
            "source_credentials": user,
            "delegates": [],
            "quota_project_id": "billing-project",
        }),
    );
    let creds = adc(&file, false).await.unwrap();
    assert_eq!(email_of(&emu, &creds).await, TARGET);
    assert_eq!(
        creds.headers().await.unwrap()["x-goog-user-project"],
        "billing-project"
    );

    // A service account key as the source, and a target that refuses it.
    let key = serde_json::json!({
        "type": "service_account", "client_email": "ci@my-project.iam.gserviceaccount.com",
        "private_key": rsa_pem(dir.path()), "private_key_id": "k1", "token_uri": emu.token_uri(),
    });
    let denied = "denied-robot@my-project.iam.gserviceaccount.com";
    let file = write(
        dir.path(),
        "denied.json",
        &serde_json::json!({
            "type": "impersonated_service_account",
            "service_account_impersonation_url": emu.impersonation_url(denied),
            "source_credentials": key,
        }),
    );
    let err = adc(&file, false)
        .await
        .unwrap()
        .headers()
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains(denied) && text.contains("PERMISSION_DENIED"),
        "{text}"
    );
    assert!(
        text.contains("roles/iam.serviceAccountTokenCreator"),
        "{text}"
    );

    // The same in code, without a file.
    let source =
        gapi_auth::ServiceAccountCredentials::from_json(key.to_string().as_bytes(), &[SCOPE])
            .unwrap();
    let creds = gapi_auth::ImpersonatedCredentials::new(source, TARGET, &[SCOPE])
        .with_iam_endpoint(emu.root_url().trim_end_matches('/'))
        .with_lifetime(std::time::Duration::from_secs(600));
    assert_eq!(email_of(&emu, &creds).await, TARGET);
}

#[tokio::test]
async fn workload_identity_from_a_file_a_url_and_an_executable() {
    let emu = Emulator::start(EmulatorOptions::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = |source: serde_json::Value, impersonate: bool| {
        let mut c = serde_json::json!({
            "type": "external_account", "audience": AUDIENCE,
            "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
            "token_url": emu.sts_uri(), "credential_source": source,
        });
        if impersonate {
            c["service_account_impersonation_url"] = emu.impersonation_url(TARGET).into();
        }
        c
    };

    // File-sourced, plain text, no impersonation: a federated token.
    let token_file = dir.path().join("oidc-token");
    std::fs::write(&token_file, format!("{}\n", jwt(in_an_hour()))).unwrap();
    let file = write(
        dir.path(),
        "file.json",
        &config(serde_json::json!({"file": token_file}), false),
    );
    let creds = adc(&file, false).await.unwrap();
    assert!(creds.headers().await.unwrap().contains_key("authorization"));
    assert_eq!(
        email_of(&emu, &creds).await,
        "",
        "a federated principal, not a service account"
    );

    // URL-sourced JSON (Azure-style: a header, a field), then impersonation.
    let idp = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let idp_url = format!("http://{}/token", idp.local_addr().unwrap());
    let subject = jwt(in_an_hour());
    let server = tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        for _ in 0..4 {
            let Ok((mut stream, _)) = idp.accept().await else {
                return;
            };
            let mut request = vec![0u8; 4096];
            let n = stream.read(&mut request).await.unwrap_or(0);
            let request = String::from_utf8_lossy(&request[..n]).to_lowercase();
            let (status, body) = if request.contains("metadata: true") {
                (
                    "200 OK",
                    serde_json::json!({"access_token": subject}).to_string(),
                )
            } else {
                ("400 Bad Request", "{}".to_string())
            };
            let _ = stream
                .write_all(format!("HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len()).as_bytes())
                .await;
        }
    });
    let file = write(
        dir.path(),
        "url.json",
        &config(
            serde_json::json!({"url": idp_url, "headers": {"Metadata": "True"},
                "format": {"type": "json", "subject_token_field_name": "access_token"}}),
            true,
        ),
    );
    let creds = adc(&file, false).await.unwrap();
    assert_eq!(email_of(&emu, &creds).await, TARGET);
    server.abort();

    // Executable-sourced: refused unless allowed, then run with the
    // protocol's environment.
    let script = dir.path().join("token.sh");
    let seen = dir.path().join("seen-audience");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nprintf '%s' \"$GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE\" > '{}'\nprintf '{{\"version\":1,\"success\":true,\"token_type\":\"urn:ietf:params:oauth:token-type:id_token\",\"id_token\":\"{}\",\"expiration_time\":{}}}'\n",
            seen.display(),
            jwt(in_an_hour()),
            in_an_hour()
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let file = write(
        dir.path(),
        "exe.json",
        &config(
            serde_json::json!({"executable": {"command": script, "timeout_millis": 10000}}),
            false,
        ),
    );
    let err = adc(&file, false)
        .await
        .unwrap()
        .headers()
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1"),
        "{err}"
    );
    let creds = adc(&file, true).await.unwrap();
    assert!(creds.headers().await.unwrap().contains_key("authorization"));
    assert_eq!(std::fs::read_to_string(&seen).unwrap(), AUDIENCE);

    // A still-valid answer in the output file is used without running the
    // executable (here one that would fail).
    let cached = dir.path().join("cached-answer.json");
    std::fs::write(
        &cached,
        serde_json::json!({"version": 1, "success": true,
            "token_type": "urn:ietf:params:oauth:token-type:jwt",
            "id_token": jwt(in_an_hour()), "expiration_time": in_an_hour()})
        .to_string(),
    )
    .unwrap();
    let file = write(
        dir.path(),
        "exe-cached.json",
        &config(
            serde_json::json!({"executable": {"command": "/bin/false", "output_file": cached}}),
            true,
        ),
    );
    let creds = adc(&file, true).await.unwrap();
    assert_eq!(email_of(&emu, &creds).await, TARGET);

    // An expired subject token: STS's refusal, with its words.
    std::fs::write(&token_file, jwt(1)).unwrap();
    let file = write(
        dir.path(),
        "stale.json",
        &config(serde_json::json!({"file": token_file}), false),
    );
    let err = adc(&file, false)
        .await
        .unwrap()
        .headers()
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("invalid_grant") && err.to_string().contains("expired"),
        "{err}"
    );
}

/// google-auth loads the files gapi loads, and (for workload identity, whose
/// endpoints the file names) gets a token for the same account from the
/// emulator.
#[tokio::test]
async fn google_auth_reads_and_uses_the_same_files() {
    let emu = Emulator::start(EmulatorOptions::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let user: serde_json::Value =
        serde_json::from_str(&emu.sign_in(&[SCOPE]).authorized_user_json()).unwrap();
    let impersonated = write(
        dir.path(),
        "impersonated.json",
        &serde_json::json!({
            "type": "impersonated_service_account",
            "service_account_impersonation_url": emu.impersonation_url(TARGET),
            "source_credentials": user,
            "delegates": ["middle@my-project.iam.gserviceaccount.com"],
        }),
    );
    let token_file = dir.path().join("oidc-token");
    std::fs::write(&token_file, jwt(in_an_hour())).unwrap();
    let external = write(
        dir.path(),
        "external.json",
        &serde_json::json!({
            "type": "external_account", "audience": AUDIENCE,
            "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
            "token_url": emu.sts_uri(),
            "service_account_impersonation_url": emu.impersonation_url(TARGET),
            "credential_source": {"file": token_file, "format": {"type": "text"}},
        }),
    );
    let root = emu.root_url();
    let script = r#"
import json, sys, urllib.request
import google.auth
from google.auth.transport.requests import Request
impersonated, external, root = sys.argv[1:4]
creds, _ = google.auth.load_credentials_from_file(impersonated, scopes=["https://www.googleapis.com/auth/cloud-platform"])
print(type(creds).__module__, creds.service_account_email if hasattr(creds, "service_account_email") else creds._target_principal)
# load_credentials_from_file would also look the project up at
# cloudresourcemanager.googleapis.com; from_file is the same parsing, offline.
from google.auth import identity_pool
creds = identity_pool.Credentials.from_file(external, scopes=["https://www.googleapis.com/auth/cloud-platform"])
creds.refresh(Request())
info = json.load(urllib.request.urlopen(root + "oauth2/v2/tokeninfo?access_token=" + creds.token))
print(type(creds).__module__, info.get("email"))
# google-auth writes the same configuration from its own credentials object.
written = identity_pool.Credentials(
    audience=creds.info["audience"], subject_token_type=creds.info["subject_token_type"],
    token_url=creds.info["token_url"], credential_source=creds.info["credential_source"],
    service_account_impersonation_url=creds.info["service_account_impersonation_url"])
json.dump(written.info, open(sys.argv[4], "w"))
"#;
    let python = python();
    let from_python = dir.path().join("written-by-google-auth.json");
    let (a, b, c, d) = (
        impersonated.display().to_string(),
        external.display().to_string(),
        root.clone(),
        from_python.display().to_string(),
    );
    // Off the runtime: the emulator must keep serving while Python runs.
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(python)
            .args(["-c", script, &a, &b, &c, &d])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        stdout.lines().collect::<Vec<_>>(),
        [
            format!("google.auth.impersonated_credentials {TARGET}"),
            format!("google.auth.identity_pool {TARGET}"),
        ]
    );
    // And gapi, from the very same files.
    for file in [&impersonated, &external, &from_python] {
        let creds = adc(file, false).await.unwrap();
        assert_eq!(email_of(&emu, &creds).await, TARGET, "{}", file.display());
    }
}

/// Runs a google-auth script off the runtime (the emulator keeps serving),
/// with `env` as the only AWS variables it sees.
async fn google_auth(script: &'static str, args: Vec<String>, env: &[(&str, &str)]) -> String {
    let mut command = std::process::Command::new(python());
    command.arg("-c").arg(script).args(args);
    for name in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
    ] {
        command.env_remove(name);
    }
    command.envs(env.iter().copied());
    let out = tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// AWS-sourced workload identity: gapi signs the same `GetCallerIdentity`
/// request as google-auth, byte for byte, for the same instance metadata
/// (IMDSv2, role keys with a session token) or environment keys and the
/// same clock; the emulator's STS recomputes the SigV4 signature and
/// accepts it; a wrong secret is refused with STS's words.
#[tokio::test]
async fn aws_sourced_workload_identity_signs_what_google_auth_signs() {
    use gapi_auth::ExternalAccountCredentials;
    use gapi_emulator::aws::{AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY};
    let emu = Emulator::start(EmulatorOptions::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let imds = emu.aws_metadata_root();
    let config = serde_json::json!({
        "type": "external_account", "audience": AUDIENCE,
        "subject_token_type": "urn:ietf:params:aws:token-type:aws4_request",
        "token_url": emu.sts_uri(),
        "service_account_impersonation_url": emu.impersonation_url(TARGET),
        "credential_source": {
            "environment_id": "aws1",
            "region_url": format!("{imds}/meta-data/placement/availability-zone"),
            "url": format!("{imds}/meta-data/iam/security-credentials"),
            "imdsv2_session_token_url": format!("{imds}/api/token"),
            "regional_cred_verification_url": "https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15",
        },
    });
    let file = write(dir.path(), "aws.json", &config);
    let bytes = std::fs::read(&file).unwrap();
    // 2026-03-04T05:06:07Z, a clock both sides are given.
    let at = 1_772_600_767u64;
    let clock = std::time::UNIX_EPOCH + std::time::Duration::from_secs(at);
    let script = r#"
import datetime, sys
import google.auth._helpers
from google.auth import aws
from google.auth.transport.requests import Request
path, at = sys.argv[1], int(sys.argv[2])
google.auth._helpers.utcnow = lambda: datetime.datetime.fromtimestamp(at, datetime.timezone.utc).replace(tzinfo=None)
creds = aws.Credentials.from_file(path)
print(creds.retrieve_subject_token(Request()))
"#;
    let args = vec![file.display().to_string(), at.to_string()];

    // From the instance metadata service.
    let ours = ExternalAccountCredentials::from_json_with_env(&bytes, &[], &|_| None)
        .unwrap()
        .subject_token_at(clock)
        .await
        .unwrap();
    let theirs = google_auth(script, args.clone(), &[]).await;
    assert_eq!(ours, theirs.trim());
    assert!(ours.contains("x-amz-security-token"), "{ours}");

    // From the environment (long-term keys, another region).
    let env = [
        ("AWS_ACCESS_KEY_ID", AWS_ACCESS_KEY_ID),
        ("AWS_SECRET_ACCESS_KEY", AWS_SECRET_ACCESS_KEY),
        ("AWS_REGION", "eu-west-3"),
    ];
    let lookup = |name: &str| {
        env.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
    };
    let from_env = ExternalAccountCredentials::from_json_with_env(&bytes, &[], &lookup).unwrap();
    let ours = from_env.subject_token_at(clock).await.unwrap();
    let theirs = google_auth(script, args, &env).await;
    assert_eq!(ours, theirs.trim());
    assert!(ours.contains("sts.eu-west-3.amazonaws.com"), "{ours}");
    assert!(!ours.contains("x-amz-security-token"), "{ours}");
    assert_eq!(email_of(&emu, &from_env).await, TARGET);

    // Loaded through ADC, signed now: the emulator's STS checks the signature.
    let creds = adc(&file, false).await.unwrap();
    assert_eq!(email_of(&emu, &creds).await, TARGET);

    // A wrong secret: STS recomputes the signature and refuses.
    let wrong = |name: &str| match name {
        "AWS_SECRET_ACCESS_KEY" => Some("not-the-secret".to_string()),
        _ => lookup(name),
    };
    let e = ExternalAccountCredentials::from_json_with_env(&bytes, &[], &wrong)
        .unwrap()
        .headers()
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("signature"), "{e}");

    // google-auth exchanges its own signature at the emulator too.
    let script = r#"
import json, sys, urllib.request
from google.auth import aws
from google.auth.transport.requests import Request
creds = aws.Credentials.from_file(sys.argv[1], scopes=["https://www.googleapis.com/auth/cloud-platform"])
creds.refresh(Request())
print(json.load(urllib.request.urlopen(sys.argv[2] + "oauth2/v2/tokeninfo?access_token=" + creds.token))["email"])
"#;
    let out = google_auth(
        script,
        vec![file.display().to_string(), emu.root_url()],
        &[],
    )
    .await;
    assert_eq!(out.trim(), TARGET);
}

/// A workforce pool user (`external_account_authorized_user`, what
/// `gcloud auth application-default login --login-config` writes): loaded
/// through ADC, refreshed at STS's `oauthtoken` with Basic client
/// authentication; google-auth refreshes the same file, writes its own, and
/// gapi reads that one (its still-valid token used without a refresh).
#[tokio::test]
async fn workforce_users_refresh_through_sts_like_google_auth() {
    let emu = Emulator::start(EmulatorOptions::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let user = emu.sign_in(&[SCOPE]);
    let config = serde_json::json!({
        "type": "external_account_authorized_user",
        "audience": "//iam.googleapis.com/locations/global/workforcePools/staff/providers/okta",
        "refresh_token": user.refresh_token,
        "token_url": emu.sts_oauthtoken_uri(),
        "token_info_url": format!("{}v1/introspect", emu.root_url()),
        "client_id": user.client_id,
        "client_secret": user.client_secret,
    });
    let file = write(dir.path(), "workforce.json", &config);
    let creds = adc(&file, false).await.unwrap();
    let who = issued_to(&emu, &creds).await;
    assert_eq!(
        who, user.client_id,
        "a token of the signed-in user's client"
    );
    assert_eq!(
        format!("{:?}", creds.source()),
        format!("EnvironmentVariable({file:?})")
    );

    // Without client authentication STS refuses, and the error says so.
    let mut no_secret = config.clone();
    no_secret["client_secret"] = serde_json::Value::Null;
    let e = gapi_auth::WorkforceUserCredentials::from_json(no_secret.to_string().as_bytes())
        .unwrap_err()
        .to_string();
    assert!(e.contains("`client_secret` is missing"), "{e}");

    let script = r#"
import json, sys, urllib.request
from google.auth import external_account_authorized_user
from google.auth.transport.requests import Request
path, root, out = sys.argv[1:4]
creds = external_account_authorized_user.Credentials.from_file(path)
creds.refresh(Request())
print(json.load(urllib.request.urlopen(root + "oauth2/v2/tokeninfo?access_token=" + creds.token))["issued_to"])
print(creds.token)
open(out, "w").write(creds.to_json())
"#;
    let written = dir.path().join("written-by-google-auth.json");
    let out = google_auth(
        script,
        vec![
            file.display().to_string(),
            emu.root_url(),
            written.display().to_string(),
        ],
        &[],
    )
    .await;
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], who);
    let from_python = adc(&written, false).await.unwrap();
    let headers = from_python.headers().await.unwrap();
    assert_eq!(
        headers["authorization"].to_str().unwrap(),
        format!("Bearer {}", lines[1]),
        "the token google-auth wrote is used while it is valid"
    );
}

/// Accepts one HTTP request on 127.0.0.1, answers `answer` (JSON), and
/// gives back the request's body.
async fn capture_one(answer: &'static str) -> (String, tokio::task::JoinHandle<String>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/v1/token", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        let (mut stream, _) =
            tokio::time::timeout(std::time::Duration::from_secs(30), listener.accept())
                .await
                .expect("a request within 30 s")
                .unwrap();
        let mut seen = Vec::new();
        let mut buf = [0u8; 4096];
        let body = loop {
            let n = tokio::time::timeout(std::time::Duration::from_secs(30), stream.read(&mut buf))
                .await
                .expect("the request within 30 s")
                .unwrap();
            assert!(n > 0, "the connection closed mid-request");
            seen.extend_from_slice(&buf[..n]);
            let text = String::from_utf8_lossy(&seen).to_string();
            if let Some((head, body)) = text.split_once("\r\n\r\n") {
                let length: usize = head
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("content-length:")
                            .map(|v| v.trim().parse().unwrap())
                    })
                    .unwrap_or(0);
                if body.len() >= length {
                    break body.to_string();
                }
            }
        };
        let reply = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
            answer.len()
        );
        stream.write_all(reply.as_bytes()).await.unwrap();
        body
    });
    (url, task)
}

/// Downscoping (credential access boundaries): the exchange gapi sends is
/// byte for byte the one google-auth sends for the same source token and
/// boundary (quoting, field order and `json.dumps` layout included), and
/// the emulator's STS exchanges it for a token of the same client.
#[tokio::test]
async fn downscoped_tokens_are_exchanged_as_google_auth_exchanges_them() {
    use gapi_auth::{
        AccessBoundaryRule, AvailabilityCondition, CredentialAccessBoundary, DownscopedCredentials,
        StaticToken,
    };
    let boundary =
        || {
            CredentialAccessBoundary::new(vec![
            AccessBoundaryRule::new(
                "//storage.googleapis.com/projects/_/buckets/reports",
                &["inRole:roles/storage.objectViewer", "inRole:roles/storage.legacyBucketReader"],
            )
            .unwrap()
            .condition(
                AvailabilityCondition::new(
                    "resource.name.startsWith('projects/_/buckets/reports/objects/2026/é & more')",
                )
                .title("2026 only")
                .description("Reports of \"this\" year"),
            ),
            AccessBoundaryRule::new(
                "//storage.googleapis.com/projects/_/buckets/public",
                &["inRole:roles/storage.objectViewer"],
            )
            .unwrap(),
        ])
            .unwrap()
        };
    let source_token = "ya29.source/token+with=odd~chars";
    let (url, seen) = capture_one(r#"{"access_token":"ya29.narrow","expires_in":3599,"issued_token_type":"urn:ietf:params:oauth:token-type:access_token","token_type":"Bearer"}"#).await;
    let narrow =
        DownscopedCredentials::new(StaticToken::new(source_token), boundary()).with_sts_url(url);
    let headers = narrow.headers().await.unwrap();
    assert_eq!(headers["authorization"], "Bearer ya29.narrow");
    let ours = seen.await.unwrap();

    let script = r#"
import sys
from google.auth import credentials, downscoped
class Fixed(credentials.Credentials):
    def __init__(self):
        super().__init__()
        self.token = sys.argv[1]
    def refresh(self, request):
        pass
rules = [
    downscoped.AccessBoundaryRule(
        available_resource="//storage.googleapis.com/projects/_/buckets/reports",
        available_permissions=["inRole:roles/storage.objectViewer", "inRole:roles/storage.legacyBucketReader"],
        availability_condition=downscoped.AvailabilityCondition(
            expression="resource.name.startsWith('projects/_/buckets/reports/objects/2026/é & more')",
            title="2026 only", description='Reports of "this" year')),
    downscoped.AccessBoundaryRule(
        available_resource="//storage.googleapis.com/projects/_/buckets/public",
        available_permissions=["inRole:roles/storage.objectViewer"]),
]
creds = downscoped.Credentials(source_credentials=Fixed(),
    credential_access_boundary=downscoped.CredentialAccessBoundary(rules=rules))
class Answer:
    status = 200
    headers = {}
    data = b'{"access_token": "ya29.narrow", "expires_in": 3599}'
def request(url, method="GET", body=None, headers=None, **kwargs):
    if url.endswith("/v1/token"):
        sys.stdout.write(body.decode())
    return Answer()
creds.refresh(request)
"#;
    let theirs = google_auth(script, vec![source_token.to_string()], &[]).await;
    assert_eq!(ours, theirs);
    assert!(ours.contains("options=%257B%2522accessBoundary"), "{ours}");

    // End to end: the emulator's STS narrows a token it issued.
    let emu = Emulator::start(EmulatorOptions::default()).await.unwrap();
    let user = emu.sign_in(&[SCOPE]);
    let narrow =
        DownscopedCredentials::new(StaticToken::new(user.access_token.clone()), boundary())
            .with_sts_url(emu.sts_uri());
    assert_eq!(issued_to(&emu, &narrow).await, user.client_id);
    let bearer = narrow.headers().await.unwrap()["authorization"].clone();
    assert_ne!(bearer, format!("Bearer {}", user.access_token));
    // A source token STS does not know is refused, with STS's words.
    let e = DownscopedCredentials::new(StaticToken::new("ya29.unknown"), boundary())
        .with_sts_url(emu.sts_uri())
        .headers()
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("invalid_grant"), "{e}");
}
