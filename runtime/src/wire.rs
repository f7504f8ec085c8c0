//! Wire representations that differ from the Rust type: 64-bit integers
//! travel as JSON strings (`"size": "1024"`), at any nesting depth.
//!
//! Generated structs write them through [`crate::encode::int64_field`] and
//! read them through [`crate::decode`]; hand-written types can use
//! `#[serde(with = "gapi_runtime::wire::int64")]` for `i64`/`u64` and any
//! `Option`/`Vec`/map of them. Input accepts a string or a number, since
//! some servers send either.

use std::collections::BTreeMap;

use serde::de::{self, Deserializer};
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};

/// A type whose 64-bit integers travel as strings.
pub trait StringInt: Sized {
    /// Writes the wire form.
    fn ser<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error>;
    /// Reads the wire form.
    fn de<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error>;
}

macro_rules! string_int {
    ($t:ty, $name:literal) => {
        impl StringInt for $t {
            fn ser<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
            fn de<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                // The decoder's visitor (a string or a number), with `null`
                // refused: here the value is not optional.
                d.deserialize_any(crate::decode::IntOrNull::<$t>::new($name))?
                    .ok_or_else(|| {
                        de::Error::invalid_type(
                            de::Unexpected::Unit,
                            &concat!("a ", $name, " as a string or number"),
                        )
                    })
            }
        }
    };
}
string_int!(i64, "int64");
string_int!(u64, "uint64");

/// Serializes a [`StringInt`] in its wire form.
pub(crate) struct AsString<'a, T>(pub(crate) &'a T);
impl<T: StringInt> Serialize for AsString<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.ser(s)
    }
}

struct De<T>(T);
impl<'de, T: StringInt> Deserialize<'de> for De<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        T::de(d).map(De)
    }
}

impl<T: StringInt> StringInt for Option<T> {
    fn ser<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Some(v) => s.serialize_some(&AsString(v)),
            None => s.serialize_none(),
        }
    }
    fn de<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Option::<De<T>>::deserialize(d).map(|o| o.map(|v| v.0))
    }
}

impl<T: StringInt> StringInt for Vec<T> {
    fn ser<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.len()))?;
        for v in self {
            seq.serialize_element(&AsString(v))?;
        }
        seq.end()
    }
    fn de<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Vec::<De<T>>::deserialize(d).map(|v| v.into_iter().map(|x| x.0).collect())
    }
}

impl<T: StringInt> StringInt for BTreeMap<String, T> {
    fn ser<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.len()))?;
        for (k, v) in self {
            map.serialize_entry(k, &AsString(v))?;
        }
        map.end()
    }
    fn de<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        BTreeMap::<String, De<T>>::deserialize(d)
            .map(|m| m.into_iter().map(|(k, v)| (k, v.0)).collect())
    }
}

/// `#[serde(with = "gapi_runtime::wire::int64")]`.
pub mod int64 {
    use super::StringInt;
    use serde::{Deserializer, Serializer};

    /// Serializes with integers as strings.
    pub fn serialize<T: StringInt, S: Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
        value.ser(s)
    }

    /// Deserializes integers from strings or numbers.
    pub fn deserialize<'de, T: StringInt, D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
        T::de(d)
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};
    use std::collections::BTreeMap;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct T {
        #[serde(
            with = "super::int64",
            default,
            skip_serializing_if = "Option::is_none"
        )]
        size: Option<i64>,
        #[serde(with = "super::int64", default)]
        list: Vec<u64>,
        #[serde(with = "super::int64", default)]
        map: BTreeMap<String, i64>,
    }

    #[test]
    fn int64_travels_as_strings_and_reads_numbers_too() {
        let t: T = serde_json::from_str(
            r#"{"size":"-5","list":["18446744073709551615",3],"map":{"a":"9"}}"#,
        )
        .unwrap();
        assert_eq!(t.size, Some(-5));
        assert_eq!(t.list, vec![u64::MAX, 3]);
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            r#"{"size":"-5","list":["18446744073709551615","3"],"map":{"a":"9"}}"#
        );
        let none: T = serde_json::from_str("{}").unwrap();
        assert_eq!(none.size, None);
        assert_eq!(
            serde_json::to_string(&none).unwrap(),
            r#"{"list":[],"map":{}}"#
        );
        let err = serde_json::from_str::<T>(r#"{"size":"12x"}"#).unwrap_err();
        assert!(err.to_string().contains("int64"), "{err}");
    }
}
