//! Google-specific behaviour against a local fake that follows Google's
//! documented shapes (oauth2-mock-server has no `invalid_grant` on demand, no
//! JWT-bearer grant and no metadata server): single-flight refresh, failure
//! handling, service accounts, ADC, and two processes sharing a token cache.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::convert::Infallible;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use bytes::Bytes;
use gapi_auth::{
    AccessToken, AdcSource, ApplicationDefaultCredentials, ClientSecret, Credentials,
    FileTokenStore, RefreshToken, ServiceAccountCredentials, StoredUser, TokenStore,
    UserCredentials,
};
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;

#[derive(Clone, PartialEq)]
enum Mode {
    Ok,
    InvalidGrant,
    /// `invalid_grant` for this refresh token only; others get tokens.
    InvalidGrantFor(&'static str),
    /// Google's reauth demand: `invalid_grant` with `error_subtype`.
    InvalidRapt,
    Unavailable,
    /// Accepts the request and never answers.
    Hang,
    /// `307` to the same path on another server.
    RedirectTo(String),
    /// A `403` HTML page, as a proxy or load balancer sends.
    HtmlForbidden,
}

#[derive(Default)]
struct Seen {
    token_requests: usize,
    forms: Vec<Vec<(String, String)>>,
    device_polls: usize,
    device_codes: usize,
    hung: usize,
}

struct FakeGoogle {
    base: String,
    mode: Arc<Mutex<Mode>>,
    seen: Arc<Mutex<Seen>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FakeGoogle {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FakeGoogle {
    async fn start() -> FakeGoogle {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let mode = Arc::new(Mutex::new(Mode::Ok));
        let seen = Arc::new(Mutex::new(Seen::default()));
        let (m, s) = (mode.clone(), seen.clone());
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let (m, s) = (m.clone(), s.clone());
                tokio::spawn(async move {
                    let service = service_fn(move |req: Request<hyper::body::Incoming>| {
                        let (m, s) = (m.clone(), s.clone());
                        async move { Ok::<_, Infallible>(answer(req, &m, &s).await) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        FakeGoogle {
            base,
            mode,
            seen,
            task,
        }
    }

    fn set(&self, mode: Mode) {
        *self.mode.lock().unwrap() = mode;
    }

    fn token_requests(&self) -> usize {
        self.seen.lock().unwrap().token_requests
    }
}

async fn answer(
    req: Request<hyper::body::Incoming>,
    mode: &Mutex<Mode>,
    seen: &Mutex<Seen>,
) -> Response<Full<Bytes>> {
    let path = req.uri().path().to_string();
    let flavor = req
        .headers()
        .get("metadata-flavor")
        .is_some_and(|v| v == "Google");
    let body = req.into_body().collect().await.unwrap().to_bytes();
    let current = mode.lock().unwrap().clone();
    match &current {
        Mode::Hang => {
            seen.lock().unwrap().hung += 1;
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
        Mode::RedirectTo(base) => {
            let mut r = Response::new(Full::new(Bytes::new()));
            *r.status_mut() = hyper::StatusCode::TEMPORARY_REDIRECT;
            r.headers_mut()
                .insert("location", format!("{base}{path}").parse().unwrap());
            return r;
        }
        Mode::HtmlForbidden => {
            let mut r = Response::new(Full::new(Bytes::from_static(
                b"<html><body><h1>403 Forbidden</h1></body></html>",
            )));
            *r.status_mut() = hyper::StatusCode::FORBIDDEN;
            return r;
        }
        _ => {}
    }
    let json = |status: u16, body: String| {
        let mut r = Response::new(Full::new(Bytes::from(body)));
        *r.status_mut() = hyper::StatusCode::from_u16(status).unwrap();
        r.headers_mut()
            .insert("content-type", "application/json".parse().unwrap());
        r
    };
    match path.as_str() {
        "/device/code" => {
            seen.lock().unwrap().device_codes += 1;
            json(
            200,
            r#"{"device_code":"dev-1","user_code":"GQVQ-JKEC","verification_url":"https://www.google.com/device","expires_in":1800,"interval":0}"#.into(),
            )
        }
        "/token" if String::from_utf8_lossy(&body).contains("device_code") => {
            // Google's sequence: pending, pending, slow_down, then approval.
            let n = {
                let mut s = seen.lock().unwrap();
                s.device_polls += 1;
                s.device_polls
            };
            match n {
                1 | 2 => json(428, r#"{"error":"authorization_pending","error_description":"Precondition Required"}"#.into()),
                3 => json(403, r#"{"error":"slow_down","error_description":"Forbidden"}"#.into()),
                _ => json(200, r#"{"access_token":"ya29.device","expires_in":3599,"refresh_token":"1//device","token_type":"Bearer"}"#.into()),
            }
        }
        "/token" => {
            let form: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap();
            let refresh_token = form
                .iter()
                .find(|(k, _)| k == "refresh_token")
                .map(|(_, v)| v.clone());
            let n = {
                let mut s = seen.lock().unwrap();
                s.token_requests += 1;
                s.forms.push(form);
                s.token_requests
            };
            // Slow enough that concurrent callers really overlap.
            tokio::time::sleep(Duration::from_millis(50)).await;
            let revoked = r#"{"error":"invalid_grant","error_description":"Token has been expired or revoked."}"#;
            match current {
                Mode::InvalidGrant => json(400, revoked.into()),
                Mode::InvalidGrantFor(dead) if refresh_token.as_deref() == Some(dead) => {
                    json(400, revoked.into())
                }
                Mode::InvalidRapt => json(400, r#"{"error":"invalid_grant","error_description":"reauth related error (invalid_rapt)","error_uri":"https://support.google.com/a/answer/9368756","error_subtype":"invalid_rapt"}"#.into()),
                Mode::Unavailable => json(503, "{}".into()),
                _ => json(200, format!(r#"{{"access_token":"ya29.fresh-{n}","expires_in":3599,"token_type":"Bearer","scope":"s"}}"#)),
            }
        }
        "/computeMetadata/v1/" if flavor => {
            let mut r = json(200, "{}".into());
            r.headers_mut()
                .insert("metadata-flavor", "Google".parse().unwrap());
            r
        }
        "/computeMetadata/v1/instance/service-accounts/default/token" if flavor => json(
            200,
            r#"{"access_token":"meta-token","expires_in":3600,"token_type":"Bearer"}"#.into(),
        ),
        _ => json(404, "{}".into()),
    }
}

fn user(token_uri: &str, token: Option<(&str, SystemTime)>) -> StoredUser {
    StoredUser {
        token: token.map(|(t, _)| AccessToken::new(t)),
        expiry: token.map(|(_, e)| e),
        refresh_token: RefreshToken::new("1//refresh"),
        token_uri: token_uri.to_string(),
        client_id: "cid".into(),
        client_secret: Some(ClientSecret::new("cs")),
        scopes: vec!["s".into()],
        universe_domain: None,
        account: None,
        quota_project_id: None,
        extra: serde_json::Map::new(),
    }
}

fn bearer(headers: &http::HeaderMap) -> String {
    headers["authorization"]
        .to_str()
        .unwrap()
        .trim_start_matches("Bearer ")
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_callers_cause_one_refresh() {
    let google = FakeGoogle::start().await;
    let expired = SystemTime::now() - Duration::from_secs(10);
    let creds = UserCredentials::from_stored(
        user(
            &format!("{}/token", google.base),
            Some(("ya29.old", expired)),
        ),
        None,
    );
    let tasks: Vec<_> = (0..1000)
        .map(|_| {
            let c = creds.clone();
            tokio::spawn(async move { bearer(&c.headers().await.unwrap()) })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap(), "ya29.fresh-1");
    }
    assert_eq!(google.token_requests(), 1);
    let form = &google.seen.lock().unwrap().forms[0];
    assert!(form.contains(&("grant_type".into(), "refresh_token".into())));
    assert!(form.contains(&("refresh_token".into(), "1//refresh".into())));
}

#[tokio::test]
async fn invalid_grant_asks_to_sign_in_again_and_removes_the_dead_cache() {
    let google = FakeGoogle::start().await;
    google.set(Mode::InvalidGrant);
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(FileTokenStore::new(dir.path().join("token.json")));
    let stored = user(&format!("{}/token", google.base), None);
    store.save(&stored).unwrap();
    let creds = UserCredentials::from_stored(stored, Some(store.clone()));
    let err = creds.headers().await.unwrap_err();
    assert!(err.needs_sign_in(), "{err:?}");
    assert!(err.to_string().contains("sign in again"), "{err}");
    assert!(store.load().unwrap().is_none(), "the dead entry is removed");
    assert_eq!(google.token_requests(), 1, "invalid_grant is not retried");
}

#[tokio::test]
async fn a_transient_failure_keeps_serving_a_still_valid_token() {
    let google = FakeGoogle::start().await;
    google.set(Mode::Unavailable);
    // Inside the 3m45s refresh window, but not expired.
    let soon = SystemTime::now() + Duration::from_secs(60);
    let creds = UserCredentials::from_stored(
        user(
            &format!("{}/token", google.base),
            Some(("ya29.still-good", soon)),
        ),
        None,
    );
    // Served at once; the refresh runs in the background, retried thrice.
    assert_eq!(bearer(&creds.headers().await.unwrap()), "ya29.still-good");
    wait_for(|| google.token_requests() == 3).await;
    // Once the server is back, a later call gets a refreshed token.
    google.set(Mode::Ok);
    let mut refreshed = false;
    for _ in 0..100 {
        if bearer(&creds.headers().await.unwrap()).starts_with("ya29.fresh-") {
            refreshed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(refreshed, "the background refresh replaced the token");

    let expired = SystemTime::now() - Duration::from_secs(1);
    google.set(Mode::Unavailable);
    let dead = UserCredentials::from_stored(
        user(
            &format!("{}/token", google.base),
            Some(("ya29.gone", expired)),
        ),
        None,
    );
    let err = dead.headers().await.unwrap_err();
    assert!(err.is_transient(), "a 503 is worth retrying: {err:?}");
    assert!(
        !err.to_string().contains("1//refresh"),
        "no secret in errors: {err}"
    );
}

#[tokio::test]
async fn quota_project_header_comes_from_the_builder() {
    let google = FakeGoogle::start().await;
    let creds = UserCredentials::from_stored(user(&format!("{}/token", google.base), None), None);
    let billed = creds.with_quota_project("billing-project");
    let headers = billed.headers().await.unwrap();
    assert_eq!(headers["x-goog-user-project"], "billing-project");
    // A builder makes a new credential; the one it came from is unchanged.
    let headers = creds.headers().await.unwrap();
    assert!(!headers.contains_key("x-goog-user-project"));
}

/// Polls `done` for up to five seconds.
async fn wait_for(done: impl Fn() -> bool) {
    for _ in 0..100 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("condition not reached within 5 s");
}

/// An RSA key made by openssl for the test, with its PKCS#1 public key.
fn rsa_key(dir: &Path) -> (String, Vec<u8>) {
    let pem = dir.join("key.pem");
    let run = |args: &[&str]| {
        let out = std::process::Command::new("openssl")
            .args(args)
            .output()
            .expect("openssl runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&[
        "genpkey",
        "-algorithm",
        "RSA",
        "-pkeyopt",
        "rsa_keygen_bits:2048",
        "-out",
        pem.to_str().unwrap(),
    ]);
    let der = dir.join("pub.der");
    run(&[
        "rsa",
        "-in",
        pem.to_str().unwrap(),
        "-RSAPublicKey_out",
        "-outform",
        "DER",
        "-out",
        der.to_str().unwrap(),
    ]);
    (
        std::fs::read_to_string(pem).unwrap(),
        std::fs::read(der).unwrap(),
    )
}

/// The key of [`rsa_key`] in PKCS#1 form.
fn pkcs1_pem(dir: &Path) -> String {
    let out = dir.join("pkcs1.pem");
    let status = std::process::Command::new("openssl")
        .args(["rsa", "-traditional", "-in"])
        .arg(dir.join("key.pem"))
        .arg("-out")
        .arg(&out)
        .status()
        .expect("openssl runs");
    assert!(status.success());
    std::fs::read_to_string(out).unwrap()
}

fn key_json(pem: &str, token_uri: &str) -> String {
    serde_json::json!({
        "type": "service_account", "project_id": "p", "private_key_id": "kid-123",
        "private_key": pem, "client_email": "robot@p.iam.gserviceaccount.com",
        "client_id": "1", "token_uri": token_uri,
    })
    .to_string()
}

fn verify_jwt(jwt: &str, public_key: &[u8]) -> (serde_json::Value, serde_json::Value) {
    let parts: Vec<&str> = jwt.split('.').collect();
    assert_eq!(parts.len(), 3);
    let signature = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
    ring::signature::UnparsedPublicKey::new(
        &ring::signature::RSA_PKCS1_2048_8192_SHA256,
        public_key,
    )
    .verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &signature)
    .expect("RS256 signature verifies with the public key");
    let decode = |p: &str| {
        serde_json::from_slice::<serde_json::Value>(&URL_SAFE_NO_PAD.decode(p).unwrap()).unwrap()
    };
    (decode(parts[0]), decode(parts[1]))
}

#[tokio::test]
async fn service_account_jwt_bearer_and_self_signed_jwt() {
    let google = FakeGoogle::start().await;
    let dir = tempfile::tempdir().unwrap();
    let (pem, public) = rsa_key(dir.path());
    let token_uri = format!("{}/token", google.base);
    let key_path = dir.path().join("sa.json");
    std::fs::write(&key_path, key_json(&pem, &token_uri)).unwrap();

    let plain =
        ServiceAccountCredentials::from_file(&key_path, &["https://www.googleapis.com/auth/drive"])
            .unwrap();
    // A clone is shared (as an app keeps one in its state): the builder
    // must still apply, to a new credential, and leave the shared one alone.
    assert_eq!(
        plain.universe_domain(),
        Some("googleapis.com"),
        "a key without universe_domain is for Google's public universe"
    );
    let mut other: serde_json::Value = serde_json::from_str(&key_json(&pem, &token_uri)).unwrap();
    other["universe_domain"] = "example-universe.test".into();
    let elsewhere =
        ServiceAccountCredentials::from_json(other.to_string().as_bytes(), &[]).unwrap();
    assert_eq!(elsewhere.universe_domain(), Some("example-universe.test"));
    let shared = plain.clone();
    let sa = shared.with_subject("alice@example.com");
    assert!(format!("{sa:?}").contains("[redacted]"));
    assert_eq!(bearer(&sa.headers().await.unwrap()), "ya29.fresh-1");
    let form = google.seen.lock().unwrap().forms[0].clone();
    assert!(form.contains(&(
        "grant_type".into(),
        "urn:ietf:params:oauth:grant-type:jwt-bearer".into()
    )));
    let assertion = &form.iter().find(|(k, _)| k == "assertion").unwrap().1;
    let (header, claims) = verify_jwt(assertion, &public);
    assert_eq!(header["alg"], "RS256");
    assert_eq!(header["kid"], "kid-123");
    assert_eq!(claims["iss"], "robot@p.iam.gserviceaccount.com");
    assert_eq!(claims["sub"], "alice@example.com");
    assert_eq!(claims["aud"], token_uri);
    assert_eq!(claims["scope"], "https://www.googleapis.com/auth/drive");
    assert_eq!(
        claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(),
        3600
    );
    plain.headers().await.unwrap();
    let form = google.seen.lock().unwrap().forms[1].clone();
    let assertion = &form.iter().find(|(k, _)| k == "assertion").unwrap().1;
    let (_, claims) = verify_jwt(assertion, &public);
    assert!(claims.get("sub").is_none(), "the original acts as itself");

    let direct = ServiceAccountCredentials::from_file(&key_path, &[])
        .unwrap()
        .self_signed("https://drive.googleapis.com/");
    let jwt = bearer(&direct.headers().await.unwrap());
    let (_, claims) = verify_jwt(&jwt, &public);
    assert_eq!(claims["aud"], "https://drive.googleapis.com/");
    assert_eq!(claims["sub"], "robot@p.iam.gserviceaccount.com");
    assert_eq!(
        google.token_requests(),
        2,
        "a self-signed JWT needs no token request"
    );

    // A refused assertion is not a person's sign-in.
    google.set(Mode::InvalidGrant);
    let err = ServiceAccountCredentials::from_file(&key_path, &["s"])
        .unwrap()
        .headers()
        .await
        .unwrap_err();
    assert!(err.kind() == gapi_auth::AuthErrorKind::Refresh, "{err:?}");
    assert!(!err.to_string().contains("sign in"), "{err}");
    assert!(
        err.to_string().contains("robot@p.iam.gserviceaccount.com"),
        "{err}"
    );
    google.set(Mode::Ok);

    // PKCS#1 keys (`BEGIN RSA PRIVATE KEY`), as openssl converts them.
    let pkcs1 = pkcs1_pem(dir.path());
    assert!(
        pkcs1.starts_with("-----BEGIN RSA PRIVATE KEY-----"),
        "{pkcs1}"
    );
    let sa = ServiceAccountCredentials::from_json(key_json(&pkcs1, &token_uri).as_bytes(), &["s"])
        .unwrap();
    sa.headers().await.unwrap();
    let form = google.seen.lock().unwrap().forms.last().unwrap().clone();
    let assertion = &form.iter().find(|(k, _)| k == "assertion").unwrap().1;
    verify_jwt(assertion, &public);

    std::fs::write(
        &key_path,
        r#"{"type":"service_account","client_email":"x","private_key":"nope"}"#,
    )
    .unwrap();
    let err = ServiceAccountCredentials::from_file(&key_path, &[])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("sa.json") && err.contains("private_key"),
        "{err}"
    );
}

#[tokio::test]
async fn adc_follows_googles_order_and_says_why() {
    let google = FakeGoogle::start().await;
    let dir = tempfile::tempdir().unwrap();
    let token_uri = format!("{}/token", google.base);
    let adc_file = dir.path().join("adc.json");
    std::fs::write(
        &adc_file,
        serde_json::json!({"type": "authorized_user", "client_id": "c", "client_secret": "s",
            "refresh_token": "r", "token_uri": token_uri, "quota_project_id": "qp"})
        .to_string(),
    )
    .unwrap();
    let gcloud = dir.path().join("gcloud");
    std::fs::create_dir_all(&gcloud).unwrap();
    let host = google.base.trim_start_matches("http://").to_string();
    let env = |vars: Vec<(&'static str, String)>| {
        move |name: &str| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.clone())
        }
    };

    // 1. The environment variable wins.
    let adc = ApplicationDefaultCredentials::with_env(
        &[],
        env(vec![
            (
                "GOOGLE_APPLICATION_CREDENTIALS",
                adc_file.display().to_string(),
            ),
            ("GCE_METADATA_HOST", host.clone()),
        ]),
    )
    .await
    .unwrap();
    assert_eq!(
        adc.source(),
        &AdcSource::EnvironmentVariable(adc_file.clone())
    );
    let headers = adc.headers().await.unwrap();
    assert!(bearer(&headers).starts_with("ya29.fresh-"));
    assert_eq!(headers["x-goog-user-project"], "qp");

    // 2. gcloud's file under CLOUDSDK_CONFIG.
    std::fs::copy(
        &adc_file,
        gcloud.join("application_default_credentials.json"),
    )
    .unwrap();
    let adc = ApplicationDefaultCredentials::with_env(
        &[],
        env(vec![("CLOUDSDK_CONFIG", gcloud.display().to_string())]),
    )
    .await
    .unwrap();
    assert!(matches!(adc.source(), AdcSource::GcloudFile(_)));
    assert_eq!(adc.skipped(), ["GOOGLE_APPLICATION_CREDENTIALS: not set"]);

    // 3. The metadata server.
    let empty = dir.path().join("empty");
    let adc = ApplicationDefaultCredentials::with_env(
        &["scope-a"],
        env(vec![
            ("CLOUDSDK_CONFIG", empty.display().to_string()),
            ("GCE_METADATA_HOST", host.clone()),
        ]),
    )
    .await
    .unwrap();
    assert_eq!(adc.source(), &AdcSource::MetadataServer(host));
    assert_eq!(bearer(&adc.headers().await.unwrap()), "meta-token");
    assert_eq!(adc.skipped().len(), 2);

    // Nothing configured: the error lists every reason.
    let err = ApplicationDefaultCredentials::with_env(
        &[],
        env(vec![
            ("CLOUDSDK_CONFIG", empty.display().to_string()),
            ("GCE_METADATA_HOST", "127.0.0.1:9".to_string()),
        ]),
    )
    .await
    .unwrap_err();
    assert!(err.is_not_configured(), "{err:?}");
    let err = err.to_string();
    assert!(
        err.contains("GOOGLE_APPLICATION_CREDENTIALS: not set"),
        "{err}"
    );
    assert!(
        err.contains("gcloud auth application-default login"),
        "{err}"
    );
    assert!(
        err.contains("metadata server: none answered at 127.0.0.1:9"),
        "{err}"
    );

    // A configured but broken source stops the chain and names it.
    std::fs::write(&adc_file, "{").unwrap();
    let err = ApplicationDefaultCredentials::with_env(
        &[],
        env(vec![
            (
                "GOOGLE_APPLICATION_CREDENTIALS",
                adc_file.display().to_string(),
            ),
            ("GCE_METADATA_HOST", "127.0.0.1:9".to_string()),
        ]),
    )
    .await
    .unwrap_err();
    assert!(err.is_config() && !err.is_not_configured(), "{err:?}");
    let err = err.to_string();
    assert!(
        err.starts_with(&format!(
            "GOOGLE_APPLICATION_CREDENTIALS: {}: not a credentials file",
            adc_file.display()
        )),
        "{err}"
    );
}

/// Two processes, each refreshing 100 times through one `token.json`: the
/// file stays valid and keeps its refresh token.
#[tokio::test]
async fn two_processes_refreshing_share_one_cache_file() {
    let google = FakeGoogle::start().await;
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("token.json");
    FileTokenStore::new(&cache)
        .save(&user(&format!("{}/token", google.base), None))
        .unwrap();
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..2)
        .map(|_| {
            std::process::Command::new(&exe)
                .args(["--exact", "refresh_loop_child", "--ignored", "--nocapture"])
                .env("GAPI_TEST_CACHE", &cache)
                .spawn()
                .unwrap()
        })
        .collect();
    for mut child in children {
        // Wait off the runtime, which keeps serving the fake meanwhile.
        let status = tokio::task::spawn_blocking(move || child.wait())
            .await
            .unwrap()
            .unwrap();
        assert!(status.success());
    }
    assert_eq!(google.token_requests(), 200);
    let stored = FileTokenStore::new(&cache).load().unwrap().unwrap();
    assert_eq!(stored.refresh_token.secret(), "1//refresh");
    assert!(stored.token.unwrap().secret().starts_with("ya29.fresh-"));
    let stray: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(stray.is_empty());
}

#[tokio::test]
#[ignore = "helper process of two_processes_refreshing_share_one_cache_file"]
async fn refresh_loop_child() {
    let cache = std::env::var("GAPI_TEST_CACHE").expect("run by the parent test");
    let store = Arc::new(FileTokenStore::new(&cache));
    for _ in 0..100 {
        let stored = store
            .load()
            .expect("the cache always parses")
            .expect("the cache is there");
        let creds = UserCredentials::from_stored(stored, Some(store.clone()));
        assert!(creds.invalidate());
        creds.headers().await.unwrap();
    }
}

#[tokio::test]
async fn device_flow_polls_through_pending_and_slow_down() {
    let google = FakeGoogle::start().await;
    let mut client = gapi_auth::ClientConfig::new("tv-client", Some("tv-secret".into()));
    client.token_uri = format!("{}/token", google.base);
    let shown = Arc::new(Mutex::new(None));
    let seen = shown.clone();
    let dir = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    let creds = gapi_auth::DeviceFlow::new(client, &["email", "profile"])
        .device_uri(format!("{}/device/code", google.base))
        .token_cache(dir.path().join("token.json"))
        .show_code(move |code| {
            *seen.lock().unwrap() = Some((code.user_code.clone(), code.verification_url.clone()))
        })
        .authenticate()
        .await
        .unwrap();
    assert_eq!(
        shown.lock().unwrap().clone().unwrap(),
        (
            "GQVQ-JKEC".to_string(),
            "https://www.google.com/device".to_string()
        )
    );
    assert_eq!(bearer(&creds.headers().await.unwrap()), "ya29.device");
    assert_eq!(google.seen.lock().unwrap().device_polls, 4);
    assert!(
        started.elapsed() >= Duration::from_secs(5),
        "slow_down added five seconds"
    );
    let saved = FileTokenStore::new(dir.path().join("token.json"))
        .load()
        .unwrap()
        .unwrap();
    assert_eq!(saved.refresh_token.secret(), "1//device");
}

#[tokio::test]
async fn a_hung_token_endpoint_times_out_and_never_blocks_a_usable_token() {
    let google = FakeGoogle::start().await;
    google.set(Mode::Hang);
    let token_uri = format!("{}/token", google.base);
    let expired = SystemTime::now() - Duration::from_secs(10);

    // No usable token: the caller waits, but only as long as the budget.
    let user_creds = UserCredentials::from_stored(user(&token_uri, Some(("old", expired))), None)
        .with_token_timeout(Duration::from_secs(1));
    let err = user_creds.headers().await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert!(err.to_string().contains("timed out"), "{err}");

    let dir = tempfile::tempdir().unwrap();
    let (pem, _) = rsa_key(dir.path());
    let sa = ServiceAccountCredentials::from_json(key_json(&pem, &token_uri).as_bytes(), &["s"])
        .unwrap()
        .with_token_timeout(Duration::from_secs(1));
    let err = sa.headers().await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");

    let mut client = gapi_auth::ClientConfig::new("tv", None);
    client.token_uri = token_uri.clone();
    let err = gapi_auth::DeviceFlow::new(client, &["email"])
        .device_uri(format!("{}/device/code", google.base))
        .token_timeout(Duration::from_secs(1))
        .show_code(|_| {})
        .authenticate()
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");

    // A token inside the refresh window but still valid is served at once
    // with the default 30 s budget; the refresh hangs in the background.
    let soon = SystemTime::now() + Duration::from_secs(60);
    let creds = UserCredentials::from_stored(user(&token_uri, Some(("still-good", soon))), None);
    let hung_before = google.seen.lock().unwrap().hung;
    for _ in 0..3 {
        let headers = tokio::time::timeout(Duration::from_secs(5), creds.headers())
            .await
            .expect("a caller with a valid token does not wait for the refresh")
            .unwrap();
        assert_eq!(bearer(&headers), "still-good");
    }
    // One background refresh was started (and hangs), not one per call.
    wait_for(|| google.seen.lock().unwrap().hung == hung_before + 1).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(google.seen.lock().unwrap().hung, hung_before + 1);
}

#[tokio::test]
async fn token_requests_follow_no_redirect_and_errors_keep_the_status() {
    let google = FakeGoogle::start().await;
    let elsewhere = FakeGoogle::start().await;
    google.set(Mode::RedirectTo(elsewhere.base.clone()));
    let creds = UserCredentials::from_stored(user(&format!("{}/token", google.base), None), None);
    let err = creds.headers().await.unwrap_err();
    assert!(err.to_string().contains("must not redirect"), "{err}");
    assert_eq!(
        elsewhere.token_requests(),
        0,
        "the refresh token went nowhere else"
    );

    // A code exchange answered by an HTML 403 says so (not "failed to parse").
    google.set(Mode::HtmlForbidden);
    let mut client = gapi_auth::ClientConfig::new("cid", Some("cs".into()));
    client.token_uri = format!("{}/token", google.base);
    let flow = gapi_auth::WebFlow::new(client, &["s"], "https://app.example/callback");
    let (_, pending) = flow.authorization_url().unwrap();
    let callback = format!(
        "https://app.example/callback?state={}&code=4/0Ab",
        pending.state
    );
    let err = flow
        .finish(pending, &callback)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("HTTP 403") && err.contains("403 Forbidden</h1>"),
        "{err}"
    );
}

#[tokio::test]
async fn a_newer_sign_in_by_another_process_is_kept_and_used() {
    let google = FakeGoogle::start().await;
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(FileTokenStore::new(dir.path().join("token.json")));
    let token_uri = format!("{}/token", google.base);
    let mine = user(&token_uri, None);
    store.save(&mine).unwrap();
    let creds = UserCredentials::from_stored(mine.clone(), Some(store.clone()));
    // Another process signs in again; this process's refresh token dies.
    let mut theirs = user(&token_uri, None);
    theirs.refresh_token = RefreshToken::new("1//newer");
    store.save(&theirs).unwrap();
    google.set(Mode::InvalidGrantFor("1//refresh"));
    let headers = creds.headers().await.expect("the newer sign-in is used");
    assert!(bearer(&headers).starts_with("ya29.fresh-"));
    let forms = google.seen.lock().unwrap().forms.clone();
    assert_eq!(forms.len(), 2);
    assert!(forms[1].contains(&("refresh_token".into(), "1//newer".into())));
    assert_eq!(
        store.load().unwrap().unwrap().refresh_token.secret(),
        "1//newer",
        "the newer sign-in is neither deleted nor overwritten"
    );

    // An older process whose refresh still works does not overwrite it.
    google.set(Mode::Ok);
    let older = UserCredentials::from_stored(mine, Some(store.clone()));
    older.headers().await.unwrap();
    assert_eq!(
        store.load().unwrap().unwrap().refresh_token.secret(),
        "1//newer"
    );
}

#[tokio::test]
async fn rapt_universe_and_missing_expiry_are_respected() {
    let google = FakeGoogle::start().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("token.json");
    let token_uri = format!("{}/token", google.base);
    // As google-auth writes it, minus `expiry`, in another universe, with a
    // reauth proof.
    std::fs::write(
        &path,
        serde_json::json!({"token": "ya29.unknown-age", "refresh_token": "1//refresh",
            "token_uri": token_uri, "client_id": "cid", "client_secret": "cs", "scopes": ["s"],
            "universe_domain": "example-universe.test", "account": "", "rapt_token": "rapt-1"})
        .to_string(),
    )
    .unwrap();
    let store = Arc::new(FileTokenStore::new(&path));
    let creds = UserCredentials::from_stored(store.load().unwrap().unwrap(), Some(store.clone()));
    let token = bearer(&creds.headers().await.unwrap());
    assert!(
        token.starts_with("ya29.fresh-"),
        "a token of unknown age is refreshed first: {token}"
    );
    let form = google.seen.lock().unwrap().forms[0].clone();
    assert!(form.contains(&("rapt".into(), "rapt-1".into())), "{form:?}");
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(saved["universe_domain"], "example-universe.test");
    assert_eq!(saved["rapt_token"], "rapt-1");
    assert!(saved["expiry"].is_string());

    // Google asks for reauthentication: say so, and keep the file.
    google.set(Mode::InvalidRapt);
    assert!(creds.invalidate());
    let err = creds.headers().await.unwrap_err();
    assert!(err.needs_sign_in(), "{err:?}");
    assert!(err.to_string().contains("invalid_rapt"), "{err}");
    assert!(path.is_file(), "invalid_rapt keeps the token cache");
}

#[tokio::test]
async fn cached_sign_ins_are_reused_by_device_and_secretless_clients() {
    let google = FakeGoogle::start().await;
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("token.json");
    let token_uri = format!("{}/token", google.base);

    // A public client (PKCE, no secret): its own cache reads back, so the
    // second run does not sign in (which would time out here: no browser).
    let mut public = gapi_auth::ClientConfig::new("cid", None);
    public.token_uri = token_uri.clone();
    let mut first = user(&token_uri, None);
    first.client_secret = None;
    FileTokenStore::new(&cache).save(&first).unwrap();
    let creds = gapi_auth::InstalledFlow::new(public.clone(), &["s"])
        .token_cache(&cache)
        .open_browser(false)
        .timeout(Duration::from_secs(1))
        .authenticate()
        .await
        .expect("the cached sign-in of a secretless client is used");
    assert!(bearer(&creds.headers().await.unwrap()).starts_with("ya29.fresh-"));
    let form = google.seen.lock().unwrap().forms[0].clone();
    assert!(!form.iter().any(|(k, _)| k == "client_secret"));

    // The device flow reads its cache too: no second code is shown.
    std::fs::remove_file(&cache).unwrap();
    let device = || {
        gapi_auth::DeviceFlow::new(public.clone(), &["email"])
            .device_uri(format!("{}/device/code", google.base))
            .token_cache(&cache)
            .show_code(|_| {})
    };
    device().authenticate().await.unwrap();
    assert_eq!(google.seen.lock().unwrap().device_codes, 1);
    let again = device().authenticate().await.unwrap();
    assert_eq!(bearer(&again.headers().await.unwrap()), "ya29.device");
    assert_eq!(
        google.seen.lock().unwrap().device_codes,
        1,
        "a second run uses the cache"
    );
}

#[tokio::test]
async fn bad_endpoints_and_unreadable_caches_stop_before_the_browser_opens() {
    let dir = tempfile::tempdir().unwrap();
    let opened = Arc::new(Mutex::new(0));
    let count = opened.clone();
    let mut client = gapi_auth::ClientConfig::new("cid", Some("cs".into()));
    client.token_uri = "oauth2.googleapis.com/token".into();
    let err = gapi_auth::InstalledFlow::new(client, &["s"])
        .browser(move |_| {
            *count.lock().unwrap() += 1;
            Ok(())
        })
        .authenticate()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("`token_uri`"), "{err}");

    // A cache with a good refresh token and an odd field is never replaced.
    let cache = dir.path().join("token.json");
    let odd = r#"{"refresh_token":"1//precious","client_id":"cid","client_secret":"cs","expiry":"next tuesday"}"#;
    std::fs::write(&cache, odd).unwrap();
    let count = opened.clone();
    let err = gapi_auth::InstalledFlow::new(gapi_auth::ClientConfig::new("cid", None), &["s"])
        .token_cache(&cache)
        .browser(move |_| {
            *count.lock().unwrap() += 1;
            Ok(())
        })
        .authenticate()
        .await
        .unwrap_err();
    assert!(err.kind() == gapi_auth::AuthErrorKind::Cache, "{err:?}");
    assert!(
        err.to_string().contains("token.json") && err.to_string().contains("expiry"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&cache).unwrap(), odd);
    assert_eq!(*opened.lock().unwrap(), 0, "no browser was opened");
}
