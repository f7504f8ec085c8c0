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
    AccessToken, AdcSource, ApplicationDefaultCredentials, AuthError, ClientSecret, Credentials,
    FileTokenStore, RefreshToken, ServiceAccountCredentials, StoredUser, TokenStore,
    UserCredentials,
};
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Ok,
    InvalidGrant,
    Unavailable,
}

#[derive(Default)]
struct Seen {
    token_requests: usize,
    forms: Vec<Vec<(String, String)>>,
    device_polls: usize,
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
    let json = |status: u16, body: String| {
        let mut r = Response::new(Full::new(Bytes::from(body)));
        *r.status_mut() = hyper::StatusCode::from_u16(status).unwrap();
        r.headers_mut()
            .insert("content-type", "application/json".parse().unwrap());
        r
    };
    match path.as_str() {
        "/device/code" => json(
            200,
            r#"{"device_code":"dev-1","user_code":"GQVQ-JKEC","verification_url":"https://www.google.com/device","expires_in":1800,"interval":0}"#.into(),
        ),
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
            let n = {
                let mut s = seen.lock().unwrap();
                s.token_requests += 1;
                s.forms.push(form);
                s.token_requests
            };
            // Slow enough that concurrent callers really overlap.
            tokio::time::sleep(Duration::from_millis(50)).await;
            match *mode.lock().unwrap() {
                Mode::Ok => json(200, format!(r#"{{"access_token":"ya29.fresh-{n}","expires_in":3599,"token_type":"Bearer","scope":"s"}}"#)),
                Mode::InvalidGrant => json(400, r#"{"error":"invalid_grant","error_description":"Token has been expired or revoked."}"#.into()),
                Mode::Unavailable => json(503, "{}".into()),
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
        reqwest::Client::new(),
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
    let creds = UserCredentials::from_stored(stored, reqwest::Client::new(), Some(store.clone()));
    let err = creds.headers().await.unwrap_err();
    assert!(matches!(err, AuthError::SignInAgain(_)), "{err:?}");
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
        reqwest::Client::new(),
        None,
    );
    assert_eq!(bearer(&creds.headers().await.unwrap()), "ya29.still-good");
    assert_eq!(google.token_requests(), 3, "retried with backoff");
    // Once the server is back, the next call refreshes.
    google.set(Mode::Ok);
    assert!(bearer(&creds.headers().await.unwrap()).starts_with("ya29.fresh-"));

    let expired = SystemTime::now() - Duration::from_secs(1);
    google.set(Mode::Unavailable);
    let dead = UserCredentials::from_stored(
        user(
            &format!("{}/token", google.base),
            Some(("ya29.gone", expired)),
        ),
        reqwest::Client::new(),
        None,
    );
    let err = dead.headers().await.unwrap_err();
    assert!(matches!(err, AuthError::Refresh(_)), "{err:?}");
    assert!(
        !err.to_string().contains("1//refresh"),
        "no secret in errors: {err}"
    );
}

#[tokio::test]
async fn quota_project_header_comes_from_the_builder() {
    let google = FakeGoogle::start().await;
    let creds = UserCredentials::from_stored(
        user(&format!("{}/token", google.base), None),
        reqwest::Client::new(),
        None,
    )
    .with_quota_project("billing-project");
    let headers = creds.headers().await.unwrap();
    assert_eq!(headers["x-goog-user-project"], "billing-project");
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

    let sa =
        ServiceAccountCredentials::from_file(&key_path, &["https://www.googleapis.com/auth/drive"])
            .unwrap()
            .with_subject("alice@example.com");
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

    let direct = ServiceAccountCredentials::from_file(&key_path, &[])
        .unwrap()
        .self_signed("https://drive.googleapis.com/");
    let jwt = bearer(&direct.headers().await.unwrap());
    let (_, claims) = verify_jwt(&jwt, &public);
    assert_eq!(claims["aud"], "https://drive.googleapis.com/");
    assert_eq!(claims["sub"], "robot@p.iam.gserviceaccount.com");
    assert_eq!(
        google.token_requests(),
        1,
        "a self-signed JWT needs no token request"
    );

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
    assert_eq!(adc.skipped(), ["GOOGLE_APPLICATION_CREDENTIALS is not set"]);

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
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("GOOGLE_APPLICATION_CREDENTIALS is not set"),
        "{err}"
    );
    assert!(
        err.contains("gcloud auth application-default login"),
        "{err}"
    );
    assert!(
        err.contains("no metadata server answered at 127.0.0.1:9"),
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
    .unwrap_err()
    .to_string();
    assert!(err.starts_with("GOOGLE_APPLICATION_CREDENTIALS="), "{err}");
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
        let creds =
            UserCredentials::from_stored(stored, reqwest::Client::new(), Some(store.clone()));
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
