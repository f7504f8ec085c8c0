//! The rendered rustdoc of the four core generated crates, read as a
//! reader sees it: no list run together, no root-relative link, no raw HTML
//! tag or doubled entity in the text. Needs `cargo doc` first, so it is
//! ignored by a plain `cargo test`; `scripts/test.sh` runs it after the docs
//! step with `--ignored`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

const CRATES: [&str; 4] = [
    "gapi_drive_v3",
    "gapi_bigquery_v2",
    "gapi_oauth2_v2",
    "gapi_generativelanguage_v1beta",
];

fn doc_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    target.join("doc")
}

fn html_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}; run cargo doc first", dir.display()))
    {
        let path = entry.unwrap().path();
        if path.is_dir() {
            html_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "html") {
            out.push(path);
        }
    }
}

/// The text of `html` without its tags.
fn text_of(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// What a reader would see raw on one page.
fn raw_markers(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    // Paragraphs of prose (rustdoc renders each as `<p>…</p>`).
    for paragraph in html.split("<p>").skip(1) {
        let paragraph = paragraph.split("</p>").next().unwrap_or("");
        let text = text_of(paragraph);
        if text.matches(" * ").count() >= 2 {
            found.push(format!(
                "list run together: {}",
                text.chars().take(100).collect::<String>()
            ));
        }
        if text.contains("](/") {
            found.push(format!(
                "root-relative link: {}",
                text.chars().take(100).collect::<String>()
            ));
        }
    }
    for raw in [
        "&lt;code&gt;",
        "&lt;br",
        "&lt;a href",
        "&lt;b&gt;",
        "&lt;li&gt;",
        "&amp;lt;",
        "&amp;gt;",
        "&amp;quot;",
        "&amp;amp;",
    ] {
        if html.contains(raw) {
            found.push(format!("shown raw: {raw}"));
        }
    }
    found
}

#[test]
#[ignore = "needs `cargo doc` first (scripts/test.sh runs it after the docs step)"]
fn the_core_crates_docs_render_googles_prose() {
    let dir = doc_dir();
    let mut pages = 0;
    let mut problems = Vec::new();
    for name in CRATES {
        let mut files = Vec::new();
        html_files(&dir.join(name), &mut files);
        for file in files {
            let html = std::fs::read_to_string(&file).unwrap();
            pages += 1;
            for marker in raw_markers(&html) {
                problems.push(format!(
                    "{}: {marker}",
                    file.strip_prefix(&dir).unwrap_or(&file).display()
                ));
            }
        }
    }
    assert!(pages > 100, "only {pages} pages under {}", dir.display());
    assert!(
        problems.is_empty(),
        "{} problem(s): {problems:#?}",
        problems.len()
    );
    // And what Google wrote as an inline list is a list on the page.
    let files_list =
        std::fs::read_to_string(dir.join("gapi_drive_v3/files/struct.FilesListCall.html")).unwrap();
    assert!(
        files_list.contains("<li><code>allDrives</code></li>"),
        "corpora's values are list items"
    );
}

#[test]
fn the_scan_sees_what_a_reader_would() {
    assert_eq!(
        raw_markers("<p>Values: * <code>a</code> * <code>b</code></p>").len(),
        1
    );
    assert_eq!(raw_markers("<p>See [x](/y).</p>").len(), 1);
    assert_eq!(
        raw_markers("<p>Use &lt;code&gt;x&lt;/code&gt;</p>").len(),
        1
    );
    assert!(raw_markers("<p>Values:</p><ul><li><code>a</code></li></ul><p>2 * 3</p>").is_empty());
}
