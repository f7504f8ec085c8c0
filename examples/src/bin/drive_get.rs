//! One Drive file's name and type, by id: `drive_get FILE_ID`. Sign-in is
//! cached in `token.json` (`GAPI_TOKEN_FILE` to change it); `GAPI_EMULATOR=URL`
//! runs it against the emulator.
//!
//! `main` returns `Box<dyn Error>`, as most first programs do: a failed call
//! then prints its one-line message and its causes, e.g.
//! `Error: drive.files.get: HTTP 404 NOT_FOUND (notFound): File not found: x.`

use gapi_drive_v3::scopes::DRIVE_METADATA_READONLY;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let Some(file_id) = std::env::args().nth(1) else {
        return Err("usage: drive_get FILE_ID".into());
    };
    let token_file = std::env::var("GAPI_TOKEN_FILE").unwrap_or_else(|_| "token.json".into());
    let creds = gapi_examples::installed_flow(&[DRIVE_METADATA_READONLY], &token_file)
        .authenticate()
        .await?;
    let drive = gapi_examples::target(gapi_drive_v3::Drive::builder())
        .credentials(creds)
        .build()?;
    let file = drive
        .files()
        .get(&file_id)
        .fields("id,name,mimeType")
        .execute()
        .await?;
    println!(
        "{}  {}",
        file.name.unwrap_or_default(),
        file.mime_type.unwrap_or_default()
    );
    Ok(())
}
