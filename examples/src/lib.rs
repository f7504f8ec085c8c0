//! What every example shares: where Google is (the real one, or the emulator
//! named by `GAPI_EMULATOR`), and how to sign in there.
//!
//! With `GAPI_EMULATOR=http://127.0.0.1:8089/` the examples send every
//! request to the emulator, sign in against its OAuth endpoints with a
//! built-in client, and "open the browser" by following the consent redirect
//! (run the emulator with `--auto-consent`). Without it they use real Google
//! and `client_secret.json` from the working directory.

use gapi_auth::{ClientConfig, InstalledFlow};

/// Every Rust block of the README, compiled by `cargo test --doc` (they
/// are `no_run`: most need Google or a browser). Blocks marked
/// `<!-- readme-file: PATH -->` are also copied, as they are, into an
/// application outside the repository and run there (`scripts/outside.sh`).
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;

/// The emulator's root URL, when the examples should use it.
pub fn emulator() -> Option<String> {
    std::env::var("GAPI_EMULATOR")
        .ok()
        .filter(|u| !u.is_empty())
        .map(|mut u| {
            if !u.ends_with('/') {
                u.push('/');
            }
            u
        })
}

/// Applies the emulator's root URL to a client builder, if one is set.
pub fn target<S: From<gapi_runtime::Client>>(
    builder: gapi_runtime::ClientBuilder<S>,
) -> gapi_runtime::ClientBuilder<S> {
    match emulator() {
        Some(url) => builder.root_url(url),
        None => builder,
    }
}

/// The installed-app flow for `scopes`, cached in `token_file`: against the
/// emulator with its built-in client, else with `client_secret.json`.
pub fn installed_flow(scopes: &[&str], token_file: &str) -> InstalledFlow {
    match emulator() {
        Some(url) => {
            let mut client = ClientConfig::new(
                "gapi-examples.apps.googleusercontent.com",
                Some("emulator-secret".into()),
            );
            client.auth_uri = format!("{url}o/oauth2/auth");
            client.token_uri = format!("{url}token");
            InstalledFlow::new(client, scopes)
                .token_cache(token_file)
                // The emulator approves at once (--auto-consent): following the
                // redirect is all a browser would do.
                .browser(|url: &str| {
                    let url = url.to_string();
                    tokio::spawn(async move {
                        let _ = reqwest::get(url).await;
                    });
                    Ok(())
                })
        }
        None => InstalledFlow::from_client_secrets_file("client_secret.json", scopes)
            .token_cache(token_file),
    }
}

/// Whether `token_file` existed before signing in (to say so in the output).
pub fn cached(token_file: &str) -> bool {
    std::path::Path::new(token_file).is_file()
}

/// A Gemini client for the examples: an API key from `GEMINI_API_KEY`, or,
/// with `oauth`, the Gemini OAuth quickstart's sign-in (scope
/// `generative-language.retriever`, cached in `token-gemini.json`).
///
/// # Errors
/// No `GEMINI_API_KEY`, a failed sign-in, or a client that cannot be built.
pub async fn gemini(
    oauth: bool,
) -> Result<gapi_generativelanguage_v1beta::GenerativeLanguage, Box<dyn std::error::Error>> {
    let builder = target(gapi_generativelanguage_v1beta::GenerativeLanguage::builder());
    let builder = if oauth {
        let creds = installed_flow(
            &["https://www.googleapis.com/auth/generative-language.retriever"],
            "token-gemini.json",
        )
        .authenticate()
        .await?;
        builder.credentials(creds)
    } else {
        let key = gapi_auth::ApiKey::from_env("GEMINI_API_KEY")
            .ok_or("set GEMINI_API_KEY (any value works against the emulator)")?;
        builder.credentials(key)
    };
    Ok(builder.build()?)
}
