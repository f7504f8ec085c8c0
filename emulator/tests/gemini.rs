//! Gemini end to end through the generated client and its hand-written
//! extras, against the emulator: streamed answers (server-sent events, what
//! `.stream()` asks for, and the JSON array Google sends otherwise, written
//! piece by piece), token counts and embeddings, and files.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::emulator;
use gapi_emulator::Fault;
use gapi_generativelanguage_v1beta::types::{GenerateContentRequest, GenerateContentResponse};
use gapi_generativelanguage_v1beta::GenerativeLanguage;
use gapi_runtime::futures_util::StreamExt;
use gapi_runtime::stream::Framing;

fn gemini(emu: &gapi_emulator::Emulator) -> GenerativeLanguage {
    GenerativeLanguage::builder()
        .root_url(emu.root_url())
        .credentials(gapi_auth::ApiKey::new("emulator-key"))
        .retry_policy(gapi_runtime::RetryPolicy {
            initial_backoff: std::time::Duration::from_millis(10),
            ..Default::default()
        })
        .build()
        .unwrap()
}

fn prompt(text: &str) -> GenerateContentRequest {
    GenerateContentRequest::prompt(text)
}

/// The text of a piece (the crate's hand-written `text()`).
fn text_of(answer: &GenerateContentResponse) -> String {
    answer.text().unwrap_or_default()
}

const ASKED: &str = "tell me a story about a lighthouse keeper";
const WHOLE: &str =
    "(emulated gemini-2.0-flash) You said: tell me a story about a lighthouse keeper";

#[tokio::test]
async fn the_first_piece_arrives_while_the_answer_is_still_being_written() {
    let emu = emulator(true).await;
    let gemini = gemini(&emu);
    emu.hold_streams();
    // A bare model id is taken as `models/…` (the pattern of the path
    // parameter is `^models/[^/]+$`).
    let mut pieces = gemini
        .models()
        .stream_generate_content("gemini-2.0-flash", prompt(ASKED))
        .stream();
    // The emulator sent one event and now waits: the first item is here
    // before the server has finished.
    let first = pieces.next().await.unwrap().unwrap();
    assert!(WHOLE.starts_with(&text_of(&first)), "{}", text_of(&first));
    assert!(text_of(&first).len() < WHOLE.len());
    assert_eq!(
        emu.served().last().map(String::as_str),
        Some("POST /v1beta/models/gemini-2.0-flash:streamGenerateContent")
    );
    emu.release_streams();
    let mut all = vec![first];
    while let Some(piece) = pieces.next().await {
        all.push(piece.unwrap());
    }
    assert!(all.len() >= 3, "{} pieces", all.len());
    assert_eq!(all.iter().map(text_of).collect::<String>(), WHOLE);
    let last = all.last().unwrap();
    assert!(
        last.usage_metadata.is_some(),
        "the last piece has the counts"
    );
}

#[tokio::test]
async fn a_json_array_answer_streams_too_and_execute_reads_it_whole() {
    let emu = emulator(true).await;
    let gemini = gemini(&emu);
    // execute(): the whole array (Google's default framing).
    let whole = gemini
        .models()
        .stream_generate_content("models/gemini-2.0-flash", prompt(ASKED))
        .execute()
        .await
        .unwrap();
    assert!(whole.len() >= 3);
    assert_eq!(whole.iter().map(text_of).collect::<String>(), WHOLE);

    // The same array, element by element as it is written.
    emu.hold_streams();
    let call = gemini
        .models()
        .stream_generate_content("models/gemini-2.0-flash", prompt(ASKED));
    let mut pieces = gapi_runtime::stream::stream::<GenerateContentResponse>(
        gapi_runtime::Call::into_request(call),
        Framing::JsonArray,
    );
    let first = pieces.next().await.unwrap().unwrap();
    assert_eq!(text_of(&first), text_of(&whole[0]));
    emu.release_streams();
    let rest: Vec<_> = pieces.collect().await;
    assert_eq!(rest.len(), whole.len() - 1);
    assert!(rest.iter().all(Result::is_ok));
}

#[tokio::test]
async fn failures_before_the_answer_retry_and_after_it_end_the_stream() {
    let emu = emulator(true).await;
    let gemini = gemini(&emu);

    // A 429 before the answer starts is retried (the request was not
    // processed; a 503 is not, for this POST).
    emu.inject(Fault::Status {
        status: 429,
        count: 1,
        retry_after: Some(0),
    });
    let pieces: Vec<_> = gemini
        .models()
        .stream_generate_content("models/gemini-2.0-flash", prompt(ASKED))
        .stream()
        .collect()
        .await;
    assert!(pieces.iter().all(Result::is_ok), "{pieces:?}");

    // A connection cut after the first piece: the first item, then an
    // error item, then the end.
    emu.inject(Fault::CutStream);
    let pieces: Vec<_> = gemini
        .models()
        .stream_generate_content("models/gemini-2.0-flash", prompt(ASKED))
        .stream()
        .collect()
        .await;
    assert_eq!(pieces.len(), 2, "{pieces:?}");
    assert!(pieces[0].is_ok());
    let error = pieces[1].as_ref().unwrap_err();
    assert!(error.may_have_been_sent());
    assert!(error.to_string().contains("cut off"), "{error}");

    // An error answer (an unknown model) is the one and only item.
    let pieces: Vec<_> = gemini
        .models()
        .stream_generate_content("models/no-such-model", prompt(ASKED))
        .stream()
        .collect()
        .await;
    assert_eq!(pieces.len(), 1);
    assert!(pieces[0].as_ref().unwrap_err().is_not_found());
}

#[tokio::test]
async fn tokens_are_counted_and_texts_embedded() {
    use gapi_generativelanguage_v1beta::types::{
        BatchEmbedContentsRequest, Content, CountTokensRequest, EmbedContentRequest, Part,
    };
    let emu = emulator(true).await;
    let gemini = gemini(&emu);
    let counted = gemini
        .models()
        .count_tokens(
            "gemini-2.0-flash",
            CountTokensRequest::default()
                .with_contents([Content::user([Part::text("one two three")])]),
        )
        .execute()
        .await
        .unwrap();
    assert_eq!(counted.total_tokens, Some(3));

    let embed = |text: &str| {
        EmbedContentRequest::default()
            .with_content(Content::user([Part::text(text)]))
            .with_model("models/gemini-embedding-001")
    };
    let one = gemini
        .models()
        .embed_content("gemini-embedding-001", embed("a lighthouse"))
        .execute()
        .await
        .unwrap();
    let values = one.embedding.unwrap().values.unwrap();
    assert_eq!(values.len(), 8);
    let norm: f32 = values.iter().map(|v| v * v).sum();
    assert!((norm - 1.0).abs() < 1e-3, "unit length: {norm}");

    let batch = gemini
        .models()
        .batch_embed_contents(
            "models/gemini-embedding-001",
            BatchEmbedContentsRequest::default()
                .with_requests([embed("a lighthouse"), embed("a keeper")]),
        )
        .execute()
        .await
        .unwrap();
    let all = batch.embeddings.unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(
        all[0].values.as_ref(),
        Some(&values),
        "same text, same embedding"
    );
    assert_ne!(all[0].values, all[1].values);
}

#[tokio::test]
async fn files_are_uploaded_listed_used_in_a_prompt_and_deleted() {
    use gapi_generativelanguage_v1beta::types::{Content, CreateFileRequest, File, Part};
    let emu = emulator(true).await;
    let gemini = gemini(&emu);
    let named = |name: &str| {
        CreateFileRequest::default().with_file(File::default().with_display_name(name))
    };
    // Multipart: metadata and bytes in one request.
    let made = gemini
        .media()
        .upload(named("log.txt"))
        .upload(b"lighthouse log\nday 1: fog".to_vec(), "text/plain")
        .await
        .unwrap();
    let log = made.file.unwrap();
    assert_eq!(log.display_name.as_deref(), Some("log.txt"));
    assert_eq!(log.mime_type.as_deref(), Some("text/plain"));
    assert_eq!(log.size_bytes, Some(25));
    let name = log.name.clone().unwrap();
    let uri = log.uri.clone().unwrap();

    // Resumable, in chunks.
    let big = gemini
        .media()
        .upload(named("big.txt"))
        .upload_resumable(
            vec![b'x'; 600 * 1024],
            "text/plain",
            gapi_runtime::media::ResumableOptions::default().chunk_size(256 * 1024),
        )
        .await
        .unwrap()
        .file
        .unwrap();
    assert_eq!(big.size_bytes, Some(600 * 1024));

    // get takes the bare id too (the pattern is `^files/[^/]+$`).
    let id = name.trim_start_matches("files/");
    let again = gemini.files().get(id).execute().await.unwrap();
    assert_eq!(again.uri.as_deref(), Some(uri.as_str()));
    let listed = gemini.files().list().execute().await.unwrap();
    assert_eq!(listed.files.unwrap().len(), 2);

    // A prompt about the file.
    let ask = |uri: &str| {
        GenerateContentRequest::default().with_contents([Content::user([
            Part::text("what does it say?"),
            Part::file(uri, "text/plain"),
        ])])
    };
    let answer = gemini
        .models()
        .generate_content("gemini-2.0-flash", ask(&uri))
        .execute()
        .await
        .unwrap();
    let text = answer.text().unwrap();
    assert!(text.contains("first line: \"lighthouse log\""), "{text}");

    gemini.files().delete(&name).execute().await.unwrap();
    let gone = gemini.files().get(&name).execute().await.unwrap_err();
    assert_eq!(gone.status(), Some(403));
    let refused = gemini
        .models()
        .generate_content("gemini-2.0-flash", ask(&uri))
        .execute()
        .await
        .unwrap_err();
    assert_eq!(refused.status(), Some(403));
}

/// A chat keeps its history and sends it every turn, streamed or not; a
/// failed turn leaves the history as it was.
#[tokio::test]
async fn a_chat_sends_its_history_each_turn() {
    use gapi_generativelanguage_v1beta::chat::Chat;
    let emu = emulator(true).await;
    let gemini = gemini(&emu);
    let mut chat = Chat::new(&gemini, "gemini-2.5-flash").system_instruction("Be brief.");
    let first = chat.send("hello there").await.unwrap();
    assert_eq!(
        text_of(&first),
        "(emulated gemini-2.5-flash) You said: hello there [system: Be brief.]"
    );
    let second = chat.send("and again").await.unwrap();
    assert_eq!(
        text_of(&second),
        "(emulated gemini-2.5-flash) You said: and again [after 2 earlier turns] [system: Be brief.]"
    );
    assert_eq!(chat.history().len(), 4);

    // Streamed: the pieces as they come, the whole answer in the history.
    let mut pieces = Vec::new();
    {
        let mut stream = chat.send_stream("a third time, streamed please");
        while let Some(piece) = stream.next().await {
            pieces.push(text_of(&piece.unwrap()));
        }
    }
    assert!(pieces.len() > 1, "{pieces:?}");
    let whole = pieces.concat();
    assert!(whole.contains("[after 4 earlier turns]"), "{whole}");
    assert_eq!(chat.history().len(), 6);
    let last = chat.history().last().unwrap();
    assert_eq!(last.role.as_deref(), Some("model"));
    let parts = last.parts.as_ref().unwrap();
    assert_eq!(parts.len(), 1, "the pieces joined");
    assert_eq!(parts[0].text.as_deref(), Some(whole.as_str()));

    // A failed turn (the server refuses it) is not remembered.
    emu.inject(Fault::Status {
        status: 400,
        count: 1,
        retry_after: None,
    });
    assert!(chat.send("lost").await.is_err());
    assert_eq!(chat.history().len(), 6);
    emu.inject(Fault::Status {
        status: 400,
        count: 1,
        retry_after: None,
    });
    let mut stream = chat.send_stream("lost too");
    let mut failed = false;
    while let Some(piece) = stream.next().await {
        failed |= piece.is_err();
    }
    drop(stream);
    assert!(failed, "the streamed turn was refused");
    assert_eq!(chat.history().len(), 6, "and not remembered");
}

/// The function-calling round trip: the model calls a declared function
/// with arguments from the prompt, the chat answers with the function's
/// result, the model continues; every turn is in the history.
#[tokio::test]
async fn a_chat_answers_the_functions_the_model_calls() {
    use gapi_generativelanguage_v1beta::chat::{function, Chat};
    use gapi_runtime::serde_json::json;
    let emu = emulator(true).await;
    let gemini = gemini(&emu);
    let mut chat = Chat::new(&gemini, "gemini-2.5-flash").function(function(
        "get_weather",
        "The current weather in a city.",
        json!({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}),
    ));
    let mut asked = Vec::new();
    let answer = chat
        .send_with("What is the weather in Paris?", |call| {
            asked.push((
                call.name.clone().unwrap_or_default().to_string(),
                call.args.clone().unwrap_or_default(),
            ));
            json!({"city": "Paris", "celsius": 21})
        })
        .await
        .unwrap();
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0].0, "get_weather");
    assert_eq!(asked[0].1["city"], "Paris");
    assert_eq!(
        text_of(&answer),
        r#"(emulated gemini-2.5-flash) get_weather returned {"celsius":21,"city":"Paris"}"#
    );
    let roles: Vec<&str> = chat
        .history()
        .iter()
        .map(|c| c.role.as_deref().unwrap_or(""))
        .collect();
    assert_eq!(roles, ["user", "model", "user", "model"]);
    assert!(chat.history()[1].parts.as_ref().unwrap()[0]
        .function_call
        .is_some());
    assert!(chat.history()[2].parts.as_ref().unwrap()[0]
        .function_response
        .is_some());
    // The model's calls are readable from any answer, too.
    let mut plain = Chat::new(&gemini, "gemini-2.5-flash").function(function(
        "lookup",
        "Looks a word up.",
        json!({"type": "object", "properties": {"word": {"type": "string"}}}),
    ));
    let call = plain.send("look up the word lighthouse").await.unwrap();
    assert_eq!(call.function_calls().len(), 1);
    assert_eq!(
        call.function_calls()[0].args.as_ref().unwrap()["word"],
        "lighthouse"
    );
    assert_eq!(call.text(), None);
    // A prompt about something else gets text.
    let mut other = Chat::new(&gemini, "gemini-2.5-flash").function(function(
        "lookup",
        "Looks a word up.",
        json!({"type": "object", "properties": {"word": {"type": "string"}}}),
    ));
    let text = other.send("hello there").await.unwrap();
    assert!(text.function_calls().is_empty());
}

/// Context caching from a chat: the cached contents come first, are
/// counted as cached tokens, and a cache of another model is refused.
#[tokio::test]
async fn a_chat_starts_from_a_context_cache() {
    use gapi_generativelanguage_v1beta::chat::Chat;
    use gapi_generativelanguage_v1beta::types::{CachedContent, Content, Part};
    let emu = emulator(true).await;
    let gemini = gemini(&emu);
    let cache = gemini
        .cached_contents()
        .create(
            CachedContent::default()
                .with_model("models/gemini-2.5-flash")
                .with_display_name("keeper's log")
                .with_contents([Content::user([Part::text(
                    "The keeper's log: the lamp was lit at dusk every day of 1887.",
                )])])
                .with_ttl(std::time::Duration::from_secs(300)),
        )
        .execute()
        .await
        .unwrap();
    let name = cache.name.clone().unwrap();
    assert!(name.starts_with("cachedContents/"), "{name}");
    assert!(cache.expire_time.is_some());
    let got = gemini.cached_contents().get(&name).execute().await.unwrap();
    assert_eq!(got.display_name.as_deref(), Some("keeper's log"));

    let mut chat = Chat::new(&gemini, "gemini-2.5-flash").cached_content(name.clone());
    let answer = chat.send("when was the lamp lit?").await.unwrap();
    assert!(
        text_of(&answer).contains("You said: when was the lamp lit? [after 1 earlier turns]"),
        "{}",
        text_of(&answer)
    );
    let usage = answer.usage_metadata.unwrap();
    assert_eq!(
        usage.cached_content_token_count,
        Some(13),
        "the cache's words"
    );
    // The cache's contents are not copied into the history.
    assert_eq!(chat.history().len(), 2);

    let mut other = Chat::new(&gemini, "gemini-2.5-pro").cached_content(name.clone());
    let e = other.send("hello").await.unwrap_err().to_string();
    assert!(e.contains("has to be the same"), "{e}");
    gemini
        .cached_contents()
        .delete(&name)
        .execute()
        .await
        .unwrap();
    let e = chat.send("still there?").await.unwrap_err().to_string();
    assert!(e.contains("CachedContent not found"), "{e}");
}
