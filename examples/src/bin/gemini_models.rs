//! Gemini models, with an API key (`GEMINI_API_KEY`) or, with `--oauth`,
//! signed in with the quickstart's `generative-language.retriever` scope.

use gapi_runtime::futures_util::TryStreamExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let gemini = gapi_examples::gemini(std::env::args().any(|a| a == "--oauth")).await?;
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
