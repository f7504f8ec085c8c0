//! Who is signed in: OAuth2 v2 `userinfo().get()`.

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let creds = gapi_examples::installed_flow(
        &[
            gapi_oauth2_v2::scopes::USERINFO_EMAIL,
            gapi_oauth2_v2::scopes::USERINFO_PROFILE,
        ],
        "token-userinfo.json",
    )
    .authenticate()
    .await?;
    let oauth2 = gapi_examples::target(gapi_oauth2_v2::Oauth2::builder())
        .credentials(creds)
        .build()?;
    let me = oauth2.userinfo().get().execute().await?;
    println!(
        "signed in as {} <{}>",
        me.name.unwrap_or_default(),
        me.email.unwrap_or_default()
    );
    Ok(())
}
