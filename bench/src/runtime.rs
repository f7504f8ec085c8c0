//! Runtime: `files.list` with 100-file pages against a loopback server,
//! sequential and 64 concurrent, for gapi (`gapi-drive-v3`), google-drive3
//! 7.x (google-apis-rs), and the ceilings (raw reqwest + serde_json decoding
//! into the *same* generated gapi types, and into a minimal struct); plus
//! decode-only throughput of one `FileList` body. Rounds alternate between
//! the contenders.

use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::stream::{self, StreamExt};

use crate::server;
use crate::stats::{Goal, Samples, Section, Table};

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

#[derive(serde::Deserialize)]
#[allow(dead_code)]
pub(crate) struct MinimalList {
    files: Vec<MinimalFile>,
}

#[derive(serde::Deserialize)]
#[allow(dead_code)]
pub(crate) struct MinimalFile {
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
    drive3: server::Drive3,
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
            let list: gapi_drive_v3::types::FileList =
                serde_json::from_slice(&raw_get(c).await).expect("decode");
            assert_eq!(list.files.map(|f| f.len()), Some(100));
        }
        Contender::CeilingMinimal => {
            let list: MinimalList = serde_json::from_slice(&raw_get(c).await).expect("decode");
            assert_eq!(list.files.len(), 100);
        }
    }
}

/// The ceilings' request: plain reqwest, the body as bytes.
async fn raw_get(c: &Clients) -> Bytes {
    c.raw
        .get(&c.raw_url)
        .send()
        .await
        .expect("get")
        .bytes()
        .await
        .expect("body")
}

async fn throughput(c: &Clients, who: Contender, requests: usize, concurrency: usize) -> f64 {
    let started = Instant::now();
    stream::iter(0..requests)
        .for_each_concurrent(concurrency, |_| one_call(c, who))
        .await;
    requests as f64 / started.elapsed().as_secs_f64()
}

fn decode_rate<T: serde::de::DeserializeOwned>(body: &[u8], duration: Duration) -> f64 {
    decode_rate_with(body, duration, |b| {
        serde_json::from_slice::<T>(b).expect("decode");
    })
}

/// Decodes per second of `decode` on `body`.
fn decode_rate_with(body: &[u8], duration: Duration, decode: impl Fn(&[u8])) -> f64 {
    let started = Instant::now();
    let mut n = 0u64;
    while started.elapsed() < duration {
        for _ in 0..50 {
            decode(std::hint::black_box(body));
        }
        n += 50;
    }
    n as f64 / started.elapsed().as_secs_f64()
}

/// gapi's own path: what every generated call does with a response body.
fn gapi_own_decode(body: &[u8]) {
    let v: gapi_drive_v3::types::FileList = gapi_runtime::decode::from_json(body).expect("decode");
    std::hint::black_box(v);
}

/// google-drive3's own path: its `doit()` turns the body into text with
/// `String::from_utf8_lossy` (`google_apis_common::to_string`), then
/// `serde_json::from_str`.
fn drive3_own_decode(body: &[u8]) {
    let text = String::from_utf8_lossy(body);
    let v: google_drive3::api::FileList = serde_json::from_str(&text).expect("decode");
    std::hint::black_box(v);
}

/// Ratios of one page size, for the goals.
struct PageResult {
    label: &'static str,
    seq_vs_ceiling: f64,
    conc_vs_ceiling: f64,
    conc_vs_drive3: f64,
    decode_vs_drive3: f64,
    own_decode_vs_drive3: f64,
}

async fn one_page_size(
    quick: bool,
    label: &'static str,
    body: String,
    out: &mut String,
) -> PageResult {
    let (rounds, seq_requests, conc_requests, decode_time) = if quick {
        (1, 20, 64, Duration::from_millis(100))
    } else {
        (5, 2_000, 10_000, Duration::from_secs(3))
    };
    // In-process, on the benchmark's own runtime: client and server share
    // the two cores, as they do for every contender.
    let page = Bytes::from(body.clone());
    let base = server::spawn_here(move |_req| {
        let page = page.clone();
        async move { server::json(200, page) }
    });
    let gapi = server::gapi_drive(&base);
    let drive3 = server::drive3_hub(&base);
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
    out.push_str(&format!("### {label} ({} bytes per page)\n\n", body.len()));
    let mut ratios = [0.0f64; 3];
    for (i_mode, (mode, requests, concurrency)) in [
        ("Sequential", seq_requests, 1),
        ("64 concurrent", conc_requests, 64),
    ]
    .into_iter()
    .enumerate()
    {
        let mut results: Vec<Samples> = vec![Samples::default(); contenders.len()];
        for _ in 0..rounds {
            for (i, who) in contenders.iter().enumerate() {
                results[i].push(throughput(&clients, *who, requests, concurrency).await);
            }
        }
        let ceiling = results[2].median();
        let drive3 = results[1].median();
        out.push_str(&format!(
            "{mode}, requests per second ({requests} requests per round, {rounds} rounds):\n\n"
        ));
        let mut t = Table::new(&[
            "client",
            ">median (min–max)",
            ">× ceiling",
            ">× google-drive3",
        ]);
        for (i, who) in contenders.iter().enumerate() {
            let m = results[i].median();
            t.row(vec![
                who.label().into(),
                results[i].show(0),
                format!("{:.2}", m / ceiling),
                format!("{:.2}", m / drive3),
            ]);
        }
        out.push_str(&t.render());
        out.push('\n');
        let gapi = results[0].median();
        if i_mode == 0 {
            ratios[0] = gapi / ceiling;
        } else {
            ratios[1] = gapi / ceiling;
            ratios[2] = gapi / drive3;
        }
    }
    let bytes = body.as_bytes();
    let mut ours = Samples::default();
    let mut theirs = Samples::default();
    let mut minimal = Samples::default();
    let mut ours_own = Samples::default();
    let mut theirs_own = Samples::default();
    for _ in 0..rounds {
        ours_own.push(decode_rate_with(bytes, decode_time, gapi_own_decode));
        theirs_own.push(decode_rate_with(bytes, decode_time, drive3_own_decode));
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
    let drive3 = theirs.median();
    let drive3_own = theirs_own.median();
    out.push_str(&format!(
        "Decode only: one `FileList` body, decodes per second ({rounds} rounds of {:.1} s). \
         The first three rows decode the same way (`serde_json::from_slice`), so they compare \
         the types alone; the goal is read from them. The last two are each client's own path \
         from response bytes, compared with each other:\n\n",
        decode_time.as_secs_f64()
    ));
    let mut t = Table::new(&["types", ">median (min–max)", ">× google-drive3"]);
    for (label, v, base) in [
        ("`gapi_drive_v3::types::FileList`", &ours, drive3),
        ("`google_drive3::api::FileList`", &theirs, drive3),
        ("minimal struct (id, name)", &minimal, drive3),
        (
            "gapi's own path: `gapi_runtime::decode::from_json` (UTF-8 checked once)",
            &ours_own,
            drive3_own,
        ),
        (
            "google-drive3's own path: `from_utf8_lossy` + `serde_json::from_str`",
            &theirs_own,
            drive3_own,
        ),
    ] {
        t.row(vec![
            label.into(),
            v.show(0),
            format!("{:.2}", v.median() / base),
        ]);
    }
    out.push_str(&t.render());
    out.push('\n');
    PageResult {
        label,
        seq_vs_ceiling: ratios[0],
        conc_vs_ceiling: ratios[1],
        conc_vs_drive3: ratios[2],
        decode_vs_drive3: ours.median() / drive3,
        own_decode_vs_drive3: ours_own.median() / drive3_own,
    }
}

pub async fn run(quick: bool) -> Section {
    let mut out = String::from(
        "A loopback HTTP/1.1 server in the same process (sharing the 2 cores) answers every \
         request with the same `FileList` page of 100 files. Contenders: gapi's generated \
         `files().list().page_size(100).execute()`, google-drive3 7.0 \
         (`hub.files().list().page_size(100).doit()`), and the ceilings: raw reqwest + \
         serde_json decoding into the *same* generated gapi types, and into a minimal \
         `{id, name}` struct. Rounds alternate between the contenders.\n\n",
    );
    let mut pages = vec![
        one_page_size(
            quick,
            "Lean pages: kind, id, name, mimeType, createdTime, modifiedTime, size",
            lean_file_list_body(100),
            &mut out,
        )
        .await,
    ];
    if !quick {
        pages.push(
            one_page_size(
                quick,
                "Rich pages: ids, names, links, timestamps, sizes, owners, capabilities",
                file_list_body(100),
                &mut out,
            )
            .await,
        );
    }
    let show = |f: &dyn Fn(&PageResult) -> f64| {
        pages
            .iter()
            .map(|p| {
                format!(
                    "{:.2} × ({})",
                    f(p),
                    p.label.split(':').next().unwrap_or("")
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let goals = vec![
        Goal::new(
            "runtime overhead: ≥ 0.95 × the ceiling",
            format!(
                "sequential {}; 64 concurrent {}",
                show(&|p| p.seq_vs_ceiling),
                show(&|p| p.conc_vs_ceiling)
            ),
            pages
                .iter()
                .all(|p| p.seq_vs_ceiling >= 0.95 && p.conc_vs_ceiling >= 0.95),
        ),
        Goal::new(
            "≥ 1.3 × google-drive3 at 64 concurrent",
            show(&|p| p.conc_vs_drive3),
            pages.iter().all(|p| p.conc_vs_drive3 >= 1.3),
        ),
        Goal::new(
            "`FileList` decode ≥ 1.5 × google-drive3 (same decode path)",
            format!(
                "{} (each client's own path: {})",
                show(&|p| p.decode_vs_drive3),
                show(&|p| p.own_decode_vs_drive3)
            ),
            pages.iter().all(|p| p.decode_vs_drive3 >= 1.5),
        ),
    ];
    Section {
        markdown: out,
        goals,
    }
}
