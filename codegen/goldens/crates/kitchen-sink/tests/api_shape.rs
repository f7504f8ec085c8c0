//! Real call sites against the generated kitchen-sink crate: what a user
//! writes compiles, and sends what the document says.

#![allow(clippy::unwrap_used)]

use gapi_sink_v1::types::{Thing, ThingOwner, ThingState, ThingTagsItem};
use gapi_sink_v1::{auth::StaticToken, Sink};

/// `Sink::builder()…build()` gives a `Sink`, as users write it.
fn sink() -> Sink {
    Sink::builder()
        .root_url("http://127.0.0.1:9")
        .credentials(StaticToken::new("t"))
        .build()
        .unwrap()
}

#[test]
fn the_crate_re_exports_the_runtime_and_wraps_a_plain_client() {
    let client: gapi_sink_v1::runtime::Client =
        gapi_sink_v1::runtime::Client::builder(&gapi_sink_v1::SERVICE)
            .root_url("http://127.0.0.1:9")
            .build()
            .unwrap();
    let sink = Sink::from_client(client);
    assert_eq!(sink.client().root_url(), "http://127.0.0.1:9/");
    let _: gapi_sink_v1::runtime::RetryPolicy = Default::default();
}

#[test]
fn positional_path_parameters_and_setters() {
    let call = sink()
        .things()
        .list("projects/p?x")
        .page_size(5)
        .filter_tag(["a", "b c"])
        .r#type("t")
        .execute_param(true)
        .min_size(-3)
        .fields("things(id)");
    let p = call.preview().unwrap();
    assert_eq!(p.method, "GET");
    assert_eq!(
        p.url,
        "http://127.0.0.1:9/v1/projects/p%3Fx/things?alt=json&prettyPrint=false&pageSize=5&filter.tag=a&filter.tag=b%20c&type=t&execute=true&minSize=-3&fields=things%28id%29"
    );
}

/// A parameter takes what a body field of the same discovery type holds
/// (`DateTime`, `Bytes`, `f32`, `i64`, the same enum), or the text it is
/// parsed from (a `DateTime` also from a `SystemTime`); a repeated one takes
/// any iterator, so `["snippet"]` works as
/// in Python.
#[test]
fn parameters_take_the_types_their_fields_have() {
    use gapi_sink_v1::runtime::types::DateTime;
    let when =
        DateTime::from_system_time(std::time::UNIX_EPOCH + std::time::Duration::from_secs(86_400));
    let thing = Thing::default().with_modified(when.clone());
    let p = sink()
        .things()
        .search(["snippet", "statistics"])
        .updated_min(thing.modified.unwrap())
        .checksum(&[0xfb, 0xff][..])
        .min_ratio(0.5)
        .ids([1, -2])
        .tag([gapi_sink_v1::types::ThingTagsItem::Red])
        .preview()
        .unwrap();
    assert_eq!(
        p.url,
        format!(
            "http://127.0.0.1:9/v1/things:search?alt=json&prettyPrint=false&part=snippet&part=statistics&updatedMin={}&checksum=%2B%2F8%3D&minRatio=0.5&ids=1&ids=-2&tag=RED",
            when.as_str().replace(':', "%3A")
        )
    );
    // A time value converts as it is; text is parsed first (and checked:
    // "yesterday" is an error there, not a request), and owned strings work
    // in any collection.
    let p = sink()
        .things()
        .search(["id"])
        .updated_min(std::time::UNIX_EPOCH)
        .preview()
        .unwrap();
    assert!(
        p.url.contains("updatedMin=1970-01-01T00%3A00%3A00Z"),
        "{}",
        p.url
    );
    assert!("yesterday".parse::<DateTime>().is_err());
    let p = sink()
        .things()
        .search(vec![String::from("id")])
        .updated_min("2024-05-01T12:00:00Z".parse::<DateTime>().unwrap())
        .tag(["GREEN"])
        .preview()
        .unwrap();
    assert!(
        p.url
            .contains("part=id&updatedMin=2024-05-01T12%3A00%3A00Z"),
        "{}",
        p.url
    );
}

#[test]
fn bodies_keywords_and_api_version() {
    let body = std::collections::BTreeMap::from([("k".to_string(), "v".into())]);
    let p = sink()
        .things()
        .r#move("id/1", "req", body)
        .preview()
        .unwrap();
    assert_eq!(p.method, "POST");
    assert!(
        p.url
            .starts_with("http://127.0.0.1:9/v1/things/id%2F1:move?"),
        "{}",
        p.url
    );
    assert!(p.url.contains("request=req"));
    assert_eq!(p.body.unwrap().as_ref(), br#"{"k":"v"}"#);
    assert!(p
        .headers
        .iter()
        .any(|(k, v)| k == "x-goog-api-version" && v == "v20250101"));
}

#[test]
fn types_round_trip_with_wire_names_and_open_enums() {
    let json = r#"{"type":"a","self":"s","$ref":"r","@type":"t","size":"12","sizes":["1","2"],"counters":{"x":"3"},"payload":"-_8","state":"activated","tags":["RED","BLUE"],"parent":{"state":"NEW_VALUE"},"owner":{"address":{"city":"Oslo"}},"resolution":{"any":1}}"#;
    let thing: Thing = serde_json::from_str(json).unwrap();
    assert_eq!(thing.r#type.as_deref(), Some("a"));
    assert_eq!(thing.self_.as_deref(), Some("s"));
    assert_eq!(thing.size, Some(12));
    assert_eq!(thing.state, Some(ThingState::Activated2));
    assert_eq!(
        thing.parent.as_ref().unwrap().state,
        Some(ThingState::Unknown("NEW_VALUE".into()))
    );
    assert_eq!(thing.payload.as_ref().unwrap().0, vec![0xfb, 0xff]);
    assert_eq!(
        thing.owner.unwrap().address.unwrap().city.as_deref(),
        Some("Oslo")
    );
    let back = serde_json::to_value(Thing::default().with_size(7).with_type("x")).unwrap();
    assert_eq!(back, serde_json::json!({"size": "7", "type": "x"}));
}

#[test]
fn decoding_skips_unknown_keys_reads_null_as_none_and_round_trips() {
    let json = r#"{"future":{"a":[1,{"b":null}]},"type":null,"siz\u0065":12,"tags":["RED"],"owner":{"address":{"city":"Oslo"}}}"#;
    let thing: Thing = serde_json::from_str(json).unwrap();
    assert_eq!(thing.r#type, None);
    assert_eq!(thing.size, Some(12), "escaped key, number for int64");
    let again: Thing = serde_json::from_value(serde_json::to_value(&thing).unwrap()).unwrap();
    assert_eq!(again, thing);
    let err = serde_json::from_str::<Thing>(r#"{"size":"many"}"#).unwrap_err();
    assert!(err.to_string().contains("int64"), "{err}");
    let err = serde_json::from_str::<Thing>("[]").unwrap_err();
    assert!(err.to_string().contains("struct Thing"), "{err}");
}

/// String fields are `CompactString`s: short and long values, escapes and
/// non-ASCII text decode exactly; a field goes straight into a parameter
/// (`&thing.r#ref`), and converts to and from `String`.
#[test]
fn string_fields_hold_any_text_and_feed_parameters() {
    let long = "x".repeat(100);
    let json = format!(r#"{{"type":"short","$ref":"{long}","end-date":"caf\u00e9 \"q\" ✓"}}"#);
    let thing: Thing = serde_json::from_str(&json).unwrap();
    assert_eq!(thing.r#type.as_deref(), Some("short"));
    assert_eq!(thing.r#ref.as_deref(), Some(long.as_str()));
    assert_eq!(thing.end_date.as_deref(), Some("café \"q\" ✓"));
    let id = thing.r#ref.as_ref().unwrap();
    let p = sink().things().get(id).preview().unwrap();
    assert!(p.url.contains(&format!("/things/{long}?")), "{}", p.url);
    let owned: String = thing.r#type.clone().unwrap().into();
    assert_eq!(owned, "short");
    let built = Thing::default().with_type(owned);
    assert_eq!(built.r#type, thing.r#type);
}

/// Structs are `#[non_exhaustive]` (a new field is a minor release), so
/// values are built from `Default` with one `with_*` setter per field:
/// each takes what converts into the field (text, any iterator for a list
/// or map, the struct itself for a boxed one), numbers as they are.
#[test]
fn values_are_built_with_setters() {
    let thing = Thing::default()
        .with_type("t")
        .with_ref(String::from("r"))
        .with_self_("me")
        .with_big_count(5)
        .with_sizes([1, 2])
        .with_counters([("a", 1), ("b", 2)])
        .with_tags([ThingTagsItem::Red])
        .with_state(ThingState::Activated2)
        .with_owner(ThingOwner::default().with_name("ann"))
        .with_parent(Box::new(Thing::default().with_count(-1)))
        .with_enabled(true)
        .with_ratio(0.5);
    assert_eq!(thing.r#type.as_deref(), Some("t"));
    assert_eq!(thing.r#ref.as_deref(), Some("r"));
    assert_eq!(thing.self_.as_deref(), Some("me"));
    assert_eq!(thing.big_count, Some(5));
    assert_eq!(thing.sizes, Some(vec![1, 2]));
    assert_eq!(thing.counters.as_ref().map(|c| c["b"]), Some(2));
    assert_eq!(thing.owner.as_ref().unwrap().name.as_deref(), Some("ann"));
    assert_eq!(thing.parent.as_ref().unwrap().count, Some(-1));
    assert_eq!(
        serde_json::to_value(&thing).unwrap(),
        serde_json::json!({
            "$ref": "r", "bigCount": "5", "counters": {"a": "1", "b": "2"}, "enabled": true,
            "owner": {"name": "ann"}, "parent": {"count": -1}, "ratio": 0.5, "self": "me",
            "sizes": ["1", "2"], "state": "activated", "tags": ["RED"], "type": "t"
        })
    );
}

#[test]
fn calls_and_their_futures_are_send_and_static() {
    fn send_static<T: Send + 'static>(_: &T) {}
    let call = sink().things().get("x");
    let future = call.clone().execute();
    send_static(&call);
    send_static(&future);
    send_static(&sink().things().list("projects/p").pages());
    send_static(&sink().things().list("projects/p").items());
}

/// A server-streaming method reads whole as a `Vec` and streams element by
/// element; a method that starts an operation polls it.
#[test]
fn streaming_and_operation_methods_have_their_shapes() {
    let whole: gapi_sink_v1::runtime::ResponseFuture<Vec<Thing>> =
        sink().things().stream_updates().execute();
    let pieces: gapi_sink_v1::runtime::futures_util::stream::BoxStream<
        'static,
        Result<Thing, gapi_sink_v1::Error>,
    > = sink().things().stream_updates().stream();
    let poller: gapi_sink_v1::runtime::lro::Poller<gapi_sink_v1::types::Operation> =
        sink().things().archive("t").poll();
    // Nothing is sent until they are awaited.
    drop((whole, pieces, poller));
    let preview = sink().things().stream_updates().preview().unwrap();
    assert_eq!(
        preview.url,
        "http://127.0.0.1:9/v1/things:streamUpdates?alt=json&prettyPrint=false"
    );
    let polling = &gapi_sink_v1::OPERATION_POLLING;
    assert_eq!(
        polling.shape,
        gapi_sink_v1::runtime::spec::OperationShape::Aip
    );
    assert_eq!(polling.methods[0].get.path, "v1/{+name}");
}
