//! The `sotay` binary as the CLI suites drive it: one phone is a store file in a temporary
//! directory; a run gives back the exit code and both streams.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// What one run of the binary gave back.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// One phone: a store file in a temporary directory.
pub struct Phone {
    pub dir: tempfile::TempDir,
    pub store: PathBuf,
}

impl Phone {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("phone.sotay");
        Phone { dir, store }
    }

    /// Runs `sotay --store <this phone> args…`.
    pub fn run(&self, args: &[&str]) -> Run {
        run_in(&self.store, args)
    }

    /// Runs a command that must succeed; returns its stdout, trimmed.
    pub fn ok(&self, args: &[&str]) -> String {
        let r = self.run(args);
        assert_eq!(r.code, 0, "sotay {args:?} failed: {r:?}");
        r.stdout.trim().to_owned()
    }

    /// Runs a command with `--json` that must succeed; returns the parsed output.
    pub fn json(&self, args: &[&str]) -> Value {
        let mut a = args.to_vec();
        a.push("--json");
        let out = self.ok(&a);
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"))
    }
}

/// Runs `sotay --store STORE args…` (never the `SOTAY_STORE` of the environment).
pub fn run_in(store: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_sotay"))
        .arg("--store")
        .arg(store)
        .args(args)
        .env_remove("SOTAY_STORE")
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}
