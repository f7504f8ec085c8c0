//! Gemini models with an API key (`GEMINI_API_KEY`).

use gapi_generativelanguage_v1beta::auth::ApiKey;

#[tokio::main]
async fn main() -> Result<(), gapi_generativelanguage_v1beta::Error> {
    let key = ApiKey::from_env("GEMINI_API_KEY").unwrap_or_else(|| ApiKey::new("missing"));
    let gemini = gapi_generativelanguage_v1beta::build(key);
    let models = gemini.models().list().page_size(50).execute().await?;
    for model in models.models.unwrap_or_default() {
        println!("{}", model.name.unwrap_or_default());
    }
    Ok(())
}
