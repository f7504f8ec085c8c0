//! `gapi completions SHELL [API:VERSION…]`: a completion script for bash,
//! zsh or fish. It always completes the built-in commands and every API
//! name and version with a document here; for the APIs named on the line
//! it also completes their resources, methods and flags (a script for the
//! whole catalog would run to tens of megabytes). clap_complete's fish
//! scripts stop at two levels, so for fish the named APIs' deeper levels
//! (resources, methods, their flags and enum values) are written here.

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
    if shell == Shell::Fish && !named.is_empty() {
        script.extend_from_slice(FISH_HELPERS.as_bytes());
        for (api, version) in &named {
            if let Some(version_command) = command
                .find_subcommand(api)
                .and_then(|a| a.find_subcommand(version))
            {
                fish_levels(
                    version_command,
                    &mut vec![api.clone(), version.clone()],
                    &mut script,
                );
            }
        }
    }
    crate::out::bytes(&script)
}

/// fish conditions: the words typed so far (without options) are exactly
/// the path (for the next subcommand), or start with it (for a method's
/// flags, whose values are words too).
const FISH_HELPERS: &str = r#"
# gapi: resources, methods and flags of the APIs named when this was made.
function __gapi_words
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l words
    for token in $tokens
        string match -q -- '-*' $token; or set -a words $token
    end
    printf '%s\n' $words
end
function __gapi_at
    test "$(__gapi_words | string join ' ')" = "$argv"
end
function __gapi_in
    set -l words (__gapi_words)
    test (count $words) -ge (count $argv); and test "$words[1..(count $argv)]" = "$argv"
end
"#;

/// Text quoted for fish (single quotes).
fn fish_quote(text: &str) -> String {
    format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// One line of help: its first line, at most 80 characters.
fn short(text: Option<&clap::builder::StyledStr>) -> String {
    let text = text.map(ToString::to_string).unwrap_or_default();
    let line = text.lines().next().unwrap_or("").trim();
    line.chars().take(80).collect()
}

/// `complete` lines for `command` at `path` and everything under it.
fn fish_levels(command: &Command, path: &mut Vec<String>, out: &mut Vec<u8>) {
    let at = path.join(" ");
    let subcommands: Vec<&Command> = command.get_subcommands().collect();
    for sub in &subcommands {
        out.extend_from_slice(
            format!(
                "complete -c gapi -n {} -f -a {} -d {}\n",
                fish_quote(&format!("__gapi_at {at}")),
                fish_quote(sub.get_name()),
                fish_quote(&short(sub.get_about()))
            )
            .as_bytes(),
        );
    }
    if subcommands.is_empty() {
        for arg in command.get_arguments() {
            let Some(long) = arg.get_long() else { continue };
            let mut line = format!(
                "complete -c gapi -n {} -l {long} -d {}",
                fish_quote(&format!("__gapi_in {at}")),
                fish_quote(&short(arg.get_help()))
            );
            let takes_value = arg.get_num_args().is_none_or(|n| n.takes_values())
                && !matches!(
                    arg.get_action(),
                    clap::ArgAction::SetTrue | clap::ArgAction::Help
                );
            if takes_value {
                line.push_str(" -r");
                let values: Vec<String> = arg
                    .get_possible_values()
                    .iter()
                    .map(|v| v.get_name().to_string())
                    .collect();
                if !values.is_empty() {
                    line.push_str(&format!(" -f -a {}", fish_quote(&values.join(" "))));
                }
            }
            line.push('\n');
            out.extend_from_slice(line.as_bytes());
        }
    }
    for sub in subcommands {
        path.push(sub.get_name().to_string());
        fish_levels(sub, path, out);
        path.pop();
    }
}
