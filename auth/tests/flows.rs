//! Installed-app flows against a real OAuth 2.0 server nobody here wrote
//! (npm `oauth2-mock-server`, installed by the README's test command), and
//! through a real browser (Debian's headless Chromium).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use gapi_auth::{ClientConfig, Credentials, InstalledFlow};

/// A running oauth2-mock-server; stops when dropped (its stdin closes).
struct MockServer {
    child: Child,
    stdout: BufReader<std::process::ChildStdout>,
    url: String,
}

impl MockServer {
    /// Token responses the server has signed so far.
    fn token_requests(&mut self) -> u64 {
        use std::io::Write;
        let stdin = self.child.stdin.as_mut().unwrap();
        stdin.write_all(b"count\n").unwrap();
        stdin.flush().unwrap();
        let mut line = String::new();
        self.stdout.read_line(&mut line).unwrap();
        serde_json::from_str::<serde_json::Value>(&line).unwrap()["tokenRequests"]
            .as_u64()
            .unwrap()
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn node_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/node")
}

fn mock_server() -> MockServer {
    assert!(
        node_dir().join("node_modules/oauth2-mock-server").is_dir(),
        "oauth2-mock-server is not installed: run `npm install` in auth/tests/node (scripts/test.sh does)"
    );
    let mut child = Command::new("node")
        .arg("server.mjs")
        .current_dir(node_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("node runs");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let v: serde_json::Value = serde_json::from_str(&line).expect("server prints its URL");
    let url = v["url"].as_str().unwrap().replace("localhost", "127.0.0.1");
    MockServer { child, stdout, url }
}

fn client(server: &MockServer) -> ClientConfig {
    let mut c = ClientConfig::new("test-client", Some("test-secret".into()));
    c.auth_uri = format!("{}/authorize", server.url);
    c.token_uri = format!("{}/token", server.url);
    c
}

/// A minimal user agent: follows the authorization server's redirect to the
/// loopback server, as a browser would.
fn http_browser(
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

/// The `redirect_uri` an authorization URL names (the loopback server).
fn redirect_uri_of(url: &str) -> String {
    reqwest::Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "redirect_uri")
        .unwrap()
        .1
        .into_owned()
}

const SCOPE: &str = "https://www.googleapis.com/auth/drive.metadata.readonly";

#[tokio::test]
async fn loopback_flow_with_pkce_caches_and_reuses_the_token() {
    let mut server = mock_server();
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("token.json");
    let visits = Arc::new(AtomicUsize::new(0));
    let flow = InstalledFlow::new(client(&server), &[SCOPE])
        .token_cache(&cache)
        .browser(http_browser(visits.clone()))
        .timeout(Duration::from_secs(20));
    let creds = flow.authenticate().await.unwrap();
    assert_eq!(visits.load(Ordering::SeqCst), 1);
    let headers = creds.headers().await.unwrap();
    assert!(headers["authorization"]
        .to_str()
        .unwrap()
        .starts_with("Bearer "));
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&cache).unwrap()).unwrap();
    assert!(saved["refresh_token"]
        .as_str()
        .is_some_and(|t| !t.is_empty()));
    assert_eq!(saved["client_id"], "test-client");
    assert!(saved["expiry"].as_str().unwrap().ends_with('Z'));

    // A second run uses the cache: no browser.
    let again = flow.authenticate().await.unwrap();
    assert_eq!(visits.load(Ordering::SeqCst), 1, "signed in from the cache");
    again.headers().await.unwrap();
    let before = server.token_requests();
    // A refresh goes to the real server's refresh_token grant.
    assert!(again.invalidate());
    again.headers().await.unwrap();
    assert_eq!(server.token_requests(), before + 1);
    let saved_after: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&cache).unwrap()).unwrap();
    assert_ne!(
        saved_after["expiry"],
        serde_json::Value::Null,
        "the refreshed token is cached"
    );

    // Asking for more scopes than cached signs in again.
    let wider = InstalledFlow::new(
        client(&server),
        &[SCOPE, "https://www.googleapis.com/auth/drive"],
    )
    .token_cache(&cache)
    .browser(http_browser(visits.clone()));
    wider.authenticate().await.unwrap();
    assert_eq!(visits.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn denied_timeout_stray_requests_and_state_are_handled() {
    let server = mock_server();
    // The "browser" comes back with error=access_denied for the right state,
    // after asking for /favicon.ico first.
    let denied = InstalledFlow::new(client(&server), &[SCOPE])
        .browser(|url: &str| {
            let url = reqwest::Url::parse(url).unwrap();
            let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
            let redirect = q["redirect_uri"].clone();
            let state = q["state"].clone();
            tokio::spawn(async move {
                let _ = reqwest::get(format!("{redirect}favicon.ico")).await;
                let _ = reqwest::get(format!("{redirect}?error=access_denied&state={state}")).await;
            });
            Ok(())
        })
        .timeout(Duration::from_secs(20));
    let err = denied.authenticate().await.unwrap_err();
    assert!(err.is_denied(), "{err:?}");
    assert!(err.to_string().contains("access was denied"), "{err}");

    // A forged redirect (another state) arrives first: it gets an error page
    // and the flow keeps waiting for the real one, which then completes it.
    let forged_status = Arc::new(std::sync::Mutex::new(None));
    let seen = forged_status.clone();
    let forged = InstalledFlow::new(client(&server), &[SCOPE])
        .browser(move |url: &str| {
            let redirect = redirect_uri_of(url);
            let (url, seen) = (url.to_string(), seen.clone());
            tokio::spawn(async move {
                let r = reqwest::get(format!("{redirect}?code=stolen&state=not-yours"))
                    .await
                    .unwrap();
                *seen.lock().unwrap() = Some(r.status().as_u16());
                let _ = reqwest::get(url).await;
            });
            Ok(())
        })
        .timeout(Duration::from_secs(20));
    let creds = forged
        .authenticate()
        .await
        .expect("the forged redirect does not end the sign-in");
    assert!(creds.headers().await.unwrap().contains_key("authorization"));
    assert_eq!(*forged_status.lock().unwrap(), Some(400));

    let silent = InstalledFlow::new(client(&server), &[SCOPE])
        .browser(|_: &str| Ok(()))
        .timeout(Duration::from_secs(1));
    let err = silent.authenticate().await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert!(err.to_string().contains("within 1 s"), "{err}");
}

/// GET without following redirects; returns the Location header.
fn location_of(url: &str) -> String {
    use std::io::{Read, Write};
    let parsed = reqwest::Url::parse(url).unwrap();
    let addr = format!("{}:{}", parsed.host_str().unwrap(), parsed.port().unwrap());
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let target = format!("{}?{}", parsed.path(), parsed.query().unwrap_or(""));
    write!(
        stream,
        "GET {target} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        parsed.host_str().unwrap()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
        .lines()
        .find_map(|l| {
            l.strip_prefix("Location: ")
                .or_else(|| l.strip_prefix("location: "))
        })
        .unwrap_or_else(|| panic!("no redirect in {response}"))
        .trim()
        .to_string()
}

#[tokio::test]
async fn manual_flow_takes_the_pasted_redirect_url() {
    let server = mock_server();
    let shown = Arc::new(std::sync::Mutex::new(String::new()));
    let seen = shown.clone();
    let dir = tempfile::tempdir().unwrap();
    let flow = InstalledFlow::new(client(&server), &[SCOPE])
        .manual()
        .token_cache(dir.path().join("token.json"))
        .on_authorization_url(move |url: &str| *seen.lock().unwrap() = url.to_string())
        .paste_reader(move || {
            // The person signs in on another machine; the browser ends on
            // http://localhost:1/?code=…&state=… (a page that does not load),
            // and they paste that address.
            let url = shown.lock().unwrap().clone();
            let landed = location_of(&url);
            assert!(landed.starts_with("http://localhost:1/?"), "{landed}");
            Ok(format!("  {landed}\n"))
        });
    let creds = flow.authenticate().await.unwrap();
    assert!(creds.headers().await.unwrap().contains_key("authorization"));
    assert!(dir.path().join("token.json").is_file());
}

/// A real browser: headless Chromium opens the authorization URL, follows the
/// server's redirect to our loopback server, and the flow completes.
#[tokio::test]
async fn a_real_headless_browser_completes_the_loopback_flow() {
    let chromium = ["chromium", "chromium-browser"]
        .into_iter()
        .find(|c| {
            Command::new(c)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .expect("Debian's chromium is installed (.ci/run installs it)");
    let server = mock_server();
    let profile = tempfile::tempdir().unwrap();
    let profile_dir = profile.path().to_path_buf();
    let children: Arc<std::sync::Mutex<Vec<Child>>> = Arc::default();
    let spawned = children.clone();
    let flow = InstalledFlow::new(client(&server), &[SCOPE])
        .browser(move |url: &str| {
            let child = Command::new(chromium)
                .args([
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--no-first-run",
                ])
                .arg(format!("--user-data-dir={}", profile_dir.display()))
                .arg("--dump-dom")
                .arg(url)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()?;
            spawned.lock().unwrap().push(child);
            Ok(())
        })
        .success_page("Signed in through Chromium.")
        .timeout(Duration::from_secs(60));
    let result = flow.authenticate().await;
    for mut child in children.lock().unwrap().drain(..) {
        let _ = child.kill();
        let _ = child.wait();
    }
    let creds = result.unwrap();
    assert!(creds.headers().await.unwrap()["authorization"]
        .to_str()
        .unwrap()
        .starts_with("Bearer "));
    assert!(!creds.stored().refresh_token.secret().is_empty());
}

#[tokio::test]
async fn web_flow_state_survives_serialization_between_requests() {
    let server = mock_server();
    let flow = gapi_auth::WebFlow::new(client(&server), &[SCOPE], "https://app.example/callback");
    let (url, pending) = flow.authorization_url().unwrap();
    // The app keeps `pending` in its session store between the two requests.
    let session = serde_json::to_string(&pending).unwrap();
    let landed = location_of(&url);
    assert!(
        landed.starts_with("https://app.example/callback?"),
        "{landed}"
    );
    let restored: gapi_auth::PendingAuthorization = serde_json::from_str(&session).unwrap();
    let user = flow.finish(restored, &landed).await.unwrap();
    assert!(!user.refresh_token.secret().is_empty());
    // A callback from another sign-in (wrong state) is refused.
    let (_, other) = flow.authorization_url().unwrap();
    let err = flow.finish(other, &landed).await.unwrap_err();
    assert!(err.to_string().contains("state does not match"), "{err}");
}

#[tokio::test]
async fn localhost_redirect_and_a_fixed_port() {
    let server = mock_server();
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let redirect = Arc::new(std::sync::Mutex::new(String::new()));
    let seen = redirect.clone();
    let flow = InstalledFlow::new(client(&server), &[SCOPE])
        .port(port)
        .redirect_host_localhost()
        .on_authorization_url(move |url: &str| {
            let url = reqwest::Url::parse(url).unwrap();
            *seen.lock().unwrap() = url
                .query_pairs()
                .find(|(k, _)| k == "redirect_uri")
                .unwrap()
                .1
                .into_owned();
        })
        .browser(http_browser(Arc::new(AtomicUsize::new(0))));
    flow.authenticate().await.unwrap();
    assert_eq!(
        *redirect.lock().unwrap(),
        format!("http://localhost:{port}/")
    );
}

/// A browser keeps connections alive; when the flow ends, the loopback
/// server closes them instead of leaving tasks and sockets behind.
#[tokio::test]
async fn loopback_connections_end_with_the_flow() {
    use std::io::Read;
    let server = mock_server();
    let idle = Arc::new(std::sync::Mutex::new(None::<std::net::TcpStream>));
    let keep = idle.clone();
    let flow = InstalledFlow::new(client(&server), &[SCOPE])
        .browser(move |url: &str| {
            let redirect = redirect_uri_of(url);
            let port = reqwest::Url::parse(&redirect).unwrap().port().unwrap();
            // A connection that is opened and never used (a browser's
            // preconnect), then the real visit.
            *keep.lock().unwrap() =
                Some(std::net::TcpStream::connect(("127.0.0.1", port)).unwrap());
            let url = url.to_string();
            tokio::spawn(async move {
                let _ = reqwest::get(url).await;
            });
            Ok(())
        })
        .timeout(Duration::from_secs(20));
    flow.authenticate().await.unwrap();
    let mut stream = idle.lock().unwrap().take().unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut buf = [0u8; 16];
    let read = tokio::task::spawn_blocking(move || stream.read(&mut buf))
        .await
        .unwrap();
    assert!(
        matches!(read, Ok(0)),
        "the idle connection is closed when the flow returns: {read:?}"
    );
}
