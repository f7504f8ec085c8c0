//! `GAPI_EMULATOR_HOST` points clients built without a root URL at an
//! emulator. Its own test binary: the variable is process-wide.

#![allow(clippy::unwrap_used)]

mod support;

use gapi_runtime::Client;
use support::SERVICE;

#[test]
fn the_variable_redirects_clients_without_a_root_url() {
    assert_eq!(
        Client::builder(&SERVICE).build().unwrap().root_url(),
        "https://test.googleapis.com/"
    );
    // The only test in this binary: no other thread reads the environment.
    std::env::set_var(gapi_runtime::EMULATOR_HOST_VAR, "127.0.0.1:8089");
    assert_eq!(
        Client::builder(&SERVICE).build().unwrap().root_url(),
        "http://127.0.0.1:8089/"
    );
    // An explicit root URL still wins.
    assert_eq!(
        Client::builder(&SERVICE)
            .root_url("http://127.0.0.1:9")
            .build()
            .unwrap()
            .root_url(),
        "http://127.0.0.1:9/"
    );
}
