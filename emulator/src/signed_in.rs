//! Signed-in users for your own tests: what a sign-in would have produced,
//! without a browser or a consent page.

use serde_json::json;

/// The OAuth client every [`SignedInUser`] belongs to. Any client id works
/// with the emulator; this one is fixed so that files written by one test
/// run are valid in the next only while the same emulator runs.
pub const TEST_CLIENT_ID: &str = "gapi-emulator-test.apps.googleusercontent.com";
/// The client secret written beside [`TEST_CLIENT_ID`].
pub const TEST_CLIENT_SECRET: &str = "emulator-secret";

/// A user the emulator has signed in ([`crate::Emulator::sign_in`]): an access
/// token the emulator accepts and a refresh token it will honour, for the
/// scopes asked. Write one of its files where your code looks, and your
/// code's sign-in finds a cached user instead of opening a browser.
#[derive(Clone)]
pub struct SignedInUser {
    /// The OAuth client id ([`TEST_CLIENT_ID`]).
    pub client_id: String,
    /// The client secret ([`TEST_CLIENT_SECRET`]).
    pub client_secret: String,
    /// The access token (no expiry is recorded: it is used until the emulator
    /// answers 401, e.g. after [`crate::Fault::ExpireTokens`], then refreshed).
    pub access_token: String,
    /// The refresh token.
    pub refresh_token: String,
    /// The scopes granted.
    pub scopes: Vec<String>,
    /// The emulator's authorization endpoint.
    pub auth_uri: String,
    /// The emulator's token endpoint.
    pub token_uri: String,
}

impl std::fmt::Debug for SignedInUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedInUser")
            .field("client_id", &self.client_id)
            .field("scopes", &self.scopes)
            .field("token_uri", &self.token_uri)
            .finish_non_exhaustive()
    }
}

impl SignedInUser {
    /// A `token.json` in google-auth's format: what `InstalledFlow::token_cache`
    /// (and Python's `Credentials.from_authorized_user_file`) reads.
    pub fn token_json(&self) -> String {
        json!({
            "token": self.access_token,
            "refresh_token": self.refresh_token,
            "token_uri": self.token_uri,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "scopes": self.scopes,
        })
        .to_string()
    }

    /// An `authorized_user` credentials file, as `gcloud auth
    /// application-default login` writes: point `GOOGLE_APPLICATION_CREDENTIALS`
    /// at it for code that uses Application Default Credentials.
    pub fn authorized_user_json(&self) -> String {
        json!({
            "type": "authorized_user",
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "refresh_token": self.refresh_token,
            "token_uri": self.token_uri,
        })
        .to_string()
    }

    /// A `client_secret.json` (desktop app) whose endpoints are the
    /// emulator's: `InstalledFlow::from_client_secrets_file` reads it.
    pub fn client_secrets_json(&self) -> String {
        json!({
            "installed": {
                "client_id": self.client_id,
                "client_secret": self.client_secret,
                "auth_uri": self.auth_uri,
                "token_uri": self.token_uri,
                "redirect_uris": ["http://localhost"],
            }
        })
        .to_string()
    }
}
