//! Google sign-in and credentials for gapi clients.
//!
//! Credentials give a request its **headers** (not just a bearer token): an
//! API key travels as `x-goog-api-key`, a quota project as
//! `x-goog-user-project`. The runtime asks for them before every attempt.
#![deny(missing_docs)]

mod credentials;
mod secret;

pub use credentials::{ApiKey, AuthError, BoxFuture, Credentials, StaticToken};
pub use secret::{AccessToken, ApiKeySecret, ClientSecret, RefreshToken};
