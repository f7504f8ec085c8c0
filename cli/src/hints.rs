//! What to do about Google's common errors, read from the error's
//! structured details (`google.rpc.ErrorInfo`), not its prose: the API not
//! enabled (the activation link Google sends), a token without the scope
//! the method needs (the sign-in that would grant it), a quota used up
//! (which one, and where to ask for more).

use serde_json::Value;

/// The hint for `error` from a call to a method needing one of `scopes`.
pub fn for_error(error: &gapi_runtime::Error, scopes: &[String]) -> Option<String> {
    let google = error.google_error()?;
    let info = google.details.iter().find(|d| {
        d.get("@type")
            .and_then(Value::as_str)
            .is_some_and(|t| t.ends_with("google.rpc.ErrorInfo"))
    });
    let meta = |key: &str| -> Option<&str> { info?.get("metadata")?.get(key)?.as_str() };
    let help_link = google
        .details
        .iter()
        .filter_map(|d| d.get("links").and_then(Value::as_array))
        .flatten()
        .find_map(|l| l.get("url").and_then(Value::as_str));
    let reason = info
        .and_then(|i| i.get("reason"))
        .and_then(Value::as_str)
        .or_else(|| google.reasons().next())?;
    match reason {
        "SERVICE_DISABLED" | "accessNotConfigured" => {
            let api = meta("serviceTitle")
                .or(meta("service"))
                .unwrap_or("the API");
            let project = meta("consumer").unwrap_or("the caller's project");
            let url = meta("activationUrl").or(help_link)?;
            Some(format!(
                "{api} is not enabled in {project}: enable it at {url} (or `gcloud services enable {}`), wait a minute, and retry",
                meta("service").unwrap_or("SERVICE")
            ))
        }
        "ACCESS_TOKEN_SCOPE_INSUFFICIENT" | "insufficientPermissions"
            if google.message.contains("scope") || reason.starts_with("ACCESS") =>
        {
            let scope = scopes.first()?;
            let others = if scopes.len() > 1 {
                format!(" (it takes any of: {})", scopes.join(", "))
            } else {
                String::new()
            };
            Some(format!(
                "the credentials lack the scope this method needs{others}; sign in again with it: `gapi auth login --client-secrets FILE --scopes {scope}` (ADC: `gcloud auth application-default login --scopes={scope},https://www.googleapis.com/auth/cloud-platform`)"
            ))
        }
        "RATE_LIMIT_EXCEEDED"
        | "RESOURCE_EXHAUSTED"
        | "rateLimitExceeded"
        | "userRateLimitExceeded" => {
            let limit = meta("quota_limit")?;
            let metric = meta("quota_metric").unwrap_or("?");
            let value = meta("quota_limit_value")
                .map(|v| format!(", {v}"))
                .unwrap_or_default();
            let project = meta("consumer").unwrap_or("the caller's project");
            let more = help_link.unwrap_or("https://console.cloud.google.com/iam-admin/quotas");
            Some(format!(
                "quota `{limit}` of `{metric}`{value} is used up for {project}: wait and retry more slowly (gapi already retried), or ask for more at {more}"
            ))
        }
        _ => None,
    }
}
