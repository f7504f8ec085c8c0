//! Gemini models, with an API key (`GEMINI_API_KEY`) or, with `--oauth`,
//! signed in with the quickstart's `generative-language.retriever` scope.

use gapi_generativelanguage_v1beta::GenerativeLanguage;
use gapi_runtime::futures_util::TryStreamExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let builder = gapi_examples::target(GenerativeLanguage::builder());
    let builder = if std::env::args().any(|a| a == "--oauth") {
        let creds = gapi_examples::installed_flow(
            &["https://www.googleapis.com/auth/generative-language.retriever"],
            "token-gemini.json",
        )
        .authenticate()
        .await?;
        builder.credentials(creds)
    } else {
        let key = gapi_auth::ApiKey::from_env("GEMINI_API_KEY")
            .ok_or("set GEMINI_API_KEY (any value works against the emulator)")?;
        builder.credentials(key)
    };
    let gemini = builder.build()?;
    let models: Vec<_> = gemini
        .models()
        .list()
        .page_size(50)
        .items()
        .try_collect()
        .await?;
    println!("{} models:", models.len());
    for m in models {
        println!(
            "  {:<32} {}",
            m.name.unwrap_or_default(),
            m.display_name.unwrap_or_default()
        );
    }
    Ok(())
}
