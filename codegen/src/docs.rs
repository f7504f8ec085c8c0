//! Turning Google's descriptions into rustdoc that renders well and that
//! `cargo doc` and doc tests accept.
//!
//! Descriptions are prose with stray markdown: `[foo]` would become a broken
//! intra-doc link, `<name>` an unclosed HTML tag, an indented line a Rust code
//! block that doc tests would try to compile, and a bare URL a rustdoc
//! warning. We escape brackets and angle brackets, turn URLs into autolinks,
//! drop leading indentation, and mark fenced blocks as `text`.

/// A description as the IR keeps it: Google's text, trimmed, not yet
/// escaped (the CLI and the README show it as it is; [`escape`] makes it
/// rustdoc when it is emitted).
pub fn plain(text: &str) -> String {
    text.trim().to_string()
}

/// Escapes a description for a doc comment.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut in_fence = false;
    for (i, line) in text.lines().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let line = line.trim_start().trim_end();
        if line.starts_with("```") {
            out.push_str(if in_fence { "```" } else { "```text" });
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            out.push_str(line);
            continue;
        }
        escape_line(line, &mut out);
    }
    if in_fence {
        out.push_str("\n```");
    }
    out.trim().to_string()
}

fn escape_line(line: &str, out: &mut String) {
    let mut rest = line;
    while !rest.is_empty() {
        if let Some(url_len) = url_at(rest) {
            let (url, tail) = rest.split_at(url_len);
            out.push('<');
            out.push_str(url);
            out.push('>');
            rest = tail;
            continue;
        }
        if let Some(link_len) = markdown_link_at(rest) {
            // `[text](https://…)` is a valid rustdoc link: keep it.
            let (link, tail) = rest.split_at(link_len);
            out.push_str(&link.replace('<', "&lt;").replace('>', "&gt;"));
            rest = tail;
            continue;
        }
        let mut chars = rest.chars();
        let Some(c) = chars.next() else { break };
        match c {
            '[' => out.push_str("\\["),
            ']' => out.push_str("\\]"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' => out.push_str("\\\\"),
            '|' => out.push_str("\\|"),
            '#' if out.ends_with('\n') || out.is_empty() => out.push_str("\\#"),
            _ => out.push(c),
        }
        rest = chars.as_str();
    }
}

/// Length of a markdown link `[text](http…)` at the start of `s`, if one is.
fn markdown_link_at(s: &str) -> Option<usize> {
    let rest = s.strip_prefix('[')?;
    // The text holds no bracket, so the link's `](` is at the next bracket:
    // looking only that far keeps a line of many `[` linear (the fuzzer's
    // 2 MB of `#[doc = "x"]` took a minute when each `[` searched the rest).
    let close = rest.find(['[', ']'])?;
    if !rest[close..].starts_with("](") {
        return None;
    }
    let target = &rest[close + 2..];
    let url_len = url_at(target)?;
    target[url_len..]
        .starts_with(')')
        .then_some(1 + close + 2 + url_len + 1)
}

/// Length of a URL starting at the beginning of `s`, if one does.
fn url_at(s: &str) -> Option<usize> {
    if !(s.starts_with("https://") || s.starts_with("http://")) {
        return None;
    }
    let end = s
        .find(|c: char| {
            c.is_whitespace()
                || matches!(
                    c,
                    '<' | '>' | '"' | '`' | ')' | ']' | '[' | '(' | '\'' | '|'
                )
        })
        .unwrap_or(s.len());
    // Trailing punctuation belongs to the sentence.
    let url = s[..end].trim_end_matches(['.', ',', ';', ':', '!', '?']);
    (url.len() > "https://".len()).then_some(url.len())
}

/// Lines without runs of blank lines (a blank line in Google's prose is a
/// paragraph break; two or more print as an empty doc line pair), and
/// without blank lines at either end.
pub fn doc_lines(text: &str) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for line in text.lines() {
        let blank = line.trim().is_empty();
        if blank && out.last().is_none_or(|l| l.trim().is_empty()) {
            continue;
        }
        out.push(if blank { "" } else { line });
    }
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    out
}

/// `text` as `//!` lines.
pub fn inner_doc_comment(text: &str) -> String {
    doc_lines(text)
        .into_iter()
        .map(|l| {
            if l.is_empty() {
                "//!\n".to_string()
            } else {
                format!("//! {l}\n")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_markdown_hazards() {
        assert_eq!(
            escape("See [foo] and <bar>."),
            "See \\[foo\\] and &lt;bar&gt;."
        );
        assert_eq!(
            escape("Docs: https://developers.google.com/drive. Done"),
            "Docs: <https://developers.google.com/drive>. Done"
        );
        assert_eq!(escape("a\n    indented code\nb"), "a\nindented code\nb");
        assert_eq!(escape("```\nlet x = 1;\n```"), "```text\nlet x = 1;\n```");
        assert_eq!(escape("```\nunclosed"), "```text\nunclosed\n```");
        assert_eq!(escape("# heading"), "\\# heading");
        assert_eq!(
            escape("see [Create files](https://developers.google.com/x). And [a]"),
            "see [Create files](https://developers.google.com/x). And \\[a\\]"
        );
    }

    #[test]
    fn a_link_is_found_only_at_the_next_bracket() {
        assert_eq!(
            escape("[a [b](https://x.io/) c]"),
            "\\[a [b](https://x.io/) c\\]"
        );
        assert_eq!(
            escape("[a] b](https://x.io/)"),
            "\\[a\\] b\\](<https://x.io/>)"
        );
        // What the fuzzer found, smaller: every `[` and `]` escaped, no link.
        let many = "#[doc = \"x\"]".repeat(1000);
        let escaped = escape(&many);
        assert_eq!(escaped.matches("\\[").count(), 1000);
        assert!(escaped.starts_with("\\#\\[doc"), "{}", &escaped[..20]);
    }

    #[test]
    fn doc_lines_have_no_runs_of_blank_lines() {
        assert_eq!(
            super::doc_lines("\n\nFirst.\n\n\n\nSecond.\n  \n\n"),
            ["First.", "", "Second."]
        );
        assert_eq!(super::inner_doc_comment("a\n\n\nb"), "//! a\n//!\n//! b\n");
    }
}
