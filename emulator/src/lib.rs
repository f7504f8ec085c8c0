//! A local stand-in for Google's endpoints, on 127.0.0.1, for tests, demos and
//! users who want to test their own code offline.
//!
//! This first cut plays:
//! - **OAuth 2.0**: an authorization endpoint with an HTML consent page (or
//!   automatic consent), a token endpoint (authorization code with PKCE S256
//!   checked, refresh token, JWT bearer, device code) with Google-shaped
//!   errors (`invalid_grant`, …), and OAuth2 v2 `userinfo` and `tokeninfo`.
//! - **Impersonation and workload identity federation**: IAM Credentials
//!   `generateAccessToken` and the STS token exchange (`/v1/token`), with
//!   Google's error shapes.
//! - **Drive v3** `files.list` (`pageSize`, `pageToken`, `orderBy` including
//!   `modifiedByMeTime desc`, a `q` subset), `files.get` (also `alt=media`
//!   with `Range`), `files.create` (a folder or other metadata-only file, or
//!   an upload: simple, multipart, resumable), `files.update` (name,
//!   trashed), `files.delete`, `about.get`, and batch requests of up to 100
//!   calls.
//! - **BigQuery v2** `jobs.query` and `jobs.getQueryResults` with paged rows
//!   (int64 as strings, as Google sends them).
//! - **Gemini** (Generative Language v1beta) `models.list`, `models.get` and
//!   `models.generateContent` and `models.streamGenerateContent` (a JSON
//!   array sent piece by piece, or server-sent events with `alt=sse`),
//!   with an API key in `x-goog-api-key` or `key`; `countTokens`,
//!   `embedContent`, `batchEmbedContents`; files (`media.upload`,
//!   multipart or resumable, then `files.get/list/delete`), which
//!   `generateContent` reads when a part names one; `tunedModels.create`, a
//!   long-running operation of AIP-151's shape, polled by name.
//! - **Compute Engine v1** `instances.insert` and `firewalls.insert`,
//!   long-running operations of Compute's shape (`status: DONE`), polled
//!   through the zonal or global `operations.get` their `selfLink` names.
//!   Operations are done after two polls; a name starting with `fail` makes
//!   one end with an error.
//!
//! **Who may call what, as at Google.** Every API method is checked against
//! its discovery document's scopes: a token without one of them answers
//! `403 ACCESS_TOKEN_SCOPE_INSUFFICIENT` (so a test with a read-only token
//! that uploads fails here, not in production). API keys are checked against
//! [`EmulatorOptions::api_keys`] (`400 API_KEY_INVALID` for others). A method
//! the emulator does not serve answers `501 NOT_IMPLEMENTED` naming it and
//! saying that credentials were not checked — never an authentication
//! error.
//!
//! Faults can be injected ([`Emulator::inject`]): status bursts (429/503
//! with `Retry-After`), on whole requests or on the calls inside batches,
//! access tokens that stop working early, and answers cut off mid-body.
//!
//! Responses follow Google's documented shapes; the tests check that gapi's
//! generated clients decode every one of them.
//!
//! # Testing your own code
//!
//! Add `gapi-emulator` as a dev-dependency, start it, sign a user in without
//! a consent page, and point your clients at it:
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let emu = gapi_emulator::Emulator::start(Default::default()).await?;
//! let user = emu.sign_in(&["https://www.googleapis.com/auth/drive.metadata.readonly"]);
//! std::fs::write("client_secret.json", user.client_secrets_json())?;
//! std::fs::write("token.json", user.token_json())?;
//! // Your code's InstalledFlow now finds the cached user (no browser), and
//! // `Drive::builder().root_url(emu.root_url())` sends its calls here.
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

mod access;
pub mod aws;
mod batch;
mod bigquery;
mod drive;
mod federation;
mod gemini;
mod gemini_cache;
mod gemini_files;
mod http_util;
pub mod identity;
mod oauth;
mod operations;
mod server;
mod signed_in;
mod streaming;

pub use server::{Emulator, EmulatorOptions, Fault};
pub use signed_in::{SignedInUser, TEST_CLIENT_ID, TEST_CLIENT_SECRET};
