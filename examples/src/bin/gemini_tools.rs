//! A Gemini chat that calls your code: `gemini_tools "your question"`.
//! The model is told about one function, `get_weather(city)`; when it asks
//! for it, the answer is computed here and sent back, and the model
//! continues. A follow-up turn shows the chat kept its history. API key in
//! `GEMINI_API_KEY`; `GEMINI_MODEL` picks the model.

use gapi_generativelanguage_v1beta::chat::{function, Chat};
use gapi_runtime::serde_json::json;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let question = std::env::args().skip(1).collect::<Vec<_>>().join(" ");
    let question = if question.is_empty() {
        "What is the weather in Lisbon?".to_string()
    } else {
        question
    };
    let gemini = gapi_examples::gemini(false).await?;
    let model = std::env::var("GEMINI_MODEL").unwrap_or_else(|_| "gemini-2.5-flash".into());
    let mut chat = Chat::new(&gemini, &model)
        .system_instruction("Use get_weather for any question about the weather.")
        .function(function(
            "get_weather",
            "The current weather in a city: temperature in Celsius and the sky.",
            json!({
                "type": "object",
                "properties": {"city": {"type": "string", "description": "The city, e.g. Lisbon"}},
                "required": ["city"],
            }),
        ));
    let answer = chat
        .send_with(question, |call| {
            let city = call
                .args
                .as_ref()
                .and_then(|a| a.get("city"))
                .and_then(|c| c.as_str())
                .unwrap_or("somewhere")
                .to_string();
            eprintln!("(the model called get_weather for {city})");
            // Your code goes here: a database, another API, a sensor.
            json!({"city": city, "celsius": 19, "sky": "clear"})
        })
        .await?;
    println!("{}", answer.text().unwrap_or_default());
    let follow_up = chat.send("Thanks! Should I take a jacket?").await?;
    println!("{}", follow_up.text().unwrap_or_default());
    eprintln!("({} turns in the chat's history)", chat.history().len());
    Ok(())
}
