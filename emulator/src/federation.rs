//! The two Google endpoints behind impersonation and workload identity
//! federation:
//!
//! - **STS** `POST /v1/token` (RFC 8693 token exchange): a subject token of
//!   another identity provider for a federated access token.
//! - **IAM Credentials** `POST /v1/projects/-/serviceAccounts/EMAIL:generateAccessToken`:
//!   a caller's access token for a short-lived token of a service account.
//!
//! Their errors have Google's two shapes: STS answers OAuth errors
//! (`{"error": "invalid_grant", "error_description": …}`), IAM answers API
//! errors (`{"error": {"code": 403, "status": "PERMISSION_DENIED", …}}`).
//!
//! The emulator has no identity provider and no IAM policy, so it follows
//! conventions a test can rely on: a JWT subject token is checked for shape
//! and `exp` (not signature), and a service account whose name starts with
//! `denied` refuses every caller.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hyper::Response;

use crate::http_util::{get, google_error, json, oauth_error, Body};
use crate::oauth::OAuthState;

const TOKEN_EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const AWS_SUBJECT: &str = "urn:ietf:params:aws:token-type:aws4_request";
const SUBJECT_TYPES: [&str; 5] = [
    AWS_SUBJECT,
    "urn:ietf:params:oauth:token-type:jwt",
    "urn:ietf:params:oauth:token-type:id_token",
    "urn:ietf:params:oauth:token-type:saml2",
    "urn:ietf:params:oauth:token-type:access_token",
];

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// `POST /v1/token`.
pub(crate) fn sts_token(oauth: &OAuthState, form: &[(String, String)]) -> Response<Body> {
    if get(form, "grant_type") != Some(TOKEN_EXCHANGE) {
        return oauth_error(
            400,
            "unsupported_grant_type",
            "Invalid value for \"grant_type\".",
        );
    }
    let subject_type = get(form, "subject_token_type").unwrap_or("");
    if subject_type == "urn:ietf:params:oauth:token-type:access_token"
        && get(form, "audience").is_none()
    {
        return downscope(oauth, form);
    }
    let audience = get(form, "audience").unwrap_or("");
    if !audience.starts_with("//iam.googleapis.com/") {
        return oauth_error(
            400,
            "invalid_request",
            "Invalid value for \"audience\". This value should be the full resource name of the Identity Provider.",
        );
    }
    if !SUBJECT_TYPES.contains(&subject_type) {
        return oauth_error(
            400,
            "invalid_request",
            "Invalid value for \"subject_token_type\".",
        );
    }
    if get(form, "requested_token_type") != Some("urn:ietf:params:oauth:token-type:access_token") {
        return oauth_error(
            400,
            "invalid_request",
            "Invalid value for \"requested_token_type\".",
        );
    }
    let Some(scope) = get(form, "scope").filter(|s| !s.is_empty()) else {
        return oauth_error(400, "invalid_request", "Scope(s) must be provided.");
    };
    let subject = get(form, "subject_token").unwrap_or("");
    if subject.is_empty() {
        return oauth_error(
            400,
            "invalid_request",
            "Missing required field \"subject_token\".",
        );
    }
    let mut sub = "subject".to_string();
    if subject_type.ends_with(":jwt") || subject_type.ends_with(":id_token") {
        let claims = subject
            .split('.')
            .nth(1)
            .filter(|_| subject.split('.').count() == 3)
            .and_then(|p| URL_SAFE_NO_PAD.decode(p.trim_end_matches('=')).ok())
            .and_then(|raw| serde_json::from_slice::<serde_json::Value>(&raw).ok());
        let Some(claims) = claims else {
            return oauth_error(400, "invalid_grant", "Unable to parse the ID Token.");
        };
        if claims["exp"].as_u64().is_some_and(|exp| exp <= now_secs()) {
            return oauth_error(400, "invalid_grant", "The ID Token has expired.");
        }
        if let Some(s) = claims["sub"].as_str() {
            sub = s.to_string();
        }
    }
    if subject_type == AWS_SUBJECT {
        match crate::aws::check_subject_token(subject, audience) {
            Ok(s) => sub = s,
            Err(why) => return oauth_error(400, "invalid_grant", &why),
        }
    }
    let pool = audience
        .trim_start_matches("//iam.googleapis.com/")
        .split("/providers/")
        .next()
        .unwrap_or("");
    let principal = format!("principal://iam.googleapis.com/{pool}/subject/{sub}");
    let mut body = oauth.issue(&principal, scope, false);
    body["issued_token_type"] = "urn:ietf:params:oauth:token-type:access_token".into();
    json(200, &body)
}

/// A downscoping exchange: an access token and a credential access
/// boundary (`options`, quoted JSON as google-auth sends it) for a token
/// that (at Google) can do only what the boundary allows.
fn downscope(oauth: &OAuthState, form: &[(String, String)]) -> Response<Body> {
    let options = get(form, "options").unwrap_or("");
    // google-auth quotes the JSON before form-encoding it; STS takes both.
    let decoded: Option<Vec<(String, String)>> =
        serde_urlencoded::from_str(&format!("o={options}")).ok();
    let boundary = [
        Some(options.to_string()),
        decoded.and_then(|d| d.into_iter().next().map(|(_, v)| v)),
    ]
    .into_iter()
    .flatten()
    .find_map(|text| serde_json::from_str::<serde_json::Value>(&text).ok());
    let rules = boundary
        .as_ref()
        .and_then(|b| b["accessBoundary"]["accessBoundaryRules"].as_array())
        .filter(|rules| !rules.is_empty() && rules.len() <= 10);
    let Some(rules) = rules else {
        return oauth_error(
            400,
            "invalid_request",
            "The access boundary in \"options\" must have 1 to 10 access boundary rules.",
        );
    };
    if rules.iter().any(|r| {
        r["availableResource"].as_str().is_none_or(str::is_empty)
            || !r["availablePermissions"].as_array().is_some_and(|p| {
                !p.is_empty()
                    && p.iter()
                        .all(|p| p.as_str().is_some_and(|p| p.starts_with("inRole:")))
            })
    }) {
        return oauth_error(
            400,
            "invalid_request",
            "Each access boundary rule needs an availableResource and inRole: permissions.",
        );
    }
    match oauth.reissue(get(form, "subject_token").unwrap_or("")) {
        Some(mut body) => {
            body["issued_token_type"] = "urn:ietf:params:oauth:token-type:access_token".into();
            json(200, &body)
        }
        None => oauth_error(
            400,
            "invalid_grant",
            "The subject token is invalid or expired.",
        ),
    }
}

/// `POST /v1/projects/-/serviceAccounts/EMAIL:generateAccessToken` for the
/// service account `email`.
pub(crate) fn generate_access_token(
    oauth: &OAuthState,
    email: &str,
    authorization: Option<&str>,
    body: &[u8],
) -> Response<Body> {
    if !oauth.valid_bearer(authorization) {
        return unauthenticated();
    }
    let Ok(request) = serde_json::from_slice::<serde_json::Value>(body) else {
        return google_error(
            400,
            "INVALID_ARGUMENT",
            "badRequest",
            "Invalid JSON payload received.",
        );
    };
    let scopes: Vec<&str> = request["scope"]
        .as_array()
        .map(|a| a.iter().filter_map(|s| s.as_str()).collect())
        .unwrap_or_default();
    if scopes.is_empty() {
        return google_error(400, "INVALID_ARGUMENT", "badRequest", "Scope required.");
    }
    let lifetime = match request["lifetime"].as_str() {
        None => 3600,
        Some(text) => match text.strip_suffix('s').and_then(|n| n.parse::<u64>().ok()) {
            Some(n) if (1..=3600).contains(&n) => n,
            _ => {
                return google_error(
                    400,
                    "INVALID_ARGUMENT",
                    "badRequest",
                    &format!("Invalid value for \"lifetime\": {text:?}; it must be at most 3600s."),
                )
            }
        },
    };
    if let Some(refused) = refuse_account(email, "getAccessToken") {
        return refused;
    }
    let issued = oauth.issue(email, &scopes.join(" "), false);
    json(
        200,
        &serde_json::json!({
            "accessToken": issued["access_token"],
            "expireTime": rfc3339(now_secs() + lifetime),
        }),
    )
}

/// IAM's answer to a caller without a valid token.
pub(crate) fn unauthenticated() -> Response<Body> {
    google_error(
        401,
        "UNAUTHENTICATED",
        "authError",
        "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
    )
}

/// IAM's refusal of `email` as a target: not a service account (404), or
/// one named `denied…` (403 for `permission`, `getAccessToken` or
/// `getOpenIdToken`).
pub(crate) fn refuse_account(email: &str, permission: &str) -> Option<Response<Body>> {
    if !email.ends_with(".iam.gserviceaccount.com") {
        return Some(google_error(
            404,
            "NOT_FOUND",
            "notFound",
            &format!("Not found; Gaia id not found for email {email}"),
        ));
    }
    email.starts_with("denied").then(|| {
        google_error(
            403,
            "PERMISSION_DENIED",
            "forbidden",
            &format!(
                "Permission 'iam.serviceAccounts.{permission}' denied on resource (or it may not exist)."
            ),
        )
    })
}

/// `2024-05-01T12:00:00Z` for seconds since the epoch (UTC, proleptic
/// Gregorian; Howard Hinnant's days-to-civil).
pub(crate) fn rfc3339(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn rfc3339_dates() {
        assert_eq!(super::rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(super::rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(super::rfc3339(1_798_761_599), "2026-12-31T23:59:59Z");
    }
}
