//! `gapi`: calls any method of any Google API from the command line. It
//! reads the API's discovery document at run time (the pinned set, a cache,
//! or a live fetch), lowers it with the same IR generated crates come from,
//! and sends through gapi's runtime: no per-API code.
//!
//! ```text
//! gapi drive v3 files list --order-by "modifiedByMeTime desc" --page-size 5
//! gapi apis list
//! gapi apis describe drive v3 files.list
//! ```

mod apis;
mod auth;
mod batch;
mod body;
mod call;
mod completions;
mod document;
mod error;
mod format;
mod hints;
mod media;
mod names;
mod out;
mod tree;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::document::Lookup;
use crate::error::CliError;

/// Call any method of any Google API, from its discovery document.
#[derive(Debug, Parser)]
#[command(
    name = "gapi",
    version,
    after_help = "Calls: gapi API VERSION RESOURCE... METHOD [ARGS] [FLAGS]\n  e.g. gapi drive v3 files list --page-size 5\n       gapi drive v3 files get FILE_ID --fields id,name --dry-run\nSee `gapi API VERSION --help` for an API's resources and methods.\nBatches: gapi batch API VERSION [--file CALLS.ndjson], one call per line: {\"method\": \"files.get\", \"params\": {…}, \"body\": {…}} (see `gapi batch --help`)."
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    command: Builtin,
}

#[derive(Debug, Subcommand)]
enum Builtin {
    /// The APIs this machine has documents for, and their methods.
    Apis {
        #[command(subcommand)]
        command: apis::ApisCommand,
    },
    /// Sign in once; later calls use the cached user (one per --profile).
    Auth {
        /// The profile to sign in, show or sign out (default: GAPI_PROFILE, `gapi auth default`, else `default`).
        #[arg(long, global = true, env = "GAPI_PROFILE", value_name = "NAME")]
        profile: Option<String>,
        #[command(subcommand)]
        command: auth::AuthCommand,
    },
    /// A completion script for bash, zsh or fish, e.g. `gapi completions bash drive:v3 > ~/.local/share/bash-completion/completions/gapi`.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
        /// APIs whose resources, methods and flags are completed too (`drive:v3`).
        apis: Vec<String>,
    },
    /// A call: `gapi API VERSION RESOURCE... METHOD`.
    #[command(external_subcommand)]
    Call(Vec<OsString>),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Builtin::Apis { command } => apis::run(command, &Lookup::new()),
        // `--api` is read before the async runtime starts: fetching a
        // document that is not here uses a blocking client.
        Builtin::Auth { profile, command } => auth::with_api_scopes(command, &Lookup::new())
            .and_then(|command| {
                runtime().and_then(|rt| rt.block_on(auth::run(command, profile.as_deref())))
            }),
        Builtin::Completions { shell, apis } => completions::run(shell, &apis, &Lookup::new()),
        Builtin::Call(args) if batch::is_batch_command(&args, &Lookup::new()) => {
            batch::parse(&args).and_then(|args| {
                let doc = batch::document(&args, &Lookup::new())?;
                runtime().and_then(|rt| rt.block_on(batch::run(args, doc)))
            })
        }
        Builtin::Call(args) => call_command(args),
    };
    match result {
        Ok(()) | Err(CliError::Closed) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("gapi: {}", error.report());
            error.exit_code()
        }
    }
}

/// `gapi API VERSION …`: loads the document, builds its command tree,
/// parses the rest of the line against it and makes the call.
fn call_command(args: Vec<OsString>) -> Result<(), CliError> {
    let mut args = args.into_iter();
    let api_name = args
        .next()
        .map(|a| a.to_string_lossy().into_owned())
        .unwrap_or_default();
    let lookup = Lookup::new();
    let Some(version) = args.next().map(|a| a.to_string_lossy().into_owned()) else {
        return Err(no_version(&lookup, &api_name));
    };
    let doc = lookup.load(&api_name, &version)?;
    let api = gapi_codegen::Generator::new(&doc).lower();
    let name = format!("gapi {api_name} {version}");
    let tree = tree::build(&name, &doc, &api);
    let matches = match tree
        .command
        .clone()
        .try_get_matches_from(std::iter::once(OsString::from(name.clone())).chain(args))
    {
        Ok(matches) => matches,
        Err(e) => e.exit(),
    };
    // Down the subcommands to the method.
    let mut path = Vec::new();
    let mut leaf = &matches;
    while let Some((sub, sub_matches)) = leaf.subcommand() {
        path.push(sub.to_string());
        leaf = sub_matches;
    }
    let entry = *tree
        .entries
        .get(&path)
        .ok_or_else(|| CliError::Usage(format!("{name} {}: not a method", path.join(" "))))?;
    // An empty key (`--api-key "$UNSET_VARIABLE"`) is a mistake, not a
    // request to sign in some other way.
    if leaf
        .get_one::<String>("api-key")
        .is_some_and(|k| k.trim().is_empty())
    {
        return Err(CliError::Usage(
            "--api-key is empty (from the flag or GOOGLE_API_KEY); give the key, or leave the flag out to use the signed-in user or ADC".into(),
        ));
    }
    let service = call::service_spec(&api);
    let spec = call::method_spec(service, entry.method);
    let dry_run = leaf.get_flag("dry-run");
    let outcome = runtime()?.block_on(async {
        let mut builder = gapi_runtime::Client::builder(service);
        if let Some(root) = leaf.get_one::<String>("root-url") {
            builder = builder.root_url(root.as_str());
        }
        let api_key = leaf.get_one::<String>("api-key").map(String::as_str);
        // A dry run names the credentials a call would use but fetches no
        // token and asks no metadata server.
        let profile = auth::active_profile(leaf.get_one::<String>("profile").map(String::as_str))?;
        let acting = call::Acting {
            impersonate: leaf
                .get_one::<String>("impersonate-service-account")
                .cloned(),
            subject: leaf.get_one::<String>("subject").cloned(),
        };
        let scopes: Vec<String> = entry.method.scopes.iter().take(1).cloned().collect();
        // A key acting for a user needs no other credentials.
        let chosen = if acting.subject.is_some() {
            None
        } else {
            let chain = call::credential_chain(api_key, dry_run, Some(&profile))?;
            call::credentials(&chain, &scopes).await?
        };
        if dry_run {
            if let Some(what) = acting.describe() {
                eprintln!("then: {what}");
            }
        } else if chosen.is_some() || acting.any() {
            let creds =
                acting.apply(chosen.as_ref().map(gapi_auth::Chosen::credentials), &scopes)?;
            if let Some(creds) = creds {
                builder = builder.shared_credentials(creds);
            }
        }
        let client = builder
            .build()
            .map_err(|e| CliError::Usage(format!("--root-url: {e}")))?;
        let request = call::build_request(&client, spec, entry, leaf, &api)?;
        if dry_run {
            return dry_run_output(&request, chosen.as_ref());
        }
        let paging = call::paging_fields(entry.method, &api);
        let mut printer = format::Printer::new(
            format::Format::parse(
                leaf.get_one::<String>("output-format")
                    .map_or("json", String::as_str),
            ),
            leaf.get_flag("compact"),
            leaf.get_one::<String>("fields").map(String::as_str),
            paging.as_ref().and_then(|(_, _, items)| items.clone()),
        );
        if let Some(file) = leaf.get_one::<String>("upload") {
            let mime = leaf.get_one::<String>("mime").map(String::as_str);
            return media::upload(request, std::path::Path::new(file), mime, &mut printer).await;
        }
        if let Some(file) = leaf.get_one::<String>("download") {
            return media::download(request, std::path::Path::new(file)).await;
        }
        if let Some(streaming) = entry.method.streaming {
            return call::stream(request, streaming).await;
        }
        if leaf.get_flag("page-all") {
            let Some(paging) = paging else {
                return Err(CliError::Usage(format!(
                    "--page-all: {} does not page",
                    entry.method.id
                )));
            };
            let max = leaf.get_one::<u64>("max-items").copied();
            return call::page_all(request, paging, max, &mut printer).await;
        }
        call::execute(request, &mut printer).await
    });
    outcome.map_err(|e| match &e {
        CliError::Call(call) => match hints::for_error(call, &entry.method.scopes) {
            Some(hint) => CliError::Hinted {
                error: Box::new(e),
                hint,
            },
            None => e,
        },
        _ => e,
    })
}

/// `gapi NAME` alone: a misspelt command or API, or an API without its
/// version.
fn no_version(lookup: &Lookup, api_name: &str) -> CliError {
    let versions = lookup.versions_of(api_name);
    CliError::Usage(if let Some(near) = lookup.near_miss(api_name) {
        format!("unknown command or API `{api_name}`; did you mean `{near}`?")
    } else if versions.is_empty() {
        format!("unknown command or API `{api_name}`; see `gapi --help` and `gapi apis list`")
    } else {
        format!(
            "gapi {api_name} VERSION …: versions here: {}",
            versions.join(", ")
        )
    })
}

/// `--dry-run`: the request a call would send, with the credential header it
/// would carry (its value hidden), and which credentials those are (stderr).
fn dry_run_output(
    request: &gapi_runtime::Request,
    chosen: Option<&gapi_auth::Chosen>,
) -> Result<(), CliError> {
    let mut prepared = request.preview()?;
    match chosen {
        Some(chosen) if chosen.source() == "--api-key" => prepared
            .headers
            .push(("x-goog-api-key".into(), "<redacted>".into())),
        Some(_) => prepared
            .headers
            .push(("authorization".into(), "Bearer <redacted>".into())),
        None => {}
    }
    eprintln!(
        "credentials: {}",
        chosen.map_or_else(
            || "none configured (a call would also ask the metadata server)".to_string(),
            gapi_auth::Chosen::describe
        )
    );
    out::bytes(call::dry_run_text(&prepared).as_bytes())
}

/// The single-threaded async runtime a command runs on.
fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Io(format!("starting the async runtime: {e}")))
}
