//! `gapi-codegen`: fetch discovery documents and generate Rust clients.
//!
//! A thin shell: [`commands`] has one module per subcommand, [`tools`] the
//! whole-catalog compile driver and the fuzz supervisor; the generator
//! itself is the `gapi_codegen` library.

mod commands;
mod tools;

use std::path::Path;
use std::process::ExitCode;

use clap::Parser;

#[derive(Debug, Parser)]
#[command(
    name = "gapi-codegen",
    version,
    about = "Google API discovery documents → typed Rust clients"
)]
struct Cli {
    #[command(subcommand)]
    command: commands::Command,
}

fn main() -> ExitCode {
    // `catalog check` runs cargo with this program as its rustc wrapper, to
    // time each crate's compile.
    if let Some(times) = std::env::var_os(tools::check::TIMES_ENV) {
        let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
        return match tools::check::time_rustc(Path::new(&times), &args) {
            Ok(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
            Err(e) => {
                eprintln!("gapi-codegen (timing rustc): {e}");
                ExitCode::FAILURE
            }
        };
    }
    let cli = Cli::parse();
    match commands::run(cli.command) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
