//! The cargo registry the compile benchmark's gapi apps are built from:
//! gapi's packages as users receive them (pre-generated sources, no build
//! script), published by `scripts/registry.sh` to cargo-http-registry and
//! served on 127.0.0.1 while the benchmark runs.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running registry; stopped when dropped.
pub struct Registry {
    child: Child,
    index: PathBuf,
}

impl Registry {
    /// Serves the registry that `scripts/registry.sh` published from this
    /// commit, publishing it first (`--core`) when there is none or the
    /// tree has changed since.
    pub fn start(repo: &Path) -> Registry {
        let work = std::env::var_os("GAPI_REGISTRY_WORK")
            .map(PathBuf::from)
            .unwrap_or_else(|| repo.join("target").join("registry"));
        let head = git(repo, &["rev-parse", "HEAD"]);
        let clean = git(repo, &["status", "--porcelain", "--untracked-files=no"]).is_empty();
        let published = std::fs::read_to_string(work.join("published-from")).unwrap_or_default();
        let index = work.join("index");
        if !(clean && published.trim() == head && index.join("config.json").is_file()) {
            eprintln!("  compile: publishing gapi's packages (scripts/registry.sh --core)");
            let status = Command::new(repo.join("scripts").join("registry.sh"))
                .arg("--core")
                .env("GAPI_REGISTRY_WORK", &work)
                .stdout(Stdio::null())
                .status()
                .expect("run scripts/registry.sh");
            assert!(status.success(), "scripts/registry.sh --core failed");
        }
        let server = repo.join("target/tools/bin/cargo-http-registry");
        for attempt in 0..5 {
            let port = 20_000 + (std::process::id() as u16 % 10_000) + attempt * 997;
            let mut child = Command::new(&server)
                .arg("--addr")
                .arg(format!("127.0.0.1:{port}"))
                .arg(&index)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("{}: {e}", server.display()));
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    break; // the port was taken: try another
                }
                let config = std::fs::read_to_string(index.join("config.json")).unwrap_or_default();
                if config.contains(&format!(":{port}"))
                    && TcpStream::connect(("127.0.0.1", port)).is_ok()
                {
                    return Registry { child, index };
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("cargo-http-registry did not start on {}", index.display());
    }

    /// Points `cmd` (a cargo command) at the registry as `gapi`.
    pub fn configure(&self, cmd: &mut Command) {
        cmd.env(
            "CARGO_REGISTRIES_GAPI_INDEX",
            format!("file://{}", self.index.display()),
        )
        .env("CARGO_NET_GIT_FETCH_WITH_CLI", "true");
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn git(repo: &Path, args: &[&str]) -> String {
    Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(args)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

/// A lock file without its gapi packages: they come from the registry,
/// whose checksums change with every commit, and cargo resolves them again.
pub fn without_gapi_packages(lock: &str) -> String {
    lock.split("\n[[package]]\n")
        .filter(|block| {
            !block
                .lines()
                .any(|l| l.starts_with("name = \"gapi-") && !l.contains("gapi-app"))
        })
        .collect::<Vec<_>>()
        .join("\n[[package]]\n")
}
