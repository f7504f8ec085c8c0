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
    /// Sign a user in at start-up (no consent page) and write their
    /// `client_secret.json` and `token.json` into this directory, for an
    /// application that signs in with `InstalledFlow`.
    #[arg(long, value_name = "DIR")]
    signed_in_user: Option<std::path::PathBuf>,
    /// Scopes granted to --signed-in-user.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "https://www.googleapis.com/auth/drive.metadata.readonly"
    )]
    scopes: Vec<String>,
    /// Accept only this API key (repeat for more); others answer
    /// `400 API_KEY_INVALID`, as Google does. Without it any key is accepted.
    #[arg(long = "api-key", value_name = "KEY")]
    api_keys: Vec<String>,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let options = EmulatorOptions {
        port: args.port,
        auto_consent: args.auto_consent,
        drive_files: args.drive_files,
        api_keys: args.api_keys,
    };
    match Emulator::start(options).await {
        Ok(emulator) => {
            println!("gapi emulator on {}", emulator.root_url());
            println!("  authorization: {}", emulator.auth_uri());
            println!("  token:         {}", emulator.token_uri());
            // An unmodified gapi application talks to this emulator with it.
            let host = emulator.root_url();
            let host = host.trim_start_matches("http://").trim_end_matches('/');
            println!("  for your app:  export GAPI_EMULATOR_HOST={host}");
            if let Some(dir) = &args.signed_in_user {
                let scopes: Vec<&str> = args.scopes.iter().map(String::as_str).collect();
                let user = emulator.sign_in(&scopes);
                let written = std::fs::create_dir_all(dir)
                    .and_then(|()| {
                        std::fs::write(dir.join("client_secret.json"), user.client_secrets_json())
                    })
                    .and_then(|()| std::fs::write(dir.join("token.json"), user.token_json()));
                if let Err(e) = written {
                    eprintln!("error: --signed-in-user {}: {e}", dir.display());
                    return std::process::ExitCode::FAILURE;
                }
                println!(
                    "  signed-in user: {} and {}",
                    dir.join("client_secret.json").display(),
                    dir.join("token.json").display()
                );
            }
            emulator.run_forever().await;
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: cannot listen on 127.0.0.1:{}: {e}", args.port);
            std::process::ExitCode::FAILURE
        }
    }
}
