//! `gapi apis …` and the behaviour of the binary around its output.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

fn gapi() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_gapi"));
    command.env("GAPI_DISCOVERY_URL", "http://127.0.0.1:9/{api}/{version}");
    command
}

#[test]
fn apis_list_shows_the_catalog_with_titles() {
    let out = gapi().args(["apis", "list", "drive"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let drive = text
        .lines()
        .find(|l| l.split_whitespace().take(2).collect::<Vec<_>>() == ["drive", "v3"])
        .unwrap_or_else(|| panic!("no drive v3 line in:\n{text}"));
    assert!(drive.contains("Google Drive API"), "{drive}");
    assert!(
        text.lines().all(|l| l.starts_with("drive")),
        "filtered:\n{text}"
    );
}

#[test]
fn apis_describe_names_the_command_and_its_flags() {
    let out = gapi()
        .args(["apis", "describe", "calendar", "v3", "calendarList.list"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("gapi calendar v3 calendar-list list "),
        "{text}"
    );
    assert!(text.contains("--max-results (int32)"), "{text}");
    assert!(text.contains("--min-access-role (string)"), "{text}");
    assert!(
        text.contains("      freeBusyReader: "),
        "enum values listed:\n{text}"
    );

    let out = gapi()
        .args(["apis", "describe", "calendar", "v3", "calendarList.nope"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("has no method calendarList.nope"));
}

#[test]
fn a_reader_that_stops_early_ends_the_command_quietly() {
    let mut child = gapi()
        .args(["apis", "describe", "compute", "v1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    // The pipe closes here, long before compute's methods are all written.
    let out = child.wait_with_output().unwrap();
    assert!(first.contains("Compute"), "{first}");
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn help_lists_an_apis_resources_and_a_methods_flags() {
    let out = gapi().args(["drive", "v3", "--help"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("files") && text.contains("permissions"),
        "{text}"
    );
    let out = gapi()
        .args(["drive", "v3", "files", "list", "--help"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("--page-size <INT>"), "{text}");
    assert!(text.contains("--dry-run"), "{text}");
    assert!(text.contains("--include-items-from-all-drives"), "{text}");
}

#[test]
fn completion_scripts_for_each_shell_reach_a_named_apis_flags() {
    let script = |args: &[&str]| {
        let out = gapi().arg("completions").args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let bash = script(&["bash", "drive:v3"]);
    assert!(
        bash.contains("gapi__subcmd__drive__subcmd__v3__subcmd__files__subcmd__list)"),
        "a case for the method"
    );
    assert!(bash.contains("--page-size"));
    let plain = script(&["bash"]);
    assert!(plain.contains("gapi__subcmd__drive__subcmd__v3)") && !plain.contains("--page-size"));
    assert!(script(&["zsh", "drive:v3"]).contains("--page-size"));
    assert!(script(&["fish"]).contains("-a \"drive\""));
    // fish: clap_complete stops at two levels; gapi writes the rest.
    let fish = script(&["fish", "drive:v3"]);
    assert!(
        fish.contains("complete -c gapi -n '__gapi_at drive v3 files' -f -a 'list'"),
        "the method under its resource"
    );
    assert!(fish.contains("complete -c gapi -n '__gapi_in drive v3 files list' -l page-size"));
    assert!(
        fish.contains("-l corpus") && fish.contains("-f -a 'domain user'"),
        "an enum flag's values"
    );
    assert!(
        !script(&["fish"]).contains("__gapi_in"),
        "only for named APIs"
    );
    let out = gapi()
        .args(["completions", "bash", "drive"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("expected API:VERSION"));
}

#[test]
fn a_typo_of_a_cached_api_is_named_without_asking_the_network() {
    // GAPI_DISCOVERY_URL points at a closed port: a fetch would fail there
    // with a connection error instead of this answer.
    let out = gapi()
        .args(["drvie", "v3", "files", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(
        text.starts_with("gapi: no API `drvie` here; did you mean `drive`?"),
        "{text}"
    );
    assert!(text.contains("gapi apis fetch drvie v3"), "{text}");
    let out = gapi().args(["drvie"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("did you mean `drive`?"), "{text}");
}

#[test]
fn an_empty_api_key_is_an_error_not_a_fallback() {
    let out = gapi()
        .args([
            "generativelanguage",
            "v1beta",
            "models",
            "list",
            "--api-key",
            "",
        ])
        .env("GAPI_ROOT_URL", "http://127.0.0.1:9/")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(text.starts_with("gapi: --api-key is empty"), "{text}");
}
