//! `gapi completions SHELL [API:VERSION…]`: a completion script for bash,
//! zsh or fish. It always completes the built-in commands and every API
//! name and version with a document here; for the APIs named on the line
//! it also completes their resources, methods and flags (a script for the
//! whole catalog would run to tens of megabytes). clap_complete's fish
//! scripts stop at two levels, so fish completes API names and versions only.

use clap::{Command, CommandFactory};
use clap_complete::Shell;

use crate::document::Lookup;
use crate::error::CliError;

/// Writes the script for `shell` to standard output.
///
/// # Errors
/// A named API that is not `name:version`, or whose document is missing.
pub fn run(shell: Shell, full: &[String], lookup: &Lookup) -> Result<(), CliError> {
    let mut named = Vec::new();
    for spec in full {
        let (api, version) = spec.split_once(':').ok_or_else(|| {
            CliError::Usage(format!(
                "completions: `{spec}`: expected API:VERSION (drive:v3)"
            ))
        })?;
        named.push((api.to_string(), version.to_string()));
    }
    let mut command = crate::Cli::command();
    let mut apis: Vec<(String, Vec<String>)> = Vec::new();
    for (api, version, _) in lookup.entries() {
        match apis.last_mut() {
            Some((name, versions)) if *name == api => versions.push(version),
            _ => apis.push((api, vec![version])),
        }
    }
    for (api, version) in &named {
        if !apis.iter().any(|(a, v)| a == api && v.contains(version)) {
            // Not cached: loading it fetches it, or says why it cannot.
            lookup.load(api, version)?;
            apis.push((api.clone(), vec![version.clone()]));
        }
    }
    for (api, versions) in apis {
        let mut api_command = Command::new(api.clone())
            .about(format!("the {api} API"))
            .disable_help_subcommand(true);
        for version in versions {
            let version_command = if named.contains(&(api.clone(), version.clone())) {
                let doc = lookup.load(&api, &version)?;
                let ir = gapi_codegen::Generator::new(&doc).lower();
                crate::tree::build(&version, &doc, &ir).command
            } else {
                Command::new(version.clone())
            };
            api_command = api_command.subcommand(version_command);
        }
        command = command.subcommand(api_command);
    }
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "gapi", &mut script);
    crate::out::bytes(&script)
}
