//! `gapi-emulator`: serve the emulated Google endpoints on 127.0.0.1.

use clap::Parser;
use gapi_emulator::{Emulator, EmulatorOptions};

#[derive(Debug, Parser)]
#[command(
    name = "gapi-emulator",
    version,
    about = "A local stand-in for Google's endpoints"
)]
struct Args {
    /// Port on 127.0.0.1 (0: any free port).
    #[arg(long, default_value_t = 8089)]
    port: u16,
    /// Approve sign-ins without showing the consent page.
    #[arg(long)]
    auto_consent: bool,
    /// How many Drive files to seed.
    #[arg(long, default_value_t = 250)]
    drive_files: usize,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let options = EmulatorOptions {
        port: args.port,
        auto_consent: args.auto_consent,
        drive_files: args.drive_files,
    };
    match Emulator::start(options).await {
        Ok(emulator) => {
            println!("gapi emulator on {}", emulator.root_url());
            println!("  authorization: {}", emulator.auth_uri());
            println!("  token:         {}", emulator.token_uri());
            emulator.run_forever().await;
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: cannot listen on 127.0.0.1:{}: {e}", args.port);
            std::process::ExitCode::FAILURE
        }
    }
}
