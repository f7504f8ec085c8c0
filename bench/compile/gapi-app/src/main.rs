//! Lists the five most recently modified Drive files (gapi).

use gapi_drive_v3::scopes::DRIVE_METADATA_READONLY;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let creds =
        gapi_auth::InstalledFlow::from_client_secrets_file("client_secret.json", &[DRIVE_METADATA_READONLY])
            .token_cache("token.json")
            .authenticate()
            .await?;
    let drive = gapi_drive_v3::build(creds);
    let list = drive
        .files()
        .list()
        .order_by("modifiedByMeTime desc")
        .page_size(5)
        .execute()
        .await?;
    for file in list.files.unwrap_or_default() {
        println!("{} {}", file.id.unwrap_or_default(), file.name.unwrap_or_default());
    }
    eprintln!("edit 0");
    Ok(())
}
