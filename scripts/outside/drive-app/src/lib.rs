//! The README's first call, as an application outside the gapi repository
//! writes it: sign in (browser + loopback, cached in `token.json`), then the
//! five newest Drive files.

use std::path::Path;

use gapi_drive_v3::runtime::futures_util::TryStreamExt;
use gapi_drive_v3::scopes::DRIVE_METADATA_READONLY;

/// Any error, for a small application.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// Signs in with `dir/client_secret.json` (cached in `dir/token.json`) and
/// builds a Drive client for Google, or for `root_url` (an emulator).
pub async fn drive(dir: &Path, root_url: Option<String>) -> Result<gapi_drive_v3::Drive, Error> {
    let creds = gapi_auth::InstalledFlow::from_client_secrets_file(
        dir.join("client_secret.json"),
        &[DRIVE_METADATA_READONLY],
    )
    .token_cache(dir.join("token.json"))
    .authenticate()
    .await?;
    Ok(match root_url {
        None => gapi_drive_v3::build(creds),
        Some(url) => gapi_drive_v3::Drive::builder()
            .root_url(url)
            .credentials(creds)
            .build()?,
    })
}

/// The names of the five most recently modified files.
pub async fn newest_five(drive: &gapi_drive_v3::Drive) -> Result<Vec<String>, Error> {
    let files = drive
        .files()
        .list()
        .order_by("modifiedByMeTime desc")
        .page_size(5)
        .execute()
        .await?;
    Ok(files
        .files
        .unwrap_or_default()
        .into_iter()
        .filter_map(|f| f.name.map(String::from))
        .collect())
}

/// Every file, page by page, through the runtime the Drive crate re-exports
/// (no dependency of the application's own).
pub async fn count_all(drive: &gapi_drive_v3::Drive) -> Result<usize, Error> {
    let all: Vec<_> = drive.files().list().page_size(100).items().try_collect().await?;
    Ok(all.len())
}
