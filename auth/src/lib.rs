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
//! - [`ServiceAccountCredentials`], [`ApplicationDefaultCredentials`],
//!   [`ApiKey`], [`StaticToken`].
#![deny(missing_docs)]

mod adc;
mod client_secrets;
mod credentials;
mod device;
mod installed;
mod loopback;
pub mod rfc3339;
mod secret;
mod service_account;
pub mod store;
pub mod token;
mod user;

pub use adc::{AdcSource, ApplicationDefaultCredentials};
pub use client_secrets::{ClientConfig, ClientSecretsError, GOOGLE_AUTH_URI, GOOGLE_TOKEN_URI};
pub use credentials::{bearer_headers, ApiKey, AuthError, BoxFuture, Credentials, StaticToken};
pub use device::{DeviceCode, DeviceFlow, GOOGLE_DEVICE_CODE_URI};
pub use installed::{InstalledFlow, PendingAuthorization, WebFlow};
pub use secret::{AccessToken, ApiKeySecret, ClientSecret, RefreshToken};
pub use service_account::ServiceAccountCredentials;
pub use store::{FileTokenStore, MemoryTokenStore, StoredUser, TokenStore};
pub use user::UserCredentials;
