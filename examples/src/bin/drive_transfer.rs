//! A large upload and download with progress bars (indicatif), and every
//! request logged through `tracing` when `GAPI_TRACE` is set: one `gapi.call`
//! span per call with its method, attempt, status, latency and bytes, and an
//! event per retry — tokens and keys never appear.
//!
//! `drive_transfer [MiB]` (default 32) uploads that much with the resumable
//! protocol, downloads it again, and checks the bytes. `GAPI_EMULATOR=URL`
//! runs it against the emulator.

use std::error::Error;

use gapi_drive_v3::scopes::DRIVE_FILE;
use gapi_drive_v3::types::File;
use gapi_runtime::media::ResumableOptions;
use indicatif::{ProgressBar, ProgressStyle};

fn bar(len: u64, label: &'static str) -> Result<ProgressBar, Box<dyn Error>> {
    let bar = ProgressBar::new(len).with_prefix(label);
    bar.set_style(ProgressStyle::with_template(
        "{prefix:>8} [{bar:40}] {bytes}/{total_bytes} {bytes_per_sec}",
    )?);
    Ok(bar)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    if std::env::var_os("GAPI_TRACE").is_some() {
        use std::io::IsTerminal;
        // INFO: gapi's call spans and retries, without hyper's DEBUG chatter.
        tracing_subscriber::fmt()
            .with_writer(std::io::stderr)
            .with_ansi(std::io::stderr().is_terminal())
            .with_max_level(tracing::Level::INFO)
            .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
            .init();
    }
    let mib: usize = match std::env::args().nth(1) {
        Some(arg) => arg
            .parse()
            .map_err(|e| format!("size in MiB {arg:?}: {e}"))?,
        None => 32,
    };
    let data: Vec<u8> = (0..mib << 20).map(|i| (i % 251) as u8).collect();
    let len = data.len() as u64;

    let token_file = std::env::var("GAPI_TOKEN_FILE").unwrap_or_else(|_| "token.json".into());
    let creds = gapi_examples::installed_flow(&[DRIVE_FILE], &token_file)
        .authenticate()
        .await?;
    let drive = gapi_examples::target(gapi_drive_v3::Drive::builder())
        .credentials(creds)
        .build()?;

    let up = bar(len, "upload")?;
    let shown = up.clone();
    let file = drive
        .files()
        .create(File::default().with_name("transfer.bin"))
        .upload_resumable(
            data.clone(),
            "application/octet-stream",
            ResumableOptions::default().progress(move |done, _| shown.set_position(done)),
        )
        .await?;
    up.finish();
    let id = file.id.ok_or("the created file has no id")?;

    let down = bar(len, "download")?;
    let mut copy = Vec::with_capacity(data.len());
    drive
        .files()
        .get(&id)
        .download_with_progress(&mut copy, |done, total| {
            if let Some(total) = total {
                down.set_length(total);
            }
            down.set_position(done);
        })
        .await?;
    down.finish();
    if copy != data {
        return Err(format!(
            "downloaded {} bytes that differ from the upload",
            copy.len()
        )
        .into());
    }
    println!("uploaded and downloaded {mib} MiB as {id}; the bytes match");
    Ok(())
}
