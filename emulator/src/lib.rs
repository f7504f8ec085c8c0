//! A local stand-in for Google's endpoints, on 127.0.0.1, for tests, demos and
//! users who want to test their own code offline.
//!
//! This first cut plays:
//! - **OAuth 2.0**: an authorization endpoint with an HTML consent page (or
//!   automatic consent), a token endpoint (authorization code with PKCE S256
//!   checked, refresh token, JWT bearer, device code) with Google-shaped
//!   errors (`invalid_grant`, …), and OAuth2 v2 `userinfo` and `tokeninfo`.
//! - **Drive v3** `files.list` (`pageSize`, `pageToken`, `orderBy` including
//!   `modifiedByMeTime desc`, a `q` subset) and `files.get` (also `alt=media`
//!   with `Range`).
//! - **BigQuery v2** `jobs.query` and `jobs.getQueryResults` with paged rows
//!   (int64 as strings, as Google sends them).
//! - **Gemini** (Generative Language v1beta) `models.list`, `models.get` and
//!   `models.generateContent`,
//!   with an API key in `x-goog-api-key` or `key`.
//!
//! Faults can be injected ([`Emulator::inject`]): status bursts (429/503
//! with `Retry-After`), access tokens that stop working early, and answers
//! cut off mid-body.
//!
//! Responses follow Google's documented shapes; the tests check that gapi's
//! generated clients decode every one of them.
#![deny(missing_docs)]

mod bigquery;
mod drive;
mod gemini;
mod http_util;
mod oauth;
mod server;

pub use server::{Emulator, EmulatorOptions, Fault};
