//! Auth hot path: the cost of `Credentials::headers()` with a cached token,
//! and 1,000 concurrent callers arriving on an expired one (how many token
//! requests reach the server, and how long until every caller is served).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use gapi_auth::{
    AccessToken, ClientSecret, Credentials, RefreshToken, StoredUser, UserCredentials,
};

use crate::server;
use crate::stats::{Goal, Samples, Section, Table};

fn user(token_uri: &str, expiry: SystemTime) -> StoredUser {
    StoredUser {
        token: Some(AccessToken::new("ya29.cached")),
        expiry: Some(expiry),
        refresh_token: RefreshToken::new("1//refresh"),
        token_uri: token_uri.to_string(),
        client_id: "client-id".into(),
        client_secret: Some(ClientSecret::new("client-secret")),
        scopes: vec!["https://www.googleapis.com/auth/drive.metadata.readonly".into()],
        universe_domain: None,
        account: None,
        quota_project_id: None,
        extra: serde_json::Map::new(),
    }
}

/// A token endpoint that counts requests and answers after `delay`.
fn token_server(delay: Duration) -> (String, Arc<AtomicUsize>) {
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    let base = server::spawn(move |_req| {
        let n = seen.fetch_add(1, Ordering::SeqCst) + 1;
        async move {
            tokio::time::sleep(delay).await;
            server::json(
                200,
                format!(
                    r#"{{"access_token":"ya29.fresh-{n}","expires_in":3599,"token_type":"Bearer"}}"#
                ),
            )
        }
    });
    (format!("{base}token"), count)
}

pub async fn run(quick: bool) -> Section {
    let rounds = if quick { 1 } else { 5 };
    let calls: u32 = if quick { 10_000 } else { 1_000_000 };
    let mut out = String::new();
    let mut goals = Vec::new();

    // Cached token: nothing but a clock check, a read lock and a header.
    let (token_uri, _) = token_server(Duration::ZERO);
    let fresh = UserCredentials::from_stored(
        user(&token_uri, SystemTime::now() + Duration::from_secs(3600)),
        None,
    );
    let key = gapi_auth::ApiKey::new("AIzaSy-benchmark-key");
    let mut user_ns = Samples::default();
    let mut key_ns = Samples::default();
    for _ in 0..rounds {
        for (creds, samples) in [
            (&fresh as &dyn Credentials, &mut user_ns),
            (&key as &dyn Credentials, &mut key_ns),
        ] {
            let started = Instant::now();
            for _ in 0..calls {
                let headers = creds.headers().await.expect("cached headers");
                std::hint::black_box(headers);
            }
            samples.push(started.elapsed().as_nanos() as f64 / f64::from(calls));
        }
    }
    let mut t = Table::new(&["credentials", ">ns per `headers()` call"]);
    t.row(vec![
        "`UserCredentials`, cached token (Bearer header)".into(),
        user_ns.show(0),
    ]);
    t.row(vec!["`ApiKey` (for scale)".into(), key_ns.show(0)]);
    out.push_str(&format!(
        "Cached token: {calls} sequential `headers().await` calls per round, {rounds} rounds.\n\n{}\n",
        t.render()
    ));

    // 1,000 callers on an expired token: one refresh, everyone served.
    let callers = 1_000;
    let mut t = Table::new(&[
        "token endpoint latency",
        ">token requests (every round)",
        ">time until all 1,000 are served (ms)",
    ]);
    for delay in [Duration::ZERO, Duration::from_millis(100)] {
        let (token_uri, count) = token_server(delay);
        let mut times = Samples::default();
        let mut requests = Vec::new();
        for _ in 0..rounds {
            let before = count.load(Ordering::SeqCst);
            let creds = UserCredentials::from_stored(
                user(&token_uri, SystemTime::now() - Duration::from_secs(10)),
                None,
            );
            let started = Instant::now();
            let tasks: Vec<_> = (0..callers)
                .map(|_| {
                    let c = creds.clone();
                    tokio::spawn(async move { c.headers().await.map(|_| ()) })
                })
                .collect();
            for t in tasks {
                t.await.expect("task").expect("refreshed headers");
            }
            times.push(started.elapsed().as_secs_f64() * 1000.0);
            requests.push(count.load(Ordering::SeqCst) - before);
        }
        requests.sort_unstable();
        requests.dedup();
        let shown = requests
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        t.row(vec![
            format!("{} ms", delay.as_millis()),
            shown,
            times.show(1),
        ]);
        if delay.is_zero() {
            goals.push(Goal::new(
                "1,000 concurrent callers on an expired token: one token request",
                format!(
                    "{:?} request(s) per round; all served in {} ms",
                    requests,
                    times.show(1)
                ),
                requests == [1],
            ));
        }
    }
    out.push_str(&format!(
        "Expired token: {callers} tasks call `headers()` at once on clones of one \
         `UserCredentials` whose token has expired; the loopback token endpoint counts \
         requests ({rounds} rounds, fresh credentials each round).\n\n{}\n",
        t.render()
    ));
    goals.insert(
        0,
        Goal::new(
            "headers from a cached token (no goal set; figure only)",
            format!("{} ns per call", user_ns.show(0)),
            true,
        ),
    );
    Section {
        markdown: out,
        goals,
    }
}
