//! Google sign-in and credentials for gapi clients.
//!
//! Credentials give a request its **headers** (not just a bearer token): an
//! API key travels as `x-goog-api-key`, a quota project as
//! `x-goog-user-project`. The runtime asks for them before every attempt.
//!
//! - [`InstalledFlow`]: desktop sign-in through the browser and a loopback
//!   redirect (PKCE, `state`), or by pasting the redirect URL on machines
//!   without a browser; cached in a `token.json` that Python's google-auth
//!   reads and writes too.
//! - [`DeviceFlow`]: RFC 8628 for limited-input devices.
//! - [`UserCredentials`]: refresh before expiry, single-flight, resilient.
//! - [`ServiceAccountCredentials`], [`ImpersonatedCredentials`] (IAM
//!   `generateAccessToken`), [`ExternalAccountCredentials`] (workload
//!   identity federation through STS), [`ApplicationDefaultCredentials`]
//!   (which reads all of their ADC file types), [`ApiKey`], [`StaticToken`].
//!
//! Every token request has a connect and total timeout (30 s unless a
//! `token_timeout` says otherwise), follows no redirect, and retries only
//! transient failures; errors keep the endpoint's status and OAuth error
//! and never carry a secret.
//!
//! The [`Credentials`] trait, [`ApiKey`], [`StaticToken`] and the secret
//! types come from the small `gapi-credentials` crate (re-exported here), so
//! a client crate depends on that, not on the sign-in flows.
#![deny(missing_docs)]

mod adc;
pub mod chain;
mod client_secrets;
mod device;
mod downscoped;
mod external;
#[cfg(test)]
mod fuzz;
mod id_token;
mod impersonated;
mod installed;
mod loopback;
mod pkce;
mod service_account;
pub mod store;
pub mod token;
mod user;
mod workforce_user;

pub use adc::{AdcSource, ApplicationDefaultCredentials};
pub use chain::{Chosen, CredentialChain, Source};
pub use client_secrets::{
    ClientConfig, ClientKind, ClientSecretsError, GOOGLE_AUTH_URI, GOOGLE_TOKEN_URI,
};
pub use device::{DeviceCode, DeviceFlow, GOOGLE_DEVICE_CODE_URI};
pub use downscoped::{
    AccessBoundaryRule, AvailabilityCondition, CredentialAccessBoundary, DownscopedCredentials,
    MAX_ACCESS_BOUNDARY_RULES,
};
pub use external::{ExternalAccountCredentials, GOOGLE_STS_URI};
pub use gapi_credentials::{
    bearer_headers, rfc3339, AccessToken, ApiKey, ApiKeySecret, AuthError, AuthErrorKind,
    BoxFuture, ClientSecret, Credentials, RefreshToken, StaticToken, TokenEndpointError,
};
pub use id_token::{
    IdTokenClaims, IdTokenCredentials, IdTokenVerifier, GOOGLE_ID_TOKEN_CERTS_URL,
    GOOGLE_ID_TOKEN_ISSUERS,
};
pub use impersonated::{ImpersonatedCredentials, GOOGLE_IAM_CREDENTIALS_URI};
pub use installed::{InstalledFlow, PendingAuthorization, WebFlow};
// The modules the flows were written against, now in gapi-credentials.
use gapi_credentials as credentials;
use gapi_credentials::secret;
pub use service_account::ServiceAccountCredentials;
pub use store::{FileTokenStore, MemoryTokenStore, Replaced, StoredUser, TokenStore};
pub use user::UserCredentials;
pub use workforce_user::WorkforceUserCredentials;

/// Reads a credentials file and parses it with `parse`; every error names
/// the file.
fn read_config<T>(
    path: &std::path::Path,
    parse: impl FnOnce(&[u8]) -> Result<T, AuthError>,
) -> Result<T, AuthError> {
    let bytes =
        std::fs::read(path).map_err(|e| AuthError::config(format!("{}: {e}", path.display())))?;
    parse(&bytes).map_err(|e| e.context(path.display()))
}
