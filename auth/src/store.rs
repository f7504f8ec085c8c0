//! Where user tokens persist between runs.
//!
//! [`FileTokenStore`] reads and writes `token.json` in exactly the format of
//! Python's google-auth (`Credentials.to_json()` / `from_authorized_user_file`),
//! so the two can share one file. Writes are atomic (temporary file, fsync,
//! rename), the file is private (0600 on Unix), and a lock file serializes
//! processes that refresh at the same time; keys this crate does not know are
//! kept when the same sign-in is rewritten.
//!
//! A refresh updates the cache with [`TokenStore::replace_if_holds`]: only
//! while the store still holds the refresh token this process loaded. A newer
//! sign-in written by another process (or by Python) is never overwritten or
//! deleted by an older one; it is handed back so the caller can use it.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::rfc3339;
use crate::secret::{AccessToken, ClientSecret, RefreshToken};

/// What a store keeps for one signed-in user.
#[derive(Clone)]
pub struct StoredUser {
    /// Access token, if one was cached.
    pub token: Option<AccessToken>,
    /// When it expires.
    pub expiry: Option<SystemTime>,
    /// The long-lived refresh token.
    pub refresh_token: RefreshToken,
    /// Token endpoint.
    pub token_uri: String,
    /// Client id.
    pub client_id: String,
    /// Client secret.
    pub client_secret: Option<ClientSecret>,
    /// Scopes granted.
    pub scopes: Vec<String>,
    /// Universe domain (`googleapis.com`).
    pub universe_domain: Option<String>,
    /// Account e-mail, if known.
    pub account: Option<String>,
    /// Quota project, if any.
    pub quota_project_id: Option<String>,
    /// Keys this crate does not interpret, preserved on rewrite.
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl fmt::Debug for StoredUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `extra` may hold secrets another client wrote (`rapt_token`): keys only.
        let extra: Vec<&String> = self.extra.keys().collect();
        f.debug_struct("StoredUser")
            .field("token", &self.token)
            .field("expiry", &self.expiry)
            .field("refresh_token", &self.refresh_token)
            .field("token_uri", &self.token_uri)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("scopes", &self.scopes)
            .field("universe_domain", &self.universe_domain)
            .field("account", &self.account)
            .field("quota_project_id", &self.quota_project_id)
            .field("extra_keys", &extra)
            .finish()
    }
}

/// What [`TokenStore::replace_if_holds`] did.
#[derive(Debug, Clone)]
pub enum Replaced {
    /// The store held the expected sign-in and now holds the new content.
    Done,
    /// The store holds another sign-in (or none) and was left alone; here is
    /// what it holds.
    Kept(Option<Box<StoredUser>>),
}

/// Why a store failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// File system trouble.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file is not an authorized-user token file.
    #[error("{path}: {message}")]
    Invalid {
        /// The path.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// Storage for a user's tokens (a file, memory, an OS keyring, …).
pub trait TokenStore: Send + Sync + fmt::Debug {
    /// The stored user, if any.
    ///
    /// # Errors
    /// When the store exists but cannot be read.
    fn load(&self) -> Result<Option<StoredUser>, StoreError>;
    /// Replaces the stored user.
    ///
    /// # Errors
    /// When it cannot be written; the previous content is then intact.
    fn save(&self, user: &StoredUser) -> Result<(), StoreError>;
    /// Forgets the stored user (sign-out).
    ///
    /// # Errors
    /// When it cannot be removed.
    fn delete(&self) -> Result<(), StoreError>;

    /// Replaces the stored user with `new` (or removes it, for `None`) only
    /// while the store holds the refresh token `expected`, or nothing at all
    /// when writing. Otherwise someone signed in since this process loaded
    /// the store: their sign-in is kept and returned.
    ///
    /// The default loads, compares and writes without a lock; stores shared
    /// between processes should do all three under one (as
    /// [`FileTokenStore`] does).
    ///
    /// # Errors
    /// When the store cannot be read or written.
    fn replace_if_holds(
        &self,
        expected: &RefreshToken,
        new: Option<&StoredUser>,
    ) -> Result<Replaced, StoreError> {
        replace_if_holds(self.load()?, expected, new, |user| match user {
            Some(user) => self.save(user),
            None => self.delete(),
        })
    }
}

/// The comparison behind [`TokenStore::replace_if_holds`]: `current` is what
/// the store holds now, `write` applies the change. When the same sign-in is
/// rewritten, keys the store has and `new` lacks are kept.
fn replace_if_holds(
    current: Option<StoredUser>,
    expected: &RefreshToken,
    new: Option<&StoredUser>,
    write: impl FnOnce(Option<&StoredUser>) -> Result<(), StoreError>,
) -> Result<Replaced, StoreError> {
    match (&current, new) {
        (Some(held), new) if held.refresh_token == *expected => {
            let merged = new.map(|new| {
                let mut merged = new.clone();
                for (k, v) in &held.extra {
                    merged.extra.entry(k.clone()).or_insert_with(|| v.clone());
                }
                merged
            });
            write(merged.as_ref())?;
            Ok(Replaced::Done)
        }
        // Nothing stored and something to write: a first save.
        (None, Some(new)) => {
            write(Some(new))?;
            Ok(Replaced::Done)
        }
        _ => Ok(Replaced::Kept(current.map(Box::new))),
    }
}

/// Tokens in memory only.
#[derive(Debug, Default)]
pub struct MemoryTokenStore(Mutex<Option<StoredUser>>);

impl TokenStore for MemoryTokenStore {
    fn load(&self) -> Result<Option<StoredUser>, StoreError> {
        Ok(self.0.lock().unwrap_or_else(|e| e.into_inner()).clone())
    }
    fn replace_if_holds(
        &self,
        expected: &RefreshToken,
        new: Option<&StoredUser>,
    ) -> Result<Replaced, StoreError> {
        let mut held = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let current = held.clone();
        replace_if_holds(current, expected, new, |user| {
            *held = user.cloned();
            Ok(())
        })
    }
    fn save(&self, user: &StoredUser) -> Result<(), StoreError> {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(user.clone());
        Ok(())
    }
    fn delete(&self) -> Result<(), StoreError> {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = None;
        Ok(())
    }
}

/// `token.json`, shared with Python's google-auth.
#[derive(Debug, Clone)]
pub struct FileTokenStore {
    path: PathBuf,
}

/// The wire format of google-auth's authorized-user JSON.
#[derive(Serialize, Deserialize)]
struct Wire {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    token_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    client_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    client_secret: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    scopes: Option<Scopes>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    universe_domain: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    account: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expiry: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    quota_project_id: Option<String>,
    #[serde(flatten)]
    extra: serde_json::Map<String, serde_json::Value>,
}

/// google-auth writes a list; older files have a space-separated string.
#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum Scopes {
    List(Vec<String>),
    Text(String),
}

impl StoredUser {
    /// Parses google-auth's authorized-user JSON (also gcloud's ADC file).
    ///
    /// # Errors
    /// an error of kind [`Config`](crate::AuthErrorKind::Config) naming the missing or
    /// malformed field.
    pub fn from_json(bytes: &[u8]) -> Result<StoredUser, crate::AuthError> {
        Self::parse(bytes).map_err(crate::AuthError::config)
    }

    fn parse(bytes: &[u8]) -> Result<StoredUser, String> {
        let w: Wire = serde_json::from_slice(bytes)
            .map_err(|e| format!("not an authorized-user JSON file: {e}"))?;
        let missing =
            |field: &str| format!("`{field}` is missing (sign in again to recreate the file)");
        let scopes = match w.scopes {
            Some(Scopes::List(v)) => v,
            Some(Scopes::Text(s)) => s.split_whitespace().map(str::to_string).collect(),
            None => Vec::new(),
        };
        let expiry = match w.expiry.as_deref() {
            Some(text) => {
                let (secs, nanos) = rfc3339::parse(text)
                    .ok_or_else(|| format!("`expiry` is not a timestamp: {text:?}"))?;
                Some(UNIX_EPOCH + Duration::new(u64::try_from(secs).unwrap_or(0), nanos))
            }
            None => None,
        };
        let mut extra = w.extra;
        extra.remove("type");
        Ok(StoredUser {
            token: w.token.map(AccessToken::new),
            expiry,
            refresh_token: RefreshToken::new(
                w.refresh_token.ok_or_else(|| missing("refresh_token"))?,
            ),
            token_uri: w
                .token_uri
                .unwrap_or_else(|| crate::client_secrets::GOOGLE_TOKEN_URI.to_string()),
            client_id: w.client_id.ok_or_else(|| missing("client_id"))?,
            // Clients without a secret (PKCE-only) have none to store.
            client_secret: w.client_secret.map(ClientSecret::new),
            scopes,
            universe_domain: w.universe_domain,
            account: w.account,
            quota_project_id: w.quota_project_id,
            extra,
        })
    }

    /// google-auth's `to_json()` form (no `type` key; `None`s dropped; expiry
    /// in UTC with microseconds and a `Z`).
    pub fn to_json(&self) -> String {
        let w = Wire {
            token: self.token.as_ref().map(|t| t.secret().to_string()),
            refresh_token: Some(self.refresh_token.secret().to_string()),
            token_uri: Some(self.token_uri.clone()),
            client_id: Some(self.client_id.clone()),
            client_secret: self.client_secret.as_ref().map(|s| s.secret().to_string()),
            scopes: Some(Scopes::List(self.scopes.clone())),
            universe_domain: Some(
                self.universe_domain
                    .clone()
                    .unwrap_or_else(|| "googleapis.com".to_string()),
            ),
            account: Some(self.account.clone().unwrap_or_default()),
            expiry: self.expiry.map(|t| {
                let (secs, nanos) = rfc3339::from_system_time(t);
                rfc3339::format(secs, nanos, true)
            }),
            quota_project_id: self.quota_project_id.clone(),
            extra: self.extra.clone(),
        };
        // Serializing a struct of strings and maps cannot fail.
        serde_json::to_string(&w).unwrap_or_default()
    }
}

impl FileTokenStore {
    /// A store at `path` (created on first save).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        FileTokenStore { path: path.into() }
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn io(&self, source: std::io::Error) -> StoreError {
        StoreError::Io {
            path: self.path.clone(),
            source,
        }
    }

    /// Runs `f` holding an exclusive lock on `token.json.lock`, so that
    /// processes do not interleave read-modify-write cycles. The lock file is
    /// removed again before the lock is released (on Unix), so nothing is
    /// left beside the user's `token.json`.
    pub fn locked<T>(&self, f: impl FnOnce() -> T) -> Result<T, StoreError> {
        let lock_path = self.path.with_extension("json.lock");
        if let Some(parent) = lock_path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| self.io(e))?;
        }
        // Another process may remove the lock file between our open and our
        // lock; a lock on a file no longer at `lock_path` excludes nobody, so
        // try again with the current one. Each retry means another process
        // made progress, so the bound is never reached in practice.
        let mut attempts = 0;
        let file = loop {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&lock_path)
                .map_err(|e| self.io(e))?;
            // `File::lock` is flock(2) on Unix and LockFileEx on Windows; the
            // lock is released when `file` is dropped, also on panic.
            file.lock().map_err(|e| self.io(e))?;
            attempts += 1;
            if is_at(&file, &lock_path) || attempts >= 1000 {
                break file;
            }
        };
        let result = f();
        // Unix lets a locked file be unlinked; whoever waits on this inode
        // then sees it is gone and starts over. Windows keeps the file.
        if cfg!(unix) {
            let _ = std::fs::remove_file(&lock_path);
        }
        drop(file);
        Ok(result)
    }

    fn remove(&self) -> Result<(), StoreError> {
        match std::fs::remove_file(&self.path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(self.io(e)),
        }
    }

    fn write_atomically(&self, contents: &str) -> Result<(), StoreError> {
        use std::io::Write;
        let dir = self
            .path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(|e| self.io(e))?;
        let tmp = dir.join(format!(
            ".{}.{}.{:x}.tmp",
            self.path
                .file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default(),
            std::process::id(),
            fastrand::u64(..)
        ));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let result = (|| {
            let mut file = options.open(&tmp)?;
            file.write_all(contents.as_bytes())?;
            file.sync_all()?;
            std::fs::rename(&tmp, &self.path)
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result.map_err(|e| self.io(e))
    }
}

/// Whether `file` is the file at `path` now (same device and inode).
#[cfg(unix)]
fn is_at(file: &std::fs::File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(open), Ok(named)) => open.dev() == named.dev() && open.ino() == named.ino(),
        _ => false,
    }
}

/// Windows does not remove a lock file while it is open, so the file opened
/// is always the one at `path`.
#[cfg(not(unix))]
fn is_at(_file: &std::fs::File, _path: &Path) -> bool {
    true
}

impl TokenStore for FileTokenStore {
    fn load(&self) -> Result<Option<StoredUser>, StoreError> {
        match std::fs::read(&self.path) {
            Ok(bytes) => {
                StoredUser::parse(&bytes)
                    .map(Some)
                    .map_err(|message| StoreError::Invalid {
                        path: self.path.clone(),
                        message,
                    })
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(self.io(e)),
        }
    }

    /// Writes `user` as the whole file: a new sign-in keeps nothing of
    /// what was there (not another client's keys).
    fn save(&self, user: &StoredUser) -> Result<(), StoreError> {
        self.locked(|| self.write_atomically(&user.to_json()))?
    }

    fn replace_if_holds(
        &self,
        expected: &RefreshToken,
        new: Option<&StoredUser>,
    ) -> Result<Replaced, StoreError> {
        self.locked(|| {
            // An unreadable file is not ours to replace.
            let current = self.load()?;
            replace_if_holds(current, expected, new, |user| match user {
                Some(user) => self.write_atomically(&user.to_json()),
                None => self.remove(),
            })
        })?
    }

    fn delete(&self) -> Result<(), StoreError> {
        self.locked(|| self.remove())?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PYTHON: &str = r#"{"token": "ya29.a", "refresh_token": "1//r", "token_uri": "https://oauth2.googleapis.com/token", "client_id": "cid", "client_secret": "cs", "scopes": ["https://www.googleapis.com/auth/drive.metadata.readonly"], "universe_domain": "googleapis.com", "account": "", "expiry": "2025-06-01T12:34:56.789012Z", "rapt_token": "keep-me"}"#;

    #[test]
    fn reads_and_writes_google_auth_format() {
        let u = StoredUser::from_json(PYTHON.as_bytes()).unwrap();
        assert_eq!(u.refresh_token.secret(), "1//r");
        let (secs, nanos) = rfc3339::from_system_time(u.expiry.unwrap());
        assert_eq!(
            rfc3339::format(secs, nanos, true),
            "2025-06-01T12:34:56.789012Z"
        );
        let back: serde_json::Value = serde_json::from_str(&u.to_json()).unwrap();
        let orig: serde_json::Value = serde_json::from_str(PYTHON).unwrap();
        assert_eq!(back, orig);
        let text_scopes = StoredUser::from_json(
            br#"{"refresh_token":"r","client_id":"c","client_secret":"s","scopes":"a b"}"#,
        )
        .unwrap();
        assert_eq!(text_scopes.scopes, ["a", "b"]);
        let err = StoredUser::from_json(br#"{"client_id":"c","client_secret":"s"}"#).unwrap_err();
        assert!(
            err.to_string().contains("`refresh_token` is missing"),
            "{err}"
        );
        let public_client = StoredUser::from_json(br#"{"refresh_token":"r","client_id":"c"}"#)
            .expect("a client without a secret (PKCE only) reads back");
        assert!(public_client.client_secret.is_none());
        assert!(!public_client.to_json().contains("client_secret"));
        let shown = format!("{u:?}");
        assert!(
            !shown.contains("keep-me") && shown.contains("rapt_token"),
            "{shown}"
        );
    }

    #[test]
    fn file_store_is_atomic_private_and_keeps_unknown_keys() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token.json");
        std::fs::write(&path, PYTHON).unwrap();
        let store = FileTokenStore::new(&path);
        let mut u = store.load().unwrap().unwrap();
        u.token = Some(AccessToken::new("ya29.b"));
        store.save(&u).unwrap();
        let saved: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(saved["token"], "ya29.b");
        assert_eq!(saved["rapt_token"], "keep-me");
        assert!(saved.get("type").is_none());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty());
        store.delete().unwrap();
        assert!(store.load().unwrap().is_none());
        let bad = FileTokenStore::new(dir.path().join("bad.json"));
        std::fs::write(bad.path(), "{}").unwrap();
        assert!(bad.load().unwrap_err().to_string().contains("bad.json"));
    }

    #[test]
    fn a_newer_sign_in_is_neither_overwritten_nor_deleted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token.json");
        std::fs::write(&path, PYTHON).unwrap();
        let store = FileTokenStore::new(&path);
        let loaded = store.load().unwrap().unwrap();
        // Another process signs in again: a new refresh token, another key.
        let mut newer = loaded.clone();
        newer.refresh_token = RefreshToken::new("1//newer");
        newer.extra = serde_json::Map::new();
        store.save(&newer).unwrap();
        assert!(
            !std::fs::read_to_string(&path).unwrap().contains("keep-me"),
            "a new sign-in does not inherit keys of the file it replaces"
        );
        // This process, still holding "1//r", must not delete it …
        let kept = store.replace_if_holds(&loaded.refresh_token, None).unwrap();
        assert!(
            matches!(&kept, Replaced::Kept(Some(u)) if u.refresh_token.secret() == "1//newer"),
            "{kept:?}"
        );
        // … nor overwrite it with its refreshed, older sign-in.
        let kept = store
            .replace_if_holds(&loaded.refresh_token, Some(&loaded))
            .unwrap();
        assert!(matches!(kept, Replaced::Kept(Some(_))));
        assert_eq!(
            store.load().unwrap().unwrap().refresh_token.secret(),
            "1//newer"
        );
        // The holder of "1//newer" may rewrite it, keeping keys others added.
        let mut with_key = newer.clone();
        with_key.extra.insert("added_by_python".into(), "x".into());
        store.save(&with_key).unwrap();
        let done = store
            .replace_if_holds(&newer.refresh_token, Some(&newer))
            .unwrap();
        assert!(matches!(done, Replaced::Done));
        assert!(std::fs::read_to_string(&path)
            .unwrap()
            .contains("added_by_python"));
        let done = store.replace_if_holds(&newer.refresh_token, None).unwrap();
        assert!(matches!(done, Replaced::Done));
        assert!(store.load().unwrap().is_none());
        // Memory stores follow the same rule.
        let memory = MemoryTokenStore::default();
        memory.save(&newer).unwrap();
        assert!(matches!(
            memory
                .replace_if_holds(&loaded.refresh_token, None)
                .unwrap(),
            Replaced::Kept(Some(_))
        ));
        assert!(memory.load().unwrap().is_some());
    }

    #[cfg(unix)]
    #[test]
    fn the_lock_excludes_threads_and_leaves_no_lock_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token.json");
        let counter = dir.path().join("counter");
        std::fs::write(&counter, "0").unwrap();
        std::thread::scope(|scope| {
            for _ in 0..6 {
                scope.spawn(|| {
                    let store = FileTokenStore::new(&path);
                    for _ in 0..40 {
                        // A read-modify-write that loses updates unless excluded.
                        store
                            .locked(|| {
                                let n: u32 =
                                    std::fs::read_to_string(&counter).unwrap().parse().unwrap();
                                std::thread::yield_now();
                                std::fs::write(&counter, (n + 1).to_string()).unwrap();
                            })
                            .unwrap();
                    }
                });
            }
        });
        assert_eq!(std::fs::read_to_string(&counter).unwrap(), "240");
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["counter"], "no token.json.lock left behind");
    }
}
