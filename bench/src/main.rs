//! Runtime benchmark: `files.list` with 100-file pages (~20 KB) against a
//! loopback server, sequential and 64 concurrent, for
//! - gapi (`gapi-drive-v3`),
//! - google-drive3 7.x (google-apis-rs, the current Rust alternative),
//! - the ceiling: raw reqwest + serde_json decoding into the *same* generated
//!   gapi types, and raw reqwest decoding a minimal struct;
//!
//! plus decode-only throughput of one `FileList` body. Rounds alternate
//! between clients; medians and spreads are reported.
//!
//! `cargo run --release -- [--quick] [--rich]` from `bench/` (quick: a few
//! requests, to prove the harness builds and runs; no figures are asserted;
//! rich: 80 KB pages with every common field instead of 20 KB ones).

use std::convert::Infallible;
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::stream::{self, StreamExt};
use http_body_util::Full;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};

/// A `FileList` page with the fields most listings ask for (about 20 KB for
/// 100 files): kind, id, name, mimeType, two timestamps, size.
fn lean_file_list_body(files: usize) -> String {
    let items: Vec<String> = (0..files)
        .map(|i| {
            format!(
                r#"{{"kind":"drive#file","id":"1AbCdEfGhIj{i:06}","name":"Report {i}.pdf","mimeType":"application/pdf","createdTime":"2024-03-0{d}T10:15:3{d}.123Z","modifiedTime":"2025-01-1{d}T08:0{d}:00.000Z","size":"{size}"}}"#,
                d = i % 9 + 1,
                size = 100_000 + i * 37
            )
        })
        .collect();
    format!(
        r#"{{"kind":"drive#fileList","incompleteSearch":false,"nextPageToken":"~!!~AI9FV7T","files":[{}]}}"#,
        items.join(",")
    )
}

/// A rich Drive `FileList` page (`fields=*`-like, about 80 KB for 100 files).
fn file_list_body(files: usize) -> String {
    let items: Vec<String> = (0..files)
        .map(|i| {
            format!(
                r#"{{"kind":"drive#file","id":"1AbCdEfGhIjKlMnOpQrStUvWxYz{i:06}","name":"Quarterly report {i}.pdf","mimeType":"application/pdf","starred":false,"trashed":false,"parents":["0AFolderIdXyz"],"version":"{v}","webViewLink":"https://drive.google.com/file/d/1AbCd{i:06}/view?usp=drivesdk","iconLink":"https://drive-thirdparty.googleusercontent.com/16/type/application/pdf","createdTime":"2024-03-0{d}T10:15:3{d}.123Z","modifiedTime":"2025-01-1{d}T08:0{d}:00.000Z","modifiedByMeTime":"2025-01-1{d}T08:0{d}:00.000Z","size":"{size}","quotaBytesUsed":"{size}","md5Checksum":"0cc175b9c0f1b6a831c399e269772661","owners":[{{"kind":"drive#user","displayName":"Ada Lovelace","me":true,"permissionId":"0123456789","emailAddress":"ada@example.com"}}],"capabilities":{{"canEdit":true,"canComment":true,"canShare":true,"canDownload":true,"canTrash":true,"canRename":true}}}}"#,
                v = 10 + i,
                d = i % 9 + 1,
                size = 100_000 + i * 37
            )
        })
        .collect();
    format!(
        r#"{{"kind":"drive#fileList","incompleteSearch":false,"nextPageToken":"~!!~AI9FV7T","files":[{}]}}"#,
        items.join(",")
    )
}

/// Serves `body` to every request on 127.0.0.1 (HTTP/1.1 keep-alive).
async fn serve(body: Bytes) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let body = body.clone();
            tokio::spawn(async move {
                let service = service_fn(move |_req| {
                    let body = body.clone();
                    async move {
                        let mut r = hyper::Response::new(Full::new(body));
                        r.headers_mut().insert(
                            "content-type",
                            "application/json; charset=UTF-8".parse().expect("header"),
                        );
                        Ok::<_, Infallible>(r)
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    format!("http://{addr}/")
}

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct MinimalList {
    files: Vec<MinimalFile>,
}

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct MinimalFile {
    id: String,
    name: String,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Contender {
    Gapi,
    GoogleDrive3,
    CeilingSameTypes,
    CeilingMinimal,
}

impl Contender {
    fn label(self) -> &'static str {
        match self {
            Contender::Gapi => "gapi (gapi-drive-v3)",
            Contender::GoogleDrive3 => "google-drive3 7.0",
            Contender::CeilingSameTypes => "raw reqwest + serde_json → gapi types (ceiling)",
            Contender::CeilingMinimal => "raw reqwest + serde_json → minimal struct",
        }
    }
}

struct Clients {
    gapi: gapi_drive_v3::Drive,
    drive3: google_drive3::DriveHub<hyper_util::client::legacy::connect::HttpConnector>,
    raw: reqwest::Client,
    raw_url: String,
}

async fn one_call(c: &Clients, who: Contender) {
    match who {
        Contender::Gapi => {
            let list = c
                .gapi
                .files()
                .list()
                .page_size(100)
                .execute()
                .await
                .expect("gapi call");
            assert_eq!(list.files.map(|f| f.len()), Some(100));
        }
        Contender::GoogleDrive3 => {
            let (_, list) = c
                .drive3
                .files()
                .list()
                .page_size(100)
                .doit()
                .await
                .expect("google-drive3 call");
            assert_eq!(list.files.map(|f| f.len()), Some(100));
        }
        Contender::CeilingSameTypes => {
            let bytes = c
                .raw
                .get(&c.raw_url)
                .send()
                .await
                .expect("get")
                .bytes()
                .await
                .expect("body");
            let list: gapi_drive_v3::types::FileList =
                serde_json::from_slice(&bytes).expect("decode");
            assert_eq!(list.files.map(|f| f.len()), Some(100));
        }
        Contender::CeilingMinimal => {
            let bytes = c
                .raw
                .get(&c.raw_url)
                .send()
                .await
                .expect("get")
                .bytes()
                .await
                .expect("body");
            let list: MinimalList = serde_json::from_slice(&bytes).expect("decode");
            assert_eq!(list.files.len(), 100);
        }
    }
}

async fn throughput(c: &Clients, who: Contender, requests: usize, concurrency: usize) -> f64 {
    let started = Instant::now();
    stream::iter(0..requests)
        .for_each_concurrent(concurrency, |_| one_call(c, who))
        .await;
    requests as f64 / started.elapsed().as_secs_f64()
}

fn summary(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(|a, b| a.total_cmp(b));
    (v[v.len() / 2], v[0], v[v.len() - 1])
}

fn decode_rate<T: serde::de::DeserializeOwned>(body: &[u8], duration: Duration) -> f64 {
    let started = Instant::now();
    let mut n = 0u64;
    while started.elapsed() < duration {
        for _ in 0..50 {
            let v: T = serde_json::from_slice(body).expect("decode");
            std::hint::black_box(v);
        }
        n += 50;
    }
    n as f64 / started.elapsed().as_secs_f64()
}

#[tokio::main]
async fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let (rounds, seq_requests, conc_requests, decode_time) = if quick {
        (1, 20, 64, Duration::from_millis(100))
    } else {
        (5, 2_000, 10_000, Duration::from_secs(3))
    };
    let rich = std::env::args().any(|a| a == "--rich");
    let body = if rich {
        file_list_body(100)
    } else {
        lean_file_list_body(100)
    };
    let base = serve(Bytes::from(body.clone())).await;

    let gapi = gapi_drive_v3::Drive::from_client(
        gapi_drive_v3::Drive::builder()
            .root_url(&base)
            .build()
            .expect("gapi client"),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let hyper_client =
        hyper_util::client::legacy::Client::builder(TokioExecutor::new()).build(connector);
    let mut drive3 = google_drive3::DriveHub::new(hyper_client, google_apis_common::NoToken);
    drive3.base_url(format!("{base}drive/v3/"));
    drive3.root_url(base.clone());
    let clients = Clients {
        gapi,
        drive3,
        raw: reqwest::Client::new(),
        raw_url: format!("{base}drive/v3/files?alt=json&pageSize=100"),
    };
    let contenders = [
        Contender::Gapi,
        Contender::GoogleDrive3,
        Contender::CeilingSameTypes,
        Contender::CeilingMinimal,
    ];
    // Warm-up: connections and allocator.
    for who in contenders {
        throughput(&clients, who, 64, 16).await;
    }
    println!(
        "# files.list, 100 files per page ({} bytes), loopback, {rounds} alternating round(s)\n",
        body.len()
    );
    for (label, requests, concurrency) in [
        ("sequential", seq_requests, 1),
        ("64 concurrent", conc_requests, 64),
    ] {
        let mut results: Vec<Vec<f64>> = vec![Vec::new(); contenders.len()];
        for _ in 0..rounds {
            for (i, who) in contenders.iter().enumerate() {
                results[i].push(throughput(&clients, *who, requests, concurrency).await);
            }
        }
        let ceiling = summary(results[2].clone()).0;
        let drive3 = summary(results[1].clone()).0;
        println!("## {label}: requests per second\n");
        println!("| client | median | min | max | × ceiling | × google-drive3 |");
        println!("|---|---:|---:|---:|---:|---:|");
        for (i, who) in contenders.iter().enumerate() {
            let (median, min, max) = summary(results[i].clone());
            println!(
                "| {} | {median:.0} | {min:.0} | {max:.0} | {:.2} | {:.2} |",
                who.label(),
                median / ceiling,
                median / drive3
            );
        }
        println!();
    }
    println!("## decode only: one FileList body, decodes per second\n");
    println!("| types | median | min | max | × google-drive3 |");
    println!("|---|---:|---:|---:|---:|");
    let bytes = body.as_bytes();
    let mut ours = Vec::new();
    let mut theirs = Vec::new();
    let mut minimal = Vec::new();
    for _ in 0..rounds {
        ours.push(decode_rate::<gapi_drive_v3::types::FileList>(
            bytes,
            decode_time,
        ));
        theirs.push(decode_rate::<google_drive3::api::FileList>(
            bytes,
            decode_time,
        ));
        minimal.push(decode_rate::<MinimalList>(bytes, decode_time));
    }
    let drive3 = summary(theirs.clone()).0;
    for (label, v) in [
        ("gapi_drive_v3::types::FileList", ours),
        ("google_drive3::api::FileList", theirs),
        ("minimal struct (id, name)", minimal),
    ] {
        let (median, min, max) = summary(v);
        println!(
            "| {label} | {median:.0} | {min:.0} | {max:.0} | {:.2} |",
            median / drive3
        );
    }
}
