//! Fuzzing what token endpoints, the browser and the user's files hand
//! gapi-auth (see the `gapi-fuzzing` crate): token answers, error answers,
//! the loopback redirect's query, the token cache, client secrets, ADC and
//! external-account files. CI runs a short seeded pass; a long run:
//!
//! ```text
//! GAPI_FUZZ_SECONDS=300 GAPI_FUZZ_SEED=long-1 cargo test --release -p gapi-auth --lib fuzz -- --nocapture --test-threads 1
//! ```

use std::time::SystemTime;

use gapi_fuzzing::{assert_no_findings, Fuzz, Report};

/// Inputs per target in a default (CI) run.
const RUNS: u64 = 3_000;

/// Text a server or a file controls reaches the user's terminal and logs
/// only as printable text: no escape sequences, no forged lines.
fn printable(what: &str, text: &str) -> Result<(), String> {
    match text.chars().find(|c| c.is_control()) {
        Some(c) => Err(format!(
            "{what} carries the control character {c:?}: {text:?}"
        )),
        None if text.len() > 4096 => Err(format!("{what} is {} bytes long", text.len())),
        None => Ok(()),
    }
}

/// A token endpoint's answer: a success parses or is refused, and the
/// error for a refusal is printable and bounded, whatever the body.
fn token_answer(input: &[u8]) -> Result<(), String> {
    if let Ok(answer) = crate::token::parse_json::<crate::token::TokenResponse>(input) {
        let _ = answer.token(SystemTime::now());
    }
    for status in [400, 401, 403, 429, 500, 302] {
        let status = reqwest::StatusCode::from_u16(status).map_err(|e| e.to_string())?;
        if let Err(error) = crate::token::fuzz_classify(status, input) {
            printable("a token endpoint error", &error)?;
        }
    }
    Ok(())
}

/// The loopback redirect's query string (whoever reaches the port).
fn redirect_query(input: &[u8]) -> Result<(), String> {
    let query = String::from_utf8_lossy(input);
    if let Some(Ok(_)) = crate::loopback::parse_redirect_query(&query, "state-1") {
        if !query.contains("state-1") {
            return Err("a redirect without our state was accepted".into());
        }
    }
    Ok(())
}

/// The files a user points gapi at: read or refused with an error, never
/// a panic.
fn files(input: &[u8]) -> Result<(), String> {
    let _ = crate::StoredUser::from_json(input);
    let _ = crate::ClientConfig::from_json(input);
    let _ = crate::external::ExternalAccountCredentials::parse(input, &[], &|_| None);
    let _ = crate::workforce_user::WorkforceUserCredentials::parse(input, &|_| None);
    let _ = crate::adc::fuzz_load(input);
    Ok(())
}

/// A JWKS every ID token below is checked against (an RSA key's shape).
const JWKS: &str = r#"{"keys": [{"kty": "RSA", "alg": "RS256", "use": "sig", "kid": "k1", "n": "sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw", "e": "AQAB"}]}"#;

/// An ID token from anywhere (a header a caller sent): checked or
/// refused with a printable reason, never a panic; and a JWKS from a
/// server, read or refused.
fn id_token(input: &[u8]) -> Result<(), String> {
    let token = String::from_utf8_lossy(input);
    let verifier = crate::IdTokenVerifier::new("https://service.example");
    match verifier.verify_with_jwks(&token, JWKS, SystemTime::now()) {
        Ok(_) => {
            return Err(format!(
                "an ID token without a valid signature passed: {token:?}"
            ))
        }
        Err(e) => printable("an ID token refusal", &e.to_string())?,
    }
    let _ = verifier.verify_with_jwks(SEED_TOKEN, &token, SystemTime::now());
    Ok(())
}

/// A token shaped like Google's (its signature is not the key's).
const SEED_TOKEN: &str = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIiwidHlwIjoiSldUIn0.eyJhdWQiOiJodHRwczovL3NlcnZpY2UuZXhhbXBsZSIsImVtYWlsIjoiYUBiLmlhbS5nc2VydmljZWFjY291bnQuY29tIiwiZXhwIjo0MDAwMDAwMDAwLCJpYXQiOjE3MDAwMDAwMDAsImlzcyI6Imh0dHBzOi8vYWNjb3VudHMuZ29vZ2xlLmNvbSIsInN1YiI6IjEyMyJ9.c2lnbmF0dXJl";

fn runs() -> Vec<Report> {
    let fuzz = Fuzz::from_env(RUNS);
    let answers: Vec<Vec<u8>> = [
        r#"{"access_token": "ya29.a0", "expires_in": 3599, "refresh_token": "1//0g", "scope": "openid https://www.googleapis.com/auth/drive", "token_type": "Bearer", "id_token": "eyJ.eyJ.sig"}"#,
        r#"{"access_token": "t", "expires_in": "3600"}"#,
        r#"{"access_token": "t", "expires_in": 1e300}"#,
        r#"{"error": "invalid_grant", "error_description": "Token has been expired or revoked.", "error_subtype": "invalid_rapt"}"#,
        r#"{"error": {"code": 403, "status": "PERMISSION_DENIED", "message": "Permission 'iam.serviceAccounts.getAccessToken' denied"}}"#,
        "<html><body>502 Bad Gateway</body></html>",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();
    let queries: Vec<Vec<u8>> = [
        "code=4%2F0Ab&scope=openid&state=state-1",
        "error=access_denied&state=state-1",
        "state=other&code=x",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();
    let files_seeds: Vec<Vec<u8>> = [
        r#"{"type": "authorized_user", "client_id": "c.apps.googleusercontent.com", "client_secret": "s", "refresh_token": "1//r", "token": "ya29", "expiry": "2026-12-07T10:00:00Z", "scopes": ["openid"]}"#,
        r#"{"installed": {"client_id": "c", "client_secret": "s", "redirect_uris": ["http://localhost"], "auth_uri": "https://accounts.google.com/o/oauth2/auth", "token_uri": "https://oauth2.googleapis.com/token"}}"#,
        r#"{"type": "external_account", "audience": "//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/q", "subject_token_type": "urn:ietf:params:oauth:token-type:jwt", "token_url": "https://sts.googleapis.com/v1/token", "credential_source": {"file": "/tmp/t", "format": {"type": "json", "subject_token_field_name": "id_token"}}}"#,
        r#"{"type": "impersonated_service_account", "service_account_impersonation_url": "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/a@b.iam.gserviceaccount.com:generateAccessToken", "source_credentials": {"type": "authorized_user", "client_id": "c", "client_secret": "s", "refresh_token": "r"}, "delegates": []}"#,
        r#"{"type": "external_account", "audience": "//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/aws", "subject_token_type": "urn:ietf:params:aws:token-type:aws4_request", "credential_source": {"environment_id": "aws1", "region_url": "http://169.254.169.254/latest/meta-data/placement/availability-zone", "url": "http://169.254.169.254/latest/meta-data/iam/security-credentials", "imdsv2_session_token_url": "http://169.254.169.254/latest/api/token", "regional_cred_verification_url": "https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15"}}"#,
        r#"{"type": "external_account_authorized_user", "audience": "//iam.googleapis.com/locations/global/workforcePools/p/providers/q", "refresh_token": "r", "token_url": "https://sts.googleapis.com/v1/oauthtoken", "client_id": "c", "client_secret": "s", "token": "t", "expiry": "2026-12-07T10:00:00.123456Z"}"#,
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();
    vec![
        fuzz.run(
            "token-answer",
            &answers,
            &[
                b"\"error\":",
                b"\\u001b[31m",
                b"\\n",
                b"\"expires_in\": ",
                b"-1",
                b"18446744073709551616",
                b"NaN",
            ],
            token_answer,
        ),
        fuzz.run(
            "redirect-query",
            &queries,
            &[
                b"&state=state-1",
                b"&code=",
                b"%",
                b"%FF",
                b"+",
                b"=",
                b"&error=",
            ],
            redirect_query,
        ),
        fuzz.run(
            "id-token",
            &[SEED_TOKEN.as_bytes().to_vec(), JWKS.as_bytes().to_vec()],
            &[
                b".",
                b"eyJ",
                b"\"alg\":\"none\"",
                b"=",
                b"\x1b",
                b"\"kid\": ",
                b"{}",
            ],
            id_token,
        ),
        fuzz.run(
            "credential-files",
            &files_seeds,
            &[
                b"\"type\": ",
                b"\"service_account\"",
                b"\"source_credentials\": ",
                b"null",
                b"{}",
                b"[]",
            ],
            files,
        ),
    ]
}

#[test]
fn fuzz_auth_parsers() {
    assert_no_findings(&runs());
}

/// Found by `fuzz_auth_parsers` (seed `ci`): a token endpoint's
/// `error_description` with an escape sequence reached the error message.
#[test]
fn a_token_endpoint_error_prints_without_control_characters() {
    let body = br#"{"error": "invalid_grant", "error_description": "revoked\u001b[31m\nERROR: fake line"}"#;
    assert_eq!(token_answer(body), Ok(()));
    let status = reqwest::StatusCode::BAD_REQUEST;
    let message = crate::token::fuzz_classify(status, body).unwrap_err();
    assert!(message.contains("revoked"), "{message}");
}
