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

/// The candidate nearest to `word` (a typo's likely meaning), when one is
/// within two edits (more for long names), case ignored.
pub fn closest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .map(|c| (distance(&word.to_lowercase(), &c.to_lowercase()), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = if ca == *cb {
                previous
            } else {
                1 + previous.min(row[j]).min(current)
            };
            previous = current;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::{closest, distance, kebab};

    #[test]
    fn edit_distance() {
        assert_eq!(distance("emailAdress", "emailAddress"), 1);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("same", "same"), 0);
    }

    #[test]
    fn typos_find_their_word() {
        let apis = ["drive", "driveactivity", "gmail", "sheets"];
        assert_eq!(closest("drvie", apis.into_iter()), Some("drive"));
        assert_eq!(closest("Gmial", apis.into_iter()), Some("gmail"));
        assert_eq!(closest("youtube", apis.into_iter()), None);
    }

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
