//! AWS-sourced workload identity (`credential_source.environment_id =
//! "aws1"`): the subject token is a signed (SigV4) AWS STS
//! `GetCallerIdentity` request that Google's STS replays to learn which AWS
//! role is calling. Nothing is sent to AWS by the client.
//!
//! The AWS keys and region come from the environment (`AWS_ACCESS_KEY_ID`,
//! `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `AWS_REGION` or
//! `AWS_DEFAULT_REGION`, read when the configuration is loaded), else from
//! the EC2 instance metadata service, with an IMDSv2 session token when the
//! configuration names `imdsv2_session_token_url`. The serialized request is
//! byte for byte the one google-auth builds for the same keys and clock (a
//! test holds the two side by side).

use std::fmt;
use std::time::SystemTime;

use http::{HeaderMap, HeaderValue};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use ring::{digest, hmac};
use serde::Deserialize;

use crate::token::{TokenClient, TokenError};

/// Characters left alone by AWS's URI encoding (RFC 3986 unreserved).
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');
/// Python's `urllib.parse.quote` default: unreserved and `/`.
const QUOTE: &AsciiSet = &UNRESERVED.remove(b'/');

/// The configuration fields of an AWS source.
#[derive(Deserialize)]
pub(super) struct AwsFields {
    #[serde(default)]
    region_url: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    imdsv2_session_token_url: Option<String>,
    #[serde(default)]
    regional_cred_verification_url: Option<String>,
}

/// AWS keys: from the environment or the metadata service.
#[derive(Clone)]
pub(crate) struct AwsKeys {
    pub(crate) access_key_id: String,
    pub(crate) secret_access_key: String,
    pub(crate) session_token: Option<String>,
}

impl fmt::Debug for AwsKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AwsKeys")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// Where an AWS subject token's parts come from.
#[derive(Debug, Clone)]
pub(crate) struct AwsSource {
    region_url: Option<String>,
    credentials_url: Option<String>,
    imdsv2_url: Option<String>,
    verification_url: String,
    env_region: Option<String>,
    env_keys: Option<AwsKeys>,
}

impl AwsSource {
    /// Reads the source; `id` is `environment_id` (`aws1`).
    pub(super) fn parse(
        id: &str,
        value: serde_json::Value,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, String> {
        match id.strip_prefix("aws").map(str::parse::<u32>) {
            Some(Ok(1)) => {}
            Some(Ok(v)) => {
                return Err(format!(
                    "`credential_source.environment_id` is {id:?}: AWS version {v} is not supported (only aws1)"
                ))
            }
            _ => {
                return Err(format!(
                    "`credential_source.environment_id` {id:?} is not supported (only \"aws1\")"
                ))
            }
        }
        let fields: AwsFields = serde_json::from_value(value)
            .map_err(|e| format!("`credential_source` is malformed: {e}"))?;
        let verification_url = fields.regional_cred_verification_url.ok_or_else(|| {
            "`credential_source.regional_cred_verification_url` is missing (needed for AWS)"
                .to_string()
        })?;
        for (field, url) in [
            ("region_url", &fields.region_url),
            ("url", &fields.url),
            ("imdsv2_session_token_url", &fields.imdsv2_session_token_url),
        ] {
            if let Some(url) = url {
                if !(url.starts_with("http://") || url.starts_with("https://")) {
                    return Err(format!(
                        "`credential_source.{field}` is not an http(s) URL: {url:?}"
                    ));
                }
            }
        }
        let var = |name: &str| env(name).filter(|v| !v.is_empty());
        let env_keys = match (var("AWS_ACCESS_KEY_ID"), var("AWS_SECRET_ACCESS_KEY")) {
            (Some(access_key_id), Some(secret_access_key)) => Some(AwsKeys {
                access_key_id,
                secret_access_key,
                session_token: var("AWS_SESSION_TOKEN"),
            }),
            _ => None,
        };
        Ok(AwsSource {
            region_url: fields.region_url,
            credentials_url: fields.url,
            imdsv2_url: fields.imdsv2_session_token_url,
            verification_url,
            env_region: var("AWS_REGION").or_else(|| var("AWS_DEFAULT_REGION")),
            env_keys,
        })
    }

    /// The subject token for `audience` as of `now`: the serialized signed
    /// `GetCallerIdentity` request.
    pub(crate) async fn subject_token(
        &self,
        http: &TokenClient,
        audience: &str,
        now: SystemTime,
    ) -> Result<String, TokenError> {
        let needs_metadata = self.env_region.is_none() || self.env_keys.is_none();
        let mut metadata_headers = HeaderMap::new();
        if let (true, Some(url)) = (needs_metadata, &self.imdsv2_url) {
            let mut headers = HeaderMap::new();
            headers.insert(
                "x-aws-ec2-metadata-token-ttl-seconds",
                HeaderValue::from_static("300"),
            );
            let token = http
                .send(reqwest::Method::PUT, url, None, &headers, true)
                .await?;
            let mut value = HeaderValue::from_bytes(&token).map_err(|_| {
                TokenError::Malformed("the IMDSv2 session token is not a valid header".into())
            })?;
            value.set_sensitive(true);
            metadata_headers.insert("x-aws-ec2-metadata-token", value);
        }
        let region = match &self.env_region {
            Some(region) => region.clone(),
            None => {
                let url = self.region_url.as_deref().ok_or_else(|| {
                    TokenError::Malformed(
                        "no AWS region: set AWS_REGION or `credential_source.region_url`".into(),
                    )
                })?;
                let zone = http
                    .send(reqwest::Method::GET, url, None, &metadata_headers, true)
                    .await?;
                region_of_zone(&String::from_utf8_lossy(&zone)).ok_or_else(|| {
                    TokenError::Malformed(format!("{url} answered no availability zone"))
                })?
            }
        };
        let keys = match &self.env_keys {
            Some(keys) => keys.clone(),
            None => self.metadata_keys(http, &metadata_headers).await?,
        };
        let url = self.verification_url.replace("{region}", &region);
        signed_caller_identity(&keys, &region, &url, audience, now).map_err(TokenError::Malformed)
    }

    /// The role's keys from the instance metadata service.
    async fn metadata_keys(
        &self,
        http: &TokenClient,
        headers: &HeaderMap,
    ) -> Result<AwsKeys, TokenError> {
        let base = self.credentials_url.as_deref().ok_or_else(|| {
            TokenError::Malformed(
                "no AWS keys: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or `credential_source.url`".into(),
            )
        })?;
        let role = http
            .send(reqwest::Method::GET, base, None, headers, true)
            .await?;
        let role = String::from_utf8_lossy(&role).trim().to_string();
        if role.is_empty() || role.contains('/') {
            return Err(TokenError::Malformed(format!(
                "{base} answered no role name"
            )));
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct RoleKeys {
            access_key_id: String,
            secret_access_key: String,
            #[serde(default)]
            token: Option<String>,
        }
        let url = format!("{}/{role}", base.trim_end_matches('/'));
        let body = http
            .send(reqwest::Method::GET, &url, None, headers, true)
            .await?;
        let keys: RoleKeys = crate::token::parse_json(&body)?;
        Ok(AwsKeys {
            access_key_id: keys.access_key_id,
            secret_access_key: keys.secret_access_key,
            session_token: keys.token,
        })
    }
}

/// `us-east-2b` → `us-east-2` (the metadata service answers a zone).
fn region_of_zone(zone: &str) -> Option<String> {
    let mut chars = zone.chars();
    chars.next_back()?;
    Some(chars.as_str().to_string()).filter(|r| !r.is_empty())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn sha256_hex(data: &[u8]) -> String {
    hex(digest::digest(&digest::SHA256, data).as_ref())
}

fn hmac_sha256(key: &[u8], message: &str) -> Vec<u8> {
    hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), message.as_bytes())
        .as_ref()
        .to_vec()
}

/// The canonical query string: decoded pairs without empty values,
/// re-encoded, values sorted within a key, keys sorted.
fn canonical_query(url: &reqwest::Url) -> String {
    let mut pairs: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for (key, value) in url.query_pairs() {
        if value.is_empty() {
            continue;
        }
        pairs
            .entry(utf8_percent_encode(&key, UNRESERVED).to_string())
            .or_default()
            .push(utf8_percent_encode(&value, UNRESERVED).to_string());
    }
    let mut out = Vec::new();
    for (key, mut values) in pairs {
        values.sort();
        for value in values {
            out.push(format!("{key}={value}"));
        }
    }
    out.join("&")
}

/// The SigV4-signed `POST` of `url` (a `GetCallerIdentity` URL), serialized
/// the way Google's STS reads it: URL-encoded JSON of the URL, the method
/// and the headers in order, `x-goog-cloud-target-resource` (the audience)
/// last and unsigned.
pub(crate) fn signed_caller_identity(
    keys: &AwsKeys,
    region: &str,
    url: &str,
    audience: &str,
    now: SystemTime,
) -> Result<String, String> {
    let parsed = reqwest::Url::parse(url)
        .map_err(|e| format!("`regional_cred_verification_url` {url:?} is not a URL: {e}"))?;
    let host = match (parsed.scheme(), parsed.host_str()) {
        ("https", Some(host)) if !host.is_empty() => host.to_string(),
        _ => {
            return Err(format!(
                "`regional_cred_verification_url` {url:?} is not an https URL with a host"
            ))
        }
    };
    let first = host.split('.').next().unwrap_or(&host);
    let service = first.strip_suffix("-fips").unwrap_or(first);
    let (secs, _) = gapi_credentials::rfc3339::from_system_time(now);
    let amz_date: String = gapi_credentials::rfc3339::format(secs, 0, false)
        .chars()
        .filter(|c| !matches!(c, '-' | ':'))
        .collect();
    let date_stamp = &amz_date[..8];

    let mut signed: Vec<(&str, &str)> = vec![("host", &host), ("x-amz-date", &amz_date)];
    if let Some(token) = &keys.session_token {
        signed.push(("x-amz-security-token", token));
    }
    signed.sort_by_key(|(name, _)| *name);
    let canonical_headers: String = signed
        .iter()
        .map(|(name, value)| format!("{name}:{value}\n"))
        .collect();
    let signed_headers = signed
        .iter()
        .map(|(name, _)| *name)
        .collect::<Vec<_>>()
        .join(";");
    let canonical_request = format!(
        "POST\n{}\n{}\n{canonical_headers}\n{signed_headers}\n{}",
        parsed.path(),
        canonical_query(&parsed),
        sha256_hex(b""),
    );
    let scope = format!("{date_stamp}/{region}/{service}/aws4_request");
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
        sha256_hex(canonical_request.as_bytes())
    );
    let mut key = hmac_sha256(
        format!("AWS4{}", keys.secret_access_key).as_bytes(),
        date_stamp,
    );
    for part in [region, service, "aws4_request"] {
        key = hmac_sha256(&key, part);
    }
    let signature = hex(&hmac_sha256(&key, &string_to_sign));
    let authorization = format!(
        "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={signed_headers}, Signature={signature}",
        keys.access_key_id
    );

    let mut headers = vec![
        ("Authorization", authorization.as_str()),
        ("host", host.as_str()),
        ("x-amz-date", amz_date.as_str()),
    ];
    if let Some(token) = &keys.session_token {
        headers.push(("x-amz-security-token", token));
    }
    headers.push(("x-goog-cloud-target-resource", audience));
    let request = serde_json::json!({
        "headers": headers
            .iter()
            .map(|(key, value)| serde_json::json!({ "key": key, "value": value }))
            .collect::<Vec<_>>(),
        "method": "POST",
        "url": url,
    });
    Ok(utf8_percent_encode(&request.to_string(), QUOTE).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_and_queries() {
        assert_eq!(region_of_zone("us-east-2b").as_deref(), Some("us-east-2"));
        assert_eq!(region_of_zone("b"), None);
        let url = reqwest::Url::parse(
            "https://sts.x.amazonaws.com?Version=2011-06-15&Action=Get%20Caller&e=&a=2&a=1",
        )
        .unwrap();
        assert_eq!(
            canonical_query(&url),
            "Action=Get%20Caller&Version=2011-06-15&a=1&a=2"
        );
    }

    #[test]
    fn the_verification_url_must_be_https() {
        let keys = AwsKeys {
            access_key_id: "AKID".into(),
            secret_access_key: "secret".into(),
            session_token: None,
        };
        let e = signed_caller_identity(
            &keys,
            "us-east-2",
            "http://sts.us-east-2.amazonaws.com?Action=GetCallerIdentity",
            "aud",
            SystemTime::UNIX_EPOCH,
        )
        .unwrap_err();
        assert!(e.contains("not an https URL"), "{e}");
    }
}
