//! Lists Gemini models with an API key: one GET, the answer decoded (the
//! floor of the compile-time benchmark).

#[derive(Debug, serde::Deserialize)]
struct ListModelsResponse {
    #[serde(default)]
    models: Vec<Model>,
}

#[derive(Debug, serde::Deserialize)]
struct Model {
    name: String,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let key = std::env::var("GEMINI_API_KEY").map_err(|_| "set GEMINI_API_KEY")?;
    let body = reqwest::Client::new()
        .get("https://generativelanguage.googleapis.com/v1beta/models?pageSize=50")
        .header("x-goog-api-key", key)
        .send()
        .await?
        .error_for_status()?
        .bytes()
        .await?;
    let page: ListModelsResponse = serde_json::from_slice(&body)?;
    for model in page.models {
        println!("{}", model.name);
    }
    eprintln!("edit 0");
    Ok(())
}
