//! What AWS-sourced workload identity needs from outside Google, so a test
//! can run it end to end on one machine:
//!
//! - an **EC2 instance metadata service** (IMDSv2): `PUT /latest/api/token`
//!   for a session token, then, with it, the availability zone, the role's
//!   name and the role's temporary keys;
//! - at STS, the **check Google makes of the subject token**: the signed
//!   `GetCallerIdentity` request is decoded and its SigV4 signature
//!   recomputed with the key's secret (the role's, or
//!   [`AWS_ACCESS_KEY_ID`]/[`AWS_SECRET_ACCESS_KEY`] for keys a test puts in
//!   the environment). A request signed with anything else is refused.
//!
//! Written from AWS's SigV4 documentation, independently of gapi-auth's
//! signer, so the two cannot share a mistake.

use hmac::{Hmac, Mac};
use hyper::Response;
use sha2::{Digest, Sha256};

use crate::http_util::{json, Body};

/// The availability zone the metadata service reports.
pub const AWS_ZONE: &str = "us-east-2b";
/// The role attached to the emulated instance.
pub const AWS_ROLE: &str = "gapi-emulator-role";
/// Long-term keys the emulator's STS also accepts (as if from
/// `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY`).
pub const AWS_ACCESS_KEY_ID: &str = "AKIAGAPIEMULATOR";
/// The secret of [`AWS_ACCESS_KEY_ID`].
pub const AWS_SECRET_ACCESS_KEY: &str = "emulator/long-term+secret";
const ROLE_KEY_ID: &str = "ASIAGAPIEMULATORROLE";
const ROLE_SECRET: &str = "role/secret+key";
const ROLE_SESSION_TOKEN: &str = "role-session-token/with+odd=chars";
const IMDS_SESSION: &str = "imds-session-token";

/// The IMDS answer for `method path`, when it is one (`token` is the
/// `x-aws-ec2-metadata-token` header, `ttl` the session request's TTL).
pub(crate) fn metadata(
    method: &http::Method,
    path: &str,
    token: Option<&str>,
    ttl: Option<&str>,
) -> Option<Response<Body>> {
    let text = |status: u16, body: &str| {
        let mut r = Response::new(Body::from(body.to_string()));
        *r.status_mut() =
            hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::BAD_REQUEST);
        r
    };
    if !path.starts_with("/latest/") {
        return None;
    }
    if path == "/latest/api/token" {
        return Some(match (method, ttl.and_then(|t| t.parse::<u32>().ok())) {
            (&http::Method::PUT, Some(1..=21600)) => text(200, IMDS_SESSION),
            _ => text(
                400,
                "PUT with x-aws-ec2-metadata-token-ttl-seconds (1-21600)",
            ),
        });
    }
    // IMDSv2 only: every read needs the session token.
    if token != Some(IMDS_SESSION) {
        return Some(text(401, "Unauthorized"));
    }
    let role_path = format!("/latest/meta-data/iam/security-credentials/{AWS_ROLE}");
    Some(match path {
        "/latest/meta-data/placement/availability-zone" => text(200, AWS_ZONE),
        "/latest/meta-data/iam/security-credentials"
        | "/latest/meta-data/iam/security-credentials/" => text(200, AWS_ROLE),
        p if p == role_path => json(
            200,
            &serde_json::json!({
                "Code": "Success", "Type": "AWS-HMAC",
                "AccessKeyId": ROLE_KEY_ID, "SecretAccessKey": ROLE_SECRET,
                "Token": ROLE_SESSION_TOKEN, "Expiration": "2099-01-01T00:00:00Z",
            }),
        ),
        _ => text(404, "Not Found"),
    })
}

/// Checks an `aws4_request` subject token for `audience`; `Ok` is the
/// principal's subject (the caller's key id, standing for its role ARN).
pub(crate) fn check_subject_token(token: &str, audience: &str) -> Result<String, String> {
    let decoded: Vec<(String, String)> = serde_urlencoded::from_str(&format!("t={token}"))
        .map_err(|_| "The subject token is not URL-encoded.".to_string())?;
    let request: serde_json::Value = decoded
        .first()
        .and_then(|(_, t)| serde_json::from_str(t).ok())
        .ok_or("The subject token is not a serialized AWS request.")?;
    let url = request["url"].as_str().unwrap_or("");
    if request["method"] != "POST" || !url.contains("Action=GetCallerIdentity") {
        return Err("The subject token is not a GetCallerIdentity request.".into());
    }
    let headers: Vec<(String, String)> = request["headers"]
        .as_array()
        .map(|hs| {
            hs.iter()
                .map(|h| {
                    (
                        h["key"].as_str().unwrap_or("").to_ascii_lowercase(),
                        h["value"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    if header("x-goog-cloud-target-resource") != Some(audience) {
        return Err("x-goog-cloud-target-resource does not name the audience.".into());
    }
    let authorization = header("authorization").ok_or("The request is not signed.")?;
    let rest = authorization
        .strip_prefix("AWS4-HMAC-SHA256 ")
        .ok_or("The request is not signed with AWS4-HMAC-SHA256.")?;
    let field = |name: &str| {
        rest.split(", ")
            .find_map(|p| p.strip_prefix(name))
            .unwrap_or("")
    };
    let (credential, signed_headers, signature) = (
        field("Credential="),
        field("SignedHeaders="),
        field("Signature="),
    );
    let mut scope = credential.splitn(2, '/');
    let (key_id, scope) = (scope.next().unwrap_or(""), scope.next().unwrap_or(""));
    let secret = match key_id {
        ROLE_KEY_ID if header("x-amz-security-token") == Some(ROLE_SESSION_TOKEN) => ROLE_SECRET,
        ROLE_KEY_ID => return Err("The security token included in the request is invalid.".into()),
        AWS_ACCESS_KEY_ID => AWS_SECRET_ACCESS_KEY,
        _ => return Err("The AWS access key is not known.".into()),
    };
    let parts: Vec<&str> = scope.split('/').collect();
    let [date, region, service, "aws4_request"] = parts.as_slice() else {
        return Err("The credential scope is malformed.".into());
    };
    let amz_date = header("x-amz-date").unwrap_or("");
    if !amz_date.starts_with(date) {
        return Err("x-amz-date does not match the credential scope.".into());
    }
    let (path, query) = match url.split_once("://").map(|(_, r)| r) {
        Some(rest) => {
            let after_host = rest.find(['/', '?']).map_or("", |i| &rest[i..]);
            let (p, q) = after_host.split_once('?').unwrap_or((after_host, ""));
            (if p.is_empty() { "/" } else { p }, q)
        }
        None => return Err("The request URL is malformed.".into()),
    };
    let mut query: Vec<&str> = query.split('&').filter(|p| !p.is_empty()).collect();
    query.sort_unstable();
    let mut canonical_headers = String::new();
    for name in signed_headers.split(';') {
        let value = header(name).ok_or("A signed header is missing.")?;
        canonical_headers.push_str(&format!("{name}:{}\n", value.trim()));
    }
    let canonical = format!(
        "POST\n{path}\n{}\n{canonical_headers}\n{signed_headers}\n{}",
        query.join("&"),
        hex(&Sha256::digest(b""))
    );
    let to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
        hex(&Sha256::digest(canonical.as_bytes()))
    );
    let mut key = mac(format!("AWS4{secret}").as_bytes(), date);
    for part in [*region, *service, "aws4_request"] {
        key = mac(&key, part);
    }
    if hex(&mac(&key, &to_sign)) != signature {
        return Err(
            "The request signature we calculated does not match the signature you provided.".into(),
        );
    }
    Ok(format!("aws:{key_id}"))
}

fn mac(key: &[u8], message: &str) -> Vec<u8> {
    let Ok(mut m) = Hmac::<Sha256>::new_from_slice(key) else {
        return Vec::new();
    };
    m.update(message.as_bytes());
    m.finalize().into_bytes().to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
