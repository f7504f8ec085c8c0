//! Hand-written additions to the generated client: `lib.rs` includes the
//! generated code from the build script's output, and modules like this one
//! sit beside it and survive regeneration. Any generated crate can carry
//! extras the same way: inherent `impl` blocks on its generated types, in
//! a module `lib.rs` declares.

use crate::types::{Content, FileData, GenerateContentRequest, GenerateContentResponse, Part};
use gapi_runtime::CompactString;

impl GenerateContentResponse {
    /// The text of the first candidate: its text parts joined, or `None`
    /// when it has none (no candidate, a blocked prompt, only a function
    /// call). A streamed answer's pieces each have their part of the text.
    pub fn text(&self) -> Option<String> {
        let parts = self
            .candidates
            .as_ref()?
            .first()?
            .content
            .as_ref()?
            .parts
            .as_ref()?;
        let texts: Vec<&str> = parts.iter().filter_map(|p| p.text.as_deref()).collect();
        (!texts.is_empty()).then(|| texts.concat())
    }
}

impl Content {
    /// A user turn with these parts.
    pub fn user(parts: impl IntoIterator<Item = Part>) -> Content {
        Content::default().with_role("user").with_parts(parts)
    }

    /// A model turn with these parts (for a chat's history).
    pub fn model(parts: impl IntoIterator<Item = Part>) -> Content {
        Content::default().with_role("model").with_parts(parts)
    }
}

impl Part {
    /// A text part.
    pub fn text(text: impl Into<CompactString>) -> Part {
        Part::default().with_text(text)
    }

    /// A part that refers to an uploaded file by its URI (`File::uri`,
    /// from `media.upload` or `files.get`).
    pub fn file(uri: impl Into<CompactString>, mime_type: impl Into<CompactString>) -> Part {
        Part::default().with_file_data(
            FileData::default()
                .with_file_uri(uri)
                .with_mime_type(mime_type),
        )
    }
}

impl GenerateContentRequest {
    /// A request with one user turn of text: the usual single prompt.
    pub fn prompt(text: impl Into<CompactString>) -> GenerateContentRequest {
        GenerateContentRequest::default().with_contents([Content::user([Part::text(text)])])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_joins_the_first_candidates_text_parts() {
        let answer: GenerateContentResponse = gapi_runtime::serde_json::from_str(
            r#"{"candidates": [{"content": {"role": "model", "parts": [
                {"text": "Hello, "}, {"functionCall": {"name": "f"}}, {"text": "world"}]}},
                {"content": {"parts": [{"text": "other"}]}}]}"#,
        )
        .unwrap_or_default();
        assert_eq!(answer.text().as_deref(), Some("Hello, world"));
        assert_eq!(GenerateContentResponse::default().text(), None);
        let request = GenerateContentRequest::prompt("hi");
        let json = gapi_runtime::serde_json::to_value(&request).unwrap_or_default();
        assert_eq!(
            json,
            gapi_runtime::serde_json::json!({"contents": [{"role": "user", "parts": [{"text": "hi"}]}]})
        );
        let file = gapi_runtime::serde_json::to_value(Part::file("https://f/1", "text/plain"))
            .unwrap_or_default();
        assert_eq!(file["fileData"]["fileUri"], "https://f/1");
    }
}
