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
        pub struct $name(pub(crate) CompactString);

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

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl crate::ParamValue for $name {
            fn to_param(&self) -> std::borrow::Cow<'_, str> {
                std::borrow::Cow::Borrowed(&self.0)
            }
        }
    };
}

/// Text that must be checked before it becomes a `$name`: `parse()` and
/// `TryFrom<&str>`/`TryFrom<String>`, never an unchecked `From`.
macro_rules! checked_from_text {
    ($name:ident, $check:path) => {
        impl std::str::FromStr for $name {
            type Err = FormatError;
            fn from_str(text: &str) -> Result<Self, FormatError> {
                $check(text)?;
                Ok($name(CompactString::from(text)))
            }
        }

        impl TryFrom<&str> for $name {
            type Error = FormatError;
            fn try_from(text: &str) -> Result<Self, FormatError> {
                text.parse()
            }
        }

        impl TryFrom<String> for $name {
            type Error = FormatError;
            fn try_from(text: String) -> Result<Self, FormatError> {
                $check(&text)?;
                Ok($name(CompactString::from(text)))
            }
        }

        impl TryFrom<&String> for $name {
            type Error = FormatError;
            fn try_from(text: &String) -> Result<Self, FormatError> {
                text.parse()
            }
        }
    };
}

string_newtype!(
    /// An RFC 3339 timestamp (`date-time`, `google-datetime`), e.g.
    /// `2024-05-01T12:34:56.789Z`.
    ///
    /// From text it is checked: `"2026-12-01T00:00:00Z".parse()?` (or
    /// `DateTime::try_from`) refuses `"yesterday"`, a date without an
    /// offset, or 31 February, with an error naming the value. From a time
    /// value it cannot fail: `SystemTime`, and with this crate's features
    /// `chrono` (`chrono::DateTime<Tz>`), `time` (`time::OffsetDateTime`)
    /// and `jiff` 1 (`jiff::Timestamp`, `jiff::ZonedDateTime`); each converts back
    /// with `TryFrom<&DateTime>`. A value decoded from a response is kept
    /// as Google sent it.
    DateTime
);
checked_from_text!(DateTime, check_date_time);
string_newtype!(
    /// A duration in seconds with up to nine fractional digits and an `s`
    /// suffix (`google-duration`), e.g. `3.5s`.
    ///
    /// From text it is checked (`"3.5s".parse()?`); from a
    /// `std::time::Duration` it cannot fail.
    Duration
);
checked_from_text!(Duration, check_duration);
string_newtype!(
    /// Comma-separated field paths (`google-fieldmask`), e.g. `name,size`.
    /// Any text converts (the server checks the paths against its schema).
    FieldMask
);

impl From<&str> for FieldMask {
    fn from(s: &str) -> Self {
        FieldMask(CompactString::from(s))
    }
}

impl From<String> for FieldMask {
    fn from(s: String) -> Self {
        FieldMask(CompactString::from(s))
    }
}

/// Days in `month` of `year` (proleptic Gregorian).
fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// RFC 3339 with its offset (`Z` or `±hh:mm`), a real calendar day.
fn check_date_time(text: &str) -> Result<(), FormatError> {
    let error = || format_error("RFC 3339 timestamp (e.g. 2026-12-01T00:00:00Z)", text);
    gapi_credentials::rfc3339::parse(text).ok_or_else(error)?;
    let bytes = text.as_bytes();
    let has_offset = matches!(bytes.last(), Some(b'Z' | b'z'))
        || (bytes.len() > 6
            && matches!(bytes[bytes.len() - 6], b'+' | b'-')
            && bytes[bytes.len() - 3] == b':');
    let number = |r: std::ops::Range<usize>| text.get(r).and_then(|d| d.parse::<i64>().ok());
    let (year, month, day) = (number(0..4), number(5..7), number(8..10));
    let real_day =
        matches!((year, month, day), (Some(y), Some(m), Some(d)) if d <= days_in_month(y, m));
    if has_offset && real_day && bytes[10] == b'T' {
        Ok(())
    } else {
        Err(error())
    }
}

/// `[-]SECONDS[.FRACTION]s`, at most nine fractional digits.
fn check_duration(text: &str) -> Result<(), FormatError> {
    let error = || format_error("google-duration (e.g. 3.5s)", text);
    let body = text.strip_suffix('s').ok_or_else(error)?;
    let body = body.strip_prefix('-').unwrap_or(body);
    let (whole, fraction) = body.split_once('.').unwrap_or((body, "0"));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if digits(whole) && digits(fraction) && fraction.len() <= 9 && whole.len() <= 12 {
        Ok(())
    } else {
        Err(error())
    }
}

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

    /// Formats a `SystemTime` as RFC 3339 in UTC (as `DateTime::from(t)`).
    pub fn from_system_time(t: SystemTime) -> Self {
        let (secs, nanos) = gapi_credentials::rfc3339::from_system_time(t);
        DateTime::from_unix(secs, nanos)
    }

    /// RFC 3339 in UTC for `secs` and `nanos` since the Unix epoch.
    fn from_unix(secs: i64, nanos: u32) -> Self {
        DateTime(CompactString::from(gapi_credentials::rfc3339::format(
            secs, nanos, false,
        )))
    }

    /// The time now, as `DateTime::from(SystemTime::now())`.
    pub fn now() -> Self {
        DateTime::from_system_time(SystemTime::now())
    }
}

impl From<SystemTime> for DateTime {
    fn from(t: SystemTime) -> Self {
        DateTime::from_system_time(t)
    }
}

impl TryFrom<&DateTime> for SystemTime {
    type Error = FormatError;
    fn try_from(t: &DateTime) -> Result<Self, FormatError> {
        t.to_system_time()
    }
}

#[cfg(feature = "chrono")]
impl<Tz: chrono::TimeZone> From<chrono::DateTime<Tz>> for DateTime {
    fn from(t: chrono::DateTime<Tz>) -> Self {
        DateTime::from_unix(t.timestamp(), t.timestamp_subsec_nanos())
    }
}

#[cfg(feature = "chrono")]
impl TryFrom<&DateTime> for chrono::DateTime<chrono::Utc> {
    type Error = FormatError;
    fn try_from(t: &DateTime) -> Result<Self, FormatError> {
        let (secs, nanos) = t.unix_timestamp()?;
        chrono::DateTime::from_timestamp(secs, nanos)
            .ok_or_else(|| format_error("chrono timestamp (out of range)", t.as_str()))
    }
}

#[cfg(feature = "time")]
impl From<time::OffsetDateTime> for DateTime {
    fn from(t: time::OffsetDateTime) -> Self {
        DateTime::from_unix(t.unix_timestamp(), t.nanosecond())
    }
}

#[cfg(feature = "time")]
impl TryFrom<&DateTime> for time::OffsetDateTime {
    type Error = FormatError;
    fn try_from(t: &DateTime) -> Result<Self, FormatError> {
        let (secs, nanos) = t.unix_timestamp()?;
        time::OffsetDateTime::from_unix_timestamp_nanos(
            i128::from(secs) * 1_000_000_000 + i128::from(nanos),
        )
        .map_err(|_| format_error("time::OffsetDateTime (out of range)", t.as_str()))
    }
}

#[cfg(feature = "jiff")]
impl From<jiff::Timestamp> for DateTime {
    fn from(t: jiff::Timestamp) -> Self {
        // jiff keeps the sign in both parts; the calendar wants whole
        // seconds rounded down and a positive fraction.
        let (mut secs, mut nanos) = (t.as_second(), t.subsec_nanosecond());
        if nanos < 0 {
            secs -= 1;
            nanos += 1_000_000_000;
        }
        DateTime::from_unix(secs, nanos.unsigned_abs())
    }
}

#[cfg(feature = "jiff")]
impl From<jiff::ZonedDateTime> for DateTime {
    fn from(t: jiff::ZonedDateTime) -> Self {
        DateTime::from(t.timestamp())
    }
}

#[cfg(feature = "jiff")]
impl TryFrom<&DateTime> for jiff::Timestamp {
    type Error = FormatError;
    fn try_from(t: &DateTime) -> Result<Self, FormatError> {
        let (secs, nanos) = t.unix_timestamp()?;
        jiff::Timestamp::new(secs, i32::try_from(nanos).unwrap_or(0))
            .map_err(|_| format_error("jiff::Timestamp (out of range)", t.as_str()))
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
        Duration(CompactString::from(if d.subsec_nanos() == 0 {
            format!("{}s", d.as_secs())
        } else {
            let frac = format!("{:09}", d.subsec_nanos());
            format!("{}.{}s", d.as_secs(), frac.trim_end_matches('0'))
        }))
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
        let t: DateTime = "2024-05-01T12:34:56.789Z".parse().unwrap();
        assert_eq!(t.unix_timestamp().unwrap(), (1_714_566_896, 789_000_000));
        let offset = DateTime::try_from("2024-05-01T14:34:56+02:00").unwrap();
        assert_eq!(offset.unix_timestamp().unwrap().0, 1_714_566_896);
        let back = DateTime::from(SystemTime::try_from(&t).unwrap());
        assert_eq!(back.as_str(), "2024-05-01T12:34:56.789Z");
        // A response's text is kept as sent; asking for its time says why not.
        let sent: DateTime = serde_json::from_str(r#""yesterday""#).unwrap();
        assert_eq!(
            sent.unix_timestamp().unwrap_err().to_string(),
            r#"invalid RFC 3339 timestamp: "yesterday""#
        );
        assert_eq!(
            DateTime::from_system_time(UNIX_EPOCH).as_str(),
            "1970-01-01T00:00:00Z"
        );
    }

    #[test]
    fn datetime_from_text_is_checked() {
        for bad in [
            "yesterday",
            "2026-12-01",
            "2026-12-01T00:00:00",
            "2026-02-30T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-12-01T25:00:00Z",
            "2026-12-01 00:00:00Z",
            "2026-12-01T00:00:00+0100",
            "",
        ] {
            let error = bad.parse::<DateTime>().unwrap_err();
            assert_eq!(
                error.to_string(),
                format!("invalid RFC 3339 timestamp (e.g. 2026-12-01T00:00:00Z): {bad:?}")
            );
            assert!(DateTime::try_from(bad.to_string()).is_err());
        }
        for good in [
            "2026-12-01T00:00:00Z",
            "2024-02-29T23:59:59.999999999Z",
            "2026-12-01T09:30:00-05:00",
        ] {
            assert_eq!(good.parse::<DateTime>().unwrap().as_str(), good);
        }
        assert!(DateTime::now().unix_timestamp().is_ok());
    }

    #[cfg(feature = "chrono")]
    #[test]
    fn datetime_converts_with_chrono() {
        use chrono::TimeZone;
        let t = chrono::FixedOffset::east_opt(3600)
            .unwrap()
            .with_ymd_and_hms(2026, 12, 1, 1, 0, 0)
            .unwrap();
        let ours = DateTime::from(t);
        assert_eq!(ours.as_str(), "2026-12-01T00:00:00Z");
        let back = chrono::DateTime::<chrono::Utc>::try_from(&ours).unwrap();
        assert_eq!(back, t);
    }

    #[cfg(feature = "time")]
    #[test]
    fn datetime_converts_with_time() {
        let t = time::OffsetDateTime::from_unix_timestamp_nanos(1_764_547_200_500_000_000).unwrap();
        let ours = DateTime::from(t);
        assert_eq!(ours.as_str(), "2025-12-01T00:00:00.5Z");
        assert_eq!(time::OffsetDateTime::try_from(&ours).unwrap(), t);
    }

    #[cfg(feature = "jiff")]
    #[test]
    fn datetime_converts_with_jiff() {
        let t = jiff::Timestamp::new(-1, 250_000_000).unwrap();
        let ours = DateTime::from(t);
        assert_eq!(ours.as_str(), "1969-12-31T23:59:59.25Z");
        assert_eq!(jiff::Timestamp::try_from(&ours).unwrap(), t);
        let zoned = jiff::Timestamp::new(1_764_547_200, 0)
            .unwrap()
            .to_zoned_datetime(jiff::tz::TimeZone::fixed(jiff::tz::offset(2)));
        assert_eq!(DateTime::from(zoned).as_str(), "2025-12-01T00:00:00Z");
    }

    #[test]
    fn duration_round_trips() {
        assert_eq!(
            "3.5s".parse::<Duration>().unwrap().to_std().unwrap(),
            StdDuration::from_millis(3500)
        );
        for bad in ["5", "3.5", "s", "1.1234567891s", "-s", "1 s"] {
            assert!(bad.parse::<Duration>().is_err(), "{bad}");
        }
        assert_eq!("-2.5s".parse::<Duration>().unwrap().as_str(), "-2.5s");
        assert_eq!(
            Duration::from(StdDuration::from_millis(1500)).as_str(),
            "1.5s"
        );
        assert_eq!(Duration::from(StdDuration::from_secs(60)).as_str(), "60s");
        assert!(Duration::try_from("-1s").unwrap().to_std().is_err());
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
