//! Sign-in on a machine whose browser cannot reach this program (a remote
//! notebook, SSH): open the printed URL anywhere, approve, and paste back the
//! address the browser ends on.

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let scopes = [gapi_drive_v3::scopes::DRIVE_METADATA_READONLY];
    let flow = match gapi_examples::emulator() {
        Some(_) => gapi_examples::installed_flow(&scopes, "token-remote.json"),
        None => gapi_auth::InstalledFlow::from_client_secrets_file("client_secret.json", &scopes)
            .token_cache("token-remote.json"),
    };
    let creds = flow.manual().authenticate().await?;
    println!(
        "signed in; token cached in token-remote.json ({} scope(s))",
        creds.scopes().len()
    );
    Ok(())
}
