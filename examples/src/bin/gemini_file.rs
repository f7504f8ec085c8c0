//! Uploads a file to Gemini's Files API and asks about it:
//! `gemini_file PATH "question"` (default: a small text written here), with
//! an API key (`GEMINI_API_KEY`). The file is deleted afterwards.

use gapi_generativelanguage_v1beta::types::{
    Content, CreateFileRequest, File, GenerateContentRequest, Part,
};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next();
    let question = args
        .next()
        .unwrap_or_else(|| "What is this file about?".to_string());
    let (bytes, display, mime) = match &path {
        Some(path) => (
            std::fs::read(path).map_err(|e| format!("{path}: {e}"))?,
            path.clone(),
            if path.ends_with(".pdf") {
                "application/pdf"
            } else {
                "text/plain"
            },
        ),
        None => (
            b"Keeper's log. Day 1: fog rolled in at dusk; the lamp burned all night.\n".to_vec(),
            "keepers-log.txt".to_string(),
            "text/plain",
        ),
    };
    let gemini = gapi_examples::gemini(false).await?;

    let uploaded = gemini
        .media()
        .upload(
            CreateFileRequest::default()
                .with_file(File::default().with_display_name(display.as_str())),
        )
        .upload(bytes, mime)
        .await?
        .file
        .ok_or("the upload returned no file")?;
    let name = uploaded.name.clone().unwrap_or_default();
    let uri = uploaded.uri.clone().ok_or("the uploaded file has no URI")?;
    println!(
        "uploaded {display} as {name} ({} bytes, {})",
        uploaded.size_bytes.unwrap_or(0),
        uri
    );

    let model = std::env::var("GEMINI_MODEL").unwrap_or_else(|_| "gemini-2.5-flash".into());
    let answer = gemini
        .models()
        .generate_content(
            &model,
            GenerateContentRequest::default()
                .with_contents([Content::user([Part::text(question), Part::file(uri, mime)])]),
        )
        .execute()
        .await?;
    println!("{}", answer.text().unwrap_or_default());

    gemini.files().delete(&name).execute().await?;
    println!("deleted {name}");
    Ok(())
}
