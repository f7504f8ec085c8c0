//! Encoding generated structs: one call per field, each shared by every
//! field of the same Rust type.
//!
//! Why not `#[derive(Serialize)]`: with `skip_serializing_if` on every
//! field, serde's derive counts the set fields, then tests and writes each
//! one inline, per struct: for Drive's 60-field `File` that is about 7,000
//! lines of LLVM IR for every serializer it is used with, in the generated
//! crate's own build. Generated code instead writes the struct as a map of
//! the fields that are set, through [`field`] and [`int64_field`]. The JSON
//! is the same: absent fields are left out, names are the wire names.

use serde::ser::{Serialize, SerializeMap};

use crate::wire::StringInt;

/// Writes `key: value` when the field is set; nothing when it is `None`.
///
/// # Errors
/// The serializer's.
pub fn field<M: SerializeMap, T: Serialize>(
    map: &mut M,
    key: &'static str,
    value: &Option<T>,
) -> Result<(), M::Error> {
    match value {
        Some(v) => map.serialize_entry(key, v),
        None => Ok(()),
    }
}

/// [`field`] for 64-bit integers (and lists and maps of them), which
/// travel as JSON strings.
///
/// # Errors
/// The serializer's.
pub fn int64_field<M: SerializeMap, T: StringInt>(
    map: &mut M,
    key: &'static str,
    value: &Option<T>,
) -> Result<(), M::Error> {
    match value {
        Some(v) => map.serialize_entry(key, &crate::wire::AsString(v)),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serializer;

    struct Thing {
        name: Option<String>,
        size: Option<i64>,
        sizes: Option<Vec<u64>>,
        tags: Option<Vec<String>>,
    }

    impl Serialize for Thing {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut map = s.serialize_map(None)?;
            field(&mut map, "name", &self.name)?;
            int64_field(&mut map, "size", &self.size)?;
            int64_field(&mut map, "sizes", &self.sizes)?;
            field(&mut map, "tags", &self.tags)?;
            map.end()
        }
    }

    #[test]
    fn set_fields_are_written_in_order_and_unset_ones_left_out() {
        let full = Thing {
            name: Some("a\"b".into()),
            size: Some(-5),
            sizes: Some(vec![u64::MAX]),
            tags: Some(vec![]),
        };
        assert_eq!(
            serde_json::to_string(&full).unwrap(),
            r#"{"name":"a\"b","size":"-5","sizes":["18446744073709551615"],"tags":[]}"#
        );
        let empty = Thing {
            name: None,
            size: None,
            sizes: None,
            tags: None,
        };
        assert_eq!(serde_json::to_string(&empty).unwrap(), "{}");
        assert_eq!(serde_json::to_value(&empty).unwrap(), serde_json::json!({}));
    }
}
