//! Media upload and download.
