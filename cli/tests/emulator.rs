//! The `gapi` binary against the emulator, as a script would run it: real
//! processes, a signed-in user through Application Default Credentials,
//! exit codes and stderr checked.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::{Command, Output};

use gapi_emulator::{Emulator, EmulatorOptions};

const DRIVE: &str = "https://www.googleapis.com/auth/drive";
/// What `gcloud auth application-default login` grants.
const CLOUD_PLATFORM: &str = "https://www.googleapis.com/auth/cloud-platform";

/// A signed-in user's ADC file, in a directory of its own.
fn adc_file(emu: &Emulator, tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gapi-cli-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("adc.json");
    std::fs::write(
        &file,
        emu.sign_in(&[DRIVE, CLOUD_PLATFORM]).authorized_user_json(),
    )
    .unwrap();
    file
}

/// Runs `gapi ARGS` against the emulator with `adc` as its credentials.
async fn gapi(emu: &Emulator, adc: &PathBuf, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_gapi"));
    command
        .args(args)
        .env("GAPI_ROOT_URL", emu.root_url())
        .env("GOOGLE_APPLICATION_CREDENTIALS", adc)
        // Nobody signed in through `gapi auth`: the ADC file is what is used.
        .env("GAPI_CONFIG_DIR", adc.with_file_name("config"))
        .env("GAPI_DISCOVERY_URL", "http://127.0.0.1:9/{api}/{version}")
        .env_remove("GOOGLE_API_KEY");
    tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drive_list_get_and_every_page() {
    let emu = Emulator::start(EmulatorOptions::default()).await.unwrap();
    let adc = adc_file(&emu, "drive");

    let out = gapi(
        &emu,
        &adc,
        &[
            "drive",
            "v3",
            "files",
            "list",
            "--page-size",
            "5",
            "--order-by",
            "modifiedByMeTime desc",
        ],
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let page: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let files = page["files"].as_array().unwrap();
    assert_eq!(files.len(), 5);
    assert!(stdout(&out).contains("\n  "), "pretty by default");

    let id = files[0]["id"].as_str().unwrap().to_string();
    let out = gapi(
        &emu,
        &adc,
        &[
            "drive",
            "v3",
            "files",
            "get",
            &id,
            "--fields",
            "id,name",
            "--compact",
        ],
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).lines().count(), 1, "compact: one line");
    let file: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(file["id"], id.as_str());

    let out = gapi(
        &emu,
        &adc,
        &[
            "drive",
            "v3",
            "files",
            "list",
            "--page-size",
            "40",
            "--page-all",
        ],
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 250, "every seeded file, one per line");
    let ids: std::collections::BTreeSet<String> = lines
        .iter()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(ids.len(), 250, "no file twice");

    let out = gapi(
        &emu,
        &adc,
        &[
            "drive",
            "v3",
            "files",
            "list",
            "--page-size",
            "40",
            "--page-all",
            "--max-items",
            "7",
        ],
    )
    .await;
    assert_eq!(stdout(&out).lines().count(), 7);
}

/// Runs `gapi ARGS` and requires exit `code` with `needle` on stderr and
/// nothing on stdout.
async fn fails(emu: &Emulator, adc: &PathBuf, args: &[&str], code: i32, needle: &str) {
    let out = gapi(emu, adc, args).await;
    assert_eq!(
        out.status.code(),
        Some(code),
        "gapi {args:?}: {}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains(needle),
        "gapi {args:?}: {}",
        stderr(&out)
    );
    assert!(stdout(&out).is_empty(), "gapi {args:?}: {}", stdout(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_exit_non_zero_with_a_message() {
    let emu = Emulator::start(EmulatorOptions::default()).await.unwrap();
    let adc = adc_file(&emu, "errors");
    let list = ["drive", "v3", "files", "list"];
    let create = |json| {
        [
            "drive",
            "v3",
            "files",
            "create",
            "--dry-run",
            "--json",
            json,
        ]
    };

    // Google's error, from the server: exit 1, its status on stderr.
    fails(
        &emu,
        &adc,
        &["drive", "v3", "files", "get", "no-such-file"],
        1,
        "404",
    )
    .await;
    // A flag of the wrong type: clap's usage error, exit 2, naming the flag.
    fails(
        &emu,
        &adc,
        &[&list[..], &["--page-size", "many"]].concat(),
        2,
        "--page-size",
    )
    .await;
    // An enum value not in the list: the values are listed.
    fails(
        &emu,
        &adc,
        &[&list[..], &["--corpus", "galaxy"]].concat(),
        2,
        "[possible values: domain, user]",
    )
    .await;
    // A misspelt body field, named by its path, with a suggestion.
    let typo = r#"{"name":"a","parnts":["x"]}"#;
    fails(
        &emu,
        &adc,
        &create(typo),
        2,
        "$: File has no field `parnts`; did you mean `parents`?",
    )
    .await;
    // A wrong type deep inside.
    let deep = r#"{"owners":[{"me":"yes"}]}"#;
    fails(
        &emu,
        &adc,
        &create(deep),
        2,
        "$.owners[0].me: expected true or false, found a string",
    )
    .await;
    // Not JSON at all.
    fails(&emu, &adc, &create("{name:"), 2, "--json: not JSON").await;
    // An API that is not here (and cannot be fetched).
    fails(
        &emu,
        &adc,
        &["no-such-api", "v1", "things", "list"],
        2,
        "no-such-api",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_shows_the_request_and_sends_nothing() {
    let emu = Emulator::start(EmulatorOptions::default()).await.unwrap();
    let adc = adc_file(&emu, "dry");
    let before = emu.served().len();
    let out = gapi(
        &emu,
        &adc,
        &[
            "drive",
            "v3",
            "files",
            "list",
            "--page-size",
            "5",
            "--q",
            "name contains 'x'",
            "--dry-run",
        ],
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let first = text.lines().next().unwrap();
    assert!(
        first.starts_with(&format!("GET {}drive/v3/files?", emu.root_url())),
        "{first}"
    );
    assert!(first.contains("pageSize=5"), "{first}");
    assert!(
        first.contains("q=name+contains+%27x%27") || first.contains("q=name%20contains%20%27x%27"),
        "{first}"
    );
    assert!(text.contains("\n\n"), "headers, then a blank line");
    assert_eq!(emu.served().len(), before, "a dry run sends nothing");
    assert!(!text.contains("x-goog-api-key"), "no key given: {text}");

    // With an API key, the header a call would carry, its value hidden.
    let out = gapi(
        &emu,
        &adc,
        &[
            "drive",
            "v3",
            "about",
            "get",
            "--api-key",
            "s3cret",
            "--dry-run",
        ],
    )
    .await;
    let text = stdout(&out);
    assert!(text.contains("x-goog-api-key: <redacted>"), "{text}");
    assert!(!text.contains("s3cret"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broken_adc_stops_the_call_with_its_error_and_sends_nothing() {
    let emu = Emulator::start(EmulatorOptions::default()).await.unwrap();
    let good = adc_file(&emu, "chain");
    // The dry run names the source a call would use.
    let out = gapi(&emu, &good, &["drive", "v3", "about", "get", "--dry-run"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!(
            "credentials: GOOGLE_APPLICATION_CREDENTIALS ({})",
            good.display()
        )),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).contains("authorization: Bearer <redacted>"));

    // Set but broken (not JSON), and set but missing: ADC's rule is that a
    // configured source stops the chain with its error. Never a call
    // without credentials.
    let broken = good.with_file_name("broken.json");
    std::fs::write(&broken, "{\"type\": \"authorized_user\", ").unwrap();
    let missing = good.with_file_name("missing.json");
    for (adc, why) in [
        (&broken, "not a credentials file"),
        (&missing, "No such file"),
    ] {
        let before = emu.served().len();
        let out = gapi(&emu, adc, &["drive", "v3", "files", "list"]).await;
        assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
        let text = stderr(&out);
        assert!(
            text.contains(&format!(
                "GOOGLE_APPLICATION_CREDENTIALS: {}",
                adc.display()
            )),
            "names the variable and the file: {text}"
        );
        assert!(text.contains(why), "{text}");
        assert_eq!(emu.served().len(), before, "nothing was sent: {text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth_login_status_call_and_logout() {
    let emu = Emulator::start(EmulatorOptions {
        auto_consent: true,
        ..EmulatorOptions::default()
    })
    .await
    .unwrap();
    let dir = std::env::temp_dir().join(format!("gapi-cli-auth-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let secrets = dir.join("client_secret.json");
    std::fs::write(&secrets, emu.sign_in(&[DRIVE]).client_secrets_json()).unwrap();
    // The "browser": follows the authorization URL, which the emulator
    // approves at once and redirects to gapi's loopback server.
    let browser = dir.join("browser.sh");
    std::fs::write(&browser, "#!/bin/sh\ncurl -sL -o /dev/null \"$1\" &\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&browser, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let config = dir.join("config");
    let run = |args: Vec<String>| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_gapi"));
        command
            .args(args)
            .env("GAPI_CONFIG_DIR", &config)
            .env("BROWSER", &browser)
            .env("GAPI_ROOT_URL", emu.root_url())
            .env("GAPI_DISCOVERY_URL", "http://127.0.0.1:9/{api}/{version}")
            // No ADC: the cache is all there is.
            .env_remove("GOOGLE_APPLICATION_CREDENTIALS")
            .env("CLOUDSDK_CONFIG", dir.join("no-gcloud"))
            .env("GCE_METADATA_HOST", "127.0.0.1:9")
            .env_remove("GOOGLE_API_KEY");
        async move {
            tokio::task::spawn_blocking(move || command.output().unwrap())
                .await
                .unwrap()
        }
    };
    let args = |s: &[&str]| s.iter().map(|a| a.to_string()).collect::<Vec<_>>();

    let out = run(args(&["auth", "status"])).await;
    assert_eq!(
        out.status.code(),
        Some(3),
        "not signed in yet: {}",
        stderr(&out)
    );

    let secrets_arg = secrets.display().to_string();
    let out = run(args(&[
        "auth",
        "login",
        "--client-secrets",
        &secrets_arg,
        "--api",
        "drive:v3",
    ]))
    .await;
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    let cache = config.join("token.json");
    let cached: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&cache).unwrap()).unwrap();
    assert!(
        cached["refresh_token"].is_string(),
        "google-auth's format: {cached}"
    );
    assert!(
        cached["scopes"].to_string().contains("auth/drive"),
        "{cached}"
    );

    let out = run(args(&["auth", "status"])).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("https://www.googleapis.com/auth/drive"),
        "{}",
        stdout(&out)
    );
    // Never an empty `account:` line (google-auth's files carry "account": "").
    assert!(
        stdout(&out)
            .lines()
            .filter(|l| l.starts_with("account:"))
            .all(|l| l.trim() != "account:"),
        "{}",
        stdout(&out)
    );

    // A call signs in from the cache (there is no ADC file).
    let out = run(args(&[
        "drive",
        "v3",
        "files",
        "list",
        "--page-size",
        "3",
        "--compact",
    ]))
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let page: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(page["files"].as_array().unwrap().len(), 3);

    let kept = std::fs::read(&cache).unwrap();
    let out = run(args(&["auth", "logout"])).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("revoked"), "{}", stdout(&out));
    assert!(!cache.exists(), "the cache is removed");
    // The revoked sign-in is dead at the server too: put the old cache back
    // (without its access token) and a call cannot refresh.
    let mut old: serde_json::Value = serde_json::from_slice(&kept).unwrap();
    old.as_object_mut().unwrap().remove("token");
    std::fs::write(&cache, old.to_string()).unwrap();
    let out = run(args(&["drive", "v3", "files", "list"])).await;
    assert_ne!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("invalid_grant") || stderr(&out).contains("revoked"),
        "{}",
        stderr(&out)
    );
    let _ = std::fs::remove_file(&cache);
    let out = run(args(&["auth", "status"])).await;
    assert_eq!(out.status.code(), Some(3));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_then_download_small_and_resumable() {
    let emu = Emulator::start(EmulatorOptions::default()).await.unwrap();
    let adc = adc_file(&emu, "media");
    let dir = adc.parent().unwrap().to_path_buf();
    // One request below 5 MiB; the resumable protocol above it.
    for (name, len) in [
        ("small.bin", 300_000usize),
        ("large.bin", 6 * 1024 * 1024 + 17),
    ] {
        let data: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
        let file = dir.join(name);
        std::fs::write(&file, &data).unwrap();
        let metadata = format!(r#"{{"name":"{name}"}}"#);
        let path = file.display().to_string();
        let args = [
            "drive",
            "v3",
            "files",
            "create",
            "--upload",
            &path,
            "--json",
            &metadata,
            "--compact",
        ];
        let out = gapi(&emu, &adc, &args).await;
        assert!(out.status.success(), "{}", stderr(&out));
        let created: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        assert_eq!(created["name"], name);
        let id = created["id"].as_str().unwrap().to_string();

        let back = dir.join(format!("{name}.back"));
        let back_path = back.display().to_string();
        let out = gapi(
            &emu,
            &adc,
            &["drive", "v3", "files", "get", &id, "--download", &back_path],
        )
        .await;
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(std::fs::read(&back).unwrap(), data, "{name} round trip");
        assert!(!dir.join(format!("{name}.back.part")).exists());
    }
    // The large file went up in resumable chunks (PUTs to its session).
    let served = emu.served();
    assert!(
        served
            .iter()
            .any(|r| r.starts_with("PUT /upload/drive/v3/files")),
        "{served:?}"
    );
    // A method without media.
    let out = gapi(
        &emu,
        &adc,
        &["drive", "v3", "about", "get", "--download", "x"],
    )
    .await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("no media"), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gemini_streams_with_an_api_key_and_bigquery_queries() {
    let emu = Emulator::start(EmulatorOptions::default()).await.unwrap();
    let adc = adc_file(&emu, "gemini");
    let ask = r#"{"contents":[{"role":"user","parts":[{"text":"tell me about lighthouses"}]}]}"#;
    let args = [
        "generativelanguage",
        "v1beta",
        "models",
        "stream-generate-content",
        "gemini-2.5-flash",
        "--api-key",
        "demo-key",
        "--json",
        ask,
    ];
    let out = gapi(&emu, &adc, &args).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let pieces: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(
        pieces.len() > 1,
        "one line per streamed piece: {}",
        stdout(&out)
    );
    assert!(
        pieces.iter().all(|p| p["candidates"].is_array()),
        "{}",
        stdout(&out)
    );

    let query = r#"{"query":"SELECT 1","useLegacySql":false}"#;
    let out = gapi(
        &emu,
        &adc,
        &[
            "bigquery",
            "v2",
            "jobs",
            "query",
            "demo-project",
            "--json",
            query,
        ],
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let answer: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(answer["kind"], "bigquery#queryResponse", "{answer}");
}

/// Reads YAML with Python's PyYAML (an independent parser) as JSON.
fn yaml_as_json(text: &str) -> serde_json::Value {
    use std::io::Write;
    let python = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/python");
    let mut child = Command::new(python)
        .args([
            "-c",
            "import json, sys, yaml; print(json.dumps(yaml.safe_load(sys.stdin.read())))",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("the venv's python (the README's test command makes it)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).unwrap()
}

/// `--format yaml|table|csv` with `--fields` columns (nested paths), also
/// across `--page-all`; YAML read back by PyYAML equals the JSON answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_as_yaml_tables_and_csv() {
    let emu = Emulator::start(EmulatorOptions::default()).await.unwrap();
    let adc = adc_file(&emu, "formats");
    let list = ["drive", "v3", "files", "list", "--page-size", "4"];
    let fields = ["--fields", "nextPageToken,files(id,name,mimeType)"];

    let json = gapi(&emu, &adc, &[&list[..], &fields[..]].concat()).await;
    assert!(json.status.success(), "{}", stderr(&json));
    let json: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    let yaml = gapi(
        &emu,
        &adc,
        &[&list[..], &fields[..], &["--format", "yaml"]].concat(),
    )
    .await;
    assert!(yaml.status.success(), "{}", stderr(&yaml));
    assert_eq!(yaml_as_json(&stdout(&yaml)), json);

    let table = gapi(
        &emu,
        &adc,
        &[&list[..], &fields[..], &["--format", "table"]].concat(),
    )
    .await;
    assert!(table.status.success(), "{}", stderr(&table));
    let text = stdout(&table);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 5, "{text}");
    let header: Vec<&str> = lines[0].split_whitespace().collect();
    assert_eq!(header, ["ID", "NAME", "MIMETYPE"]);
    let first = json["files"][0]["id"].as_str().unwrap();
    assert!(lines[1].starts_with(first), "{text}");
    // Columns line up: every row's second column starts where NAME does.
    let name_at = lines[0].find("NAME").unwrap();
    assert!(
        lines[1..].iter().all(|l| l.as_bytes()[name_at - 1] == b' '),
        "{text}"
    );

    // CSV of every page, a nested path as a column.
    let csv = gapi(
        &emu,
        &adc,
        &[
            "drive",
            "v3",
            "files",
            "list",
            "--page-size",
            "40",
            "--page-all",
            "--format",
            "csv",
            "--fields",
            "nextPageToken,files(id,owners/emailAddress)",
        ],
    )
    .await;
    assert!(csv.status.success(), "{}", stderr(&csv));
    let text = stdout(&csv);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "id,owners/emailAddress");
    assert_eq!(lines.len(), 251, "a header and every seeded file");

    // The output flag is `--output-format`, `--format` for short where the
    // method has no parameter of that name.
    let help = gapi(&emu, &adc, &["drive", "v3", "files", "list", "--help"]).await;
    assert!(
        stdout(&help).contains("--output-format <FORMAT>"),
        "{}",
        stdout(&help)
    );
    assert!(
        stdout(&help).contains("[alias: --format]"),
        "{}",
        stdout(&help)
    );
    // Gmail's `messages.get` has its own `format`: that is `--format` there.
    let gmail = gapi(
        &emu,
        &adc,
        &[
            "gmail",
            "v1",
            "users",
            "messages",
            "get",
            "me",
            "m1",
            "--format",
            "full",
            "--output-format",
            "yaml",
            "--dry-run",
        ],
    )
    .await;
    assert!(gmail.status.success(), "{}", stderr(&gmail));
    assert!(stdout(&gmail).contains("format=full"), "{}", stdout(&gmail));
}

/// Values that start with `-` are values, after a space too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn values_may_start_with_a_hyphen() {
    let emu = Emulator::start(EmulatorOptions::default()).await.unwrap();
    let adc = adc_file(&emu, "hyphen");
    let out = gapi(
        &emu,
        &adc,
        &[
            "drive",
            "v3",
            "files",
            "list",
            "--order-by",
            "-name",
            "--page-size",
            "-1",
            "--dry-run",
        ],
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("orderBy=-name"), "{text}");
    assert!(text.contains("pageSize=-1"), "{text}");
    let out = gapi(
        &emu,
        &adc,
        &["drive", "v3", "files", "get", "-dash-id", "--dry-run"],
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("/files/-dash-id"), "{}", stdout(&out));
}

/// Google's common errors come with what to do, read from their details.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn common_errors_come_with_a_hint() {
    use gapi_emulator::Fault;
    let emu = Emulator::start(EmulatorOptions::default()).await.unwrap();
    let adc = adc_file(&emu, "hints");
    let list = ["drive", "v3", "files", "list"];

    emu.inject(Fault::ServiceDisabled);
    fails(
        &emu,
        &adc,
        &list,
        1,
        "hint: Google Drive API is not enabled in projects/123456789012: enable it at https://console.developers.google.com/apis/api/drive.googleapis.com/overview?project=123456789012",
    )
    .await;

    emu.inject(Fault::QuotaExceeded { count: 20 });
    fails(
        &emu,
        &adc,
        &list,
        1,
        "hint: quota `defaultPerMinutePerUser` of `drive.googleapis.com/default`, 12000 is used up",
    )
    .await;
    emu.clear_faults();

    // A token with Drive's read-only scope cannot create: sign in with one
    // that can.
    let dir = adc.with_file_name("readonly");
    std::fs::create_dir_all(&dir).unwrap();
    let readonly = dir.join("adc.json");
    std::fs::write(
        &readonly,
        emu.sign_in(&["https://www.googleapis.com/auth/drive.readonly"])
            .authorized_user_json(),
    )
    .unwrap();
    fails(
        &emu,
        &readonly,
        &["drive", "v3", "files", "create", "--json", r#"{"name":"x"}"#],
        1,
        "hint: the credentials lack the scope this method needs (it takes any of: https://www.googleapis.com/auth/drive, ",
    )
    .await;
    let out = gapi(
        &emu,
        &readonly,
        &[
            "drive",
            "v3",
            "files",
            "create",
            "--json",
            r#"{"name":"x"}"#,
        ],
    )
    .await;
    assert!(
        stderr(&out).contains("`gapi auth login --client-secrets FILE --scopes https://www.googleapis.com/auth/drive`"),
        "{}",
        stderr(&out)
    );
}

/// Profiles (a second sign-in through `--no-browser`, listed, made the
/// default, chosen per call), impersonation and domain-wide delegation,
/// each seen by the emulator's Drive `about.get` as the caller.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn profiles_no_browser_impersonation_and_delegation() {
    use std::io::{BufRead, Write};
    let emu = Emulator::start(EmulatorOptions {
        auto_consent: true,
        ..EmulatorOptions::default()
    })
    .await
    .unwrap();
    let dir = std::env::temp_dir().join(format!("gapi-cli-profiles-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let secrets = dir.join("client_secret.json");
    std::fs::write(&secrets, emu.sign_in(&[DRIVE]).client_secrets_json()).unwrap();
    // A "browser" that only leaves a mark: --no-browser must not run it.
    let opened = dir.join("browser-opened");
    let browser = dir.join("browser.sh");
    std::fs::write(&browser, format!("#!/bin/sh\ntouch {}\n", opened.display())).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&browser, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let config = dir.join("config");
    let command = |args: &[&str]| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_gapi"));
        command
            .args(args)
            .env("GAPI_CONFIG_DIR", &config)
            .env("BROWSER", &browser)
            .env("GAPI_ROOT_URL", emu.root_url())
            .env("GAPI_IAM_ENDPOINT", emu.root_url().trim_end_matches('/'))
            .env("GAPI_DISCOVERY_URL", "http://127.0.0.1:9/{api}/{version}")
            .env_remove("GOOGLE_APPLICATION_CREDENTIALS")
            .env_remove("GAPI_PROFILE")
            .env("CLOUDSDK_CONFIG", dir.join("no-gcloud"))
            .env("GCE_METADATA_HOST", "127.0.0.1:9")
            .env_remove("GOOGLE_API_KEY");
        command
    };
    let run = |mut command: Command| async move {
        tokio::task::spawn_blocking(move || command.output().unwrap())
            .await
            .unwrap()
    };
    let secrets_arg = secrets.display().to_string();

    // Profile `work`, signed in without a browser: the URL is printed, the
    // address the browser would end on is pasted back.
    let mut login = command(&[
        "auth",
        "login",
        "--profile",
        "work",
        "--client-secrets",
        &secrets_arg,
        "--scopes",
        DRIVE,
        "--no-browser",
    ]);
    login
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped());
    let mut child = login.spawn().unwrap();
    let stderr_pipe = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr_pipe)
            .lines()
            .map_while(Result::ok)
        {
            let _ = tx.send(line);
        }
    });
    let url = loop {
        let line = rx
            .recv_timeout(std::time::Duration::from_secs(30))
            .expect("the authorization URL within 30 s");
        if let Some(at) = line.find("http://") {
            break line[at..].split_whitespace().next().unwrap().to_string();
        }
    };
    let answer = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(&url)
        .send()
        .await
        .unwrap();
    let landed = answer.headers()["location"].to_str().unwrap().to_string();
    assert!(landed.contains("code="), "{landed}");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{landed}\n").as_bytes())
        .unwrap();
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    assert!(out.status.success(), "{}", stdout(&out));
    assert!(stdout(&out).contains("profile `work`"), "{}", stdout(&out));
    assert!(config.join("profiles/work/token.json").exists());
    assert!(!opened.exists(), "--no-browser opened no browser");

    // `work` is the only profile; `default` is not signed in, so a call
    // that names nothing falls through to (absent) ADC, and one that names
    // a profile without a sign-in stops with what to do.
    let out = run(command(&["auth", "list"])).await;
    assert!(stdout(&out).contains("  work\t"), "{}", stdout(&out));
    let out = run(command(&[
        "drive",
        "v3",
        "about",
        "get",
        "--fields",
        "user",
        "--profile",
        "home",
    ]))
    .await;
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("run `gapi auth login --profile home`"),
        "{}",
        stderr(&out)
    );
    let who = |out: &Output| -> String {
        assert!(out.status.success(), "{}", stderr(out));
        let about: serde_json::Value = serde_json::from_str(&stdout(out)).unwrap();
        about["user"]["emailAddress"].as_str().unwrap().to_string()
    };
    let out = run(command(&[
        "drive",
        "v3",
        "about",
        "get",
        "--fields",
        "user",
        "--profile",
        "work",
    ]))
    .await;
    assert_eq!(who(&out), "ada@example.com");

    // The default profile: chosen once, used by every command after.
    let out = run(command(&["auth", "default", "work"])).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(command(&["auth", "list"])).await;
    assert!(stdout(&out).contains("* work\t"), "{}", stdout(&out));
    let out = run(command(&["auth", "status"])).await;
    assert!(stdout(&out).contains("profile: work"), "{}", stdout(&out));
    let out = run(command(&[
        "drive", "v3", "about", "get", "--fields", "user",
    ]))
    .await;
    assert_eq!(who(&out), "ada@example.com");

    // Impersonation, with the profile's sign-in as the source.
    let target = "deployer@my-project.iam.gserviceaccount.com";
    let out = run(command(&[
        "drive",
        "v3",
        "about",
        "get",
        "--fields",
        "user",
        "--impersonate-service-account",
        target,
    ]))
    .await;
    assert_eq!(who(&out), target);

    // Domain-wide delegation: a service account key acting for a user.
    let pem = dir.join("key.pem");
    let made = Command::new("openssl")
        .args([
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
        ])
        .arg(&pem)
        .output()
        .unwrap();
    assert!(made.status.success());
    let key = dir.join("key.json");
    std::fs::write(
        &key,
        serde_json::json!({
            "type": "service_account", "project_id": "my-project", "private_key_id": "k1",
            "private_key": std::fs::read_to_string(&pem).unwrap(),
            "client_email": "robot@my-project.iam.gserviceaccount.com", "client_id": "1",
            "token_uri": emu.token_uri(),
        })
        .to_string(),
    )
    .unwrap();
    let mut delegated = command(&[
        "drive",
        "v3",
        "about",
        "get",
        "--fields",
        "user",
        "--subject",
        "alice@example.com",
    ]);
    delegated.env("GOOGLE_APPLICATION_CREDENTIALS", &key);
    assert_eq!(who(&run(delegated).await), "alice@example.com");
    // Without a key, --subject says what it needs.
    let out = run(command(&[
        "drive",
        "v3",
        "about",
        "get",
        "--subject",
        "alice@example.com",
    ]))
    .await;
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("set GOOGLE_APPLICATION_CREDENTIALS"),
        "{}",
        stderr(&out)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// `gapi batch`: NDJSON calls in, one batch request, one outcome per line
/// out in input order; a failed call is reported on its line and makes the
/// exit code 1; a line that is not a call stops everything before sending.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batch_reads_calls_as_ndjson() {
    let emu = Emulator::start(EmulatorOptions::default()).await.unwrap();
    let adc = adc_file(&emu, "batch");
    let page = gapi(
        &emu,
        &adc,
        &["drive", "v3", "files", "list", "--page-size", "2"],
    )
    .await;
    let page: serde_json::Value = serde_json::from_str(&stdout(&page)).unwrap();
    let (a, b) = (
        page["files"][0]["id"].as_str().unwrap().to_string(),
        page["files"][1]["id"].as_str().unwrap().to_string(),
    );
    let dir = adc.with_file_name("batch-input");
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("calls.ndjson");
    std::fs::write(
        &input,
        format!(
            "{}\n{}\n\n{}\n{}\n",
            serde_json::json!({"method": "files.get", "params": {"fileId": a, "fields": "id,name"}}),
            serde_json::json!({"method": "drive.files.update", "params": {"fileId": b}, "body": {"name": "renamed in a batch"}}),
            serde_json::json!({"method": "files.get", "params": {"fileId": "no-such-file"}}),
            serde_json::json!({"method": "about.get", "params": {"fields": "user"}}),
        ),
    )
    .unwrap();
    let before = emu.served().len();
    let file_arg = input.display().to_string();
    let out = gapi(&emu, &adc, &["batch", "drive", "v3", "--file", &file_arg]).await;
    assert_eq!(
        out.status.code(),
        Some(1),
        "one call failed: {}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("1 of 4 call(s) failed"),
        "{}",
        stderr(&out)
    );
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0]["line"], 1);
    assert_eq!(lines[0]["response"]["id"], a.as_str());
    assert_eq!(lines[1]["line"], 2);
    assert_eq!(lines[1]["response"]["name"], "renamed in a batch");
    assert_eq!(lines[2]["line"], 4, "blank lines are skipped, numbers kept");
    assert_eq!(lines[2]["status"], 404);
    assert_eq!(lines[2]["error"]["code"], 404);
    assert_eq!(lines[3]["method"], "drive.about.get");
    let served = emu.served();
    assert_eq!(
        served[before..]
            .iter()
            .filter(|s| s.starts_with("POST /batch/"))
            .count(),
        1,
        "one batch request: {served:?}"
    );
    // The rename happened.
    let got = gapi(
        &emu,
        &adc,
        &["drive", "v3", "files", "get", &b, "--fields", "name"],
    )
    .await;
    assert!(
        stdout(&got).contains("renamed in a batch"),
        "{}",
        stdout(&got)
    );

    // A line that is not a call: named, nothing sent.
    std::fs::write(&input, "{\"method\": \"files.get\", \"params\": {\"fileId\": \"x\"}}\n{\"methd\": \"files.get\"}\n").unwrap();
    let before = emu.served().len();
    let out = gapi(&emu, &adc, &["batch", "drive", "v3", "--file", &file_arg]).await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("calls.ndjson:2: not a call"),
        "{}",
        stderr(&out)
    );
    assert_eq!(emu.served().len(), before, "nothing sent");
    // A method the API does not have, and a required parameter left out.
    std::fs::write(&input, "{\"method\": \"files.fly\"}\n").unwrap();
    let out = gapi(&emu, &adc, &["batch", "drive", "v3", "--file", &file_arg]).await;
    assert!(
        stderr(&out).contains("calls.ndjson:1: drive has no method \"files.fly\""),
        "{}",
        stderr(&out)
    );
    std::fs::write(&input, "{\"method\": \"files.get\"}\n").unwrap();
    let out = gapi(&emu, &adc, &["batch", "drive", "v3", "--file", &file_arg]).await;
    assert!(
        stderr(&out).contains("`params.fileId` is required"),
        "{}",
        stderr(&out)
    );

    // A document that is not here and cannot be fetched: an error, exit 2
    // (the fetch happens before the async runtime, which a blocking fetch
    // inside would abort).
    for args in [
        &["batch", "no-such-api", "v1"][..],
        &[
            "auth",
            "login",
            "--client-secrets",
            "none.json",
            "--api",
            "no-such-api:v1",
        ][..],
    ] {
        let out = gapi(&emu, &adc, args).await;
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("no-such-api"), "{}", stderr(&out));
    }

    // `batch` is also an API: `gapi batch v1 …` still calls Cloud Batch.
    let out = gapi(
        &emu,
        &adc,
        &[
            "batch",
            "v1",
            "projects",
            "locations",
            "jobs",
            "list",
            "projects/p/locations/l",
            "--dry-run",
            "--root-url",
            "https://batch.googleapis.com/",
        ],
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("GET https://batch.googleapis.com/v1/projects/p/locations/l/jobs"),
        "{}",
        stdout(&out)
    );
}
