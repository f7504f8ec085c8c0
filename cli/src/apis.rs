//! `gapi apis …`: what APIs are here, and what an API or method takes.

use crate::document::Lookup;
use crate::error::CliError;
use crate::names::kebab;
use crate::out;
use clap::Subcommand;

/// `gapi apis` subcommands.
#[derive(Debug, Subcommand)]
pub enum ApisCommand {
    /// Every API and version with a document in a cache (name, version, title).
    List {
        /// Only APIs whose name contains this.
        filter: Option<String>,
    },
    /// An API's resources and methods, or one method's parameters, from its document.
    Describe {
        /// API name, as in the catalog (`drive`).
        api: String,
        /// Version (`v3`).
        version: String,
        /// A method: its id without the API name (`files.list`).
        method: Option<String>,
    },
    /// Stores the pinned set of documents (from PyPI, hash-checked) in the per-user cache.
    Sync,
    /// Fetches one document live from Google's Discovery Service into the
    /// cache (a new API or version; a call does this by itself unless the
    /// name looks like a typo of one already here).
    Fetch {
        /// API name (`youtube`).
        api: String,
        /// Version (`v3`).
        version: String,
    },
}

/// Runs a `gapi apis` subcommand.
///
/// # Errors
/// A missing or unreadable document; a method the document does not have.
pub fn run(command: ApisCommand, lookup: &Lookup) -> Result<(), CliError> {
    match command {
        ApisCommand::List { filter } => {
            let entries = lookup.entries();
            if entries.is_empty() {
                return Err(CliError::Document(
                    "no discovery documents here yet; run `gapi apis sync`".into(),
                ));
            }
            for (api, version, file) in entries {
                if filter.as_deref().is_some_and(|f| !api.contains(f)) {
                    continue;
                }
                let title = title_of(&file).unwrap_or_default();
                out::line(format!("{api:<32} {version:<16} {title}"))?;
            }
            Ok(())
        }
        ApisCommand::Fetch { api, version } => {
            let file = lookup.fetch(&api, &version)?;
            out::line(format!("{api} {version}: {}", file.display()))
        }
        ApisCommand::Describe {
            api,
            version,
            method,
        } => {
            let doc = lookup.load(&api, &version)?;
            let ir = gapi_codegen::Generator::new(&doc).lower();
            match method {
                None => describe_api(&doc, &ir, &api, &version),
                Some(wanted) => describe_method(&doc, &api, &version, &wanted),
            }
        }
        ApisCommand::Sync => {
            let dir = gapi_discovery::pinned::env_dir()
                .or_else(gapi_discovery::pinned::user_cache_dir)
                .ok_or_else(|| {
                    CliError::Io(
                        "no per-user cache directory on this platform; set GAPI_DISCOVERY_DIR"
                            .into(),
                    )
                })?;
            let options = gapi_discovery::sync::SyncOptions::default();
            let report = gapi_discovery::sync::sync(
                &dir,
                &gapi_discovery::pinned::Manifest::pinned(),
                &options,
            )
            .map_err(|e| CliError::Document(e.to_string()))?;
            for wheel in &report.downloaded {
                out::line(format!("downloaded {wheel}"))?;
            }
            out::line(format!(
                "{} documents verified in {}",
                report.verified,
                dir.display()
            ))?;
            Ok(())
        }
    }
}

/// `gapi apis describe API VERSION`: the API and its methods, a line each.
fn describe_api(
    doc: &gapi_discovery::RestDescription,
    ir: &gapi_codegen::ir::Api,
    api: &str,
    version: &str,
) -> Result<(), CliError> {
    out::line(format!(
        "{} ({} {}), revision {}",
        ir.title, api, version, ir.revision
    ))?;
    if let Some(description) = &doc.description {
        out::line(format!("{description}\n"))?;
    }
    for (path, key, m) in doc.all_methods() {
        let words: Vec<String> = path.iter().map(|r| kebab(r)).collect();
        let first = m
            .description
            .as_deref()
            .and_then(|d| d.lines().next())
            .unwrap_or("");
        out::line(format!("  {} {}  {first}", words.join(" "), kebab(key)))?;
    }
    Ok(())
}

/// `gapi apis describe API VERSION METHOD`: the method's parameters, body
/// and answer.
fn describe_method(
    doc: &gapi_discovery::RestDescription,
    api: &str,
    version: &str,
    wanted: &str,
) -> Result<(), CliError> {
    let id = format!("{api}.{wanted}");
    let Some((path, key, raw)) = doc
        .all_methods()
        .into_iter()
        .find(|(_, _, m)| m.id.as_deref() == Some(id.as_str()))
    else {
        return Err(CliError::Usage(format!(
            "{api} {version} has no method {wanted}; see `gapi apis describe {api} {version}`"
        )));
    };
    let words: Vec<String> = path.iter().map(|r| kebab(r)).collect();
    out::line(format!(
        "gapi {api} {version} {} {}   ({} {})",
        words.join(" "),
        kebab(key),
        raw.http_method.as_str(),
        raw.path
    ))?;
    if let Some(description) = &raw.description {
        out::line(format!("\n{description}"))?;
    }
    let params = raw.parameters.clone().unwrap_or_default();
    let order = raw.parameter_order.clone().unwrap_or_default();
    out::line("\nParameters:")?;
    for name in order
        .iter()
        .chain(params.keys().filter(|k| !order.contains(k)))
    {
        let Some(p) = params.get(name) else { continue };
        let path_param = p.location == Some(gapi_discovery::ParameterLocation::Path);
        let shown = if path_param {
            kebab(name).to_uppercase()
        } else {
            format!("--{}", kebab(name))
        };
        let ty = p
            .format
            .clone()
            .or_else(|| p.type_.map(|t| format!("{t:?}").to_lowercase()));
        let required = if p.required == Some(true) {
            ", required"
        } else {
            ""
        };
        let repeated = if p.repeated == Some(true) {
            ", repeated"
        } else {
            ""
        };
        out::line(format!(
            "  {shown} ({}{required}{repeated}): {}",
            ty.unwrap_or_default(),
            p.description.as_deref().unwrap_or("")
        ))?;
        if let Some(values) = &p.enum_values {
            let docs = p.enum_descriptions.clone().unwrap_or_default();
            for (i, v) in values.iter().enumerate() {
                out::line(format!(
                    "      {v}: {}",
                    docs.get(i).map_or("", String::as_str)
                ))?;
            }
        }
    }
    if let Some(body) = raw.request.as_ref().and_then(|b| b.reference.as_deref()) {
        out::line(format!("\nBody (--json): a {body}"))?;
    }
    if let Some(response) = raw.response.as_ref().and_then(|b| b.reference.as_deref()) {
        out::line(format!("Answer: a {response}"))?;
    }
    Ok(())
}

/// The `title` of a document, read without parsing the rest of it into the
/// model.
fn title_of(file: &std::path::Path) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Head {
        title: Option<String>,
    }
    let bytes = std::fs::read(file).ok()?;
    serde_json::from_slice::<Head>(&bytes).ok()?.title
}
