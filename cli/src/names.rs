//! Command-line spellings of discovery names: `calendarList` is
//! `calendar-list`, `pageSize` is `--page-size`.

/// `camelCase`, `snake_case` and `dotted.names` in kebab-case: a `-` before
/// each capital that follows a lower-case letter or digit, `_` as `-`, dots
/// kept (`requestMetadata.locale` is `request-metadata.locale`), no `-` at
/// either end (`_password` is `password`).
pub fn kebab(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    let mut previous: Option<char> = None;
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            if previous.is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit()) {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        } else if c == '_' {
            out.push('-');
        } else {
            out.push(c);
        }
        previous = Some(c);
    }
    out.trim_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::kebab;

    #[test]
    fn discovery_names_become_kebab_case() {
        assert_eq!(kebab("calendarList"), "calendar-list");
        assert_eq!(kebab("resetForAllPlayers"), "reset-for-all-players");
        assert_eq!(kebab("pageSize"), "page-size");
        assert_eq!(kebab("requestMetadata.locale"), "request-metadata.locale");
        assert_eq!(kebab("v1beta1Name"), "v1beta1-name");
        assert_eq!(kebab("upload_protocol"), "upload-protocol");
        assert_eq!(kebab("ETag"), "etag");
        assert_eq!(kebab("files"), "files");
        assert_eq!(kebab("_password"), "password");
    }
}
