//! A chat with Gemini that keeps its history: each turn sends the whole
//! conversation (Gemini is stateless), streamed or not, and a turn is added
//! to the history only once its answer has arrived whole. Functions the
//! model may call are declared with their JSON schema; [`Chat::send_with`]
//! runs the function-calling round trip (the model asks, your code
//! answers, the model continues). A chat can start from a context cache
//! (`cachedContents`), so a long document is sent and paid for once.
//!
//! ```no_run
//! use gapi_generativelanguage_v1beta::chat::{function, Chat};
//! use gapi_generativelanguage_v1beta::runtime::serde_json::json;
//! # async fn run(gemini: gapi_generativelanguage_v1beta::GenerativeLanguage) -> Result<(), gapi_generativelanguage_v1beta::Error> {
//! let mut chat = Chat::new(&gemini, "gemini-2.5-flash")
//!     .system_instruction("Answer in one sentence.")
//!     .function(function(
//!         "get_weather",
//!         "The current weather in a city.",
//!         json!({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}),
//!     ));
//! let answer = chat
//!     .send_with("What's the weather in Paris?", |call| {
//!         json!({"city": call.args.as_ref().and_then(|a| a.get("city")).cloned(), "celsius": 21})
//!     })
//!     .await?;
//! println!("{}", answer.text().unwrap_or_default());
//! let follow_up = chat.send("And tomorrow?").await?; // the history goes with it
//! # let _ = follow_up; Ok(()) }
//! ```

use std::pin::Pin;
use std::task::{Context, Poll};

use gapi_runtime::futures_util::stream::{BoxStream, Stream};
use gapi_runtime::serde_json::Value;
use gapi_runtime::CompactString;

use crate::types::{
    Content, FunctionCall, FunctionDeclaration, FunctionResponse, GenerateContentRequest,
    GenerateContentResponse, GenerationConfig, Part, Tool,
};
use crate::{Error, GenerativeLanguage};

/// How many times [`Chat::send_with`] answers function calls before it
/// gives the last answer back as it is (a model that keeps calling).
pub const MAX_FUNCTION_ROUNDS: usize = 8;

/// A function the model may call: its name, what it does (the model reads
/// this to decide), and its parameters as a JSON schema.
pub fn function(name: &str, description: &str, parameters: Value) -> FunctionDeclaration {
    FunctionDeclaration::default()
        .with_name(name)
        .with_description(description)
        .with_parameters_json_schema(parameters)
}

/// A conversation with one model.
#[derive(Debug, Clone)]
pub struct Chat {
    client: GenerativeLanguage,
    model: String,
    history: Vec<Content>,
    /// Everything a turn sends besides the conversation.
    settings: GenerateContentRequest,
}

impl GenerateContentResponse {
    /// The function calls of the first candidate, in order (empty when
    /// the model answered in text).
    pub fn function_calls(&self) -> Vec<&FunctionCall> {
        self.first_content()
            .and_then(|c| c.parts.as_ref())
            .into_iter()
            .flatten()
            .filter_map(|p| p.function_call.as_deref())
            .collect()
    }

    fn first_content(&self) -> Option<&Content> {
        self.candidates.as_ref()?.first()?.content.as_deref()
    }
}

impl Part {
    /// The answer to a function call, for the turn after it.
    pub fn function_response(name: impl Into<CompactString>, response: Value) -> Part {
        // Gemini takes an object; anything else is wrapped as Google's SDKs do.
        let response = match response {
            Value::Object(map) => map.into_iter().collect::<Vec<_>>(),
            other => vec![("result".to_string(), other)],
        };
        Part::default().with_function_response(
            FunctionResponse::default()
                .with_name(name)
                .with_response(response),
        )
    }
}

impl Chat {
    /// A new conversation with `model` (`gemini-2.5-flash`; the `models/`
    /// prefix is optional).
    pub fn new(client: &GenerativeLanguage, model: impl Into<String>) -> Chat {
        Chat {
            client: client.clone(),
            model: model.into(),
            history: Vec::new(),
            settings: GenerateContentRequest::default(),
        }
    }

    /// Instructions sent with every turn (not part of the history).
    pub fn system_instruction(mut self, text: impl Into<CompactString>) -> Self {
        self.settings.system_instruction =
            Some(Box::new(Content::default().with_parts([Part::text(text)])));
        self
    }

    /// Declares a function the model may call (see [`function`]).
    pub fn function(mut self, declaration: FunctionDeclaration) -> Self {
        let tools = self.settings.tools.get_or_insert_with(Vec::new);
        match tools.iter_mut().find(|t| t.function_declarations.is_some()) {
            Some(tool) => tool
                .function_declarations
                .get_or_insert_with(Vec::new)
                .push(declaration),
            None => tools.push(Tool::default().with_function_declarations([declaration])),
        }
        self
    }

    /// Adds another tool (Google Search, code execution, …).
    pub fn tool(mut self, tool: Tool) -> Self {
        self.settings.tools.get_or_insert_with(Vec::new).push(tool);
        self
    }

    /// Temperature, output length, response schema, … for every turn.
    pub fn generation_config(mut self, config: GenerationConfig) -> Self {
        self.settings.generation_config = Some(Box::new(config));
        self
    }

    /// Starts from a context cache (`cachedContents/…`, made with
    /// `cached_contents().create(…)` for this model): its contents come
    /// before the history. Gemini wants a cached conversation's system
    /// instruction and tools in the cache, so this chat's are not sent
    /// while it has one.
    pub fn cached_content(mut self, name: impl Into<CompactString>) -> Self {
        self.settings.cached_content = Some(name.into());
        self
    }

    /// Continues an earlier conversation.
    pub fn with_history(mut self, history: impl IntoIterator<Item = Content>) -> Self {
        self.history = history.into_iter().collect();
        self
    }

    /// The conversation so far: user and model turns, oldest first.
    pub fn history(&self) -> &[Content] {
        &self.history
    }

    /// The request the next turn would send with `turn` as its message.
    pub fn request_for(&self, turn: &Content) -> GenerateContentRequest {
        let mut request = self.settings.clone();
        if request.cached_content.is_some() {
            request.system_instruction = None;
            request.tools = None;
            request.tool_config = None;
        }
        request.contents = Some(
            self.history
                .iter()
                .cloned()
                .chain(std::iter::once(turn.clone()))
                .collect(),
        );
        request
    }

    /// Sends a text message; on success the message and the answer join
    /// the history (on failure the history is as it was).
    ///
    /// # Errors
    /// The call's error.
    pub async fn send(
        &mut self,
        text: impl Into<CompactString>,
    ) -> Result<GenerateContentResponse, Error> {
        self.send_parts([Part::text(text)]).await
    }

    /// Sends a message of any parts (text, files, function responses).
    ///
    /// # Errors
    /// The call's error.
    pub async fn send_parts(
        &mut self,
        parts: impl IntoIterator<Item = Part>,
    ) -> Result<GenerateContentResponse, Error> {
        let turn = Content::user(parts);
        let answer = self
            .client
            .models()
            .generate_content(&self.model, self.request_for(&turn))
            .execute()
            .await?;
        self.history.push(turn);
        if let Some(content) = answer.first_content() {
            self.history
                .push(model_turn(content.parts.clone().unwrap_or_default()));
        }
        Ok(answer)
    }

    /// Sends `text`, answers every function call the model makes with
    /// `answer(call)` (its result as JSON), and returns the model's answer
    /// once it stops calling (after at most [`MAX_FUNCTION_ROUNDS`]
    /// rounds). The calls and their answers join the history.
    ///
    /// # Errors
    /// The first call's error.
    pub async fn send_with(
        &mut self,
        text: impl Into<CompactString>,
        mut answer: impl FnMut(&FunctionCall) -> Value,
    ) -> Result<GenerateContentResponse, Error> {
        let mut response = self.send(text).await?;
        for _ in 0..MAX_FUNCTION_ROUNDS {
            let responses: Vec<Part> = response
                .function_calls()
                .into_iter()
                .map(|call| {
                    let name = call.name.clone().unwrap_or_default();
                    let mut part = Part::function_response(name, answer(call));
                    if let (Some(id), Some(r)) = (&call.id, part.function_response.as_mut()) {
                        r.id = Some(id.clone());
                    }
                    part
                })
                .collect();
            if responses.is_empty() {
                break;
            }
            response = self.send_parts(responses).await?;
        }
        Ok(response)
    }

    /// Sends a text message and streams the answer; when the stream has
    /// ended without an error, the message and the whole answer join the
    /// history.
    pub fn send_stream(&mut self, text: impl Into<CompactString>) -> ChatStream<'_> {
        let turn = Content::user([Part::text(text)]);
        let inner = self
            .client
            .models()
            .stream_generate_content(&self.model, self.request_for(&turn))
            .stream();
        ChatStream {
            inner,
            history: &mut self.history,
            turn: Some(turn),
            parts: Vec::new(),
            failed: false,
        }
    }
}

/// The model's turn, its consecutive text pieces joined (a streamed answer
/// arrives as many).
fn model_turn(parts: Vec<Part>) -> Content {
    let mut joined: Vec<Part> = Vec::new();
    for part in parts {
        match (joined.last_mut(), &part.text) {
            (Some(last), Some(text)) if last.text.is_some() && part.function_call.is_none() => {
                let mut merged = last.text.take().unwrap_or_default().to_string();
                merged.push_str(text);
                last.text = Some(merged.into());
            }
            _ => joined.push(part),
        }
    }
    Content::model(joined)
}

/// A streamed answer of a [`Chat`]: the pieces as they arrive, and the
/// history updated at its end.
pub struct ChatStream<'a> {
    inner: BoxStream<'static, Result<GenerateContentResponse, Error>>,
    history: &'a mut Vec<Content>,
    turn: Option<Content>,
    parts: Vec<Part>,
    failed: bool,
}

impl std::fmt::Debug for ChatStream<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChatStream")
            .field("pieces_so_far", &self.parts.len())
            .field("failed", &self.failed)
            .finish_non_exhaustive()
    }
}

impl Stream for ChatStream<'_> {
    type Item = Result<GenerateContentResponse, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        match this.inner.as_mut().poll_next(cx) {
            Poll::Ready(Some(Ok(piece))) => {
                if let Some(parts) = piece.first_content().and_then(|c| c.parts.as_ref()) {
                    this.parts.extend(parts.iter().cloned());
                }
                Poll::Ready(Some(Ok(piece)))
            }
            Poll::Ready(Some(Err(e))) => {
                this.failed = true;
                Poll::Ready(Some(Err(e)))
            }
            Poll::Ready(None) => {
                if let (false, Some(turn)) = (this.failed, this.turn.take()) {
                    this.history.push(turn);
                    this.history
                        .push(model_turn(std::mem::take(&mut this.parts)));
                }
                Poll::Ready(None)
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streamed_text_pieces_join_into_one_part() {
        let turn = model_turn(vec![Part::text("Hel"), Part::text("lo"), Part::default()]);
        let parts = turn.parts.unwrap_or_default();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].text.as_deref(), Some("Hello"));
    }

    #[test]
    fn function_responses_are_objects() {
        let part = Part::function_response("f", Value::from(3));
        let json = gapi_runtime::serde_json::to_value(&part).unwrap_or_default();
        assert_eq!(
            json,
            gapi_runtime::serde_json::json!({"functionResponse": {"name": "f", "response": {"result": 3}}})
        );
    }
}
