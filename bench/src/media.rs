//! Media: a resumable upload of a 256 MiB file (and a 64 MiB one, to show
//! that memory does not grow with the file) to a loopback server that
//! speaks Google's resumable protocol and discards the bytes.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use http_body_util::BodyExt;

use crate::server;
use crate::stats::{mib, Goal, Samples, Section, Table};

const MIB: u64 = 1024 * 1024;

/// Writes (once) a file of `size` bytes of a repeating pattern.
fn test_file(dir: &Path, size: u64) -> PathBuf {
    let path = dir.join(format!("upload-{}MiB.bin", size / MIB));
    if std::fs::metadata(&path).map(|m| m.len()).ok() == Some(size) {
        return path;
    }
    std::fs::create_dir_all(dir).expect("scratch directory");
    let block: Vec<u8> = (0..MIB).map(|i| (i % 251) as u8).collect();
    let mut f = std::fs::File::create(&path).expect("create the upload file");
    for _ in 0..size / MIB {
        std::io::Write::write_all(&mut f, &block).expect("write the upload file");
    }
    path
}

fn content_range(req: &hyper::Request<hyper::body::Incoming>) -> Option<(Option<u64>, u64)> {
    let v = req.headers().get("content-range")?.to_str().ok()?;
    let (range, total) = v.strip_prefix("bytes ")?.split_once('/')?;
    let total = total.parse().ok()?;
    if range == "*" {
        return Some((None, total));
    }
    let start = range.split_once('-')?.0.parse().ok()?;
    Some((Some(start), total))
}

/// A resumable-upload endpoint that keeps only a byte count.
fn upload_server() -> String {
    let received = Arc::new(AtomicU64::new(0));
    server::spawn(move |req| {
        let received = received.clone();
        async move {
            if req.method() == hyper::Method::POST {
                received.store(0, Ordering::SeqCst);
                let host = req
                    .headers()
                    .get("host")
                    .and_then(|h| h.to_str().ok())
                    .unwrap_or("127.0.0.1")
                    .to_string();
                let mut r = server::json(200, "");
                r.headers_mut().insert(
                    "location",
                    format!("http://{host}/upload-session?upload_id=bench")
                        .parse()
                        .expect("location"),
                );
                return r;
            }
            let Some((start, total)) = content_range(&req) else {
                return server::json(
                    400,
                    r#"{"error":{"code":400,"message":"no Content-Range"}}"#,
                );
            };
            let mut body = req.into_body();
            if let Some(start) = start {
                if start != received.load(Ordering::SeqCst) {
                    return server::json(400, r#"{"error":{"code":400,"message":"wrong offset"}}"#);
                }
                while let Some(frame) = body.frame().await {
                    let Ok(frame) = frame else {
                        break;
                    };
                    if let Some(data) = frame.data_ref() {
                        received.fetch_add(data.len() as u64, Ordering::SeqCst);
                    }
                }
            }
            let have = received.load(Ordering::SeqCst);
            if have == total {
                return server::json(
                    200,
                    format!(r#"{{"kind":"drive#file","id":"uploaded","size":"{total}"}}"#),
                );
            }
            let mut r = server::json(308, "");
            if have > 0 {
                r.headers_mut().insert(
                    "range",
                    format!("bytes=0-{}", have - 1).parse().expect("range"),
                );
            }
            r
        }
    })
}

pub async fn run(quick: bool, scratch: &Path) -> Section {
    let sizes: Vec<u64> = if quick {
        vec![8 * MIB]
    } else {
        vec![64 * MIB, 256 * MIB]
    };
    let rounds = if quick { 1 } else { 3 };
    let base = upload_server();
    let drive = server::gapi_drive(&base);
    let options = gapi_runtime::media::ResumableOptions::default();
    let chunk = options.chunk_size;
    let mut t = Table::new(&["file", ">throughput (MiB/s)", ">peak heap above baseline"]);
    let mut peaks = Vec::new();
    for &size in &sizes {
        let path = test_file(scratch, size);
        let mut rate = Samples::default();
        let mut peak = Samples::default();
        for _ in 0..rounds {
            let metadata = gapi_drive_v3::types::File::default().with_name("upload.bin");
            let baseline = crate::alloc::start();
            let started = Instant::now();
            let file = drive
                .files()
                .create(metadata)
                .upload_resumable(path.clone(), "application/octet-stream", options.clone())
                .await
                .expect("resumable upload");
            let secs = started.elapsed().as_secs_f64();
            peak.push(crate::alloc::peak_above(baseline));
            assert_eq!(
                file.size,
                Some(size as i64),
                "the server received every byte"
            );
            rate.push(size as f64 / MIB as f64 / secs);
        }
        t.row(vec![
            format!("{} MiB", size / MIB),
            rate.show(0),
            mib(peak.median()),
        ]);
        peaks.push((size, peak.median(), rate));
    }
    let markdown = format!(
        "`files().create(..).upload_resumable(path, ..)` with the default {} MiB chunks, from a \
         file on disk to a loopback server (on an uncounted thread) that checks each chunk's \
         offset and discards the bytes; {rounds} rounds. Peak heap is the client's live heap \
         above what was live before the upload.\n\n{}\n",
        chunk as u64 / MIB,
        t.render()
    );
    let (small, big) = (peaks[0].1, peaks[peaks.len() - 1].1);
    let largest = peaks[peaks.len() - 1].0;
    Section {
        markdown,
        goals: vec![Goal::new(
            "resumable upload memory does not grow with file size",
            format!(
                "{} peak at {} MiB vs {} at {} MiB; {} MiB/s at {} MiB",
                mib(big),
                largest / MIB,
                mib(small),
                peaks[0].0 / MIB,
                peaks[peaks.len() - 1].2.show(0),
                largest / MIB
            ),
            // Within one chunk of the smaller file's peak, and bounded by a
            // few chunks rather than the file.
            big <= small + chunk as f64 && big < 4.0 * chunk as f64,
        )],
    }
}
