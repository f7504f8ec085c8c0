//! Decoding generated structs: one shared visitor, and per type only a
//! `match` from wire name to field.
//!
//! Why not `#[derive(Deserialize)]`: serde's derive emits, per struct, a
//! field enum, three identifier visitors, a sequence visitor and a map
//! visitor, and builds the value in one local per field before moving it
//! into place. For the catalog's structs of 60 to 80 optional fields that
//! is most of a generated crate's compile time, and the field-name search
//! is linear. Generated code instead implements [`DecodeFields`]: it starts
//! from `Default` (every field `None`), writes each field in place, and
//! matches the key by length first. Unknown keys are skipped, a `null` reads
//! as `None`, and a repeated key keeps its last value (as Google's own
//! clients do).

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};

/// A generated struct that decodes itself one field at a time.
pub trait DecodeFields: Default {
    /// The type's name, for "expected struct File" errors.
    const NAME: &'static str;

    /// Reads the value of the field named `key` from `map` into `self`;
    /// skips the value when no field has that name.
    fn decode_field<'de, A: MapAccess<'de>>(
        &mut self,
        key: &str,
        map: &mut A,
    ) -> Result<(), A::Error>;
}

/// What a generated `Deserialize` impl calls.
pub fn decode_struct<'de, T: DecodeFields, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
    d.deserialize_map(StructVisitor::<T>(PhantomData))
}

/// Decodes a JSON response body, as every generated call does.
///
/// The whole body's UTF-8 is checked once, then serde_json reads it as text
/// and need not check each string again (a sixth of the work of decoding a
/// page of Drive files). A body that is not UTF-8 is an error that says
/// where the first bad byte is, without a second, byte-reading decoder:
/// every type decoded through one reader is compiled once, not twice.
///
/// # Errors
/// serde_json's error for a body that does not decode as `T`, or one naming
/// the line and column of the first byte that is not UTF-8.
pub fn from_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> serde_json::Result<T> {
    serde_json::from_str(text_of(body)?)
}

/// `body` as text, or an error naming the line and column of its first
/// byte that is not UTF-8.
pub(crate) fn text_of(body: &[u8]) -> serde_json::Result<&str> {
    std::str::from_utf8(body).map_err(|e| invalid_utf8(body, e.valid_up_to()))
}

/// "invalid UTF-8 at line L column C", in serde_json's 1-based terms.
fn invalid_utf8(body: &[u8], at: usize) -> serde_json::Error {
    let before = &body[..at];
    let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let column = at - line_start + 1;
    de::Error::custom(format_args!(
        "invalid UTF-8 at line {line} column {column} (byte {at})"
    ))
}

/// Skips a value nothing reads (an unknown key).
pub fn skip_value<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<de::IgnoredAny>().map(drop)
}

struct StructVisitor<T>(PhantomData<T>);

impl<'de, T: DecodeFields> Visitor<'de> for StructVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "struct {}", T::NAME)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        let mut value = T::default();
        while let Some(key) = map.next_key::<Key<'de>>()? {
            value.decode_field(&key.0, &mut map)?;
        }
        Ok(value)
    }
}

/// A key, borrowed from the input when it can be (no escapes), so matching
/// it allocates nothing.
struct Key<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// Reads a value whose 64-bit integers travel as JSON strings (or numbers):
/// an `int64` field, or a list or map of them.
pub fn string_int<'de, T: crate::wire::StringInt, A: MapAccess<'de>>(
    map: &mut A,
) -> Result<T, A::Error> {
    map.next_value::<StringEncoded<T>>().map(|v| v.0)
}

struct StringEncoded<T>(T);

impl<'de, T: crate::wire::StringInt> Deserialize<'de> for StringEncoded<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        T::de(d).map(StringEncoded)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, PartialEq)]
    struct Thing {
        name: Option<String>,
        size: Option<i64>,
        tags: Option<Vec<String>>,
    }

    impl DecodeFields for Thing {
        const NAME: &'static str = "Thing";
        fn decode_field<'de, A: MapAccess<'de>>(
            &mut self,
            key: &str,
            map: &mut A,
        ) -> Result<(), A::Error> {
            match key {
                "name" => self.name = map.next_value()?,
                "size" => self.size = string_int(map)?,
                "tags" => self.tags = map.next_value()?,
                _ => skip_value(map)?,
            }
            Ok(())
        }
    }

    impl<'de> Deserialize<'de> for Thing {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            decode_struct(d)
        }
    }

    #[test]
    fn fields_in_place_unknown_skipped_null_is_none() {
        let t: Thing = serde_json::from_str(
            r#"{"extra":{"deep":[1,{"x":null}]},"name":"a","size":"12","tags":null}"#,
        )
        .unwrap();
        assert_eq!(
            t,
            Thing {
                name: Some("a".into()),
                size: Some(12),
                tags: None
            }
        );
        // An escaped key is still matched; a number is accepted for int64.
        let t: Thing = serde_json::from_str(r#"{"n\u0061me":"b","size":7}"#).unwrap();
        assert_eq!((t.name.as_deref(), t.size), (Some("b"), Some(7)));
        // The same through serde_json::Value (another Deserializer).
        let v = serde_json::json!({"name": "c", "tags": ["x"]});
        let t: Thing = serde_json::from_value(v).unwrap();
        assert_eq!(t.tags, Some(vec!["x".to_string()]));
    }

    #[test]
    fn bodies_decode_as_text_and_bad_utf8_is_located() {
        let t: Thing = from_json("{\"name\":\"\\u00e9t\\u00e9 \u{e9}\"}".as_bytes()).unwrap();
        assert_eq!(t.name.as_deref(), Some("\u{e9}t\u{e9} \u{e9}"));
        let err = from_json::<Thing>(b"{\"name\":\"\xff\"}").unwrap_err();
        assert!(
            err.to_string()
                .contains("invalid UTF-8 at line 1 column 10 (byte 9)"),
            "{err}"
        );
        let err = from_json::<Thing>(b"{\n \"name\": \"ok\",\n \"kind\": \"\xc3\"}").unwrap_err();
        assert!(err.to_string().contains("line 3 column 11"), "{err}");
    }

    #[test]
    fn errors_name_the_type_and_the_position() {
        let err = serde_json::from_str::<Thing>("[1]")
            .unwrap_err()
            .to_string();
        assert!(err.contains("struct Thing"), "{err}");
        let err = serde_json::from_str::<Thing>(r#"{"size":"big"}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("int64") && err.contains("column"), "{err}");
    }
}
