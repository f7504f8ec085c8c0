//! What the `gapi-codegen` binary adds around the library: the catalog's
//! compile driver (which also acts as cargo's rustc wrapper) and the fuzz
//! supervisor with its child process. Both print their progress; the
//! library never does.

pub mod check;
pub mod fuzz;
