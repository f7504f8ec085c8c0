//! Peak memory of walking 10,000 files in 100 pages of 100, for gapi's
//! `items()` stream and google-drive3's page-token loop. The loopback
//! server runs on an uncounted thread, so the figure is the client's heap.

use std::time::Instant;

use bytes::Bytes;
use futures_util::StreamExt;

use crate::server;
use crate::stats::{mib, Goal, Samples, Section, Table};

const PAGE: usize = 100;

fn page_body(page: usize, pages: usize) -> String {
    let items: Vec<String> = (0..PAGE)
        .map(|i| {
            let n = page * PAGE + i;
            format!(
                r#"{{"kind":"drive#file","id":"1AbCdEfGhIj{n:06}","name":"Report {n}.pdf","mimeType":"application/pdf","createdTime":"2024-03-01T10:15:30.123Z","modifiedTime":"2025-01-11T08:01:00.000Z","size":"{size}"}}"#,
                size = 100_000 + n * 37
            )
        })
        .collect();
    let next = if page + 1 < pages {
        format!(r#""nextPageToken":"p{}","#, page + 1)
    } else {
        String::new()
    };
    format!(
        r#"{{"kind":"drive#fileList","incompleteSearch":false,{next}"files":[{}]}}"#,
        items.join(",")
    )
}

pub async fn run(quick: bool) -> Section {
    let pages = if quick { 5 } else { 100 };
    let rounds = if quick { 1 } else { 3 };
    let bodies: Vec<Bytes> = (0..pages)
        .map(|p| Bytes::from(page_body(p, pages)))
        .collect();
    let page_bytes = bodies[0].len();
    let base = server::spawn(move |req| {
        let page = server::query_param(req.uri(), "pageToken")
            .and_then(|t| t.strip_prefix('p'))
            .and_then(|n| n.parse::<usize>().ok())
            .unwrap_or(0);
        let body = bodies.get(page).cloned().unwrap_or_default();
        async move { server::json(200, body) }
    });
    let gapi = server::gapi_drive(&base);
    let drive3 = server::drive3_hub(&base);

    let expected = pages * PAGE;
    let mut gapi_peak = Samples::default();
    let mut gapi_time = Samples::default();
    let mut drive3_peak = Samples::default();
    let mut drive3_time = Samples::default();
    // Round 0 warms both clients up (connections, pools) and is not kept.
    for round in 0..=rounds {
        let keep = round > 0;
        let baseline = crate::alloc::start();
        let started = Instant::now();
        let mut items = gapi.files().list().page_size(PAGE as i32).items();
        let mut n = 0;
        while let Some(file) = items.next().await {
            let file = file.expect("gapi walk");
            std::hint::black_box(&file);
            n += 1;
        }
        drop(items);
        if keep {
            gapi_time.push(started.elapsed().as_secs_f64());
            gapi_peak.push(crate::alloc::peak_above(baseline));
        }
        assert_eq!(n, expected, "gapi walked every file");

        let baseline = crate::alloc::start();
        let started = Instant::now();
        let mut token: Option<String> = None;
        let mut n = 0;
        loop {
            let mut call = drive3.files().list().page_size(PAGE as i32);
            if let Some(t) = &token {
                call = call.page_token(t);
            }
            let (_, list) = call.doit().await.expect("google-drive3 walk");
            for file in list.files.unwrap_or_default() {
                std::hint::black_box(&file);
                n += 1;
            }
            token = list.next_page_token;
            if token.is_none() {
                break;
            }
        }
        if keep {
            drive3_time.push(started.elapsed().as_secs_f64());
            drive3_peak.push(crate::alloc::peak_above(baseline));
        }
        assert_eq!(n, expected, "google-drive3 walked every file");
    }
    let mut t = Table::new(&["client", ">peak heap above baseline", ">walk time (s)"]);
    t.row(vec![
        "gapi `files().list().page_size(100).items()`".into(),
        mib(gapi_peak.median()),
        gapi_time.show(3),
    ]);
    t.row(vec![
        "google-drive3 `page_token` loop".into(),
        mib(drive3_peak.median()),
        drive3_time.show(3),
    ]);
    let markdown = format!(
        "{expected} files in {pages} pages of {PAGE} ({page_bytes} bytes each) from a loopback \
         server on an uncounted thread; a counting global allocator records the client's peak \
         live heap above what was live before the walk (median of {rounds} rounds after a warm-up walk).\n\n{}\n",
        t.render()
    );
    // Holding one page at a time is the point of a lazy walk: the peak should
    // be a small multiple of one page, not of the whole listing.
    let whole = (expected / PAGE) as f64 * page_bytes as f64;
    Section {
        markdown,
        goals: vec![Goal::new(
            format!("peak memory of a {expected}-item walk stays at page scale"),
            format!(
                "{} peak for {} of JSON ({:.1} pages' worth)",
                mib(gapi_peak.median()),
                mib(whole),
                gapi_peak.median() / page_bytes as f64
            ),
            gapi_peak.median() < whole / 4.0,
        )],
    }
}
