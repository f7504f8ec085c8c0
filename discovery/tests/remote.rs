//! `sync` and `fetch` against real files and a local HTTP server playing a
//! package index and the Discovery Service.

// In tests a panic is the failure report; helpers unwrap freely.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::time::Duration;

use gapi_discovery::fetch::{fetch, FetchError, FetchOptions};
use gapi_discovery::pinned::{self, Manifest, PinnedFile, Source};
use gapi_discovery::sync::{sha256_hex, sync, SyncError, SyncOptions};

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

/// A wheel (a zip) holding one member, and its sha256.
fn wheel_with(member: &str, contents: &[u8]) -> (Vec<u8>, String) {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file(member, zip::write::SimpleFileOptions::default())
        .unwrap();
    zip.write_all(contents).unwrap();
    let bytes = zip.finish().unwrap().into_inner();
    let sha = sha256_hex(&bytes);
    (bytes, sha)
}

/// A one-document manifest for package `Demo_Pkg` 1.0.
fn demo_manifest(wheel_sha: &str, doc: &[u8]) -> Manifest {
    Manifest {
        sources: vec![Source {
            package: "Demo_Pkg".to_string(),
            version: "1.0".to_string(),
            wheel: "demo_pkg-1.0-py3-none-any.whl".to_string(),
            sha256: wheel_sha.to_string(),
        }],
        files: vec![PinnedFile {
            name: "demo.v1.json".to_string(),
            package: "Demo_Pkg".to_string(),
            member: "demo_pkg/discovery/demo.v1.json".to_string(),
            sha256: sha256_hex(doc),
        }],
    }
}

fn index_options(base: &str) -> SyncOptions {
    SyncOptions {
        index_url: format!("{base}/simple"),
        timeout: Duration::from_secs(10),
    }
}

#[test]
fn sync_downloads_pinned_wheels_from_the_index_without_python_then_works_offline() {
    let doc = doc("demo", "20250101").into_bytes();
    let (wheel, sha) = wheel_with("demo_pkg/discovery/demo.v1.json", &doc);
    // PEP 691 JSON with a relative link, as mirrors serve it.
    let page = format!(
        r#"{{"meta":{{"api-version":"1.0"}},"name":"demo-pkg","files":[
            {{"filename":"demo_pkg-0.9-py3-none-any.whl","url":"../../files/old.whl","hashes":{{}}}},
            {{"filename":"demo_pkg-1.0-py3-none-any.whl","url":"../../files/demo_pkg-1.0-py3-none-any.whl","hashes":{{"sha256":"{sha}"}}}}]}}"#
    );
    let (base, server) = serve_bytes(
        vec![
            (
                "/simple/demo-pkg/",
                "application/vnd.pypi.simple.v1+json",
                page.into_bytes(),
            ),
            (
                "/files/demo_pkg-1.0-py3-none-any.whl",
                "application/octet-stream",
                wheel,
            ),
        ],
        2,
    );
    let tmp = tempfile::tempdir().unwrap();
    let manifest = demo_manifest(&sha, &doc);
    let report = sync(tmp.path(), &manifest, &index_options(&base)).unwrap();
    assert_eq!(report.downloaded, ["demo_pkg-1.0-py3-none-any.whl"]);
    assert_eq!(report.written, ["demo.v1.json"]);
    assert_eq!(std::fs::read(tmp.path().join("demo.v1.json")).unwrap(), doc);
    assert_eq!(
        server.join().unwrap(),
        ["/simple/demo-pkg/", "/files/demo_pkg-1.0-py3-none-any.whl"]
    );

    // The wheel is kept: a damaged document is repaired with no server at all.
    std::fs::write(tmp.path().join("demo.v1.json"), b"{").unwrap();
    let offline = index_options("http://127.0.0.1:9");
    let repaired = sync(tmp.path(), &manifest, &offline).unwrap();
    assert!(repaired.downloaded.is_empty(), "{repaired:?}");
    assert_eq!(repaired.written, ["demo.v1.json"]);
    let again = sync(tmp.path(), &manifest, &offline).unwrap();
    assert!(again.written.is_empty() && again.downloaded.is_empty());
}

#[test]
fn sync_reads_an_html_index_page() {
    let doc = doc("demo", "20250202").into_bytes();
    let (wheel, sha) = wheel_with("demo_pkg/discovery/demo.v1.json", &doc);
    let page = format!(
        "<html><body><a href=\"/files/demo_pkg-1.0-py3-none-any.whl#sha256={sha}\">demo_pkg-1.0-py3-none-any.whl</a></body></html>"
    );
    let (base, server) = serve_bytes(
        vec![
            ("/simple/demo-pkg/", "text/html", page.into_bytes()),
            (
                "/files/demo_pkg-1.0-py3-none-any.whl",
                "application/octet-stream",
                wheel,
            ),
        ],
        2,
    );
    let tmp = tempfile::tempdir().unwrap();
    sync(
        tmp.path(),
        &demo_manifest(&sha, &doc),
        &index_options(&base),
    )
    .unwrap();
    assert_eq!(std::fs::read(tmp.path().join("demo.v1.json")).unwrap(), doc);
    assert_eq!(server.join().unwrap().len(), 2);
}

#[test]
fn sync_refuses_a_wheel_whose_hash_differs_and_keeps_nothing() {
    let doc = doc("demo", "20250303").into_bytes();
    let (_, sha) = wheel_with("demo_pkg/discovery/demo.v1.json", &doc);
    let (tampered, _) = wheel_with("demo_pkg/discovery/demo.v1.json", b"{\"name\":\"evil\"}");
    let page = r#"{"files":[{"filename":"demo_pkg-1.0-py3-none-any.whl","url":"/files/w.whl"}]}"#;
    let (base, _server) = serve_bytes(
        vec![
            (
                "/simple/demo-pkg/",
                "application/vnd.pypi.simple.v1+json",
                page.as_bytes().to_vec(),
            ),
            ("/files/w.whl", "application/octet-stream", tampered),
        ],
        2,
    );
    let tmp = tempfile::tempdir().unwrap();
    let err = sync(
        tmp.path(),
        &demo_manifest(&sha, &doc),
        &index_options(&base),
    )
    .unwrap_err();
    assert!(matches!(err, SyncError::HashMismatch { .. }), "{err:?}");
    assert!(
        err.to_string().contains("demo_pkg-1.0-py3-none-any.whl"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_dir(tmp.path().join(".wheels"))
            .unwrap()
            .count(),
        0
    );
    assert!(!tmp.path().join("demo.v1.json").exists());
}

#[test]
fn sync_fails_clearly_when_the_index_is_unreachable_or_lacks_the_wheel() {
    let tmp = tempfile::tempdir().unwrap();
    let err = sync(
        tmp.path(),
        &Manifest::pinned(),
        &index_options("http://127.0.0.1:9"),
    )
    .unwrap_err();
    assert!(matches!(err, SyncError::Index { .. }), "{err:?}");
    let shown = err.to_string();
    assert!(shown.contains("http://127.0.0.1:9/simple/"), "{shown}");
    assert!(shown.contains("is the package index reachable?"), "{shown}");
    assert!(shown.contains("GAPI_INDEX_URL"), "{shown}");

    let doc = doc("demo", "20250404").into_bytes();
    let (base, _server) = serve_bytes(
        vec![(
            "/simple/demo-pkg/",
            "application/vnd.pypi.simple.v1+json",
            br#"{"files":[]}"#.to_vec(),
        )],
        1,
    );
    let err = sync(
        tmp.path(),
        &demo_manifest("00", &doc),
        &index_options(&base),
    )
    .unwrap_err();
    assert!(matches!(err, SyncError::NotListed { .. }), "{err:?}");
    assert!(err.to_string().contains("Demo_Pkg==1.0"), "{err}");
}

/// Serves canned answers (path, status, content type, body) on 127.0.0.1
/// for a bounded number of requests; unknown paths get a JSON 404. Returns
/// the paths asked for.
fn serve_routes(
    routes: Vec<(&'static str, u16, &'static str, Vec<u8>)>,
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
            let target = read_request_target(&stream);
            let (status, kind, body) = routes
                .iter()
                .find(|(path, ..)| *path == target)
                .map(|(_, status, kind, body)| (*status, *kind, body.clone()))
                .unwrap_or((404, "application/json", b"{}".to_vec()));
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\ncontent-type: {kind}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(&body);
            seen.push(target);
        }
        seen
    });
    (base, handle)
}

/// A package index: (path, content type, body), all answered 200.
fn serve_bytes(
    routes: Vec<(&'static str, &'static str, Vec<u8>)>,
    max_requests: usize,
) -> (String, std::thread::JoinHandle<Vec<String>>) {
    let routes = routes
        .into_iter()
        .map(|(path, kind, body)| (path, 200, kind, body))
        .collect();
    serve_routes(routes, max_requests)
}

/// Reads a request head; returns its target.
fn read_request_target(stream: &std::net::TcpStream) -> String {
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).unwrap_or(0) == 0 || header == "\r\n" {
            break;
        }
    }
    line.split_whitespace().nth(1).unwrap_or("").to_string()
}

/// The Discovery Service: (path, status, JSON body).
fn serve(
    routes: Vec<(&'static str, u16, String)>,
    max_requests: usize,
) -> (String, std::thread::JoinHandle<Vec<String>>) {
    let routes = routes
        .into_iter()
        .map(|(path, status, body)| (path, status, "application/json", body.into_bytes()))
        .collect();
    serve_routes(routes, max_requests)
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
