//! `--upload FILE` and `--download FILE`: media through the runtime's
//! simple and resumable uploads and its resuming download, with a progress
//! bar on stderr (drawn only when stderr is a terminal).

use std::path::{Path, PathBuf};

use gapi_runtime::media::{ResumableOptions, UploadSource};
use gapi_runtime::Request;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::Value;

use crate::error::CliError;
use crate::format::Printer;

/// Files larger than this go up with the resumable protocol, in chunks
/// that survive a dropped connection; smaller ones in one request.
const RESUMABLE_ABOVE: u64 = 5 * 1024 * 1024;

fn bar(total: Option<u64>, verb: &str) -> ProgressBar {
    let bar = match total {
        Some(total) => ProgressBar::new(total),
        None => ProgressBar::no_length(),
    };
    let template = format!("{verb} {{bar:40}} {{bytes}}/{{total_bytes}} {{bytes_per_sec}} {{eta}}");
    if let Ok(style) = ProgressStyle::with_template(&template) {
        bar.set_style(style);
    }
    bar
}

/// A MIME type from the file name, for the common cases; the server
/// sniffs or stores `application/octet-stream` otherwise.
fn guess_mime(file: &Path) -> &'static str {
    let ext = file
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match ext.as_str() {
        "txt" | "log" => "text/plain",
        "csv" => "text/csv",
        "html" | "htm" => "text/html",
        "json" => "application/json",
        "pdf" => "application/pdf",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "mp4" => "video/mp4",
        "mp3" => "audio/mpeg",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

/// Uploads `file` with the request (its `--json` body, if any, is the
/// metadata) and prints the answer.
///
/// # Errors
/// A method that takes no media, an unreadable file, the call's error.
pub async fn upload(
    request: Request,
    file: &Path,
    mime: Option<&str>,
    printer: &mut Printer,
) -> Result<(), CliError> {
    let spec = request.spec();
    let Some(media) = spec.media else {
        return Err(CliError::Usage(format!(
            "--upload: {} takes no media",
            spec.id
        )));
    };
    let len = std::fs::metadata(file)
        .map_err(|e| CliError::Io(format!("--upload {}: {e}", file.display())))?
        .len();
    let mime = mime.unwrap_or_else(|| guess_mime(file));
    let source = UploadSource::File(file.to_path_buf());
    let answer: Value = if len > RESUMABLE_ABOVE || media.simple_path.is_none() {
        let bar = bar(Some(len), "uploading");
        let progress = bar.clone();
        let options =
            ResumableOptions::default().progress(move |done, _| progress.set_position(done));
        let answer = request.upload_resumable(source, mime, options).await;
        bar.finish_and_clear();
        answer?
    } else {
        request.upload(source, mime).await?
    };
    printer.answer(&answer)
}

/// Streams the method's media (`alt=media`) into `file`: written to
/// `FILE.part` and renamed when complete, so an existing file is only
/// replaced by a whole download.
///
/// # Errors
/// A method without media, a file that cannot be written, the call's error.
pub async fn download(request: Request, file: &Path) -> Result<(), CliError> {
    let spec = request.spec();
    if spec.download == gapi_runtime::spec::Download::None {
        return Err(CliError::Usage(format!(
            "--download: {} has no media to download",
            spec.id
        )));
    }
    let part = part_file(file);
    let io = |e: std::io::Error, path: &Path| {
        CliError::Io(format!("--download {}: {e}", path.display()))
    };
    let mut out = tokio::fs::File::create(&part)
        .await
        .map_err(|e| io(e, &part))?;
    let bar = bar(None, "downloading");
    let shown = bar.clone();
    let result = request
        .download_with_progress(&mut out, move |done, total| {
            if let Some(total) = total {
                shown.set_length(total);
            }
            shown.set_position(done);
        })
        .await;
    bar.finish_and_clear();
    let written = match result {
        Ok(written) => written,
        Err(e) => {
            drop(out);
            let _ = std::fs::remove_file(&part);
            return Err(e.into());
        }
    };
    use tokio::io::AsyncWriteExt;
    out.flush().await.map_err(|e| io(e, &part))?;
    out.sync_all().await.map_err(|e| io(e, &part))?;
    drop(out);
    std::fs::rename(&part, file).map_err(|e| io(e, file))?;
    eprintln!("wrote {written} bytes to {}", file.display());
    Ok(())
}

/// `report.pdf` → `report.pdf.part`, beside it.
fn part_file(file: &Path) -> PathBuf {
    let mut name = file.file_name().unwrap_or_default().to_os_string();
    name.push(".part");
    file.with_file_name(name)
}
