//! The shared HTTP runtime under every gapi generated client.
//!
//! Generated methods are data ([`spec::MethodSpec`]) plus a [`Request`]; all
//! behaviour — URLs, standard parameters, credentials, retries, errors,
//! pagination, media — lives here, written and tested once.
#![deny(missing_docs)]

pub mod batch;
mod client;
pub mod decode;
pub mod encode;
mod error;
mod explain;
#[cfg(test)]
mod fuzz;
pub mod limits;
pub mod lro;
pub mod media;
#[cfg(feature = "mock")]
pub mod mock;
pub mod paging;
mod request;
pub mod retry;
pub mod spec;
mod split;
pub mod stream;
pub mod template;
mod trace;
pub mod types;
pub mod wire;

pub use client::{BuildError, Client, ClientBuilder, DEFAULT_UNIVERSE_DOMAIN, EMULATOR_HOST_VAR};
pub use error::{Error, GoogleError, GoogleErrorItem};
pub use paging::Paginated;
pub use request::{Call, ParamValue, PreparedRequest, Request};
pub use retry::RetryPolicy;

/// What a generated call's `execute()` (and `upload…()`) returns: a boxed,
/// `Send + 'static` future of the decoded response.
///
/// Why boxed: the body of an `async fn` is compiled again in every crate that
/// awaits it (in release builds, together with every generic it uses: the
/// retry loop, serde_json's decoding of the response type and all its nested
/// types). Generated calls return this instead, from a function that is
/// never inlined, so that machinery is compiled once, in the generated
/// crate, and a one-line edit of an application does not recompile it. The
/// cost is one allocation per call.
pub type ResponseFuture<T> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<T, Error>> + Send + 'static>>;

/// The string type of generated struct fields: a `String` that keeps text of
/// up to 24 bytes inline, without a heap allocation.
///
/// Why: most strings in Google's responses are short (kinds, MIME types,
/// timestamps, names, e-mail addresses), and one `malloc`/`free` per string
/// field was a fifth of the time spent decoding a page of Drive files. It
/// derefs to `str`, compares with `&str` and `String`, and converts from and
/// into `String` (`"name".into()`, `String::from(field)`).
pub use compact_str::CompactString;

/// Re-exported so users need no direct dependency to consume streams.
pub use futures_util;
/// What generated crates re-export as `auth`: the `Credentials` trait, API
/// keys and static tokens (the sign-in flows are in `gapi-auth`, whose
/// credentials implement the same trait).
pub use gapi_credentials as auth;
/// Re-exported for generated code.
#[doc(hidden)]
pub use serde;
/// Re-exported for generated code (`serde_json::Value` fields).
pub use serde_json;

/// Setters every generated call has, expanded inside its `impl` block (the
/// call must have a `request: gapi_runtime::Request` field). Kept here so
/// generated sources stay small.
#[macro_export]
macro_rules! standard_setters {
    () => {
        /// Asks for a partial response (`fields`), e.g. `"id,name"` or
        /// `"files(id,name),nextPageToken"`.
        #[inline]
        pub fn fields(mut self, fields: impl ::std::convert::Into<::std::string::String>) -> Self {
            self.request.set_query("fields", fields.into());
            self
        }

        /// Attributes quota to this user string (`quotaUser`).
        #[inline]
        pub fn quota_user(
            mut self,
            user: impl ::std::convert::Into<::std::string::String>,
        ) -> Self {
            self.request.set_query("quotaUser", user.into());
            self
        }

        /// Sets any query parameter, including ones this crate does not know.
        #[inline]
        pub fn param(
            mut self,
            name: &'static str,
            value: impl ::std::convert::Into<::std::string::String>,
        ) -> Self {
            self.request.set_query(name, value.into());
            self
        }

        /// Adds a header to this call.
        #[inline]
        pub fn header(
            mut self,
            name: $crate::reexport::HeaderName,
            value: $crate::reexport::HeaderValue,
        ) -> Self {
            self.request.header(name, value);
            self
        }

        /// Overrides the client's retry policy for this call.
        #[inline]
        pub fn retry_policy(mut self, policy: $crate::RetryPolicy) -> Self {
            self.request.retry_policy(policy);
            self
        }

        /// The HTTP request this call would send, without sending it.
        ///
        /// # Errors
        /// When the request cannot be built.
        #[inline]
        pub fn preview(&self) -> ::std::result::Result<$crate::PreparedRequest, $crate::Error> {
            self.request.preview()
        }

        /// The underlying request, for what the setters do not cover.
        #[inline]
        pub fn into_request(self) -> $crate::Request {
            self.request
        }
    };
}

/// Types the macros name.
#[doc(hidden)]
pub mod reexport {
    pub use http::{HeaderName, HeaderValue};
}
