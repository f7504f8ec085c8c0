//! Streaming: Gemini's `streamGenerateContent` against the emulator, which
//! writes an answer of several pieces with a pause between them (as a model
//! does while it generates). Time to the first item and items per second,
//! streamed as server-sent events (`.stream()`) and as the JSON array read
//! incrementally, beside the buffered `execute()`, which returns only when
//! the whole answer is in.

use std::time::Instant;

use gapi_generativelanguage_v1beta::types::GenerateContentRequest;
use gapi_generativelanguage_v1beta::GenerativeLanguage;
use gapi_runtime::futures_util::StreamExt;
use gapi_runtime::stream::Framing;

use crate::stats::{Goal, Samples, Section, Table};

const PROMPT: &str = "tell me a long story about a lighthouse keeper who counts the ships \
                      passing in the night and writes each one down in a blue notebook";

fn ms(samples: &Samples) -> String {
    samples.show(1)
}

pub async fn run(quick: bool) -> Section {
    let emu = gapi_emulator::Emulator::start(Default::default())
        .await
        .expect("the emulator starts");
    let gemini = GenerativeLanguage::builder()
        .root_url(emu.root_url())
        .credentials(gapi_runtime::auth::ApiKey::new("bench"))
        .build()
        .expect("a client");
    let rounds = if quick { 2 } else { 20 };
    let model = "gemini-2.5-flash";
    let (mut sse_first, mut sse_all, mut sse_rate) = Default::default();
    let (mut array_first, mut array_all, mut array_rate) = Default::default();
    let mut buffered = Samples::default();
    let mut pieces = 0;
    for _ in 0..rounds {
        for framing in [Framing::ServerSentEvents, Framing::JsonArray] {
            let call = gemini
                .models()
                .stream_generate_content(model, GenerateContentRequest::prompt(PROMPT));
            let started = Instant::now();
            let mut stream = gapi_runtime::stream::stream::<
                gapi_generativelanguage_v1beta::types::GenerateContentResponse,
            >(gapi_runtime::Call::into_request(call), framing);
            let mut first = None;
            let mut count = 0;
            while let Some(item) = stream.next().await {
                item.expect("a streamed piece");
                first.get_or_insert_with(|| started.elapsed());
                count += 1;
            }
            let all = started.elapsed();
            let first = first.expect("at least one piece");
            let rate = (count - 1) as f64 / (all - first).as_secs_f64().max(1e-9);
            let (f, a, r): (&mut Samples, &mut Samples, &mut Samples) = match framing {
                Framing::ServerSentEvents => (&mut sse_first, &mut sse_all, &mut sse_rate),
                Framing::JsonArray => (&mut array_first, &mut array_all, &mut array_rate),
            };
            f.push(first.as_secs_f64() * 1e3);
            a.push(all.as_secs_f64() * 1e3);
            r.push(rate);
            pieces = count;
        }
        let started = Instant::now();
        let whole = gemini
            .models()
            .stream_generate_content(model, GenerateContentRequest::prompt(PROMPT))
            .execute()
            .await
            .expect("the buffered answer");
        assert_eq!(whole.len(), pieces, "execute() reads every piece");
        buffered.push(started.elapsed().as_secs_f64() * 1e3);
    }
    let mut t = Table::new(&[
        "how",
        ">first item (ms)",
        ">whole answer (ms)",
        ">items per second after the first",
    ]);
    t.row(vec![
        "`.stream()`: server-sent events (`alt=sse`)".into(),
        ms(&sse_first),
        ms(&sse_all),
        sse_rate.show(0),
    ]);
    t.row(vec![
        "`gapi_runtime::stream`, JSON array read incrementally".into(),
        ms(&array_first),
        ms(&array_all),
        array_rate.show(0),
    ]);
    t.row(vec![
        "`execute()`: the whole array, buffered".into(),
        ms(&buffered),
        ms(&buffered),
        "–".into(),
    ]);
    let markdown = format!(
        "`models().stream_generate_content(..)` against the gapi emulator in the same process, \
         which sends an answer of {pieces} pieces 15 ms apart (a model generating); {rounds} \
         rounds. The streamed forms hand over the first piece as soon as it arrives; \
         `execute()` waits for the last. Items per second is the pace after the first item, \
         which the emulator's pause sets: it shows the client keeps up, not how fast it could \
         go.\n\n{}\n",
        t.render()
    );
    Section {
        markdown,
        goals: vec![Goal::new(
            "a streamed answer's first item arrives before the buffered answer is complete",
            format!(
                "first item {} ms (events), {} ms (array); buffered answer {} ms",
                ms(&sse_first),
                ms(&array_first),
                ms(&buffered)
            ),
            sse_first.median() < buffered.median() / 2.0
                && array_first.median() < buffered.median() / 2.0,
        )],
    }
}
