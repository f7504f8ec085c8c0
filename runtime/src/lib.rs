//! The shared HTTP runtime under every gapi generated client.
//!
//! Generated methods are data ([`spec::MethodSpec`]) plus a [`Request`]; all
//! behaviour — URLs, standard parameters, credentials, retries, errors,
//! pagination, media — lives here, written and tested once.
#![deny(missing_docs)]

mod client;
mod error;
pub mod media;
pub mod paging;
mod request;
pub mod retry;
pub mod spec;
pub mod template;
pub mod types;
pub mod wire;

pub use client::{Client, ClientBuilder};
pub use error::{Error, GoogleError, GoogleErrorItem};
pub use paging::Paginated;
pub use request::{ParamValue, PreparedRequest, Request};
pub use retry::RetryPolicy;

/// What generated crates re-export from auth.
pub use gapi_auth as auth;
/// Re-exported for generated code.
#[doc(hidden)]
pub use serde;
/// Re-exported so users need no direct dependency to consume streams.
pub use futures_util;
