//! A service account key (`GOOGLE_APPLICATION_CREDENTIALS` or the first
//! argument) listing Drive files it can see.

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let key = std::env::args()
        .nth(1)
        .or_else(|| std::env::var("GOOGLE_APPLICATION_CREDENTIALS").ok())
        .ok_or("pass a service account key file")?;
    let creds = gapi_auth::ServiceAccountCredentials::from_file(
        &key,
        &[gapi_drive_v3::scopes::DRIVE_READONLY],
    )?;
    println!("acting as {}", creds.email());
    let drive = gapi_examples::target(gapi_drive_v3::Drive::builder())
        .credentials(creds)
        .build()?;
    let list = drive.files().list().page_size(10).execute().await?;
    for f in list.files.unwrap_or_default() {
        println!("  {}", f.name.unwrap_or_default());
    }
    Ok(())
}
