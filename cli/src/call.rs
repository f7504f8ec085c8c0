//! One call: the request a method's flags describe, then a dry run, the
//! answer, or every page of it.

use std::io::Read;
use std::sync::Arc;

use clap::ArgMatches;
use gapi_auth::{Chosen, CredentialChain, Source};
use gapi_codegen::ir::{self, Location, Type, TypeKind};
use gapi_runtime::spec::{MethodSpec, ServiceSpec};
use gapi_runtime::{Client, PreparedRequest, Request};
use serde_json::Value;

use crate::error::CliError;
use crate::format::Printer;
use crate::tree::Entry;

/// Leaked for the process's lifetime: the runtime takes parameter names as
/// `'static` data, as generated code has them. One call per process, so
/// this is a few bytes once.
fn leak_str(s: &str) -> &'static str {
    Box::leak(s.to_string().into_boxed_str())
}

/// The runtime's description of the API, from the IR (the generator's own
/// mapping, so a call here is described as generated code describes it).
pub fn service_spec(api: &ir::Api) -> &'static ServiceSpec {
    gapi_codegen::spec::runtime::service(api)
}

/// The runtime's description of one method, from the IR.
pub fn method_spec(service: &'static ServiceSpec, m: &ir::Method) -> &'static MethodSpec {
    gapi_codegen::spec::runtime::method(service, m)
}

/// The raw text of every value given for argument `id`.
fn raw_values(matches: &ArgMatches, id: &str) -> Vec<String> {
    // `try_`: a parameter whose flag was not made (its name taken) has no
    // argument to ask about; it travels through `--param`.
    matches
        .try_get_raw(id)
        .ok()
        .flatten()
        .map(|values| values.map(|v| v.to_string_lossy().into_owned()).collect())
        .unwrap_or_default()
}

/// The request the method's arguments describe.
///
/// # Errors
/// A `--param` without `=`, or a body that is not JSON or does not fit the
/// request schema (named by its path).
pub fn build_request(
    client: &Client,
    spec: &'static MethodSpec,
    entry: Entry<'_>,
    matches: &ArgMatches,
    api: &ir::Api,
) -> Result<Request, CliError> {
    let m = entry.method;
    let mut request = Request::new(client, spec);
    for p in m.positional.iter().chain(&m.optional) {
        let values = raw_values(matches, &p.wire);
        if values.is_empty() {
            continue;
        }
        let name = leak_str(&p.wire);
        match p.location {
            Location::Path => {
                let value = values.last().map(String::as_str).unwrap_or_default();
                match &p.collection {
                    Some(collection) => request.path_param_in(name, leak_str(collection), value),
                    None => request.path_param(name, value),
                }
            }
            Location::Query if p.repeated => {
                for value in &values {
                    request.add_query(name, value.as_str());
                }
            }
            Location::Query => request.set_query(name, values[values.len() - 1].as_str()),
        }
    }
    if let Some(fields) = matches.get_one::<String>("fields") {
        request.set_query("fields", fields.as_str());
    }
    if let Some(user) = matches.get_one::<String>("quota-user") {
        request.set_query("quotaUser", user.as_str());
    }
    for pair in raw_values(matches, "param") {
        let Some((name, value)) = pair.split_once('=') else {
            return Err(CliError::Usage(format!(
                "--param {pair}: expected NAME=VALUE"
            )));
        };
        let is_path = m
            .positional
            .iter()
            .chain(&m.optional)
            .any(|p| p.wire == name && p.location == Location::Path);
        if is_path {
            request.path_param(leak_str(name), value);
        } else {
            request.add_query(name.to_string(), value);
        }
    }
    if let Some(source) = matches.get_one::<String>("json") {
        let body = read_body(source)?;
        match &m.request {
            Some(_) if matches.get_flag("no-check") => {}
            Some((_, ty)) => crate::body::check(&body, ty, api).map_err(|e| {
                CliError::Usage(format!(
                    "--json: {e} (--no-check sends it as it is, e.g. for a field newer than the document)"
                ))
            })?,
            None => {
                return Err(CliError::Usage(format!(
                    "--json: {} takes no request body",
                    m.id
                )))
            }
        }
        request.json_body(&body);
    }
    Ok(request)
}

/// `--json` text, `@file`, or `-` for stdin, parsed.
fn read_body(source: &str) -> Result<Value, CliError> {
    let (text, origin) = if source == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| CliError::Io(format!("--json -: reading stdin: {e}")))?;
        (text, "stdin".to_string())
    } else if let Some(file) = source.strip_prefix('@') {
        let text = std::fs::read_to_string(file)
            .map_err(|e| CliError::Io(format!("--json @{file}: {e}")))?;
        (text, file.to_string())
    } else {
        (source.to_string(), "--json".to_string())
    };
    serde_json::from_str(&text).map_err(|e| CliError::Usage(format!("{origin}: not JSON: {e}")))
}

/// Header names whose values are never printed.
const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "x-goog-api-key",
    "cookie",
    "proxy-authorization",
];

/// What `--dry-run` prints: `METHOD URL`, the headers (secrets redacted), a
/// blank line, the body.
pub fn dry_run_text(request: &PreparedRequest) -> String {
    let mut out = format!("{} {}\n", request.method, request.url);
    for (name, value) in &request.headers {
        let value = if SECRET_HEADERS.contains(&name.to_ascii_lowercase().as_str())
            && !value.ends_with("<redacted>")
        {
            "<redacted>"
        } else {
            value.as_str()
        };
        out.push_str(&format!("{name}: {value}\n"));
    }
    out.push('\n');
    if let Some(body) = &request.body {
        out.push_str(&String::from_utf8_lossy(body));
        out.push('\n');
    }
    out
}

/// Sends once and prints the answer.
///
/// # Errors
/// The runtime's error (Google's message for an HTTP error); a closed
/// stdout.
pub async fn execute(request: Request, printer: &mut Printer) -> Result<(), CliError> {
    let body = request.send().await?;
    match serde_json::from_slice::<Value>(&body) {
        Ok(value) => printer.answer(&value),
        Err(_) if body.iter().all(u8::is_ascii_whitespace) => Ok(()),
        Err(_) => crate::out::bytes(&body),
    }
}

/// The wire names of a paged method's next-page token and item list.
pub fn paging_fields(m: &ir::Method, api: &ir::Api) -> Option<(String, String, Option<String>)> {
    let paging = m.paging.as_ref()?;
    let Some(Type::Named { id, .. }) = &m.response else {
        return None;
    };
    let TypeKind::Struct(fields) = &api.types[id.0].kind else {
        return None;
    };
    let wire_of = |name: &str| {
        fields
            .iter()
            .find(|f| f.name.text == name)
            .map(|f| f.wire.clone())
    };
    let token = wire_of(&paging.next_token_field.text)?;
    let items = paging
        .items
        .as_ref()
        .and_then(|(name, _)| wire_of(&name.text));
    Some((paging.token_param.clone(), token, items))
}

/// Walks every page, printing each item (each page, when the method has no
/// item list) as `printer` prints items, up to `max_items`.
///
/// # Errors
/// As [`execute`], for any page.
pub async fn page_all(
    mut request: Request,
    (token_param, token_field, items_field): (String, String, Option<String>),
    max_items: Option<u64>,
    printer: &mut Printer,
) -> Result<(), CliError> {
    let mut printed: u64 = 0;
    let token_param = leak_str(&token_param);
    // Bounded by the server's tokens; a token repeated is a loop we stop.
    let mut seen = std::collections::HashSet::new();
    loop {
        let body = request.clone().send().await?;
        let page: Value = serde_json::from_slice(&body).map_err(|e| {
            CliError::Io(format!("{}: the page is not JSON: {e}", request.spec().id))
        })?;
        let lines: Vec<&Value> = match &items_field {
            Some(field) => page
                .get(field)
                .and_then(Value::as_array)
                .map(|items| items.iter().collect())
                .unwrap_or_default(),
            None => vec![&page],
        };
        let room = max_items.map_or(usize::MAX, |max| {
            usize::try_from(max.saturating_sub(printed)).unwrap_or(usize::MAX)
        });
        let lines = &lines[..lines.len().min(room)];
        printer.items(lines)?;
        printed += lines.len() as u64;
        if max_items.is_some_and(|max| printed >= max) {
            return printer.finish();
        }
        match page.get(&token_field).and_then(Value::as_str) {
            Some(token) if !token.is_empty() && seen.insert(token.to_string()) => {
                request.set_query(token_param, token);
            }
            _ => return printer.finish(),
        }
    }
}

/// Where a call's credentials come from, first configured source wins: the
/// API key if given, the user `gapi auth login` cached for the profile,
/// then Application Default Credentials (`GOOGLE_APPLICATION_CREDENTIALS`,
/// gcloud's file and, unless `offline`, the metadata server). A source that
/// is configured but broken stops the chain with its error: a call never
/// falls through to other credentials, or to none, because of a mistake;
/// nor does a profile asked for by name that is not signed in.
///
/// # Errors
/// A profile named by `--profile`, `GAPI_PROFILE` or `gapi auth default`
/// that has no sign-in.
pub fn credential_chain(
    api_key: Option<&str>,
    offline: bool,
    profile: Option<&crate::auth::Profile>,
) -> Result<CredentialChain, CliError> {
    let mut chain = CredentialChain::new();
    if let Some(key) = api_key.filter(|k| !k.is_empty()) {
        chain = chain.then(Source::fixed(
            "--api-key",
            Arc::new(gapi_auth::ApiKey::new(key)),
        ));
    }
    // No config directory (and no GAPI_CONFIG_DIR): nobody can have signed
    // in through `gapi auth login`, so that source is simply not there.
    if let Some(profile) = profile {
        if let Ok(file) = crate::auth::token_file_of(&profile.name) {
            if profile.named && api_key.is_none() && !file.exists() {
                return Err(CliError::Auth(format!(
                    "profile `{}` is not signed in (no {}); run `gapi auth login --profile {}`",
                    profile.name,
                    file.display(),
                    profile.name
                )));
            }
            chain = chain.then(Source::token_cache(file));
        }
    }
    Ok(if offline {
        chain
            .then(Source::environment_variable())
            .then(Source::gcloud_file())
    } else {
        chain.then_application_default()
    })
}

/// Another account on top of the chosen credentials: a service account
/// they impersonate (IAM `generateAccessToken`), or, with a service account
/// key in `GOOGLE_APPLICATION_CREDENTIALS`, a Workspace user it acts for
/// (domain-wide delegation).
#[derive(Debug, Default, Clone)]
pub struct Acting {
    /// `--impersonate-service-account EMAIL`.
    pub impersonate: Option<String>,
    /// `--subject USER`.
    pub subject: Option<String>,
}

impl Acting {
    /// Whether a flag asks for another account.
    pub fn any(&self) -> bool {
        self.impersonate.is_some() || self.subject.is_some()
    }

    /// What a dry run says about it.
    pub fn describe(&self) -> Option<String> {
        match (&self.impersonate, &self.subject) {
            (Some(sa), _) => Some(format!("impersonating {sa}")),
            (None, Some(user)) => Some(format!("acting for {user} (domain-wide delegation)")),
            _ => None,
        }
    }

    /// The credentials to call with: `chosen` as they are, or the other
    /// account.
    ///
    /// # Errors
    /// `--subject` without a service account key; both flags at once.
    pub fn apply(
        &self,
        chosen: Option<Arc<dyn gapi_auth::Credentials>>,
        scopes: &[String],
    ) -> Result<Option<Arc<dyn gapi_auth::Credentials>>, CliError> {
        let scopes: Vec<&str> = scopes.iter().map(String::as_str).collect();
        match (&self.impersonate, &self.subject) {
            (Some(_), Some(_)) => Err(CliError::Usage(
                "--impersonate-service-account and --subject: use one (a key acts for a user; impersonation gives a service account's token)".into(),
            )),
            (Some(target), None) => {
                let source = chosen.ok_or_else(|| {
                    CliError::Auth(format!(
                        "--impersonate-service-account {target}: no credentials to impersonate with; sign in (`gapi auth login`) or set up ADC"
                    ))
                })?;
                let mut creds = gapi_auth::ImpersonatedCredentials::new(source, target.as_str(), &scopes);
                // An emulator's IAM Credentials (tests, local development).
                if let Some(base) = std::env::var("GAPI_IAM_ENDPOINT").ok().filter(|b| !b.is_empty()) {
                    creds = creds.with_iam_endpoint(&base);
                }
                Ok(Some(Arc::new(creds)))
            }
            (None, Some(user)) => {
                let key = std::env::var_os("GOOGLE_APPLICATION_CREDENTIALS")
                    .filter(|k| !k.is_empty())
                    .ok_or_else(|| {
                        CliError::Auth(format!(
                            "--subject {user}: acting for a user needs a service account key with domain-wide delegation; set GOOGLE_APPLICATION_CREDENTIALS to its key file"
                        ))
                    })?;
                let creds = gapi_auth::ServiceAccountCredentials::from_file(&key, &scopes)
                    .map_err(|e| CliError::Auth(format!("--subject {user}: {e}")))?
                    .with_subject(user.as_str());
                Ok(Some(Arc::new(creds)))
            }
            (None, None) => Ok(chosen),
        }
    }
}

/// The credentials a call uses ([`credential_chain`]); `None` when no
/// source is configured (the call goes out without credentials, for public
/// data).
///
/// # Errors
/// The error of a source that is configured but broken, naming it.
pub async fn credentials(
    chain: &CredentialChain,
    scopes: &[String],
) -> Result<Option<Chosen>, CliError> {
    let scopes: Vec<&str> = scopes.iter().map(String::as_str).collect();
    match chain.resolve(&scopes).await {
        Ok(chosen) => Ok(Some(chosen)),
        Err(e) if e.is_not_configured() => Ok(None),
        Err(e) => Err(CliError::Auth(format!("credentials: {e}"))),
    }
}

/// A streamed answer (Gemini's `streamGenerateContent`): each element
/// printed as one line of JSON as soon as it has arrived.
///
/// # Errors
/// The call's error, also one that ends the stream midway.
pub async fn stream(request: Request, streaming: ir::Streaming) -> Result<(), CliError> {
    use futures_util::StreamExt;
    let framing = match streaming {
        ir::Streaming::JsonArray => gapi_runtime::stream::Framing::JsonArray,
        ir::Streaming::ServerSentEvents => gapi_runtime::stream::Framing::ServerSentEvents,
    };
    let mut items = gapi_runtime::stream::stream::<Value>(request, framing);
    while let Some(item) = items.next().await {
        crate::out::line(item?)?;
    }
    Ok(())
}
