//! Regional endpoints and universe domains on the client builder. A file of
//! its own: it sets `GOOGLE_CLOUD_UNIVERSE_DOMAIN`, which no other test
//! process may see.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use gapi_runtime::auth::{AuthError, BoxFuture, Credentials};
use gapi_runtime::spec::{Endpoint, ServiceSpec};
use gapi_runtime::{BuildError, Client};

static REGIONAL: ServiceSpec = ServiceSpec {
    id: "test:v1",
    revision: "20250101",
    root_url: "https://test.googleapis.com/",
    service_path: "test/v1/",
    fully_encode_reserved_expansion: true,
    data_wrapper: false,
    endpoints: &[
        Endpoint {
            location: "europe-west1",
            root_url: "https://test.europe-west1.rep.googleapis.com/",
        },
        Endpoint {
            location: "us-east1",
            root_url: "https://test.us-east1.rep.googleapis.com/",
        },
    ],
    batch: None,
};

/// Credentials that say which universe they belong to.
#[derive(Debug)]
struct InUniverse(&'static str);

impl Credentials for InUniverse {
    fn headers(&self) -> BoxFuture<'_, Result<http::HeaderMap, AuthError>> {
        Box::pin(async { Ok(http::HeaderMap::new()) })
    }
    fn universe_domain(&self) -> Option<&str> {
        Some(self.0)
    }
}

#[test]
fn locations_universes_and_their_mismatches() {
    // Without the variable: Google's public universe.
    std::env::remove_var("GOOGLE_CLOUD_UNIVERSE_DOMAIN");
    let c = Client::builder(&REGIONAL).build().unwrap();
    assert_eq!(c.root_url(), "https://test.googleapis.com/");
    assert_eq!(c.universe_domain(), "googleapis.com");

    let c = Client::builder(&REGIONAL)
        .location("us-east1")
        .build()
        .unwrap();
    assert_eq!(c.root_url(), "https://test.us-east1.rep.googleapis.com/");

    let err = Client::builder(&REGIONAL)
        .location("mars-north1")
        .build()
        .unwrap_err();
    assert!(matches!(err, BuildError::UnknownLocation { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "test:v1 has no regional endpoint in \"mars-north1\"; its document lists: europe-west1, us-east1"
    );

    // Another universe: in the root URL and the regional endpoints.
    let c = Client::builder(&REGIONAL)
        .universe_domain("example.goog")
        .location("europe-west1")
        .credentials(InUniverse("example.goog"))
        .build()
        .unwrap();
    assert_eq!(c.root_url(), "https://test.europe-west1.rep.example.goog/");

    // Credentials of another universe are refused, naming both.
    let err = Client::builder(&REGIONAL)
        .universe_domain("example.goog")
        .credentials(InUniverse("googleapis.com"))
        .build()
        .unwrap_err();
    let shown = err.to_string();
    assert!(
        shown.contains("\"googleapis.com\"") && shown.contains("\"example.goog\""),
        "{shown}"
    );

    // An explicit root URL (an emulator) wins over location and universe.
    let c = Client::builder(&REGIONAL)
        .root_url("http://127.0.0.1:9")
        .location("us-east1")
        .build()
        .unwrap();
    assert_eq!(c.root_url(), "http://127.0.0.1:9/");

    // The environment sets the universe when the builder does not.
    std::env::set_var("GOOGLE_CLOUD_UNIVERSE_DOMAIN", "example.goog");
    let c = Client::builder(&REGIONAL).build().unwrap();
    assert_eq!(c.root_url(), "https://test.example.goog/");
    let err = Client::builder(&REGIONAL)
        .credentials(InUniverse("googleapis.com"))
        .build()
        .unwrap_err();
    assert!(
        matches!(err, BuildError::UniverseMismatch { .. }),
        "{err:?}"
    );
    std::env::remove_var("GOOGLE_CLOUD_UNIVERSE_DOMAIN");
}
