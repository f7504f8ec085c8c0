//! Decoding generated structs: per type only a `match` from wire name to
//! field, and everything generic over the JSON reader written once, here.
//!
//! Why not `#[derive(Deserialize)]`: serde's derive emits, per struct, a
//! field enum, three identifier visitors, a sequence visitor and a map
//! visitor, and every one of them is compiled again for each deserializer
//! it meets, along with the deserializer's own map, option and sequence
//! loops (a few hundred lines of machine code per struct and reader). For
//! the catalog's structs of 60 to 80 optional fields that was most of a
//! generated crate's compile time.
//!
//! Generated code instead implements [`DecodeFields`], which is not generic:
//! it reads each field through a [`Reader`], a trait object that this module
//! implements once per deserializer. Nested objects are decoded in place
//! (a `Box<File>` or a `Vec<File>` element is filled where it lives, not
//! built on the stack and moved), keys are borrowed and matched by length
//! first, unknown keys are skipped, `null` reads as `None`, and a repeated
//! key keeps its last value (as Google's own clients do).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use compact_str::CompactString;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use crate::types::{Bytes, DateTime, Duration, FieldMask};

/// A generated struct that decodes itself one field at a time.
pub trait DecodeFields {
    /// The type's name, for "expected struct File" errors.
    fn type_name(&self) -> &'static str;

    /// Reads the value of the field named `key` from `value` into `self`;
    /// skips the value when no field has that name.
    ///
    /// # Errors
    /// [`Failed`] when the value does not decode; the reader keeps the
    /// deserializer's error, which is what the caller of `deserialize` sees.
    fn decode_field(&mut self, key: &str, value: &mut dyn Reader) -> Result<(), Failed>;
}

/// The value failed to decode. The deserializer's own error (with its line
/// and column) is held by the [`Reader`] and returned by `deserialize`.
#[derive(Debug)]
pub struct Failed(());

/// One JSON value, about to be read as the type a field declares. Every
/// method consumes the value; `null` reads as `None`.
///
/// Implemented here for any serde deserializer, so a generated struct's
/// decoding is compiled once per struct, not once per struct and reader.
pub trait Reader {
    /// Skips the value.
    fn skip(&mut self) -> Result<(), Failed>;
    /// A string.
    fn string(&mut self) -> Result<Option<CompactString>, Failed>;
    /// `true` or `false`.
    fn boolean(&mut self) -> Result<Option<bool>, Failed>;
    /// A 32-bit integer.
    fn int32(&mut self) -> Result<Option<i32>, Failed>;
    /// An unsigned 32-bit integer.
    fn uint32(&mut self) -> Result<Option<u32>, Failed>;
    /// A 64-bit integer, as a JSON string (how Google sends them) or number.
    fn int64(&mut self) -> Result<Option<i64>, Failed>;
    /// An unsigned 64-bit integer, as a JSON string or number.
    fn uint64(&mut self) -> Result<Option<u64>, Failed>;
    /// A 32-bit float.
    fn float(&mut self) -> Result<Option<f32>, Failed>;
    /// A 64-bit float.
    fn double(&mut self) -> Result<Option<f64>, Failed>;
    /// Base64 text (standard or URL-safe alphabet).
    fn bytes(&mut self) -> Result<Option<Bytes>, Failed>;
    /// Any JSON value (`type: any`).
    fn any(&mut self) -> Result<Option<serde_json::Value>, Failed>;
    /// An object, decoded into `into` field by field. `Ok(false)`: `null`.
    fn object(&mut self, into: &mut dyn DecodeFields) -> Result<bool, Failed>;
    /// An array: `each` reads every element. `Ok(false)`: `null`.
    fn array(
        &mut self,
        each: &mut dyn FnMut(&mut dyn Reader) -> Result<(), Failed>,
    ) -> Result<bool, Failed>;
    /// An object used as a map: `each` reads every value, with its key.
    /// `Ok(false)`: `null`.
    fn map(
        &mut self,
        each: &mut dyn FnMut(String, &mut dyn Reader) -> Result<(), Failed>,
    ) -> Result<bool, Failed>;
    /// Fails with `message`, e.g. for a `null` where a list element belongs.
    fn invalid(&mut self, message: &str) -> Failed;
}

/// What a generated `Deserialize` impl calls.
///
/// # Errors
/// The deserializer's error for a value that is not an object of this type.
pub fn decode_struct<'de, T: DecodeFields + Default, D: Deserializer<'de>>(
    d: D,
) -> Result<T, D::Error> {
    let mut value = T::default();
    d.deserialize_map(ObjectVisitor(&mut value))?;
    Ok(value)
}

/// Stores a field's new value (what every generated `decode_field` arm
/// calls): one copy per field type, not the drop-and-assign at every field.
///
/// # Errors
/// [`Failed`] from reading the value; the field is left as it was.
pub fn set<T>(field: &mut Option<T>, value: Result<Option<T>, Failed>) -> Result<(), Failed> {
    *field = value?;
    Ok(())
}

/// An object field (`Option<T>`).
///
/// # Errors
/// [`Failed`]: see [`Reader`].
pub fn object<T: DecodeFields + Default>(r: &mut dyn Reader) -> Result<Option<T>, Failed> {
    let mut value = T::default();
    Ok(r.object(&mut value)?.then_some(value))
}

/// An object field kept on the heap (`Option<Box<T>>`), decoded in place.
///
/// # Errors
/// [`Failed`]: see [`Reader`].
pub fn boxed_object<T: DecodeFields + Default>(
    r: &mut dyn Reader,
) -> Result<Option<Box<T>>, Failed> {
    let mut value = Box::<T>::default();
    Ok(r.object(&mut *value)?.then_some(value))
}

/// A list of objects (`Option<Vec<T>>`): each element is decoded where it
/// will live in the list, not built apart and moved in.
///
/// # Errors
/// [`Failed`]: see [`Reader`]; a `null` element is an error.
pub fn object_list<T: DecodeFields + Default>(
    r: &mut dyn Reader,
) -> Result<Option<Vec<T>>, Failed> {
    let mut out: Vec<T> = Vec::new();
    let present = r.array(&mut |element| {
        out.push(T::default());
        let last = out.len() - 1;
        if element.object(&mut out[last])? {
            Ok(())
        } else {
            Err(element.invalid("null in a list of objects"))
        }
    })?;
    Ok(present.then_some(out))
}

/// A list of anything else, each element read by `read`.
///
/// # Errors
/// [`Failed`]: see [`Reader`]; a `null` element is an error.
pub fn list<T>(
    r: &mut dyn Reader,
    read: fn(&mut dyn Reader) -> Result<Option<T>, Failed>,
) -> Result<Option<Vec<T>>, Failed> {
    let mut out = Vec::new();
    let present = r.array(&mut |element| match read(element)? {
        Some(value) => {
            out.push(value);
            Ok(())
        }
        None => Err(element.invalid("null in a list")),
    })?;
    Ok(present.then_some(out))
}

/// A map from string keys (`additionalProperties`), each value read by
/// `read`. A key whose value is `null` is left out.
///
/// # Errors
/// [`Failed`]: see [`Reader`].
pub fn map<T>(
    r: &mut dyn Reader,
    read: fn(&mut dyn Reader) -> Result<Option<T>, Failed>,
) -> Result<Option<BTreeMap<String, T>>, Failed> {
    let mut out = BTreeMap::new();
    let present = r.map(&mut |key, value| {
        if let Some(v) = read(value)? {
            out.insert(key, v);
        }
        Ok(())
    })?;
    Ok(present.then_some(out))
}

/// An open enum, from its wire string.
///
/// # Errors
/// [`Failed`]: see [`Reader`].
pub fn enumeration<T: for<'a> From<&'a str>>(r: &mut dyn Reader) -> Result<Option<T>, Failed> {
    Ok(r.string()?.map(|s| T::from(s.as_str())))
}

/// A value kept boxed that is not an object (rare: recursion through an alias).
///
/// # Errors
/// [`Failed`]: see [`Reader`].
pub fn boxed<T>(
    r: &mut dyn Reader,
    read: fn(&mut dyn Reader) -> Result<Option<T>, Failed>,
) -> Result<Option<Box<T>>, Failed> {
    Ok(read(r)?.map(Box::new))
}

/// A `date-time` (`google-datetime`) string, kept as text.
///
/// # Errors
/// [`Failed`]: see [`Reader`].
pub fn date_time(r: &mut dyn Reader) -> Result<Option<DateTime>, Failed> {
    Ok(r.string()?.map(DateTime))
}

/// A `google-duration` string, kept as text.
///
/// # Errors
/// [`Failed`]: see [`Reader`].
pub fn duration(r: &mut dyn Reader) -> Result<Option<Duration>, Failed> {
    Ok(r.string()?.map(Duration))
}

/// A `google-fieldmask` string, kept as text.
///
/// # Errors
/// [`Failed`]: see [`Reader`].
pub fn field_mask(r: &mut dyn Reader) -> Result<Option<FieldMask>, Failed> {
    Ok(r.string()?.map(FieldMask))
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

/// Decodes a JSON object into a struct that already exists, e.g. one
/// kept between calls, keeping the fields the body does not mention.
///
/// Also the reason the JSON reader's side of decoding is compiled here, in
/// the runtime, for serde_json's text reader: debug builds of generated
/// crates reuse this copy rather than compiling their own.
///
/// # Errors
/// As [`from_json`].
pub fn from_json_into(body: &[u8], into: &mut dyn DecodeFields) -> serde_json::Result<()> {
    from_str_into(text_of(body)?, into)
}

/// [`from_json_into`] from text.
pub(crate) fn from_str_into(text: &str, into: &mut dyn DecodeFields) -> serde_json::Result<()> {
    let mut de = serde_json::Deserializer::from_str(text);
    de.deserialize_map(ObjectVisitor(into))?;
    de.end()
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

/// The [`Reader`] over one value of any deserializer: holds the
/// deserializer until a method consumes it, and the error if one fails.
struct ValueReader<'de, D: Deserializer<'de>> {
    value: Option<D>,
    /// Set only on the way to a [`Failed`], whose receiver takes it; kept
    /// out of drop glue, which would otherwise run for every value read.
    error: std::mem::ManuallyDrop<Option<D::Error>>,
    marker: std::marker::PhantomData<&'de ()>,
}

impl<'de, D: Deserializer<'de>> ValueReader<'de, D> {
    fn new(d: D) -> Self {
        ValueReader {
            value: Some(d),
            error: std::mem::ManuallyDrop::new(None),
            marker: std::marker::PhantomData,
        }
    }

    /// Runs `read` on the value, keeping its error.
    fn read<T>(&mut self, read: impl FnOnce(D) -> Result<T, D::Error>) -> Result<T, Failed> {
        let result = match self.value.take() {
            Some(d) => read(d),
            None => Err(de::Error::custom("gapi: a field's value was read twice")),
        };
        result.map_err(|e| self.fail(e))
    }

    fn fail(&mut self, error: D::Error) -> Failed {
        *self.error = Some(error);
        Failed(())
    }

    /// Ends a read that succeeded: skips the value if nothing read it.
    fn finish(mut self) -> Result<(), D::Error> {
        match self.value.take() {
            Some(d) => IgnoredAny::deserialize(d).map(drop),
            None => Ok(()),
        }
    }

    /// The error behind a [`Failed`].
    fn error(&mut self) -> D::Error {
        self.error
            .take()
            .unwrap_or_else(|| de::Error::custom("gapi: a decoder failed without an error"))
    }
}

impl<'de, D: Deserializer<'de>> Reader for ValueReader<'de, D> {
    fn skip(&mut self) -> Result<(), Failed> {
        self.read(|d| IgnoredAny::deserialize(d).map(drop))
    }
    fn string(&mut self) -> Result<Option<CompactString>, Failed> {
        self.read(|d| d.deserialize_any(StringOrNull))
    }
    fn boolean(&mut self) -> Result<Option<bool>, Failed> {
        self.read(|d| d.deserialize_any(BoolOrNull))
    }
    fn int32(&mut self) -> Result<Option<i32>, Failed> {
        self.read(|d| d.deserialize_any(IntOrNull::<i32>::new("int32")))
    }
    fn uint32(&mut self) -> Result<Option<u32>, Failed> {
        self.read(|d| d.deserialize_any(IntOrNull::<u32>::new("uint32")))
    }
    fn int64(&mut self) -> Result<Option<i64>, Failed> {
        self.read(|d| d.deserialize_any(IntOrNull::<i64>::new("int64")))
    }
    fn uint64(&mut self) -> Result<Option<u64>, Failed> {
        self.read(|d| d.deserialize_any(IntOrNull::<u64>::new("uint64")))
    }
    fn float(&mut self) -> Result<Option<f32>, Failed> {
        // Read as f64, as JSON has one number type, then narrowed.
        self.read(|d| d.deserialize_any(DoubleOrNull))
            .map(|v| v.map(|v| v as f32))
    }
    fn double(&mut self) -> Result<Option<f64>, Failed> {
        self.read(|d| d.deserialize_any(DoubleOrNull))
    }
    fn bytes(&mut self) -> Result<Option<Bytes>, Failed> {
        self.read(Option::<Bytes>::deserialize)
    }
    fn any(&mut self) -> Result<Option<serde_json::Value>, Failed> {
        self.read(Option::<serde_json::Value>::deserialize)
    }
    fn object(&mut self, into: &mut dyn DecodeFields) -> Result<bool, Failed> {
        self.read(|d| d.deserialize_any(ObjectVisitor(into)))
    }
    fn array(
        &mut self,
        each: &mut dyn FnMut(&mut dyn Reader) -> Result<(), Failed>,
    ) -> Result<bool, Failed> {
        self.read(|d| d.deserialize_any(ArrayVisitor(each)))
    }
    fn map(
        &mut self,
        each: &mut dyn FnMut(String, &mut dyn Reader) -> Result<(), Failed>,
    ) -> Result<bool, Failed> {
        self.read(|d| d.deserialize_any(MapVisitor(each)))
    }
    fn invalid(&mut self, message: &str) -> Failed {
        self.fail(de::Error::custom(message))
    }
}

// Each visitor below reads its type or `null` in one step through
// `deserialize_any` (serde_json looks at the first byte once), where
// `Option<T>` would dispatch twice.

/// Implements `visit_unit`/`visit_none` as "absent".
macro_rules! null_is {
    ($absent:expr) => {
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok($absent)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok($absent)
        }
    };
}

struct StringOrNull;

impl<'de> Visitor<'de> for StringOrNull {
    type Value = Option<CompactString>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(CompactString::from(v)))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Some(CompactString::from(v)))
    }
    null_is!(None);
}

struct BoolOrNull;

impl<'de> Visitor<'de> for BoolOrNull {
    type Value = Option<bool>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a boolean")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Some(v))
    }
    null_is!(None);
}

/// An integer as a JSON number or string (Google sends 64-bit integers as
/// strings, and some servers send either).
pub(crate) struct IntOrNull<T> {
    name: &'static str,
    marker: std::marker::PhantomData<T>,
}

impl<T> IntOrNull<T> {
    pub(crate) fn new(name: &'static str) -> Self {
        IntOrNull {
            name,
            marker: std::marker::PhantomData,
        }
    }
}

impl<'de, T> Visitor<'de> for IntOrNull<T>
where
    T: TryFrom<i64> + TryFrom<u64> + std::str::FromStr,
{
    type Value = Option<T>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a {} as a string or number", self.name)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        T::try_from(v)
            .map(Some)
            .map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        T::try_from(v)
            .map(Some)
            .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        v.parse()
            .map(Some)
            .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
    }
    null_is!(None);
}

/// A float as a JSON number, or one of the strings proto3's JSON mapping
/// uses for what JSON numbers cannot hold (`"NaN"`, `"Infinity"`,
/// `"-Infinity"`); a number in a string is read too.
struct DoubleOrNull;

impl<'de> Visitor<'de> for DoubleOrNull {
    type Value = Option<f64>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number")
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Some(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v as f64))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(v as f64))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        v.parse()
            .map(Some)
            .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
    }
    null_is!(None);
}

/// Fills a struct from a JSON object (`false`: `null`).
struct ObjectVisitor<'a>(&'a mut dyn DecodeFields);

impl<'de> Visitor<'de> for ObjectVisitor<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "struct {}", self.0.type_name())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        while let Some(key) = map.next_key::<Key<'de>>()? {
            map.next_value_seed(FieldSeed {
                key: &key.0,
                into: &mut *self.0,
            })?;
        }
        Ok(true)
    }

    null_is!(false);
}

/// The value of one key of an object: handed to the struct's `decode_field`.
struct FieldSeed<'a, 'k> {
    key: &'k str,
    into: &'a mut dyn DecodeFields,
}

impl<'de> DeserializeSeed<'de> for FieldSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        let mut reader = ValueReader::new(d);
        match self.into.decode_field(self.key, &mut reader) {
            Ok(()) => reader.finish(),
            Err(Failed(())) => Err(reader.error()),
        }
    }
}

/// Hands each element of a JSON array to a closure (`false`: `null`).
struct ArrayVisitor<'a>(&'a mut dyn FnMut(&mut dyn Reader) -> Result<(), Failed>);

impl<'de> Visitor<'de> for ArrayVisitor<'_> {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
        while seq.next_element_seed(ElementSeed(&mut *self.0))?.is_some() {}
        Ok(true)
    }
    null_is!(false);
}

struct ElementSeed<'a>(&'a mut dyn FnMut(&mut dyn Reader) -> Result<(), Failed>);

impl<'de> DeserializeSeed<'de> for ElementSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        let mut reader = ValueReader::new(d);
        match (self.0)(&mut reader) {
            Ok(()) => reader.finish(),
            Err(Failed(())) => Err(reader.error()),
        }
    }
}

/// Hands each entry of a JSON object used as a map to a closure (`false`:
/// `null`).
struct MapVisitor<'a>(&'a mut dyn FnMut(String, &mut dyn Reader) -> Result<(), Failed>);

impl<'de> Visitor<'de> for MapVisitor<'_> {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            map.next_value_seed(EntrySeed {
                key,
                each: &mut *self.0,
            })?;
        }
        Ok(true)
    }
    null_is!(false);
}

struct EntrySeed<'a> {
    key: String,
    each: &'a mut dyn FnMut(String, &mut dyn Reader) -> Result<(), Failed>,
}

impl<'de> DeserializeSeed<'de> for EntrySeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        let mut reader = ValueReader::new(d);
        match (self.each)(self.key, &mut reader) {
            Ok(()) => reader.finish(),
            Err(Failed(())) => Err(reader.error()),
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, PartialEq)]
    struct Thing {
        name: Option<CompactString>,
        size: Option<i64>,
        tags: Option<Vec<CompactString>>,
        parts: Option<Vec<Thing>>,
        labels: Option<BTreeMap<String, i64>>,
        child: Option<Box<Thing>>,
    }

    impl DecodeFields for Thing {
        fn type_name(&self) -> &'static str {
            "Thing"
        }
        fn decode_field(&mut self, key: &str, r: &mut dyn Reader) -> Result<(), Failed> {
            match key {
                "name" => self.name = r.string()?,
                "size" => self.size = r.int64()?,
                "tags" => self.tags = list(r, |r| r.string())?,
                "parts" => self.parts = object_list(r)?,
                "labels" => self.labels = map(r, |r| r.int64())?,
                "child" => self.child = boxed_object(r)?,
                // Not read at all: the caller skips it.
                "ignored" => {}
                _ => r.skip()?,
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
            r#"{"extra":{"deep":[1,{"x":null}]},"name":"a","ignored":[{"a":1}],"size":"12","tags":null}"#,
        )
        .unwrap();
        assert_eq!(
            t,
            Thing {
                name: Some("a".into()),
                size: Some(12),
                ..Thing::default()
            }
        );
        // An escaped key is still matched; a number is accepted for int64.
        let t: Thing = serde_json::from_str(r#"{"n\u0061me":"b","size":7}"#).unwrap();
        assert_eq!((t.name.as_deref(), t.size), (Some("b"), Some(7)));
        // The same through serde_json::Value (another Deserializer).
        let v = serde_json::json!({"name": "c", "tags": ["x"]});
        let t: Thing = serde_json::from_value(v).unwrap();
        assert_eq!(t.tags, Some(vec![CompactString::from("x")]));
    }

    #[test]
    fn nested_objects_lists_and_maps() {
        let json = r#"{
            "parts": [{"name": "p0", "child": {"size": "3"}}, {"tags": ["t"]}],
            "labels": {"a": "1", "b": 2, "gone": null},
            "child": {"parts": [], "labels": null}
        }"#;
        let t: Thing = serde_json::from_str(json).unwrap();
        let parts = t.parts.unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].name.as_deref(), Some("p0"));
        assert_eq!(parts[0].child.as_ref().unwrap().size, Some(3));
        assert_eq!(parts[1].tags, Some(vec![CompactString::from("t")]));
        let labels = t.labels.unwrap();
        assert_eq!(
            labels.into_iter().collect::<Vec<_>>(),
            [("a".into(), 1), ("b".into(), 2)]
        );
        let child = t.child.unwrap();
        assert_eq!((child.parts, child.labels), (Some(vec![]), None));
    }

    #[derive(Debug, Default)]
    struct Numbers {
        ratio: Option<f64>,
        scale: Option<f32>,
        count: Option<i32>,
        small: Option<u32>,
        big: Option<u64>,
        on: Option<bool>,
    }

    impl DecodeFields for Numbers {
        fn type_name(&self) -> &'static str {
            "Numbers"
        }
        fn decode_field(&mut self, key: &str, r: &mut dyn Reader) -> Result<(), Failed> {
            match key {
                "ratio" => self.ratio = r.double()?,
                "scale" => self.scale = r.float()?,
                "count" => self.count = r.int32()?,
                "small" => self.small = r.uint32()?,
                "big" => self.big = r.uint64()?,
                "on" => self.on = r.boolean()?,
                _ => {}
            }
            Ok(())
        }
    }

    impl<'de> Deserialize<'de> for Numbers {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            decode_struct(d)
        }
    }

    #[test]
    fn decoding_into_an_existing_struct_keeps_other_fields() {
        let mut t = Thing {
            name: Some("kept".into()),
            ..Thing::default()
        };
        from_json_into(br#"{"size":"5","tags":["a"]}"#, &mut t).unwrap();
        assert_eq!((t.name.as_deref(), t.size), (Some("kept"), Some(5)));
        let err = from_json_into(br#"{"size":1} trailing"#, &mut t).unwrap_err();
        assert!(err.to_string().contains("trailing"), "{err}");
        let err = from_json_into(b"null", &mut t).unwrap_err();
        assert!(err.to_string().contains("struct Thing"), "{err}");
    }

    #[test]
    fn numbers_from_json_numbers_strings_and_proto3_specials() {
        let n: Numbers = serde_json::from_str(
            r#"{"ratio":"NaN","scale":1.5,"count":"-7","small":7,"big":"18446744073709551615","on":null}"#,
        )
        .unwrap();
        assert!(n.ratio.unwrap().is_nan());
        assert_eq!((n.scale, n.count, n.small), (Some(1.5), Some(-7), Some(7)));
        assert_eq!((n.big, n.on), (Some(u64::MAX), None));
        let n: Numbers =
            serde_json::from_str(r#"{"ratio":"-Infinity","scale":"Infinity","count":3}"#).unwrap();
        assert_eq!(n.ratio, Some(f64::NEG_INFINITY));
        assert_eq!(n.scale, Some(f32::INFINITY));
        let err = serde_json::from_str::<Numbers>(r#"{"small":-1}"#).unwrap_err();
        assert!(err.to_string().contains("uint32"), "{err}");
        let err = serde_json::from_str::<Numbers>(r#"{"count":4294967296}"#).unwrap_err();
        assert!(err.to_string().contains("int32"), "{err}");
        let err = serde_json::from_str::<Numbers>(r#"{"ratio":"lots"}"#).unwrap_err();
        assert!(err.to_string().contains("a number"), "{err}");
        let err = serde_json::from_str::<Numbers>(r#"{"on":"yes"}"#).unwrap_err();
        assert!(err.to_string().contains("a boolean"), "{err}");
    }

    #[test]
    fn errors_deep_inside_keep_their_position() {
        let err =
            serde_json::from_str::<Thing>("{\"parts\": [{}, {\"child\": {\"size\": \"x\"}}]}")
                .unwrap_err();
        assert!(err.to_string().contains("int64"), "{err}");
        assert_eq!((err.line(), err.column()), (1, 37), "{err}");
        let err = serde_json::from_str::<Thing>(r#"{"tags": ["a", null]}"#).unwrap_err();
        assert!(err.to_string().contains("null in a list"), "{err}");
        let err = serde_json::from_str::<Thing>(r#"{"parts": [null]}"#).unwrap_err();
        assert!(
            err.to_string().contains("null in a list of objects"),
            "{err}"
        );
        let err = serde_json::from_str::<Thing>(r#"{"child": 5}"#).unwrap_err();
        assert!(err.to_string().contains("struct Thing"), "{err}");
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
