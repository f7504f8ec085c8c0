//! The five most recently modified Drive files, with installed-app sign-in
//! cached in `token.json`. `GAPI_EMULATOR=URL` runs it against the emulator.

use gapi_drive_v3::scopes::DRIVE_METADATA_READONLY;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let token_file = std::env::var("GAPI_TOKEN_FILE").unwrap_or_else(|_| "token.json".into());
    let was_cached = gapi_examples::cached(&token_file);
    let creds = gapi_examples::installed_flow(&[DRIVE_METADATA_READONLY], &token_file)
        .authenticate()
        .await?;
    println!(
        "{}",
        if was_cached {
            "signed in from the cached token"
        } else {
            "signed in through the browser; token cached"
        }
    );
    let drive = gapi_examples::target(gapi_drive_v3::Drive::builder())
        .credentials(creds)
        .build()?;
    let list = drive
        .files()
        .list()
        .order_by("modifiedByMeTime desc")
        .page_size(5)
        .fields("files(id,name,modifiedByMeTime)")
        .execute()
        .await?;
    println!("Five most recently modified files:");
    for f in list.files.unwrap_or_default() {
        println!(
            "  {}  {}  {}",
            f.modified_by_me_time
                .map(|t| t.to_string())
                .unwrap_or_default(),
            f.id.unwrap_or_default(),
            f.name.unwrap_or_default()
        );
    }
    Ok(())
}
