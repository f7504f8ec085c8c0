//! Golden tests: small hand-made documents under `goldens/inputs/` are
//! generated and compared with the crates under `goldens/crates/`, which are
//! workspace members, so a golden that does not build (or is not
//! clippy-clean) fails the suite. Regenerate with `GAPI_UPDATE_GOLDENS=1`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use gapi_codegen::scaffold::GapiDeps;
use gapi_discovery::{parse_file, Strictness};

fn goldens() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("goldens")
}

fn generate_into(input: &Path, dir: &Path) {
    let doc = parse_file(input, Strictness::Strict).unwrap().doc;
    gapi_codegen::write::write_standalone(&doc, dir, &GapiDeps::Workspace, false).unwrap();
    let toml_path = dir.join("Cargo.toml");
    let toml = std::fs::read_to_string(&toml_path).unwrap();
    let toml = toml.replacen(
        "[package]\n",
        "# Golden output for codegen/goldens/inputs; regenerate with\n# GAPI_UPDATE_GOLDENS=1 cargo test -p gapi-codegen --test goldens\n[package]\npublish = false\n",
        1,
    );
    let toml = format!(
        "{toml}\n[dev-dependencies]\nserde_json.workspace = true\ntokio.workspace = true\n\n[lints]\nworkspace = true\n"
    );
    std::fs::write(toml_path, toml).unwrap();
    // The goldens are workspace members, so `cargo fmt` owns their layout:
    // compare rustfmt's view of both sides.
    // rustfmt follows `mod x;` into `types/x.rs` by itself.
    let sources: Vec<PathBuf> = std::fs::read_dir(dir.join("src"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    let status = std::process::Command::new("rustfmt")
        .args(["--edition", "2021"])
        .args(&sources)
        .status()
        .expect("rustfmt runs");
    assert!(status.success());
}

/// `Cargo.toml` and everything under `src/`, sorted (hand-written `tests/`
/// are not golden).
fn generated_files(dir: &Path) -> Vec<(String, String)> {
    let mut out = vec![(
        "Cargo.toml".to_string(),
        std::fs::read_to_string(dir.join("Cargo.toml")).unwrap_or_default(),
    )];
    let mut dirs = vec![dir.join("src")];
    while let Some(d) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries {
            let p = e.unwrap().path();
            if p.is_dir() {
                dirs.push(p);
                continue;
            }
            let name = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            out.push((name, std::fs::read_to_string(&p).unwrap()));
        }
    }
    out.sort();
    out
}

#[test]
fn goldens_match_generated_output() {
    let mut mismatches = Vec::new();
    for entry in std::fs::read_dir(goldens().join("inputs")).unwrap() {
        let input = entry.unwrap().path();
        let stem = input.file_stem().unwrap().to_string_lossy().to_string();
        let golden = goldens().join("crates").join(&stem);
        if std::env::var_os("GAPI_UPDATE_GOLDENS").is_some() {
            generate_into(&input, &golden);
            continue;
        }
        let fresh = tempfile::tempdir().unwrap();
        generate_into(&input, fresh.path());
        if generated_files(&golden) != generated_files(fresh.path()) {
            mismatches.push(stem);
        }
    }
    assert!(
        mismatches.is_empty(),
        "goldens differ: {mismatches:?}; inspect and run GAPI_UPDATE_GOLDENS=1 cargo test -p gapi-codegen --test goldens"
    );
}

#[test]
fn generation_is_deterministic() {
    let input = goldens().join("inputs").join("kitchen-sink.json");
    let doc = parse_file(&input, Strictness::Strict).unwrap().doc;
    let a = gapi_codegen::Generator::new(&doc)
        .with_resource_features(true)
        .generate()
        .unwrap();
    let b = gapi_codegen::Generator::new(&doc)
        .with_resource_features(true)
        .generate()
        .unwrap();
    assert_eq!(a.files, b.files);
}

#[test]
fn lowering_decides_names_and_types_once() {
    use gapi_codegen::ir::{Type, TypeKind};
    let input = goldens().join("inputs").join("kitchen-sink.json");
    let doc = parse_file(&input, Strictness::Strict).unwrap().doc;
    let api = gapi_codegen::Generator::new(&doc)
        .with_resource_features(true)
        .lower();
    let ty = |name: &str| {
        api.types
            .iter()
            .find(|t| t.name.text == name)
            .unwrap_or_else(|| panic!("{name}"))
    };
    // Schema names colliding after case conversion: the canonical one keeps its name.
    assert!(matches!(ty("HttpHealthCheck").kind, TypeKind::Struct(ref f) if f[0].wire == "host"));
    assert!(matches!(ty("HttpHealthCheck2").kind, TypeKind::Struct(ref f) if f[0].wire == "port"));
    let TypeKind::Struct(fields) = &ty("Thing").kind else {
        panic!()
    };
    let field = |wire: &str| fields.iter().find(|f| f.wire == wire).unwrap();
    assert_eq!(field("type").name.source(), "r#type");
    assert_eq!(field("self").name.source(), "self_");
    assert_eq!(field("$ref").name.source(), "r#ref");
    assert_eq!(field("end-date").name.source(), "end_date");
    assert_ne!(field("@type").name.source(), field("type").name.source());
    assert!(
        matches!(field("parent").ty, Type::Boxed(_)),
        "self-recursion is boxed"
    );
    assert!(
        matches!(field("children").ty, Type::Vec(_)),
        "a Vec needs no box"
    );
    assert_eq!(
        field("resolution").ty,
        Type::Any,
        "dangling $ref degrades to a JSON value"
    );
    assert!(api.warnings.iter().any(|w| w.contains("MediaResolution")));
    let TypeKind::Enum(variants) = &ty("ThingState").kind else {
        panic!()
    };
    let names: Vec<String> = variants.iter().map(|v| v.name.source()).collect();
    assert_eq!(
        names,
        [
            "StateUnspecified",
            "Activated",
            "Activated2",
            "V30fps",
            "NextPage",
            "Value"
        ]
    );
    // Mutual recursion Node -> Edge -> Node through plain fields: boxed.
    let TypeKind::Struct(node) = &ty("Node").kind else {
        panic!()
    };
    assert!(matches!(node[1].ty, Type::Boxed(_)), "{node:?}");
    // A method named like a sibling resource: the resource accessor yields.
    let things = &api
        .resources
        .iter()
        .find(|r| r.resource.wire == "things")
        .unwrap()
        .resource;
    assert!(things.methods.iter().any(|m| m.fn_name.text == "children"));
    assert_eq!(things.resources[0].accessor.text, "children_resource");
    // Parameters named like builder methods yield; keywords become raw.
    let list = things
        .methods
        .iter()
        .find(|m| m.id == "sink.things.list")
        .unwrap();
    let setters: Vec<String> = list.optional.iter().map(|p| p.name.source()).collect();
    assert_eq!(
        setters,
        [
            "execute_param",
            "filter_tag",
            "min_size",
            "page_size",
            "page_token",
            "r#type"
        ]
    );
    let mv = things
        .methods
        .iter()
        .find(|m| m.id == "sink.things.move")
        .unwrap();
    assert_eq!(mv.fn_name.source(), "r#move");
    assert_eq!(
        mv.request.as_ref().unwrap().0.text,
        "request_body",
        "body yields to a parameter named request"
    );
    assert!(list.paging.as_ref().unwrap().items.is_some());
}

/// Parameters must yield to every method a call builder gets from the
/// runtime's `standard_setters!`: the list in `lower.rs` has to name them all
/// (a setter of the same name would not compile).
#[test]
fn reserved_setter_names_cover_the_runtime_macro() {
    let runtime = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../runtime/src/lib.rs"
    ))
    .unwrap();
    let start = runtime
        .find("macro_rules! standard_setters")
        .expect("the runtime defines standard_setters!");
    let body = &runtime[start..];
    let end = body.find("\n}\n").expect("the macro ends");
    let names: Vec<&str> = body[..end]
        .split("pub fn ")
        .skip(1)
        .map(|rest| rest.split(['(', '<']).next().unwrap().trim())
        .collect();
    assert!(names.len() >= 6, "{names:?}");
    for name in names {
        assert!(
            gapi_codegen::lower::CALL_RESERVED.contains(&name),
            "`{name}` (from standard_setters!) is missing from CALL_RESERVED"
        );
    }
}
