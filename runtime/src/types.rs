//! Value types for the string formats of discovery documents.
//!
//! They keep the wire text (so decoding a response costs one string copy,
//! not a calendar computation) and convert on demand.

use std::fmt;
use std::time::{Duration as StdDuration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use compact_str::CompactString;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

macro_rules! string_newtype {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub CompactString);

        // By hand, as the text it wraps (serde's derive would make every
        // application compile serde_derive).
        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                CompactString::deserialize(d).map($name)
            }
        }

        impl $name {
            /// The wire text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                $name(CompactString::from(s))
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                $name(CompactString::from(s))
            }
        }

        impl From<CompactString> for $name {
            fn from(s: CompactString) -> Self {
                $name(s)
            }
        }

        impl crate::ParamValue for $name {
            fn to_param(&self) -> std::borrow::Cow<'_, str> {
                std::borrow::Cow::Borrowed(&self.0)
            }
        }
    };
}

string_newtype!(
    /// An RFC 3339 timestamp (`date-time`, `google-datetime`), e.g.
    /// `2024-05-01T12:34:56.789Z`.
    DateTime
);
string_newtype!(
    /// A duration in seconds with up to nine fractional digits and an `s`
    /// suffix (`google-duration`), e.g. `3.5s`.
    Duration
);
string_newtype!(
    /// Comma-separated field paths (`google-fieldmask`), e.g. `name,size`.
    FieldMask
);

/// Why a value did not convert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatError {
    kind: &'static str,
    value: String,
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid {}: {:?}", self.kind, self.value)
    }
}

impl std::error::Error for FormatError {}

fn format_error(kind: &'static str, value: &str) -> FormatError {
    FormatError {
        kind,
        value: value.to_string(),
    }
}

impl DateTime {
    /// Seconds and nanoseconds since the Unix epoch (UTC).
    ///
    /// # Errors
    /// When the text is not RFC 3339.
    pub fn unix_timestamp(&self) -> Result<(i64, u32), FormatError> {
        gapi_credentials::rfc3339::parse(&self.0)
            .ok_or_else(|| format_error("RFC 3339 timestamp", &self.0))
    }

    /// As a `SystemTime`.
    ///
    /// # Errors
    /// When the text is not RFC 3339.
    pub fn to_system_time(&self) -> Result<SystemTime, FormatError> {
        let (secs, nanos) = self.unix_timestamp()?;
        let t = if secs >= 0 {
            UNIX_EPOCH + StdDuration::new(secs.unsigned_abs(), nanos)
        } else {
            UNIX_EPOCH - StdDuration::from_secs(secs.unsigned_abs())
                + StdDuration::from_nanos(u64::from(nanos))
        };
        Ok(t)
    }

    /// Formats a `SystemTime` as RFC 3339 in UTC.
    pub fn from_system_time(t: SystemTime) -> Self {
        let (secs, nanos) = gapi_credentials::rfc3339::from_system_time(t);
        DateTime::from(gapi_credentials::rfc3339::format(secs, nanos, false))
    }
}

impl Duration {
    /// As a `std::time::Duration` (negative durations are an error).
    ///
    /// # Errors
    /// When the text is not `<seconds>[.<fraction>]s` or is negative.
    pub fn to_std(&self) -> Result<StdDuration, FormatError> {
        let err = || format_error("google-duration", &self.0);
        let body = self.0.strip_suffix('s').ok_or_else(err)?;
        let (whole, frac) = body.split_once('.').unwrap_or((body, ""));
        let secs: u64 = whole.parse().map_err(|_| err())?;
        if frac.len() > 9 || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err());
        }
        let nanos: u32 = if frac.is_empty() {
            0
        } else {
            format!("{frac:0<9}").parse().map_err(|_| err())?
        };
        Ok(StdDuration::new(secs, nanos))
    }
}

impl From<StdDuration> for Duration {
    fn from(d: StdDuration) -> Self {
        if d.subsec_nanos() == 0 {
            Duration::from(format!("{}s", d.as_secs()))
        } else {
            let frac = format!("{:09}", d.subsec_nanos());
            Duration::from(format!("{}.{}s", d.as_secs(), frac.trim_end_matches('0')))
        }
    }
}

impl FieldMask {
    /// The individual paths.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.0.split(',').map(str::trim).filter(|p| !p.is_empty())
    }

    /// Joins paths.
    pub fn from_paths<I: IntoIterator<Item = S>, S: AsRef<str>>(paths: I) -> Self {
        let joined: Vec<String> = paths.into_iter().map(|p| p.as_ref().to_string()).collect();
        FieldMask::from(joined.join(","))
    }
}

/// Binary data (`byte` format): base64 on the wire. Input accepts the
/// standard and URL-safe alphabets, padded or not; output is standard,
/// padded base64.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Bytes(pub Vec<u8>);

impl Bytes {
    /// Decodes base64 in either alphabet.
    ///
    /// # Errors
    /// When the text is not base64.
    pub fn from_base64(text: &str) -> Result<Self, FormatError> {
        use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
        use base64::engine::DecodePaddingMode;
        const CONFIG: GeneralPurposeConfig =
            GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
        const STANDARD: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::STANDARD, CONFIG);
        const URL_SAFE: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::URL_SAFE, CONFIG);
        let engine = if text.contains(['-', '_']) {
            &URL_SAFE
        } else {
            &STANDARD
        };
        engine
            .decode(text.trim())
            .map(Bytes)
            .map_err(|_| format_error("base64", text))
    }

    /// Standard padded base64.
    pub fn to_base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(&self.0)
    }
}

impl From<Vec<u8>> for Bytes {
    fn from(v: Vec<u8>) -> Self {
        Bytes(v)
    }
}

impl From<&[u8]> for Bytes {
    fn from(v: &[u8]) -> Self {
        Bytes(v.to_vec())
    }
}

impl Serialize for Bytes {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_base64())
    }
}

impl<'de> Deserialize<'de> for Bytes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Bytes;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("base64 text")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Bytes, E> {
                Bytes::from_base64(v).map_err(E::custom)
            }
        }
        d.deserialize_str(V)
    }
}

impl crate::ParamValue for Bytes {
    fn to_param(&self) -> std::borrow::Cow<'_, str> {
        std::borrow::Cow::Owned(self.to_base64())
    }
}

/// Reads an open enum from a JSON string (used by [`crate::open_enum!`]).
#[doc(hidden)]
pub fn deserialize_enum<'de, D: Deserializer<'de>, T: for<'a> From<&'a str>>(
    d: D,
) -> Result<T, D::Error> {
    struct V<T>(std::marker::PhantomData<T>);
    impl<T: for<'a> From<&'a str>> Visitor<'_> for V<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an enum value as a string")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
            Ok(T::from(v))
        }
    }
    d.deserialize_str(V(std::marker::PhantomData))
}

/// Defines an open enum: the known values as variants, plus `Unknown(String)`
/// for values this version has not seen, which round-trip unchanged.
///
/// Generated code writes the enum itself (so it reads as plain, formatted
/// Rust) and takes only the impls from [`open_enum_impls!`](crate::open_enum_impls); this macro does
/// both, for hand-written enums.
#[macro_export]
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $value:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )*
            /// A value not known when this crate was generated.
            Unknown(::std::string::String),
        }

        $crate::open_enum_impls!($name { $( $variant = $value, )* });
    };
}

/// The impls of an open enum (`enum X { A, B, Unknown(String) }`): its wire
/// values (`as_str`, `From<&str>`, `Display`), serde, and use as a parameter.
#[macro_export]
macro_rules! open_enum_impls {
    ($name:ident { $( $variant:ident = $value:literal, )* }) => {
        impl $name {
            /// The wire value.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $value, )*
                    Self::Unknown(value) => value,
                }
            }
        }

        impl ::std::convert::From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $( $value => Self::$variant, )*
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl $crate::serde::Serialize for $name {
            fn serialize<S: $crate::serde::Serializer>(&self, s: S) -> ::std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> $crate::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
                $crate::types::deserialize_enum(d)
            }
        }

        impl $crate::ParamValue for $name {
            fn to_param(&self) -> ::std::borrow::Cow<'_, str> {
                ::std::borrow::Cow::Borrowed(self.as_str())
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetime_parses_and_formats() {
        let t = DateTime::from("2024-05-01T12:34:56.789Z");
        assert_eq!(t.unix_timestamp().unwrap(), (1_714_566_896, 789_000_000));
        let offset = DateTime::from("2024-05-01T14:34:56+02:00");
        assert_eq!(offset.unix_timestamp().unwrap().0, 1_714_566_896);
        let back = DateTime::from_system_time(t.to_system_time().unwrap());
        assert_eq!(back.as_str(), "2024-05-01T12:34:56.789Z");
        assert!(DateTime::from("yesterday").unix_timestamp().is_err());
        assert_eq!(
            DateTime::from_system_time(UNIX_EPOCH).as_str(),
            "1970-01-01T00:00:00Z"
        );
    }

    #[test]
    fn duration_round_trips() {
        assert_eq!(
            Duration::from("3.5s").to_std().unwrap(),
            StdDuration::from_millis(3500)
        );
        assert_eq!(
            Duration::from(StdDuration::from_millis(1500)).as_str(),
            "1.5s"
        );
        assert_eq!(Duration::from(StdDuration::from_secs(60)).as_str(), "60s");
        assert!(Duration::from("-1s").to_std().is_err());
        assert!(Duration::from("5").to_std().is_err());
    }

    #[test]
    fn bytes_accept_both_alphabets() {
        let std: Bytes = serde_json::from_str(r#""+/8=""#).unwrap();
        let url: Bytes = serde_json::from_str(r#""-_8""#).unwrap();
        assert_eq!(std, Bytes(vec![0xfb, 0xff]));
        assert_eq!(url, std);
        assert_eq!(serde_json::to_string(&url).unwrap(), r#""+/8=""#);
        assert!(serde_json::from_str::<Bytes>(r#""!!""#).is_err());
    }

    #[test]
    fn field_mask_paths() {
        let m = FieldMask::from_paths(["name", "size"]);
        assert_eq!(m.as_str(), "name,size");
        assert_eq!(m.paths().collect::<Vec<_>>(), ["name", "size"]);
    }

    crate::open_enum! {
        /// Test enum.
        pub enum Color { Red = "RED", LowerRed = "red", }
    }

    #[test]
    fn open_enum_keeps_unknown_values() {
        let v: Vec<Color> = serde_json::from_str(r#"["RED","red","BLUE"]"#).unwrap();
        assert_eq!(
            v,
            vec![Color::Red, Color::LowerRed, Color::Unknown("BLUE".into())]
        );
        assert_eq!(
            serde_json::to_string(&v).unwrap(),
            r#"["RED","red","BLUE"]"#
        );
    }
}
