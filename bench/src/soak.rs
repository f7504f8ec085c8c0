//! Chaos soak: one Drive client and one Gemini client run a mixed workload
//! against the emulator for a bounded time while faults are injected at a
//! set rate, and the run checks that nothing a user had is lost.
//!
//! Work: page walks (every seed file seen once, checked by id), resumable
//! uploads read back (bytes identical), batches of gets (each answer is the
//! file asked for), Gemini streams, long-running operations, and bursts of
//! 1,000 concurrent gets on one credential. Faults: 429 with and without
//! `Retry-After`, 500, 503, a reset before the answer, a body cut midway, an
//! answer that drips, HTML where JSON was due, every token expired (401s), a
//! stream cut after its first piece, a resumable chunk half stored, batch
//! parts answering 503.
//!
//! A call may fail, with a typed error, when its faults outlast its retries
//! (or the fault is one no client should retry, such as HTML for JSON).
//! What must never happen: data lost or duplicated, a call that outlives
//! its retry budget, descriptors or memory that grow with the run.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use gapi_drive_v3::types::File;
use gapi_drive_v3::Drive;
use gapi_emulator::{Emulator, EmulatorOptions, Fault};
use gapi_generativelanguage_v1beta::types::{GenerateContentRequest, TunedModel};
use gapi_generativelanguage_v1beta::GenerativeLanguage;
use gapi_runtime::futures_util::TryStreamExt;
use gapi_runtime::RetryPolicy;

use crate::stats::{mib, Goal, Samples, Section, Table};

/// The seed files' names all contain this (the emulator's own files).
const SEED_QUERY: &str = "trashed = false and name contains 'Document'";

/// Each call's retry budget; a call that takes longer than this plus one
/// attempt's timeout (and a margin) did not respect it.
const BUDGET: Duration = Duration::from_secs(8);
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Default)]
struct Tally {
    /// Successful calls' latencies, in ms.
    latencies: Samples,
    ok: u64,
    /// Failed calls, by the error's class.
    failed: BTreeMap<&'static str, u64>,
    /// One message of each class, for the report.
    examples: BTreeMap<&'static str, String>,
    /// Data lost or duplicated: must stay empty.
    lost: Vec<String>,
    /// Calls that outlived their budget: must stay empty.
    overran: Vec<String>,
}

impl Tally {
    fn record<T>(
        &mut self,
        what: &str,
        started: Instant,
        outcome: &Result<T, gapi_runtime::Error>,
    ) {
        let took = started.elapsed();
        if took > BUDGET + ATTEMPT_TIMEOUT + Duration::from_secs(2) {
            self.overran
                .push(format!("{what}: {} ms", took.as_millis()));
        }
        match outcome {
            Ok(_) => {
                self.ok += 1;
                self.latencies.push(took.as_secs_f64() * 1e3);
            }
            Err(e) => self.failed_with(e),
        }
    }

    fn failed_with(&mut self, e: &gapi_runtime::Error) {
        *self.failed.entry(class(e)).or_default() += 1;
        self.examples
            .entry(class(e))
            .or_insert_with(|| e.to_string());
    }
}

/// A failed call's kind, for the report.
fn class(e: &gapi_runtime::Error) -> &'static str {
    if e.is_timeout() {
        "timeout"
    } else if e.is_decode() {
        "decode (not JSON)"
    } else if let Some(status) = e.status() {
        match status {
            429 => "429",
            401 => "401",
            500..=599 => "5xx",
            _ => "other status",
        }
    } else if e.to_string().contains("cut off") || e.to_string().contains("transit") {
        "transport (cut/reset)"
    } else {
        "other"
    }
}

/// A small seeded generator (the harness takes no `rand`).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n.max(1)
    }
}

fn faults() -> Vec<(&'static str, Fault)> {
    let status = |status, retry_after| Fault::Status {
        status,
        count: 1,
        retry_after,
    };
    vec![
        ("429 with Retry-After: 1", status(429, Some(1))),
        ("429 without Retry-After", status(429, None)),
        ("500", status(500, None)),
        ("503", status(503, None)),
        ("reset before the answer", Fault::ResetBeforeAnswer),
        ("body cut midway", Fault::DropMidBody),
        ("answer drips", Fault::Drip),
        ("HTML where JSON was due", Fault::WrongContentType),
        ("tokens expired (401)", Fault::ExpireTokens),
        ("stream cut", Fault::CutStream),
        ("resumable chunk half stored", Fault::ShortUploadChunk),
        (
            "batch part 503",
            Fault::BatchCalls {
                status: 503,
                count: 1,
            },
        ),
    ]
}

/// Open file descriptors of this process.
fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").map_or(0, |d| d.count())
}

/// The emulator on threads of its own, whose allocations the harness does
/// not count: the memory figures are the clients'. Dropping the sender
/// stops it.
fn emulator_thread() -> (
    Arc<Emulator>,
    tokio::sync::oneshot::Sender<()>,
    std::thread::JoinHandle<()>,
) {
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::spawn(move || {
        crate::alloc::exclude_this_thread();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .on_thread_start(crate::alloc::exclude_this_thread)
            .enable_all()
            .build()
            .expect("the emulator's runtime");
        runtime.block_on(async move {
            let emu = Emulator::start(EmulatorOptions {
                auto_consent: true,
                ..EmulatorOptions::default()
            })
            .await
            .expect("the emulator starts");
            let _ = ready_tx.send(Arc::new(emu));
            let _ = stop_rx.await;
        });
    });
    let emu = ready_rx.recv().expect("the emulator thread started");
    (emu, stop_tx, thread)
}

async fn sign_in(emu: &Emulator) -> gapi_auth::UserCredentials {
    let mut config = gapi_auth::ClientConfig::new(
        "emulator-client.apps.googleusercontent.com",
        Some("secret".into()),
    );
    config.auth_uri = emu.auth_uri();
    config.token_uri = emu.token_uri();
    gapi_auth::InstalledFlow::new(config, &["https://www.googleapis.com/auth/drive"])
        .browser(|url: &str| {
            let url = url.to_string();
            tokio::spawn(async move {
                let _ = reqwest::get(url).await;
            });
            Ok(())
        })
        .notices(|_: &str| {})
        .authenticate()
        .await
        .expect("sign-in against the emulator")
}

struct Clients {
    drive: Drive,
    gemini: GenerativeLanguage,
    seeds: BTreeSet<String>,
}

async fn walk(c: &Clients, t: &Mutex<Tally>) {
    let started = Instant::now();
    let outcome: Result<Vec<File>, _> = c
        .drive
        .files()
        .list()
        .q(SEED_QUERY)
        .page_size(37)
        .fields("nextPageToken,files(id)")
        .items()
        .try_collect()
        .await;
    let mut tally = t.lock().unwrap();
    if let Ok(files) = &outcome {
        let ids: Vec<String> = files
            .iter()
            .filter_map(|f| f.id.as_deref().map(str::to_string))
            .collect();
        let unique: BTreeSet<String> = ids.iter().cloned().collect();
        if unique.len() != ids.len() {
            tally.lost.push(format!(
                "a walk saw {} ids, {} distinct",
                ids.len(),
                unique.len()
            ));
        }
        if unique != c.seeds {
            tally.lost.push(format!(
                "a walk saw {} of {} seed files",
                unique.len(),
                c.seeds.len()
            ));
        }
    }
    tally.record("walk", started, &outcome);
}

async fn upload_and_read_back(c: &Clients, t: &Mutex<Tally>, n: u64) {
    let data: Vec<u8> = (0..300_000 + n % 5 * 37_000)
        .map(|i| (i * 31 + n) as u8)
        .collect();
    let started = Instant::now();
    let options = gapi_runtime::media::ResumableOptions::default().chunk_size(256 * 1024);
    let made = c
        .drive
        .files()
        .create(File::default().with_name(format!("soak-{n}.bin")))
        .upload_resumable(data.clone(), "application/octet-stream", options)
        .await;
    t.lock().unwrap().record("upload", started, &made);
    let Some(id) = made.ok().and_then(|f| f.id) else {
        return;
    };
    let started = Instant::now();
    let mut back = Vec::new();
    let read = c.drive.files().get(&id).download(&mut back).await;
    {
        let mut tally = t.lock().unwrap();
        if read.is_ok() && back != data {
            tally.lost.push(format!(
                "soak-{n}.bin: {} bytes uploaded, {} read back{}",
                data.len(),
                back.len(),
                if back.len() == data.len() {
                    " (different bytes)"
                } else {
                    ""
                }
            ));
        }
        tally.record("download", started, &read);
    }
    // The emulator keeps what is uploaded: deleting it keeps the process's
    // memory about the client, not the stored files.
    let started = Instant::now();
    let deleted = c.drive.files().delete(&id).execute().await;
    t.lock().unwrap().record("delete", started, &deleted);
}

async fn batch(c: &Clients, t: &Mutex<Tally>, rng: u64) {
    let seeds: Vec<&String> = c.seeds.iter().collect();
    let mut batch = c.drive.batch();
    let asked: Vec<(String, _)> = (0..10)
        .map(|i| {
            let id = seeds[((rng + i * 7919) % seeds.len() as u64) as usize].clone();
            let handle = batch.add(c.drive.files().get(&id).fields("id"));
            (id, handle)
        })
        .collect();
    let started = Instant::now();
    let answers = batch.execute().await;
    let mut tally = t.lock().unwrap();
    if let Ok(answers) = &answers {
        for (id, handle) in asked {
            match answers.get(handle) {
                Ok(file) if file.id.as_deref() != Some(id.as_str()) => tally
                    .lost
                    .push(format!("a batch answered {:?} for {id}", file.id)),
                Ok(_) => {}
                // A part the batch's retries did not get through: typed.
                Err(e) => tally.failed_with(&e),
            }
        }
    }
    tally.record("batch", started, &answers);
}

async fn stream(c: &Clients, t: &Mutex<Tally>) {
    let started = Instant::now();
    let call = c.gemini.models().stream_generate_content(
        "gemini-2.5-flash",
        GenerateContentRequest::prompt("a short poem"),
    );
    let items: Result<Vec<_>, _> = call.stream().try_collect().await;
    let mut tally = t.lock().unwrap();
    if let Ok(items) = &items {
        if items.is_empty() {
            tally
                .lost
                .push("a stream ended with no piece and no error".into());
        }
    }
    tally.record("stream", started, &items);
}

async fn operation(c: &Clients, t: &Mutex<Tally>, n: u64) {
    let started = Instant::now();
    let model = TunedModel::default()
        .with_display_name(format!("soak {n}"))
        .with_base_model("models/gemini-2.0-flash");
    let done: Result<TunedModel, _> = c
        .gemini
        .tuned_models()
        .create(model)
        .poll()
        .initial_delay(Duration::from_millis(5))
        .max_delay(Duration::from_millis(20))
        .until_response()
        .await;
    let mut tally = t.lock().unwrap();
    if let Ok(model) = &done {
        if model.display_name.as_deref() != Some(format!("soak {n}").as_str()) {
            tally
                .lost
                .push(format!("operation {n} ended with {:?}", model.display_name));
        }
    }
    tally.record("operation", started, &done);
}

async fn burst(c: &Clients, t: &Arc<Mutex<Tally>>) {
    let seeds: Vec<String> = c.seeds.iter().take(50).cloned().collect();
    let calls = (0..1_000).map(|i| {
        let drive = c.drive.clone();
        let id = seeds[i % seeds.len()].clone();
        let t = t.clone();
        async move {
            let started = Instant::now();
            let got = drive.files().get(&id).fields("id").execute().await;
            let mut tally = t.lock().unwrap();
            if let Ok(file) = &got {
                if file.id.as_deref() != Some(id.as_str()) {
                    tally
                        .lost
                        .push(format!("a get of {id} answered {:?}", file.id));
                }
            }
            tally.record("burst get", started, &got);
        }
    });
    gapi_runtime::futures_util::future::join_all(calls).await;
}

pub async fn run(quick: bool, seconds: Option<u64>) -> Section {
    let duration = Duration::from_secs(seconds.unwrap_or(if quick { 10 } else { 300 }));
    let (emu, stop_emulator, emulator_thread) = emulator_thread();
    let fds_before_clients = open_fds();
    let retry = RetryPolicy {
        initial_backoff: Duration::from_millis(20),
        max_backoff: Duration::from_millis(500),
        total_budget: BUDGET,
        ..RetryPolicy::default()
    };
    // The emulator speaks HTTP/1.1, so a burst of 1,000 calls opens 1,000
    // connections; reqwest keeps every idle one (and the buffers each grew
    // to) unless told otherwise. Google speaks HTTP/2, one connection for
    // all. `GAPI_SOAK_POOL_IDLE=N` caps the idle connections kept.
    let pool_idle = std::env::var("GAPI_SOAK_POOL_IDLE")
        .ok()
        .and_then(|v| v.parse::<usize>().ok());
    let http = || {
        let mut b = reqwest::Client::builder()
            .timeout(ATTEMPT_TIMEOUT)
            .connect_timeout(ATTEMPT_TIMEOUT);
        if let Some(n) = pool_idle {
            b = b.pool_max_idle_per_host(n);
        }
        b.build().expect("an HTTP client")
    };
    let drive = Drive::builder()
        .root_url(emu.root_url())
        .credentials(sign_in(&emu).await)
        .retry_policy(retry.clone())
        .http_client(http())
        .build()
        .expect("a Drive client");
    let gemini = GenerativeLanguage::builder()
        .root_url(emu.root_url())
        .credentials(gapi_runtime::auth::ApiKey::new("soak"))
        .retry_policy(retry)
        .http_client(http())
        .build()
        .expect("a Gemini client");
    let seeds: BTreeSet<String> = drive
        .files()
        .list()
        .q(SEED_QUERY)
        .page_size(100)
        .items()
        .map_ok(|f| f.id.as_deref().unwrap_or_default().to_string())
        .try_collect()
        .await
        .expect("the seed files, before any fault");
    let clients = Arc::new(Clients {
        drive,
        gemini,
        seeds,
    });
    let tally = Arc::new(Mutex::new(Tally::default()));

    // Warm up, then take the baseline.
    walk(&clients, &tally).await;
    burst(&clients, &tally).await;
    *tally.lock().unwrap() = Tally::default();
    let (fds_start, heap_start) = (open_fds(), crate::alloc::live());
    let heap_baseline = crate::alloc::start();

    let kinds = faults();
    let injected: Arc<Vec<AtomicU64>> = Arc::new(kinds.iter().map(|_| AtomicU64::new(0)).collect());
    let deadline = Instant::now() + duration;
    let injector = {
        let injected = injected.clone();
        let emu_faults = kinds.clone();
        let handle = emu.clone();
        (
            tokio::spawn(async move {
                let mut rng = Lcg(7);
                while Instant::now() < deadline {
                    // One fault every 25 ms on average, at most three waiting.
                    tokio::time::sleep(Duration::from_millis(5 + rng.below(40))).await;
                    if handle.pending_faults() < 3 {
                        let k = rng.below(emu_faults.len() as u64) as usize;
                        handle.inject(emu_faults[k].1.clone());
                        injected[k].fetch_add(1, Ordering::Relaxed);
                    }
                }
            }),
            emu,
        )
    };
    let workers = (0..6u64).map(|w| {
        let clients = clients.clone();
        let tally = tally.clone();
        tokio::spawn(async move {
            let mut rng = Lcg(w + 1);
            let mut n = w * 1_000_000;
            while Instant::now() < deadline {
                n += 1;
                match rng.below(100) {
                    0..=24 => walk(&clients, &tally).await,
                    25..=44 => upload_and_read_back(&clients, &tally, n).await,
                    45..=64 => batch(&clients, &tally, rng.below(1 << 30)).await,
                    65..=79 => stream(&clients, &tally).await,
                    80..=96 => operation(&clients, &tally, n).await,
                    _ => burst(&clients, &tally).await,
                }
            }
        })
    });
    for worker in gapi_runtime::futures_util::future::join_all(workers).await {
        worker.expect("a soak worker ran to its end");
    }
    let (injector_task, emu) = injector;
    injector_task
        .await
        .expect("the fault injector ran to its end");
    // Faults still queued (a stream cut waits for a stream) are dropped.
    emu.clear_faults();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (fds_end, heap_end) = (open_fds(), crate::alloc::live());
    let heap_peak = crate::alloc::peak_above(heap_baseline) + heap_baseline as f64;
    // Every connection the clients opened must close with them.
    let Ok(clients) = Arc::try_unwrap(clients) else {
        panic!("the clients are still shared after the run");
    };
    drop(clients);
    let mut fds_after_clients = open_fds();
    for _ in 0..50 {
        if fds_after_clients <= fds_before_clients {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        fds_after_clients = open_fds();
    }
    drop(stop_emulator);
    emulator_thread.join().expect("the emulator thread ended");
    // What the clients held, against what the run's own bookkeeping holds.
    let heap_without_clients = crate::alloc::live();
    let tally_bytes = tally.lock().unwrap().latencies.0.capacity() * 8;

    let t = tally.lock().unwrap();
    let failed: u64 = t.failed.values().sum();
    let calls = t.ok + failed;
    let p = |q: f64| {
        let mut v = t.latencies.0.clone();
        v.sort_by(f64::total_cmp);
        v.get(((v.len() as f64 - 1.0) * q).round() as usize)
            .copied()
            .unwrap_or(0.0)
    };
    let mut table = Table::new(&["figure", "value"]);
    table.row(vec!["duration".into(), format!("{} s", duration.as_secs())]);
    table.row(vec![
        "calls (upload and download count one each; a batch one; a walk one)".into(),
        calls.to_string(),
    ]);
    table.row(vec!["succeeded".into(), t.ok.to_string()]);
    let failed_text: Vec<String> = t.failed.iter().map(|(k, v)| format!("{v} {k}")).collect();
    table.row(vec![
        "failed with a typed error".into(),
        format!(
            "{failed} ({})",
            if failed_text.is_empty() {
                "none".into()
            } else {
                failed_text.join(", ")
            }
        ),
    ]);
    let total_injected: u64 = injected.iter().map(|n| n.load(Ordering::Relaxed)).sum();
    let by_kind: Vec<String> = kinds
        .iter()
        .zip(injected.iter())
        .map(|((name, _), n)| format!("{} {name}", n.load(Ordering::Relaxed)))
        .collect();
    table.row(vec![
        "faults injected".into(),
        format!("{total_injected}: {}", by_kind.join(", ")),
    ]);
    table.row(vec![
        "faults survived (injected minus calls failed)".into(),
        format!("{}", total_injected.saturating_sub(failed)),
    ]);
    table.row(vec![
        "data lost or duplicated".into(),
        t.lost.len().to_string(),
    ]);
    table.row(vec![
        format!(
            "calls past their retry budget ({} s + one attempt)",
            BUDGET.as_secs()
        ),
        t.overran.len().to_string(),
    ]);
    table.row(vec![
        "latency p50 / p99 (successful calls)".into(),
        format!("{:.1} ms / {:.1} ms", p(0.5), p(0.99)),
    ]);
    table.row(vec![
        "open file descriptors: start → end of the run (pooled connections, both ends)".into(),
        format!("{fds_start} → {fds_end}"),
    ]);
    table.row(vec![
        "open file descriptors: before the clients → after they are dropped".into(),
        format!("{fds_before_clients} → {fds_after_clients}"),
    ]);
    table.row(vec![
        "heap after the clients are dropped (the soak's own records: latencies)".into(),
        format!(
            "{} ({})",
            mib(heap_without_clients as f64),
            mib(tally_bytes as f64)
        ),
    ]);
    table.row(vec![
        "clients' heap: start → end of the run (peak)".into(),
        format!(
            "{} → {} ({})",
            mib(heap_start as f64),
            mib(heap_end as f64),
            mib(heap_peak)
        ),
    ]);
    let mut markdown = format!(
        "A Drive client and a Gemini client (one signed-in credential) against the emulator, \
         six workers and bursts of 1,000 concurrent gets, with a fault injected every 25 ms on \
         average (at most three waiting). Each call: {} s retry budget, {} s per attempt; idle \
         connections kept: {}.\n\n{}",
        BUDGET.as_secs(),
        ATTEMPT_TIMEOUT.as_secs(),
        pool_idle.map_or("all (reqwest's default)".to_string(), |n| format!(
            "{n} per host"
        )),
        table.render()
    );
    markdown.push_str("\nOne failure of each kind, as the caller sees it:\n");
    for (kind, example) in &t.examples {
        markdown.push_str(&format!("\n- {kind}: `{example}`"));
    }
    markdown.push('\n');
    for line in t.lost.iter().chain(&t.overran).take(20) {
        markdown.push_str(&format!("\n- {line}"));
    }
    let fds_flat = fds_after_clients <= fds_before_clients;
    let memory_flat = heap_end as f64 <= heap_start as f64 * 1.25 + 4.0 * 1024.0 * 1024.0;
    Section {
        markdown,
        goals: vec![
            Goal::new(
                "soak: no data lost or duplicated",
                format!("{} cases", t.lost.len()),
                t.lost.is_empty(),
            ),
            Goal::new(
                "soak: no call past its retry budget",
                format!("{} calls", t.overran.len()),
                t.overran.is_empty(),
            ),
            Goal::new(
                "soak: every descriptor closed with the clients (flat)",
                format!("{fds_before_clients} → {fds_after_clients}"),
                fds_flat,
            ),
            Goal::new(
                "soak: the clients' heap flat",
                format!("{} → {}", mib(heap_start as f64), mib(heap_end as f64)),
                memory_flat,
            ),
        ],
    }
}
