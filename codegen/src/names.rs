//! Every naming rule of the generator, in one place.
//!
//! - Words are split on punctuation (`$`, `@`, `-`, `.`, spaces, …) and on
//!   case changes (`HTTPHealthCheck` → `HTTP Health Check`, `v1Beta` →
//!   `v1 Beta`).
//! - Types and enum variants are `UpperCamelCase`; fields, methods and
//!   parameters are `snake_case`.
//! - Rust keywords become raw identifiers (`r#type`), except the four that
//!   cannot be raw (`self`, `Self`, `super`, `crate`), which get a trailing `_`.
//! - A name starting with a digit gets a leading `_` (fields) or `V` (types,
//!   variants); an empty name becomes `value`/`Value`.
//! - Collisions within one namespace are resolved by [`Namespace`]: a name
//!   that is already in canonical form keeps it; later claimants get `2`,
//!   `3`, … appended, in sorted input order, so output is deterministic.

use std::collections::BTreeSet;

/// An identifier as the emitter needs it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RustName {
    /// The text without `r#`.
    pub text: String,
    /// Whether it must be written as a raw identifier.
    pub raw: bool,
}

impl RustName {
    /// The identifier as it appears in source (`r#type`).
    pub fn source(&self) -> String {
        if self.raw {
            format!("r#{}", self.text)
        } else {
            self.text.clone()
        }
    }
}

const KEYWORDS: &[&str] = &[
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for",
    "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return",
    "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where",
    "while", "async", "await", "dyn", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen", "union",
];

/// Keywords that have no raw form.
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate", "_"];

/// Splits a wire name into words.
pub fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    for chunk in name.split(|c: char| !c.is_ascii_alphanumeric()) {
        let chars: Vec<char> = chunk.chars().collect();
        let mut current = String::new();
        for (i, &c) in chars.iter().enumerate() {
            let prev = i.checked_sub(1).map(|j| chars[j]);
            let next = chars.get(i + 1).copied();
            let boundary = match prev {
                None => false,
                Some(p) => {
                    (c.is_ascii_uppercase() && (p.is_ascii_lowercase() || p.is_ascii_digit()))
                        || (c.is_ascii_uppercase()
                            && p.is_ascii_uppercase()
                            && next.is_some_and(|n| n.is_ascii_lowercase()))
                }
            };
            if boundary && !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            current.push(c);
        }
        if !current.is_empty() {
            out.push(current);
        }
    }
    out
}

/// `snake_case` text (not yet keyword-safe).
pub fn snake(name: &str) -> String {
    let w: Vec<String> = words(name).iter().map(|w| w.to_ascii_lowercase()).collect();
    w.join("_")
}

/// `UpperCamelCase` text (not yet keyword-safe).
pub fn camel(name: &str) -> String {
    words(name)
        .iter()
        .map(|w| {
            let lower = w.to_ascii_lowercase();
            let mut c = lower.chars();
            match c.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// `SCREAMING_SNAKE_CASE` text.
pub fn screaming(name: &str) -> String {
    snake(name).to_ascii_uppercase()
}

fn make_safe(mut text: String, empty: &str, digit_prefix: &str) -> RustName {
    if text.is_empty() {
        text = empty.to_string();
    }
    if text.starts_with(|c: char| c.is_ascii_digit()) {
        text = format!("{digit_prefix}{text}");
    }
    if NOT_RAW.contains(&text.as_str()) {
        return RustName {
            text: format!("{text}_"),
            raw: false,
        };
    }
    let raw = KEYWORDS.contains(&text.as_str());
    RustName { text, raw }
}

/// A field, method or parameter name.
pub fn value_name(wire: &str) -> RustName {
    make_safe(snake(wire), "value", "_")
}

/// The `with_*` setter of a struct field (`with_type` for `r#type`): never
/// a keyword, and unique because field names are.
pub fn setter_name(field: &RustName) -> RustName {
    RustName {
        text: format!("with_{}", field.text),
        raw: false,
    }
}

/// A type or enum variant name.
pub fn type_name(wire: &str) -> RustName {
    make_safe(camel(wire), "Value", "V")
}

/// A constant name (`DRIVE_READONLY`).
pub fn const_name(wire: &str) -> RustName {
    make_safe(screaming(wire), "VALUE", "V")
}

/// One scope of names (a module's types, a struct's fields, an impl's
/// methods). Claims are resolved in call order; callers claim in sorted order.
#[derive(Debug, Default, Clone)]
pub struct Namespace {
    taken: BTreeSet<String>,
}

impl Namespace {
    /// A namespace in which `reserved` are already taken.
    pub fn with_reserved(reserved: &[&str]) -> Self {
        Namespace {
            taken: reserved.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// Whether `text` is taken.
    pub fn is_taken(&self, text: &str) -> bool {
        self.taken.contains(text)
    }

    /// Takes `wanted`, or `wanted` + the first free suffix.
    pub fn claim(&mut self, wanted: RustName) -> RustName {
        self.claim_with(wanted, "")
    }

    /// Takes `wanted`; on collision tries `wanted` + `suffix` first, then numbers.
    pub fn claim_with(&mut self, wanted: RustName, suffix: &str) -> RustName {
        if self.taken.insert(wanted.text.clone()) {
            return wanted;
        }
        let base = wanted.text.trim_end_matches('_').to_string();
        let plain = |text: String| RustName { text, raw: false };
        if !suffix.is_empty() && self.taken.insert(format!("{base}{suffix}")) {
            return plain(format!("{base}{suffix}"));
        }
        // snake_case names get `_2`, CamelCase names `2`.
        let sep = if base.starts_with(|c: char| c.is_ascii_uppercase()) {
            ""
        } else {
            "_"
        };
        let mut n = 2u32;
        loop {
            let candidate = format!("{base}{sep}{n}");
            if self.taken.insert(candidate.clone()) {
                return plain(candidate);
            }
            n += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_on_case_and_punctuation() {
        assert_eq!(words("HTTPHealthCheck"), ["HTTP", "Health", "Check"]);
        assert_eq!(words("endDate.day"), ["end", "Date", "day"]);
        assert_eq!(words("$.xgafv"), ["xgafv"]);
        assert_eq!(words("start-date"), ["start", "date"]);
        assert_eq!(words("v1Beta2"), ["v1", "Beta2"]);
        assert_eq!(words("@type"), ["type"]);
    }

    #[test]
    fn value_names_are_keyword_safe() {
        assert_eq!(value_name("type").source(), "r#type");
        assert_eq!(value_name("self").source(), "self_");
        assert_eq!(value_name("pageSize").source(), "page_size");
        assert_eq!(value_name("$ref").source(), "r#ref");
        assert_eq!(value_name("30fps").source(), "_30fps");
        assert_eq!(value_name("").source(), "value");
        assert_eq!(value_name("move").source(), "r#move");
    }

    #[test]
    fn type_names() {
        assert_eq!(type_name("HTTPHealthCheck").source(), "HttpHealthCheck");
        assert_eq!(type_name("7DAYS").source(), "V7Days");
        assert_eq!(type_name("next-page").source(), "NextPage");
        assert_eq!(type_name("Self").source(), "Self_");
        assert_eq!(type_name("").source(), "Value");
    }

    #[test]
    fn namespace_resolves_collisions_deterministically() {
        let mut ns = Namespace::default();
        assert_eq!(ns.claim(type_name("ACTIVATED")).text, "Activated");
        assert_eq!(ns.claim(type_name("activated")).text, "Activated2");
        let mut ns = Namespace::with_reserved(&["execute"]);
        assert_eq!(
            ns.claim_with(value_name("execute"), "_param").text,
            "execute_param"
        );
        assert_eq!(ns.claim(value_name("page_size")).text, "page_size");
        assert_eq!(ns.claim(value_name("pageSize")).text, "page_size_2");
    }
}
