//! Lists the five most recently modified Drive files (google-drive3).

use google_drive3::{hyper_rustls, hyper_util, DriveHub};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let secret = yup_oauth2::read_application_secret("client_secret.json").await?;
    let auth = yup_oauth2::InstalledFlowAuthenticator::builder(
        secret,
        yup_oauth2::InstalledFlowReturnMethod::HTTPRedirect,
    )
    .persist_tokens_to_disk("token.json")
    .build()
    .await?;
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build(
            hyper_rustls::HttpsConnectorBuilder::new()
                .with_native_roots()?
                .https_or_http()
                .enable_http2()
                .build(),
        );
    let hub = DriveHub::new(client, auth);
    let (_, list) = hub
        .files()
        .list()
        .order_by("modifiedByMeTime desc")
        .page_size(5)
        .doit()
        .await?;
    for file in list.files.unwrap_or_default() {
        println!("{} {}", file.id.unwrap_or_default(), file.name.unwrap_or_default());
    }
    eprintln!("edit 0");
    Ok(())
}
