//! Generative Language v1beta `models.list`, `models.get`,
//! `models.generateContent` and `models.streamGenerateContent`.

use hyper::Response;

use crate::http_util::{google_error, json, page, Body};

/// Emulated models.
pub(crate) fn models() -> Vec<serde_json::Value> {
    let names = [
        ("gemini-2.5-pro", "Gemini 2.5 Pro", 1_048_576),
        ("gemini-2.5-flash", "Gemini 2.5 Flash", 1_048_576),
        ("gemini-2.5-flash-lite", "Gemini 2.5 Flash-Lite", 1_048_576),
        ("gemini-2.0-flash", "Gemini 2.0 Flash", 1_048_576),
        ("gemini-embedding-001", "Gemini Embedding 001", 2_048),
        ("text-embedding-004", "Text Embedding 004", 2_048),
        ("gemma-3-27b-it", "Gemma 3 27B", 131_072),
    ];
    names
        .iter()
        .map(|(id, display, input)| {
            let embedding = id.contains("embedding");
            serde_json::json!({
                "name": format!("models/{id}"), "version": "001", "displayName": display,
                "description": format!("{display}, served by the gapi emulator."),
                "inputTokenLimit": input, "outputTokenLimit": if embedding { 1 } else { 65_536 },
                "supportedGenerationMethods": if embedding { vec!["embedContent"] } else { vec!["generateContent", "countTokens"] },
                "temperature": 1.0, "topP": 0.95, "topK": 64,
            })
        })
        .collect()
}

fn has_key(query: &[(String, String)], header: Option<&str>, bearer_ok: bool) -> bool {
    header.is_some_and(|k| !k.is_empty())
        || crate::http_util::get(query, "key").is_some_and(|k| !k.is_empty())
        || bearer_ok
}

fn missing_key() -> Response<Body> {
    google_error(
        403,
        "PERMISSION_DENIED",
        "forbidden",
        "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
    )
}

/// `GET /v1beta/models`.
pub(crate) fn list(
    query: &[(String, String)],
    api_key: Option<&str>,
    bearer_ok: bool,
) -> Response<Body> {
    if !has_key(query, api_key, bearer_ok) {
        return missing_key();
    }
    let all = models();
    let (items, next) = page(&all, query, 50, 1000);
    let mut body = serde_json::json!({ "models": items });
    if let Some(next) = next {
        body["nextPageToken"] = serde_json::Value::String(next);
    }
    json(200, &body)
}

/// `GET /v1beta/models/{id}`.
pub(crate) fn get(
    id: &str,
    query: &[(String, String)],
    api_key: Option<&str>,
    bearer_ok: bool,
) -> Response<Body> {
    if !has_key(query, api_key, bearer_ok) {
        return missing_key();
    }
    match models()
        .into_iter()
        .find(|m| m["name"] == format!("models/{id}"))
    {
        Some(model) => json(200, &model),
        None => google_error(
            404,
            "NOT_FOUND",
            "notFound",
            &format!("models/{id} is not found for API version v1beta"),
        ),
    }
}

/// `POST /v1beta/models/{id}:generateContent`: answers with a fixed,
/// recognizable reply that quotes the prompt.
pub(crate) fn generate_content(
    id: &str,
    body: &[u8],
    query: &[(String, String)],
    api_key: Option<&str>,
    bearer_ok: bool,
    files: &crate::gemini_files::Files,
) -> Response<Body> {
    match reply(id, body, query, api_key, bearer_ok, files) {
        Ok((text, words)) => json(200, &chunk(id, &text, Some(words))),
        Err(response) => *response,
    }
}

/// `POST /v1beta/models/{id}:streamGenerateContent`: the same reply, in
/// pieces of a few words, each a `GenerateContentResponse`; the last has
/// the finish reason and token counts.
pub(crate) fn stream_generate_content(
    id: &str,
    body: &[u8],
    query: &[(String, String)],
    api_key: Option<&str>,
    bearer_ok: bool,
    files: &crate::gemini_files::Files,
) -> Result<Vec<serde_json::Value>, Box<Response<Body>>> {
    let (text, words) = reply(id, body, query, api_key, bearer_ok, files)?;
    let pieces: Vec<String> = text
        .split_inclusive(' ')
        .collect::<Vec<_>>()
        .chunks(3)
        .map(|c| c.concat())
        .collect();
    let last = pieces.len().saturating_sub(1);
    Ok(pieces
        .iter()
        .enumerate()
        .map(|(n, piece)| chunk(id, piece, (n == last).then_some(words)))
        .collect())
}

/// One `GenerateContentResponse` with `text`; with the prompt's word count
/// when it is the last (finish reason and usage).
fn chunk(id: &str, text: &str, last: Option<usize>) -> serde_json::Value {
    let mut candidate = serde_json::json!({
        "content": {"role": "model", "parts": [{"text": text}]}, "index": 0,
    });
    let mut answer = serde_json::json!({
        "modelVersion": id,
        "responseId": format!("emu-{:08x}", fastrand::u32(..)),
    });
    if let Some(words) = last {
        candidate["finishReason"] = serde_json::json!("STOP");
        answer["usageMetadata"] = serde_json::json!({"promptTokenCount": words,
            "candidatesTokenCount": words + 4, "totalTokenCount": 2 * words + 4});
    }
    answer["candidates"] = serde_json::json!([candidate]);
    answer
}

/// The emulated model's reply to a `GenerateContentRequest`, and the
/// prompt's word count; or the error answer. Files the parts name
/// (`fileData.fileUri`) are described in the reply.
fn reply(
    id: &str,
    body: &[u8],
    query: &[(String, String)],
    api_key: Option<&str>,
    bearer_ok: bool,
    files: &crate::gemini_files::Files,
) -> Result<(String, usize), Box<Response<Body>>> {
    if !has_key(query, api_key, bearer_ok) {
        return Err(Box::new(missing_key()));
    }
    if !models().iter().any(|m| m["name"] == format!("models/{id}")) {
        return Err(Box::new(google_error(
            404,
            "NOT_FOUND",
            "notFound",
            &format!("models/{id} is not found for API version v1beta"),
        )));
    }
    let request: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let prompt: Vec<&str> = request["contents"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|c| c["parts"].as_array().into_iter().flatten())
        .filter_map(|p| p["text"].as_str())
        .collect();
    if prompt.is_empty() {
        return Err(Box::new(google_error(
            400,
            "INVALID_ARGUMENT",
            "badRequest",
            "* GenerateContentRequest.contents: contents is not specified",
        )));
    }
    let prompt = prompt.join(" ");
    let words = prompt.split_whitespace().count();
    let mut seen = Vec::new();
    for uri in request["contents"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|c| c["parts"].as_array().into_iter().flatten())
        .filter_map(|p| p["fileData"]["fileUri"].as_str())
    {
        match files.read(uri) {
            Ok((name, content)) => {
                let first = String::from_utf8_lossy(content)
                    .lines()
                    .next()
                    .unwrap_or("")
                    .to_string();
                seen.push(format!(
                    " [file {name:?}: {} bytes, first line: {first:?}]",
                    content.len()
                ));
            }
            Err(name) => {
                return Err(Box::new(google_error(
                    403,
                    "PERMISSION_DENIED",
                    "forbidden",
                    &format!(
                        "You do not have permission to access the File {name} or it may not exist."
                    ),
                )))
            }
        }
    }
    Ok((
        format!("(emulated {id}) You said: {prompt}{}", seen.concat()),
        words,
    ))
}

/// Words of the texts in a request's `contents` (or `content`).
fn words_in(request: &serde_json::Value) -> Vec<String> {
    let contents: Vec<&serde_json::Value> = match request.get("contents") {
        Some(serde_json::Value::Array(all)) => all.iter().collect(),
        _ => request.get("content").into_iter().collect(),
    };
    contents
        .iter()
        .flat_map(|c| c["parts"].as_array().into_iter().flatten())
        .filter_map(|p| p["text"].as_str())
        .flat_map(str::split_whitespace)
        .map(str::to_string)
        .collect()
}

/// A deterministic 8-value embedding of some words (unit length).
fn embedding(words: &[String]) -> serde_json::Value {
    let mut values = [0f64; 8];
    for word in words {
        for (i, b) in word.bytes().enumerate() {
            values[(i + b as usize) % 8] += f64::from(b) / 255.0;
        }
    }
    let norm = values.iter().map(|v| v * v).sum::<f64>().sqrt().max(1e-9);
    serde_json::json!({"values": values.iter().map(|v| v / norm).collect::<Vec<_>>()})
}

/// `POST /v1beta/models/{id}:countTokens`, `:embedContent` and
/// `:batchEmbedContents` (one token per word, as far as the emulator is
/// concerned).
pub(crate) fn model_action(
    id: &str,
    action: &str,
    body: &[u8],
    query: &[(String, String)],
    api_key: Option<&str>,
    bearer_ok: bool,
) -> Response<Body> {
    if !has_key(query, api_key, bearer_ok) {
        return missing_key();
    }
    if !models().iter().any(|m| m["name"] == format!("models/{id}")) {
        return google_error(
            404,
            "NOT_FOUND",
            "notFound",
            &format!("models/{id} is not found for API version v1beta"),
        );
    }
    let request: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    match action {
        "countTokens" => {
            let inner = request.get("generateContentRequest").unwrap_or(&request);
            json(
                200,
                &serde_json::json!({"totalTokens": words_in(inner).len()}),
            )
        }
        "embedContent" => json(
            200,
            &serde_json::json!({"embedding": embedding(&words_in(&request))}),
        ),
        "batchEmbedContents" => {
            let all: Vec<serde_json::Value> = request["requests"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|r| embedding(&words_in(r)))
                .collect();
            json(200, &serde_json::json!({"embeddings": all}))
        }
        other => google_error(
            404,
            "NOT_FOUND",
            "notFound",
            &format!("models/{id}:{other} is not emulated"),
        ),
    }
}
