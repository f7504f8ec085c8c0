//! A streamed Gemini answer, printed as it arrives: `gemini_chat "your
//! prompt"`, with an API key (`GEMINI_API_KEY`) or, with `--oauth`, signed
//! in as the Gemini OAuth quickstart does. `GEMINI_MODEL` picks the model
//! (default `gemini-2.5-flash`; the `models/` prefix is optional).

use std::io::Write;

use gapi_generativelanguage_v1beta::types::GenerateContentRequest;
use gapi_runtime::futures_util::StreamExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let oauth = args.iter().any(|a| a == "--oauth");
    let prompt = args
        .iter()
        .filter(|a| *a != "--oauth")
        .cloned()
        .collect::<Vec<_>>()
        .join(" ");
    let prompt = if prompt.is_empty() {
        "Write a haiku about a lighthouse.".to_string()
    } else {
        prompt
    };
    let gemini = gapi_examples::gemini(oauth).await?;
    let model = std::env::var("GEMINI_MODEL").unwrap_or_else(|_| "gemini-2.5-flash".into());
    let mut answer = gemini
        .models()
        .stream_generate_content(&model, GenerateContentRequest::prompt(prompt))
        .stream();
    let mut pieces = 0;
    let mut stdout = std::io::stdout();
    while let Some(piece) = answer.next().await {
        if let Some(text) = piece?.text() {
            write!(stdout, "{text}")?;
            stdout.flush()?;
        }
        pieces += 1;
    }
    writeln!(stdout)?;
    eprintln!("({pieces} pieces streamed from {model})");
    Ok(())
}
