//! URI templates as Google's discovery documents use them (RFC 6570 level 2):
//! `{var}` is fully percent-encoded, `{+var}` keeps reserved characters —
//! unless the document sets `fullyEncodeReservedExpansion`, in which case
//! only `/` survives unencoded.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Everything but RFC 3986 unreserved characters.
const SIMPLE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Reserved expansion: unreserved + reserved characters stay.
const RESERVED: &AsciiSet = &SIMPLE
    .remove(b':')
    .remove(b'/')
    .remove(b'?')
    .remove(b'#')
    .remove(b'[')
    .remove(b']')
    .remove(b'@')
    .remove(b'!')
    .remove(b'$')
    .remove(b'&')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b';')
    .remove(b'=')
    .remove(b'%');

/// Reserved expansion under `fullyEncodeReservedExpansion`: only `/` stays.
const RESERVED_FULL: &AsciiSet = &SIMPLE.remove(b'/');

/// Why a template could not be expanded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateError {
    /// A variable had no value.
    Missing(String),
    /// A `{` without `}`.
    Unclosed,
}

/// Expands `template` with `lookup`.
///
/// # Errors
/// A variable `lookup` does not know, or a malformed template.
pub fn expand<'a>(
    template: &str,
    fully_encode_reserved: bool,
    lookup: impl Fn(&str) -> Option<&'a str>,
) -> Result<String, TemplateError> {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after.find('}').ok_or(TemplateError::Unclosed)?;
        let expr = &after[..close];
        let (set, name) = match expr.strip_prefix('+') {
            Some(name) if fully_encode_reserved => (RESERVED_FULL, name),
            Some(name) => (RESERVED, name),
            None => (SIMPLE, expr),
        };
        let name = name.trim_end_matches('*');
        let value = lookup(name).ok_or_else(|| TemplateError::Missing(name.to_string()))?;
        out.extend(utf8_percent_encode(value, set));
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one<'a>(value: &'a str) -> impl Fn(&str) -> Option<&'a str> {
        move |_| Some(value)
    }

    #[test]
    fn simple_expansion_encodes_everything_reserved() {
        assert_eq!(
            expand("files/{fileId}", false, one("a/b c+d?e#f:g")).unwrap(),
            "files/a%2Fb%20c%2Bd%3Fe%23f%3Ag"
        );
        assert_eq!(expand("x/{id}", true, one("é")).unwrap(), "x/%C3%A9");
    }

    #[test]
    fn reserved_expansion_keeps_slashes_and_reserved() {
        assert_eq!(
            expand("v1/{+name}:run", false, one("projects/p/locations/l?x#y:z")).unwrap(),
            "v1/projects/p/locations/l?x#y:z:run"
        );
        assert_eq!(expand("v1/{+name}", false, one("a b")).unwrap(), "v1/a%20b");
    }

    #[test]
    fn fully_encoded_reserved_expansion_keeps_only_slashes() {
        assert_eq!(
            expand("v1/{+name}:run", true, one("projects/p/l?x#y:z")).unwrap(),
            "v1/projects/p/l%3Fx%23y%3Az:run"
        );
    }

    #[test]
    fn missing_and_malformed() {
        assert_eq!(
            expand("a/{b}", false, |_| None),
            Err(TemplateError::Missing("b".to_string()))
        );
        assert_eq!(
            expand("a/{b", false, one("x")),
            Err(TemplateError::Unclosed)
        );
    }
}
