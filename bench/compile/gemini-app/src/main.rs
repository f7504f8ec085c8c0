//! Lists Gemini models with an API key (gapi).

use gapi_generativelanguage_v1beta::auth::ApiKey;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let key = ApiKey::from_env("GEMINI_API_KEY").ok_or("set GEMINI_API_KEY")?;
    let gemini = gapi_generativelanguage_v1beta::build(key);
    let models = gemini.models().list().page_size(50).execute().await?;
    for model in models.models.unwrap_or_default() {
        println!("{}", model.name.unwrap_or_default());
    }
    eprintln!("edit 0");
    Ok(())
}
