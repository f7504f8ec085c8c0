//! The dependency arrows ARCHITECTURE.md draws, held: each of gapi's crates
//! depends (for its library and binaries, not its tests) only on the gapi
//! crates the table allows.

use std::collections::BTreeSet;
use std::path::Path;

/// The `gapi-*` packages named in the `[dependencies]` section of a manifest.
fn gapi_dependencies(manifest: &Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(manifest).expect("a manifest");
    let mut in_dependencies = false;
    let mut found = BTreeSet::new();
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            in_dependencies = line == "[dependencies]";
            continue;
        }
        if !in_dependencies {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let key = key.trim().trim_end_matches(".workspace").to_string();
        // `alias = { package = "gapi-…", … }` names the package it is.
        let package = value
            .split("package")
            .nth(1)
            .and_then(|rest| rest.split('"').nth(1))
            .map(str::to_string)
            .unwrap_or(key);
        if package.starts_with("gapi-") {
            found.insert(package);
        }
    }
    found
}

#[test]
fn each_crate_depends_only_on_what_the_architecture_allows() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let allowed: &[(&str, &[&str])] = &[
        ("discovery", &[]),
        ("credentials", &[]),
        // Test-only: a dev-dependency of runtime and auth, never published.
        ("fuzzing", &[]),
        // gapi-runtime only with the `runtime` feature (specs as values for
        // the CLI); build scripts and releases never enable it.
        ("codegen", &["gapi-discovery", "gapi-runtime"]),
        ("runtime", &["gapi-credentials"]),
        ("auth", &["gapi-credentials"]),
        ("emulator", &[]),
        (
            "cli",
            &[
                "gapi-codegen",
                "gapi-runtime",
                "gapi-auth",
                "gapi-discovery",
            ],
        ),
        ("generated/drive-v3", &["gapi-runtime"]),
        ("generated/bigquery-v2", &["gapi-runtime"]),
        ("generated/oauth2-v2", &["gapi-runtime"]),
        ("generated/generativelanguage-v1beta", &["gapi-runtime"]),
    ];
    for (folder, may) in allowed {
        let manifest = root.join(folder).join("Cargo.toml");
        let found = gapi_dependencies(&manifest);
        let may: BTreeSet<String> = may.iter().map(|s| s.to_string()).collect();
        let extra: Vec<&String> = found.difference(&may).collect();
        assert!(
            extra.is_empty(),
            "{folder} depends on {extra:?}, which ARCHITECTURE.md does not allow"
        );
    }
    // The check reads what it thinks it reads.
    assert!(gapi_dependencies(&root.join("cli").join("Cargo.toml")).contains("gapi-runtime"));
}

/// `source` with comments, string and character literals blanked out (line
/// breaks kept), so that braces and `fn` are only the code's own.
fn code_only(source: &str) -> String {
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let blank = |out: &mut String, text: &[char]| {
        out.extend(text.iter().map(|&c| if c == '\n' { '\n' } else { ' ' }));
    };
    let mut i = 0;
    while i < chars.len() {
        let rest = &chars[i..];
        let starts = |s: &str| rest.iter().take(s.len()).copied().eq(s.chars());
        let end = if starts("//") {
            rest.iter().position(|&c| c == '\n').unwrap_or(rest.len())
        } else if starts("/*") {
            (2..rest.len())
                .find(|&k| rest[k - 1] == '*' && rest[k] == '/')
                .map_or(rest.len(), |k| k + 1)
        } else if (starts("r#") || starts("r\"") || starts("br#") || starts("br\""))
            && (i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '_'))
        {
            let open = rest.iter().position(|&c| c == '"').unwrap_or(0);
            let hashes = rest[..open].iter().filter(|&&c| c == '#').count();
            let close: Vec<char> = std::iter::once('"')
                .chain(std::iter::repeat_n('#', hashes))
                .collect();
            (open + 1..rest.len())
                .find(|&k| rest[k..].starts_with(&close))
                .map_or(rest.len(), |k| k + close.len())
        } else if rest[0] == '"' {
            let mut k = 1;
            while k < rest.len() && rest[k] != '"' {
                k += if rest[k] == '\\' { 2 } else { 1 };
            }
            (k + 1).min(rest.len())
        } else if rest[0] == '\''
            && rest.len() > 2
            && (rest[2] == '\'' || (rest[1] == '\\' && rest[2..].contains(&'\'')))
        {
            // A character literal ('x', '\n', '\u{..}'), not a lifetime.
            rest[1..]
                .iter()
                .position(|&c| c == '\'')
                .map_or(1, |k| k + 2)
        } else {
            out.push(rest[0]);
            i += 1;
            continue;
        };
        blank(&mut out, &rest[..end]);
        i += end;
    }
    out
}

/// `(first line, lines, name)` of every function with a body in `source`.
fn functions(source: &str) -> Vec<(usize, usize, String)> {
    let code = code_only(source);
    let bytes = code.as_bytes();
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = code[from..].find("fn ").map(|k| k + from) {
        from = at + 3;
        if at > 0 && (bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_') {
            continue;
        }
        let name: String = code[at + 3..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if name.is_empty() {
            continue;
        }
        let (mut depth, mut opened, mut k) = (0usize, false, at);
        while k < bytes.len() {
            match bytes[k] {
                b';' if !opened && depth == 0 => break,
                b'{' => {
                    depth += 1;
                    opened = true;
                }
                b'}' => {
                    depth = depth.saturating_sub(1);
                    if opened && depth == 0 {
                        break;
                    }
                }
                _ => {}
            }
            k += 1;
        }
        if opened {
            let first = code[..at].matches('\n').count() + 1;
            let last = code[..k].matches('\n').count() + 1;
            found.push((first, last - first + 1, name));
        }
    }
    found
}

#[test]
fn no_function_in_library_code_is_over_120_lines() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    // Library sources: the binaries' shells (codegen's commands and tools,
    // the CLI, the emulator's main) are not in this list.
    let libraries = [
        "discovery/src",
        "codegen/src",
        "runtime/src",
        "credentials/src",
        "auth/src",
        "emulator/src",
    ];
    let not_library = [
        "codegen/src/main.rs",
        "codegen/src/commands",
        "codegen/src/tools",
        "emulator/src/main.rs",
    ];
    let mut long = Vec::new();
    let mut seen = 0;
    let mut stack: Vec<std::path::PathBuf> = libraries.iter().map(|d| root.join(d)).collect();
    while let Some(path) = stack.pop() {
        let relative = path
            .strip_prefix(&root)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace('\\', "/");
        if not_library.iter().any(|n| relative.starts_with(n)) {
            continue;
        }
        if path.is_dir() {
            stack.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
        } else if relative.ends_with(".rs") {
            let source = std::fs::read_to_string(&path).unwrap();
            for (line, lines, name) in functions(&source) {
                seen += 1;
                if lines > 120 {
                    long.push(format!("{relative}:{line} {name} ({lines} lines)"));
                }
            }
        }
    }
    assert!(seen > 500, "the scan found only {seen} functions");
    assert!(long.is_empty(), "functions over 120 lines: {long:#?}");
}

#[test]
fn the_function_scan_skips_strings_and_comments() {
    let source = "fn a() {\n    let s = \"}\";\n    // }\n    let c = '}';\n    let r = r#\"}\"#;\n}\nfn b<'x>(v: &'x str) {}\n";
    assert_eq!(
        functions(source),
        [(1, 6, "a".to_string()), (7, 1, "b".to_string())]
    );
}
