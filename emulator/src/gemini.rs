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
/// recognizable reply that quotes the prompt (see [`reply`]).
pub(crate) fn generate_content(
    id: &str,
    body: &[u8],
    query: &[(String, String)],
    api_key: Option<&str>,
    bearer_ok: bool,
    stores: (&crate::gemini_files::Files, &crate::gemini_cache::Caches),
) -> Response<Body> {
    match reply(id, body, query, api_key, bearer_ok, stores) {
        Ok(reply) => json(200, &chunk(id, reply.parts.clone(), Some(&reply))),
        Err(response) => *response,
    }
}

/// `POST /v1beta/models/{id}:streamGenerateContent`: the same reply, in
/// pieces of a few words, each a `GenerateContentResponse`; the last has
/// the finish reason and token counts. A function call comes whole.
pub(crate) fn stream_generate_content(
    id: &str,
    body: &[u8],
    query: &[(String, String)],
    api_key: Option<&str>,
    bearer_ok: bool,
    stores: (&crate::gemini_files::Files, &crate::gemini_cache::Caches),
) -> Result<Vec<serde_json::Value>, Box<Response<Body>>> {
    let reply = reply(id, body, query, api_key, bearer_ok, stores)?;
    let Some(text) = reply.parts.first().and_then(|p| p["text"].as_str()) else {
        return Ok(vec![chunk(id, reply.parts.clone(), Some(&reply))]);
    };
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
        .map(|(n, piece)| {
            chunk(
                id,
                vec![serde_json::json!({ "text": piece })],
                (n == last).then_some(&reply),
            )
        })
        .collect())
}

/// One `GenerateContentResponse` with `parts`; with the finish reason and
/// token counts when it is the last.
fn chunk(id: &str, parts: Vec<serde_json::Value>, last: Option<&Reply>) -> serde_json::Value {
    let mut candidate = serde_json::json!({
        "content": {"role": "model", "parts": parts}, "index": 0,
    });
    let mut answer = serde_json::json!({
        "modelVersion": id,
        "responseId": format!("emu-{:08x}", fastrand::u32(..)),
    });
    if let Some(reply) = last {
        let words = reply.words;
        candidate["finishReason"] = serde_json::json!("STOP");
        answer["usageMetadata"] = serde_json::json!({"promptTokenCount": words + reply.cached_tokens,
            "candidatesTokenCount": words + 4, "totalTokenCount": 2 * words + reply.cached_tokens + 4});
        if reply.cached_tokens > 0 {
            answer["usageMetadata"]["cachedContentTokenCount"] = reply.cached_tokens.into();
        }
    }
    answer["candidates"] = serde_json::json!([candidate]);
    answer
}

/// The emulated model's answer.
struct Reply {
    /// The model turn's parts: one text, or one function call.
    parts: Vec<serde_json::Value>,
    /// Words of the last user turn.
    words: usize,
    /// Words held by the named cache.
    cached_tokens: usize,
}

fn bad_request(message: &str) -> Box<Response<Body>> {
    Box::new(google_error(400, "INVALID_ARGUMENT", "badRequest", message))
}

fn texts(content: &serde_json::Value) -> Vec<&str> {
    content["parts"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["text"].as_str())
        .collect()
}

/// The emulated model's reply to a `GenerateContentRequest`, or the error
/// answer. The conversation is the named cache's contents, then the
/// request's; the reply answers its last turn:
///
/// - a `functionResponse` → `(emulated ID) NAME returned {…}`;
/// - user text about a declared function (`tools[].functionDeclarations`,
///   mode not `NONE`; the prompt shares a word of four letters or more with
///   its name or description, or the mode is `ANY`) → a `functionCall` of
///   it, its required arguments filled from the prompt (strings: the
///   prompt's last word);
/// - user text → `(emulated ID) You said: TEXT`, then the files its parts
///   name, ` [after N earlier turns]` when there is history and
///   ` [system: …]` for a system instruction.
fn reply(
    id: &str,
    body: &[u8],
    query: &[(String, String)],
    api_key: Option<&str>,
    bearer_ok: bool,
    (files, caches): (&crate::gemini_files::Files, &crate::gemini_cache::Caches),
) -> Result<Reply, Box<Response<Body>>> {
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
    let Start {
        mut contents,
        system,
        cached_tokens,
    } = conversation_start(id, &request, caches)?;
    contents.extend(request["contents"].as_array().cloned().unwrap_or_default());
    let Some(last) = contents.last() else {
        return Err(bad_request(
            "* GenerateContentRequest.contents: contents is not specified",
        ));
    };
    let earlier = contents.len() - 1;
    let answered = last["parts"]
        .as_array()
        .into_iter()
        .flatten()
        .find_map(|p| p.get("functionResponse"));
    if let Some(answered) = answered {
        let name = answered["name"].as_str().unwrap_or("?");
        return Ok(Reply {
            parts: vec![serde_json::json!({"text": format!(
                "(emulated {id}) {name} returned {}", answered["response"]
            )})],
            words: 0,
            cached_tokens,
        });
    }
    let prompt = texts(last).join(" ");
    if prompt.is_empty() {
        return Err(bad_request(
            "* GenerateContentRequest.contents: contents is not specified",
        ));
    }
    let words = prompt.split_whitespace().count();
    if let Some(call) = function_call(&request, &prompt) {
        return Ok(Reply {
            parts: vec![serde_json::json!({ "functionCall": call })],
            words,
            cached_tokens,
        });
    }
    let mut seen = described_files(last, files)?;
    if earlier > 0 {
        seen.push(format!(" [after {earlier} earlier turns]"));
    }
    if let Some(system) = system.as_ref().map(texts).filter(|t| !t.is_empty()) {
        seen.push(format!(" [system: {}]", system.join(" ")));
    }
    Ok(Reply {
        parts: vec![serde_json::json!({"text": format!(
            "(emulated {id}) You said: {prompt}{}", seen.concat()
        )})],
        words,
        cached_tokens,
    })
}

/// What comes before a request's own contents.
struct Start {
    /// The named cache's contents.
    contents: Vec<serde_json::Value>,
    /// The request's system instruction, else the cache's.
    system: Option<serde_json::Value>,
    /// Words the cache holds.
    cached_tokens: usize,
}

fn conversation_start(
    id: &str,
    request: &serde_json::Value,
    caches: &crate::gemini_cache::Caches,
) -> Result<Start, Box<Response<Body>>> {
    let system = request.get("systemInstruction").cloned();
    let Some(name) = request["cachedContent"].as_str() else {
        return Ok(Start {
            contents: Vec::new(),
            system,
            cached_tokens: 0,
        });
    };
    let Some(cached) = caches.lookup(name) else {
        return Err(Box::new(google_error(
            403,
            "PERMISSION_DENIED",
            "forbidden",
            &format!("CachedContent not found (or permission denied): {name}"),
        )));
    };
    if cached.model != format!("models/{id}") {
        return Err(bad_request(&format!(
            "Model used by GenerateContent request (models/{id}) and CachedContent ({}) has to be the same.",
            cached.model
        )));
    }
    let tokens = cached
        .contents
        .iter()
        .flat_map(texts)
        .map(|t| t.split_whitespace().count())
        .sum();
    Ok(Start {
        contents: cached.contents,
        system: system.or(cached.system),
        cached_tokens: tokens,
    })
}

/// ` [file "name": N bytes, first line: "…"]` for each file a turn names.
fn described_files(
    turn: &serde_json::Value,
    files: &crate::gemini_files::Files,
) -> Result<Vec<String>, Box<Response<Body>>> {
    let mut seen = Vec::new();
    for uri in turn["parts"]
        .as_array()
        .into_iter()
        .flatten()
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
    Ok(seen)
}

/// The function call the emulated model makes for `prompt`, when the
/// request declares functions and allows calling them.
fn function_call(request: &serde_json::Value, prompt: &str) -> Option<serde_json::Value> {
    let config = &request["toolConfig"]["functionCallingConfig"];
    if config["mode"] == "NONE" {
        return None;
    }
    let declared: Vec<&serde_json::Value> = request["tools"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|t| t["functionDeclarations"].as_array().into_iter().flatten())
        .collect();
    let allowed: Vec<&str> = config["allowedFunctionNames"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|n| n.as_str())
        .collect();
    // Like a model, it calls a function the prompt is about: one sharing a
    // word of four letters or more with the function's name or
    // description (or any declared function in mode ANY).
    let lower = prompt.to_lowercase();
    let about = |d: &serde_json::Value| {
        let said = format!(
            "{} {}",
            d["name"].as_str().unwrap_or("").replace('_', " "),
            d["description"].as_str().unwrap_or("")
        );
        config["mode"] == "ANY"
            || said
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| w.len() >= 4)
                .any(|w| lower.contains(&w.to_lowercase()))
    };
    let function = declared.into_iter().find(|d| {
        (allowed.is_empty() || d["name"].as_str().is_some_and(|n| allowed.contains(&n))) && about(d)
    })?;
    let schema = function
        .get("parametersJsonSchema")
        .or_else(|| function.get("parameters"))
        .cloned()
        .unwrap_or_default();
    let last_word: String = prompt
        .split_whitespace()
        .last()
        .unwrap_or("")
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_string();
    let mut args = serde_json::Map::new();
    let required: Vec<&str> = schema["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r.as_str())
        .collect();
    for (name, property) in schema["properties"].as_object().into_iter().flatten() {
        if !required.is_empty() && !required.contains(&name.as_str()) {
            continue;
        }
        let kind = property["type"]
            .as_str()
            .unwrap_or("string")
            .to_ascii_lowercase();
        let value = match kind.as_str() {
            "integer" | "number" => serde_json::json!(1),
            "boolean" => serde_json::json!(true),
            _ => serde_json::json!(last_word),
        };
        args.insert(name.clone(), value);
    }
    Some(serde_json::json!({"name": function["name"], "args": args}))
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
