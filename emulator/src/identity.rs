//! ID tokens and the machine's metadata server.
//!
//! The emulator signs Google-shaped ID tokens (RS256, `iss`
//! `https://accounts.google.com`) with its own RSA key (made for it with
//! `openssl genpkey`, never used anywhere else) and publishes the public half
//! as a JWKS at `/oauth2/v3/certs`, so a verifier can check them the way it
//! checks Google's. They are issued by the token endpoint (a service
//! account's JWT with `target_audience`), IAM Credentials'
//! `generateIdToken`, and the metadata server's `identity`.
//!
//! The **metadata server** (`GCE_METADATA_HOST=127.0.0.1:PORT`) answers
//! under `/computeMetadata/v1/` only with `Metadata-Flavor: Google`, as a
//! Compute Engine VM's does: the default service account
//! ([`METADATA_SERVICE_ACCOUNT`])'s email, access tokens and ID tokens.

use std::sync::OnceLock;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hyper::Response;
use ring::rand::SystemRandom;
use ring::signature::{KeyPair, RsaKeyPair, RSA_PKCS1_SHA256};
use sha2::{Digest, Sha256};

use crate::http_util::{get, google_error, json, Body};
use crate::oauth::OAuthState;

/// The service account the emulated VM runs as.
pub const METADATA_SERVICE_ACCOUNT: &str = "emulator-vm@my-project.iam.gserviceaccount.com";
/// The issuer of the emulator's ID tokens (Google's).
pub const ID_TOKEN_ISSUER: &str = "https://accounts.google.com";
const KEY: &[u8] = include_bytes!("id_token_key.der");

struct Signer {
    key: RsaKeyPair,
    kid: String,
}

fn signer() -> Option<&'static Signer> {
    static SIGNER: OnceLock<Option<Signer>> = OnceLock::new();
    SIGNER
        .get_or_init(|| {
            let key = RsaKeyPair::from_der(KEY).ok()?;
            let kid = hex(&Sha256::digest(key.public_key().as_ref())[..20]);
            Some(Signer { key, kid })
        })
        .as_ref()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A signed ID token for `email` and `audience`, valid for an hour.
pub(crate) fn id_token(email: &str, audience: &str, include_email: bool) -> Option<String> {
    let signer = signer()?;
    // Google's `sub` is the account's numeric id: a stable one per email.
    let digest = Sha256::digest(email.as_bytes());
    let sub = format!(
        "1{}",
        digest[..8]
            .iter()
            .map(|b| format!("{:02}", b % 100))
            .collect::<String>()
    );
    let now = now_secs();
    let mut claims = serde_json::json!({
        "aud": audience, "azp": sub, "exp": now + 3600, "iat": now,
        "iss": ID_TOKEN_ISSUER, "sub": sub,
    });
    if include_email {
        claims["email"] = email.into();
        claims["email_verified"] = true.into();
    }
    let header = serde_json::json!({"alg": "RS256", "kid": signer.kid, "typ": "JWT"});
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let mut signature = vec![0; signer.key.public().modulus_len()];
    signer
        .key
        .sign(
            &RSA_PKCS1_SHA256,
            &SystemRandom::new(),
            signing_input.as_bytes(),
            &mut signature,
        )
        .ok()?;
    Some(format!(
        "{signing_input}.{}",
        URL_SAFE_NO_PAD.encode(signature)
    ))
}

/// `GET /oauth2/v3/certs`: the JWKS of the key the ID tokens are signed with.
pub(crate) fn certs() -> Response<Body> {
    let Some(signer) = signer() else {
        return google_error(500, "INTERNAL", "internalError", "No signing key.");
    };
    let public: ring::rsa::PublicKeyComponents<Vec<u8>> = signer.key.public().into();
    json(
        200,
        &serde_json::json!({"keys": [{
            "kty": "RSA", "alg": "RS256", "use": "sig", "kid": signer.kid,
            "n": URL_SAFE_NO_PAD.encode(&public.n),
            "e": URL_SAFE_NO_PAD.encode(&public.e),
        }]}),
    )
}

/// `POST …/serviceAccounts/EMAIL:generateIdToken` (IAM Credentials).
pub(crate) fn generate_id_token(
    oauth: &OAuthState,
    email: &str,
    authorization: Option<&str>,
    body: &[u8],
) -> Response<Body> {
    if !oauth.valid_bearer(authorization) {
        return crate::federation::unauthenticated();
    }
    let request: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let Some(audience) = request["audience"].as_str().filter(|a| !a.is_empty()) else {
        return google_error(400, "INVALID_ARGUMENT", "badRequest", "Audience required.");
    };
    if let Some(refused) = crate::federation::refuse_account(email, "getOpenIdToken") {
        return refused;
    }
    let include_email = request["includeEmail"].as_bool().unwrap_or(false);
    match id_token(email, audience, include_email) {
        Some(token) => json(200, &serde_json::json!({ "token": token })),
        None => google_error(500, "INTERNAL", "internalError", "No signing key."),
    }
}

/// The metadata server's answer for `path`, when it is one of its paths.
pub(crate) fn metadata(
    oauth: &OAuthState,
    path: &str,
    query: &[(String, String)],
    flavor: Option<&str>,
) -> Option<Response<Body>> {
    // The root answers a ping (google-auth's, at GCE_METADATA_IP) that
    // carries the header; without it, `/` is not the metadata server's.
    let rest = match path {
        "/" if flavor == Some("Google") => "",
        _ => path.strip_prefix("/computeMetadata/v1/")?,
    };
    let with_flavor = |mut r: Response<Body>| {
        r.headers_mut()
            .insert("metadata-flavor", http::HeaderValue::from_static("Google"));
        r
    };
    let text = |body: String| {
        let mut r = Response::new(Body::from(body));
        r.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/text"),
        );
        r
    };
    if flavor != Some("Google") {
        let mut r = text("Missing required header: Metadata-Flavor".into());
        *r.status_mut() = hyper::StatusCode::FORBIDDEN;
        return Some(with_flavor(r));
    }
    let account = rest
        .strip_prefix("instance/service-accounts/")
        .and_then(|r| r.split_once('/'))
        .filter(|(name, _)| *name == "default" || *name == METADATA_SERVICE_ACCOUNT);
    let answer = match (rest, account) {
        ("", _) => text("instance/\nproject/\n".into()),
        ("project/project-id", _) => text("my-project".into()),
        (_, Some((_, "email"))) => text(METADATA_SERVICE_ACCOUNT.into()),
        // `…/default/?recursive=true`: the account's description.
        (_, Some((_, ""))) => json(
            200,
            &serde_json::json!({
                "aliases": ["default"], "email": METADATA_SERVICE_ACCOUNT,
                "scopes": ["https://www.googleapis.com/auth/cloud-platform"],
            }),
        ),
        (_, Some((_, "token"))) => {
            let scopes = get(query, "scopes")
                .unwrap_or("https://www.googleapis.com/auth/cloud-platform")
                .replace(',', " ");
            let issued = oauth.issue(METADATA_SERVICE_ACCOUNT, &scopes, false);
            json(
                200,
                &serde_json::json!({
                    "access_token": issued["access_token"], "expires_in": issued["expires_in"],
                    "token_type": "Bearer",
                }),
            )
        }
        (_, Some((_, "identity"))) => match get(query, "audience").filter(|a| !a.is_empty()) {
            None => {
                let mut r = text("non-empty audience parameter required".into());
                *r.status_mut() = hyper::StatusCode::BAD_REQUEST;
                r
            }
            Some(audience) => {
                let full = get(query, "format") == Some("full");
                match id_token(METADATA_SERVICE_ACCOUNT, audience, full) {
                    Some(token) => text(token),
                    None => google_error(500, "INTERNAL", "internalError", "No signing key."),
                }
            }
        },
        _ => {
            let mut r = text("Not Found".into());
            *r.status_mut() = hyper::StatusCode::NOT_FOUND;
            r
        }
    };
    Some(with_flavor(answer))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_loads_and_signs() {
        let token = id_token("a@b.iam.gserviceaccount.com", "https://x", true).unwrap();
        assert_eq!(token.split('.').count(), 3);
        let public = signer().unwrap().key.public_key().as_ref().to_vec();
        let (input, signature) = token.rsplit_once('.').unwrap();
        ring::signature::UnparsedPublicKey::new(
            &ring::signature::RSA_PKCS1_2048_8192_SHA256,
            public,
        )
        .verify(
            input.as_bytes(),
            &URL_SAFE_NO_PAD.decode(signature).unwrap(),
        )
        .unwrap();
    }
}
