//! `drive-app [ROOT_URL]`: the five newest Drive files, from Google or from
//! an emulator at ROOT_URL; reads `client_secret.json` and caches `token.json`
//! in the current directory.

#[tokio::main]
async fn main() -> Result<(), drive_app::Error> {
    let root_url = std::env::args().nth(1);
    let drive = drive_app::drive(std::path::Path::new("."), root_url).await?;
    for name in drive_app::newest_five(&drive).await? {
        println!("{name}");
    }
    Ok(())
}
