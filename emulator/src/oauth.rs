//! OAuth 2.0 as Google plays it: consent page, token endpoint, userinfo.

use std::collections::HashMap;
use std::sync::Mutex;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hyper::Response;
use sha2::{Digest, Sha256};

use crate::http_util::{escape, get, html, json, oauth_error, pairs, redirect, Body};

/// A code handed out by the consent page, waiting to be exchanged.
struct PendingCode {
    client_id: String,
    redirect_uri: String,
    challenge: Option<String>,
    scopes: String,
}

/// A device-flow grant waiting for the person to approve on "another device".
struct DeviceGrant {
    user_code: String,
    client_id: String,
    scopes: String,
    approved: bool,
    last_poll: Option<std::time::Instant>,
}

/// Seconds a device-flow client must wait between polls.
const DEVICE_INTERVAL: u64 = 1;

/// Tokens and codes the emulator has issued.
#[derive(Default)]
pub(crate) struct OAuthState {
    devices: Mutex<HashMap<String, DeviceGrant>>,
    codes: Mutex<HashMap<String, PendingCode>>,
    refresh_tokens: Mutex<HashMap<String, Grant>>,
    access_tokens: Mutex<HashMap<String, Grant>>,
}

/// Who a token was issued to, and for what.
#[derive(Debug, Clone)]
struct Grant {
    client_id: String,
    /// Space-separated, as the token endpoint writes them.
    scopes: String,
}

/// The signed-in user's address (userinfo's and ID tokens' `email`).
pub(crate) const USER_EMAIL: &str = "ada@example.com";

fn random_token(prefix: &str) -> String {
    format!(
        "{prefix}{:016x}{:016x}",
        fastrand::u64(..),
        fastrand::u64(..)
    )
}

impl OAuthState {
    /// Whether `Authorization: Bearer …` names a token this emulator issued.
    pub(crate) fn valid_bearer(&self, header: Option<&str>) -> bool {
        let Some(token) = header.and_then(|h| h.strip_prefix("Bearer ")) else {
            return false;
        };
        self.access_tokens
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains_key(token)
    }

    /// A new token for the same client and scopes as `token` (a downscoped
    /// one: the emulator does not enforce access boundaries), when this
    /// emulator issued `token` and it is still valid.
    pub(crate) fn reissue(&self, token: &str) -> Option<serde_json::Value> {
        let grant = self
            .access_tokens
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(token)
            .cloned()?;
        Some(self.issue(&grant.client_id, &grant.scopes, false))
    }

    /// Who a bearer token stands for, when it is an account's (a service
    /// account, or a user a service account acts for): its email.
    pub(crate) fn principal_email(&self, header: Option<&str>) -> Option<String> {
        let token = header?.strip_prefix("Bearer ")?;
        let tokens = self.access_tokens.lock().unwrap_or_else(|e| e.into_inner());
        Some(tokens.get(token)?.client_id.clone()).filter(|c| c.contains('@'))
    }

    /// The scopes of the token in `Authorization: Bearer …`, when this
    /// emulator issued it and it is still valid.
    pub(crate) fn bearer_scopes(&self, header: Option<&str>) -> Option<Vec<String>> {
        let token = header?.strip_prefix("Bearer ")?;
        let tokens = self.access_tokens.lock().unwrap_or_else(|e| e.into_inner());
        let grant = tokens.get(token)?;
        Some(
            grant
                .scopes
                .split_whitespace()
                .map(str::to_string)
                .collect(),
        )
    }

    pub(crate) fn issue(
        &self,
        client_id: &str,
        scopes: &str,
        with_refresh: bool,
    ) -> serde_json::Value {
        let access = random_token("ya29.emulator-");
        let grant = Grant {
            client_id: client_id.to_string(),
            scopes: scopes.to_string(),
        };
        self.access_tokens
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(access.clone(), grant.clone());
        let mut body = serde_json::json!({
            "access_token": access, "expires_in": 3599, "token_type": "Bearer", "scope": scopes,
        });
        if with_refresh {
            let refresh = random_token("1//emulator-");
            self.refresh_tokens
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(refresh.clone(), grant);
            body["refresh_token"] = serde_json::Value::String(refresh);
        }
        body
    }

    /// Tokens for a user signed in by a test, without a consent page:
    /// `(access_token, refresh_token)`.
    pub(crate) fn sign_in(&self, client_id: &str, scopes: &str) -> (String, String) {
        let issued = self.issue(client_id, scopes, true);
        let text = |key: &str| issued[key].as_str().unwrap_or_default().to_string();
        (text("access_token"), text("refresh_token"))
    }

    /// `POST /device/code`.
    pub(crate) fn device_code(&self, form: &[(String, String)], root: &str) -> Response<Body> {
        let Some(client_id) = get(form, "client_id") else {
            return oauth_error(400, "invalid_client", "The OAuth client was not found.");
        };
        let device_code = random_token("AH-emulator-");
        let user_code = format!("{:04X}-{:04X}", fastrand::u16(..), fastrand::u16(..));
        self.devices
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(
                device_code.clone(),
                DeviceGrant {
                    user_code: user_code.clone(),
                    client_id: client_id.to_string(),
                    scopes: get(form, "scope").unwrap_or("").to_string(),
                    approved: false,
                    last_poll: None,
                },
            );
        json(
            200,
            &serde_json::json!({
                "device_code": device_code, "user_code": user_code, "expires_in": 1800,
                "interval": DEVICE_INTERVAL, "verification_url": format!("{root}device"),
            }),
        )
    }

    /// `GET /device?user_code=…&decision=allow`: the person approves on another device.
    pub(crate) fn device_page(&self, query: &[(String, String)]) -> Response<Body> {
        let code = get(query, "user_code").unwrap_or("");
        let mut devices = self.devices.lock().unwrap_or_else(|e| e.into_inner());
        match devices.values_mut().find(|d| d.user_code == code) {
            Some(grant) if get(query, "decision") == Some("allow") => {
                grant.approved = true;
                html(200, "<p>Success! The device is connected.</p>".into())
            }
            Some(_) => html(200, format!("<p>Enter code {}: <a id=\"allow\" href=\"/device?user_code={0}&amp;decision=allow\">Allow</a></p>", escape(code))),
            None => html(404, "<p>That code is not valid.</p>".into()),
        }
    }

    fn device_token(&self, form: &[(String, String)]) -> Response<Body> {
        let code = get(form, "device_code").unwrap_or("");
        let mut devices = self.devices.lock().unwrap_or_else(|e| e.into_inner());
        let Some(grant) = devices.get_mut(code) else {
            return oauth_error(400, "invalid_grant", "Malformed device code.");
        };
        let now = std::time::Instant::now();
        let too_fast = grant.last_poll.is_some_and(|t| {
            now.duration_since(t) < std::time::Duration::from_secs(DEVICE_INTERVAL)
        });
        grant.last_poll = Some(now);
        if !grant.approved {
            return if too_fast {
                oauth_error(403, "slow_down", "Forbidden")
            } else {
                oauth_error(428, "authorization_pending", "Precondition Required")
            };
        }
        let (client, scopes) = (grant.client_id.clone(), grant.scopes.clone());
        devices.remove(code);
        drop(devices);
        json(200, &self.issue(&client, &scopes, true))
    }

    /// `/oauth2/v2/tokeninfo?access_token=…`.
    pub(crate) fn tokeninfo(&self, query: &[(String, String)]) -> Response<Body> {
        let token = get(query, "access_token").unwrap_or("");
        let grant = self
            .access_tokens
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(token)
            .cloned();
        match grant {
            Some(Grant {
                client_id: client,
                scopes,
            }) => {
                let mut info = serde_json::json!({"issued_to": client, "audience": client, "scope": scopes, "expires_in": 3599, "access_type": "offline"});
                // Service account tokens (JWT grant, impersonation) and
                // delegated ones name the account.
                if client.contains('@') {
                    info["email"] = client.into();
                }
                json(200, &info)
            }
            None => oauth_error(400, "invalid_token", "Invalid Value"),
        }
    }

    /// Makes every access token issued so far invalid.
    pub(crate) fn expire_access_tokens(&self) {
        self.access_tokens
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// Revokes a refresh token (later refreshes get `invalid_grant`).
    pub(crate) fn revoke(&self, token: &str) -> bool {
        self.refresh_tokens
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(token)
            .is_some()
    }

    /// `GET /o/oauth2/auth`: the consent page, or with `auto_consent` an
    /// immediate redirect. `decision=allow|deny` answers the page's buttons.
    pub(crate) fn authorize(
        &self,
        query: &[(String, String)],
        auto_consent: bool,
    ) -> Response<Body> {
        let (Some(client_id), Some(redirect_uri)) =
            (get(query, "client_id"), get(query, "redirect_uri"))
        else {
            return html(
                400,
                "<p>Error 400: invalid_request (client_id and redirect_uri are required)</p>"
                    .into(),
            );
        };
        let state = get(query, "state").unwrap_or("");
        let separator = if redirect_uri.contains('?') { '&' } else { '?' };
        let decision = get(query, "decision").or(auto_consent.then_some("allow"));
        match decision {
            Some("allow") => {
                let code = random_token("4/emulator-");
                self.codes.lock().unwrap_or_else(|e| e.into_inner()).insert(
                    code.clone(),
                    PendingCode {
                        client_id: client_id.to_string(),
                        redirect_uri: redirect_uri.to_string(),
                        challenge: get(query, "code_challenge").map(str::to_string),
                        scopes: get(query, "scope").unwrap_or("").to_string(),
                    },
                );
                let q = serde_urlencoded::to_string([("state", state), ("code", code.as_str())])
                    .unwrap_or_default();
                redirect(&format!("{redirect_uri}{separator}{q}"))
            }
            Some(_) => {
                let q = serde_urlencoded::to_string([("error", "access_denied"), ("state", state)])
                    .unwrap_or_default();
                redirect(&format!("{redirect_uri}{separator}{q}"))
            }
            None => {
                let base: String = serde_urlencoded::to_string(query).unwrap_or_default();
                let scopes = get(query, "scope").unwrap_or("");
                html(
                    200,
                    format!(
                        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Sign in - gapi emulator</title></head><body>\
                         <h1>gapi emulator</h1><p><b>{}</b> wants to access your emulated Google Account:</p><p>{}</p>\
                         <a id=\"allow\" href=\"/o/oauth2/auth?{base}&amp;decision=allow\">Allow</a> \
                         <a id=\"deny\" href=\"/o/oauth2/auth?{base}&amp;decision=deny\">Deny</a></body></html>",
                        escape(client_id),
                        escape(scopes)
                    ),
                )
            }
        }
    }

    /// `POST /token`. The client authenticates in the form or with HTTP Basic
    /// (RFC 6749 §2.3.1), as Google accepts both.
    pub(crate) fn token(
        &self,
        form: &[(String, String)],
        authorization: Option<&str>,
    ) -> Response<Body> {
        let basic_client = authorization
            .and_then(|h| h.strip_prefix("Basic "))
            .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
            .and_then(|raw| String::from_utf8(raw).ok())
            .and_then(|text| {
                text.split(':').next().map(|id| {
                    pairs(&format!("id={id}"))
                        .into_iter()
                        .next()
                        .map(|(_, v)| v)
                })
            })
            .flatten();
        let client_id = get(form, "client_id").map(str::to_string).or(basic_client);
        match get(form, "grant_type") {
            Some("authorization_code") => {
                let code = get(form, "code").unwrap_or("");
                let Some(pending) = self
                    .codes
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .remove(code)
                else {
                    return oauth_error(400, "invalid_grant", "Malformed auth code.");
                };
                if client_id.as_deref() != Some(pending.client_id.as_str()) {
                    return oauth_error(401, "invalid_client", "The OAuth client was not found.");
                }
                if get(form, "redirect_uri") != Some(pending.redirect_uri.as_str()) {
                    return oauth_error(400, "redirect_uri_mismatch", "Bad Request");
                }
                if let Some(challenge) = &pending.challenge {
                    let verifier = get(form, "code_verifier").unwrap_or("");
                    let computed = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
                    if &computed != challenge {
                        return oauth_error(400, "invalid_grant", "Invalid code verifier.");
                    }
                }
                json(200, &self.issue(&pending.client_id, &pending.scopes, true))
            }
            Some("refresh_token") => {
                let token = get(form, "refresh_token").unwrap_or("");
                let grant = self
                    .refresh_tokens
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .get(token)
                    .cloned();
                match grant {
                    // The new access token carries every scope granted;
                    // with `openid` granted, Google adds the user's ID token
                    // (its audience the client).
                    Some(grant) => {
                        let mut body = self.issue(&grant.client_id, &grant.scopes, false);
                        if grant.scopes.split_whitespace().any(|s| s == "openid") {
                            if let Some(id) =
                                crate::identity::id_token(USER_EMAIL, &grant.client_id, true)
                            {
                                body["id_token"] = id.into();
                            }
                        }
                        json(200, &body)
                    }
                    None => oauth_error(400, "invalid_grant", "Token has been expired or revoked."),
                }
            }
            Some("urn:ietf:params:oauth:grant-type:device_code") => self.device_token(form),
            Some("urn:ietf:params:oauth:grant-type:jwt-bearer") => {
                // The emulator has no key registry: it checks the assertion's
                // shape and claims (iss, aud, exp), not its signature.
                let assertion = get(form, "assertion").unwrap_or("");
                let claims = assertion
                    .split('.')
                    .nth(1)
                    .and_then(|p| URL_SAFE_NO_PAD.decode(p).ok())
                    .and_then(|raw| serde_json::from_slice::<serde_json::Value>(&raw).ok());
                let Some(claims) = claims.filter(|_| assertion.split('.').count() == 3) else {
                    return oauth_error(400, "invalid_grant", "Invalid JWT: Token must be a short-lived token and in a reasonable timeframe.");
                };
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs());
                let exp = claims["exp"].as_u64().unwrap_or(0);
                let iss = claims["iss"].as_str().unwrap_or("");
                if iss.is_empty()
                    || exp <= now
                    || exp > now + 3700
                    || !claims["aud"]
                        .as_str()
                        .is_some_and(|a| a.ends_with("/token"))
                {
                    return oauth_error(400, "invalid_grant", "Invalid JWT Signature.");
                }
                // With `target_audience`, Google answers an ID token only.
                if let Some(audience) = claims["target_audience"].as_str() {
                    return match crate::identity::id_token(iss, audience, true) {
                        Some(token) => json(200, &serde_json::json!({ "id_token": token })),
                        None => oauth_error(500, "internal_failure", "No signing key."),
                    };
                }
                // Domain-wide delegation: with `sub`, the token is the user's.
                let principal = claims["sub"]
                    .as_str()
                    .filter(|s| !s.is_empty())
                    .unwrap_or(iss);
                json(
                    200,
                    &self.issue(principal, claims["scope"].as_str().unwrap_or(""), false),
                )
            }
            _ => oauth_error(400, "unsupported_grant_type", "Invalid grant_type"),
        }
    }

    /// `GET /oauth2/v2/userinfo`.
    pub(crate) fn userinfo(&self, authorization: Option<&str>) -> Response<Body> {
        if !self.valid_bearer(authorization) {
            return crate::http_util::google_error(
                401,
                "UNAUTHENTICATED",
                "unauthorized",
                "Request is missing required authentication credential.",
            );
        }
        json(
            200,
            &serde_json::json!({
                "id": "110248495921238986420", "email": USER_EMAIL, "verified_email": true,
                "name": "Ada Lovelace", "given_name": "Ada", "family_name": "Lovelace",
                "picture": "https://lh3.googleusercontent.com/a/default-user", "locale": "en",
            }),
        )
    }
}
