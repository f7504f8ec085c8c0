//! Turning Google's descriptions into rustdoc that renders well and that
//! `cargo doc` and doc tests accept.
//!
//! Descriptions are prose with stray markdown: `[foo]` would become a broken
//! intra-doc link, `<name>` an unclosed HTML tag, an indented line a Rust code
//! block that doc tests would try to compile, and a bare URL a rustdoc
//! warning. We escape brackets and angle brackets, turn URLs into autolinks,
//! drop leading indentation, and mark fenced blocks as `text`.

/// A description as the IR keeps it: Google's prose as Markdown that
/// renders, not yet escaped for rustdoc ([`escape`] does that when it is
/// emitted; the CLI shows it as it is).
///
/// - The few HTML fragments Google writes become Markdown (`<code>`,
///   `<b>`/`<strong>`, `<i>`/`<em>`, `<a href>`, `<br>`, `<p>`, `<li>`) and
///   entities become characters.
/// - Lists written on one line (`Values: * a * b * c`, thousands in the
///   catalog) become one item per line.
/// - Root-relative links (`[guide](/workspace/drive/…)`) become absolute
///   against `site`: the scheme and host of the document's
///   `documentationLink`, else `https://developers.google.com` (where
///   Google's API guides live; Cloud APIs name `cloud.google.com`).
pub fn prose(text: &str, site: &str) -> String {
    let text = html_to_markdown(text.trim());
    let mut out: Vec<String> = Vec::new();
    for line in text.lines() {
        let line = absolute_links(line, site);
        out.extend(split_inline_list(&line));
    }
    out.join("\n").trim().to_string()
}

/// The site root-relative links in a document's prose are relative to.
pub fn site_of(documentation_link: Option<&str>) -> String {
    documentation_link
        .and_then(|link| {
            let (scheme, rest) = link.split_once("://")?;
            let host = rest.split(['/', '?', '#']).next()?;
            (!host.is_empty() && (scheme == "https" || scheme == "http"))
                .then(|| format!("{scheme}://{host}"))
        })
        .unwrap_or_else(|| "https://developers.google.com".to_string())
}

/// The HTML Google's descriptions use, as Markdown; other `<…>` (a
/// placeholder such as `<project>`) is left for [`escape`].
fn html_to_markdown(text: &str) -> String {
    if !text.contains('<') && !text.contains('&') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(['<', '&']) {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        if let Some((replacement, len)) = entity(rest).or_else(|| tag(rest)) {
            out.push_str(&replacement);
            rest = &rest[len..];
        } else {
            out.push_str(&rest[..1]);
            rest = &rest[1..];
        }
    }
    out.push_str(rest);
    out
}

fn entity(s: &str) -> Option<(String, usize)> {
    const ENTITIES: [(&str, &str); 8] = [
        ("&quot;", "\""),
        ("&#39;", "'"),
        ("&apos;", "'"),
        ("&amp;", "&"),
        ("&nbsp;", " "),
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&#34;", "\""),
    ];
    ENTITIES
        .iter()
        .find(|(name, _)| s.starts_with(name))
        .map(|(name, text)| (text.to_string(), name.len()))
}

/// A known HTML tag at the start of `s`: its Markdown and its length.
fn tag(s: &str) -> Option<(String, usize)> {
    let close = s.find('>')?;
    let inner = s[1..close].trim().to_ascii_lowercase();
    let name = inner.trim_end_matches('/').trim();
    let markdown = match name {
        "code" | "/code" => "`",
        "b" | "/b" | "strong" | "/strong" => "**",
        "i" | "/i" | "em" | "/em" => "*",
        "br" => "\n",
        "p" => "\n\n",
        "/p" | "ul" | "/ul" | "ol" | "/ol" | "/li" | "/a" => "",
        "li" => "\n* ",
        _ => {
            // `<a href="URL">text</a>` → `[text](URL)`.
            let href = name.strip_prefix("a href=")?;
            let url = href.trim_matches(['"', '\'']);
            let end = s[close..].to_ascii_lowercase().find("</a>")? + close;
            let label = &s[close + 1..end];
            return Some((format!("[{label}]({url})"), end + "</a>".len()));
        }
    };
    Some((markdown.to_string(), close + 1))
}

/// `line` with `](/path)` links made absolute against `site`.
fn absolute_links(line: &str, site: &str) -> String {
    if !line.contains("](/") {
        return line.to_string();
    }
    line.replace("](//", "](https://")
        .replace("](/", &format!("]({site}/"))
}

/// A line holding a list written inline (`Values: * a * b`), as a paragraph
/// and one line per item; any other line as it is. A ` * ` inside a code
/// span (`SELECT * FROM`) is not a marker.
fn split_inline_list(line: &str) -> Vec<String> {
    let mut markers = Vec::new();
    let mut in_code = false;
    let bytes = line.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'`' {
            in_code = !in_code;
        } else if !in_code
            && b == b'*'
            && i > 0
            && bytes[i - 1] == b' '
            && bytes.get(i + 1) == Some(&b' ')
        {
            markers.push(i);
        }
    }
    let list_start = line.trim_start().starts_with("* ");
    if markers.len() + usize::from(list_start) < 2 {
        return vec![line.to_string()];
    }
    let mut pieces = Vec::new();
    let mut from = 0;
    for &at in &markers {
        pieces.push(&line[from..at]);
        from = at;
    }
    pieces.push(&line[from..]);
    let mut out = Vec::new();
    let last = pieces.len() - 1;
    for (i, piece) in pieces.into_iter().enumerate() {
        let piece = piece.trim();
        if piece.is_empty() {
            continue;
        }
        if i == last {
            if let Some((item, after)) = split_last_item(piece) {
                out.extend([item.to_string(), String::new(), after.to_string()]);
                continue;
            }
        }
        // The text before the first marker is the paragraph that
        // introduces the list; a blank line keeps the two apart.
        if i == 0 && !list_start {
            out.push(piece.to_string());
            out.push(String::new());
        } else {
            out.push(piece.to_string());
        }
    }
    out
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
        if let Some(span_len) = code_span_at(rest) {
            // Inside a code span Markdown is literal: escaping there would
            // show `\[` and `&lt;` to the reader.
            let (span, tail) = rest.split_at(span_len);
            out.push_str(span);
            rest = tail;
            continue;
        }
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

/// Length of a code span (`` `x` ``, ``` ``a`b`` ```) at the start of `s`,
/// when it closes on the same line.
fn code_span_at(s: &str) -> Option<usize> {
    let ticks = s.len() - s.trim_start_matches('`').len();
    if ticks == 0 {
        return None;
    }
    let fence = &s[..ticks];
    let body = &s[ticks..];
    let mut from = 0;
    while let Some(at) = body[from..].find(fence).map(|k| k + from) {
        let run = body[at..].len() - body[at..].trim_start_matches('`').len();
        if run == ticks {
            return Some(ticks + at + ticks);
        }
        from = at + run;
    }
    None
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

/// The last item of an inline list often runs into the next sentence
/// (`* `allDrives` Prefer `user` …`): when the item is one code span or one
/// lowercase word and a capitalised sentence follows, the two are split.
fn split_last_item(item: &str) -> Option<(&str, &str)> {
    let body = item.strip_prefix("* ")?;
    // `… conditions **Important:** If you …`: a bold label starts the
    // paragraph after the list.
    if let Some(at) = body.find(" **").filter(|&at| {
        let label = &body[at + 3..];
        label.starts_with(|c: char| c.is_ascii_uppercase())
            && label
                .find(":**")
                .is_some_and(|end| end < 30 && !label[..end].contains("**"))
    }) {
        return Some((item[..2 + at].trim_end(), &body[at + 1..]));
    }
    let end = if let Some(code) = body.strip_prefix('`') {
        code.find('`')? + 2
    } else {
        let word = body.find(' ')?;
        let first = &body[..word];
        if !first
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            return None;
        }
        word
    };
    let after = body[end..].strip_prefix(' ')?;
    after
        .chars()
        .next()
        .filter(char::is_ascii_uppercase)
        .map(|_| (&item[..2 + end], after))
}

/// What stays raw in an API's descriptions after [`prose`]: counted over
/// the whole catalog by `gapi-codegen catalog generate`, which fails when a
/// list runs together or a link is root-relative.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RawProse {
    /// Descriptions looked at.
    pub descriptions: usize,
    /// Lines still holding an inline list (two or more ` * ` outside code).
    pub lists_run_together: usize,
    /// Root-relative links (`](/…`).
    pub root_relative_links: usize,
    /// HTML tags Google uses that were not converted (`<code>`, `<b>`, …).
    pub html_tags: usize,
}

impl RawProse {
    /// Counts over every description of `api`.
    pub fn of(api: &crate::ir::Api) -> RawProse {
        let mut counts = RawProse::default();
        for_each_doc(api, &mut |doc| counts.add(doc));
        counts
    }

    /// Adds the counts of `other`.
    pub fn merge(&mut self, other: RawProse) {
        self.descriptions += other.descriptions;
        self.lists_run_together += other.lists_run_together;
        self.root_relative_links += other.root_relative_links;
        self.html_tags += other.html_tags;
    }

    fn add(&mut self, doc: &str) {
        self.descriptions += 1;
        for line in doc.lines() {
            if split_inline_list(line).len() > 1 && !line.trim_start().starts_with("* ") {
                self.lists_run_together += 1;
            }
        }
        self.root_relative_links += doc.matches("](/").count();
        let lower = doc.to_ascii_lowercase();
        self.html_tags += [
            "<code>", "<b>", "<br", "<p>", "<a href", "<li>", "<strong>", "<em>",
        ]
        .iter()
        .map(|t| lower.matches(t).count())
        .sum::<usize>();
    }
}

/// Calls `f` with every description of `api`.
fn for_each_doc(api: &crate::ir::Api, f: &mut dyn FnMut(&str)) {
    use crate::ir::{Method, Resource, TypeDef, TypeKind};
    fn typedef(t: &TypeDef, f: &mut dyn FnMut(&str)) {
        f(&t.doc);
        match &t.kind {
            TypeKind::Struct(fields) => fields.iter().for_each(|x| f(&x.doc)),
            TypeKind::Enum(variants) => variants.iter().for_each(|v| f(&v.doc)),
            TypeKind::Alias(_) => {}
        }
    }
    fn method(m: &Method, f: &mut dyn FnMut(&str)) {
        f(&m.doc);
        m.positional
            .iter()
            .chain(&m.optional)
            .for_each(|p| f(&p.doc));
    }
    fn resource(r: &Resource, f: &mut dyn FnMut(&str)) {
        r.methods.iter().for_each(|m| method(m, f));
        r.resources.iter().for_each(|r| resource(r, f));
    }
    f(&api.doc);
    api.scopes.iter().for_each(|s| f(&s.doc));
    api.types.iter().for_each(|t| typedef(t, f));
    api.root_enums.iter().for_each(|t| typedef(t, f));
    api.methods.iter().for_each(|m| method(m, f));
    for r in &api.resources {
        r.enums.iter().for_each(|t| typedef(t, f));
        resource(&r.resource, f);
    }
}

#[cfg(test)]
mod tests {
    use super::{escape, prose, site_of};

    #[test]
    fn inline_lists_become_lists_and_code_spans_are_left_alone() {
        assert_eq!(
            prose(
                "Supported items include: * `user` * `domain` * `allDrives` Prefer `user`.",
                "https://d.io"
            ),
            "Supported items include:\n\n* `user`\n* `domain`\n* `allDrives`\n\nPrefer `user`."
        );
        assert_eq!(
            prose("Use `SELECT * FROM t * 2` here.", "https://d.io"),
            "Use `SELECT * FROM t * 2` here."
        );
        assert_eq!(prose("Two * three.", "https://d.io"), "Two * three.");
        assert_eq!(
            prose(
                "Omitted: * snapped_point * types Note: more is slower.",
                "https://d.io"
            ),
            "Omitted:\n\n* snapped_point\n* types\n\nNote: more is slower."
        );
        assert_eq!(
            prose(
                "One of: * `a`: the first. * `b`: The second.",
                "https://d.io"
            ),
            "One of:\n\n* `a`: the first.\n* `b`: The second."
        );
        assert_eq!(
            prose("* **Global**: all. * **Project**: one.", "https://d.io"),
            "* **Global**: all.\n* **Project**: one."
        );
    }

    #[test]
    fn what_stays_raw_is_counted() {
        let mut counts = super::RawProse::default();
        counts.add("Values: * a * b");
        counts.add("See [x](/y). <code>z</code>");
        counts.add(&prose(
            "Values: * a * b. See [x](/y). <code>z</code>",
            "https://d.io",
        ));
        assert_eq!(counts.descriptions, 3);
        assert_eq!(
            (
                counts.lists_run_together,
                counts.root_relative_links,
                counts.html_tags
            ),
            (1, 1, 1)
        );
    }

    #[test]
    fn links_html_and_entities_become_markdown() {
        let site = site_of(Some("https://cloud.google.com/compute/"));
        assert_eq!(site, "https://cloud.google.com");
        assert_eq!(site_of(None), "https://developers.google.com");
        assert_eq!(
            prose(
                "See [operations](/compute/docs/ops) and [x](https://a.io/b).",
                &site
            ),
            "See [operations](https://cloud.google.com/compute/docs/ops) and [x](https://a.io/b)."
        );
        assert_eq!(
            prose("Use <code>name</code>, <b>not</b> <a href=\"https://a.io\">this</a>.<br>Next &quot;line&quot; &lt;x&gt;", &site),
            "Use `name`, **not** [this](https://a.io).\nNext \"line\" <x>"
        );
        // A placeholder stays for escape() to make visible.
        assert_eq!(prose("projects/<project>", &site), "projects/<project>");
        assert_eq!(
            escape(&prose("projects/<project>", &site)),
            "projects/&lt;project&gt;"
        );
    }

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
        // Code spans are literal: nothing inside is escaped.
        assert_eq!(
            escape("Use `a < b [x]` or [y] and ``x`y``; an odd ` stays"),
            "Use `a < b [x]` or \\[y\\] and ``x`y``; an odd ` stays"
        );
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
