//! `sotay attach`, `sotay blob fetch` and `sotay blob list`, run as the real binary on a
//! temporary store (the server side of attachments is tested in `tests/tests/blobs.rs`).
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;

use serde_json::Value;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn sotay(store: &Path, args: &[&str]) -> Run {
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

fn ok(store: &Path, args: &[&str]) -> String {
    let r = sotay(store, args);
    assert_eq!(r.code, 0, "sotay {args:?}: {} {}", r.stdout, r.stderr);
    r.stdout.trim().to_owned()
}

#[test]
fn test_attach_lists_the_file_and_blob_fetch_saves_identical_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("phone.sotay");
    ok(&store, &["init", "--member", "m-viet"]);
    ok(
        &store,
        &[
            "member",
            "add",
            "--id",
            "m-viet",
            "--name",
            "Đặng Quốc Việt",
            "--branch",
            "b-co-dien",
            "--role",
            "Secretary",
        ],
    );
    let material = ok(
        &store,
        &["material", "create", "--title", "Nghị quyết 21-NQ/TW"],
    );
    let mut bytes = b"%PDF-1.7\n".to_vec();
    bytes.extend((0..40_000u32).map(|i| (i % 253) as u8));
    let file = dir.path().join("NQ 21.pdf");
    std::fs::write(&file, &bytes).unwrap();

    let out = ok(
        &store,
        &[
            "attach",
            &material[..8],
            file.to_str().unwrap(),
            "--name",
            "Nghị quyết 21.pdf",
            "--json",
        ],
    );
    let v: Value = serde_json::from_str(&out).unwrap();
    let sha = v["sha256"].as_str().unwrap().to_owned();
    assert_eq!(sha.len(), 64);
    assert_eq!(v["name"], "Nghị quyết 21.pdf");
    assert_eq!(v["mime"], "application/pdf");
    assert_eq!(v["size"], bytes.len());
    assert_eq!(v["added_by"], "m-viet");
    assert_eq!(v["doc_id"], material);

    let shown = ok(&store, &["doc", "show", &material]);
    assert!(shown.contains("Tệp đính kèm: 1"), "{shown}");
    assert!(
        shown.contains(&format!("[{}] Nghị quyết 21.pdf", &sha[..8])),
        "{shown}"
    );
    assert!(shown.contains("có trên máy"), "{shown}");
    let shown: Value =
        serde_json::from_str(&ok(&store, &["doc", "show", &material, "--json"])).unwrap();
    assert_eq!(shown["attachments"][0]["sha256"], sha.as_str());

    let list = ok(&store, &["blob", "list"]);
    assert!(list.contains(&format!("waiting: {}", &sha[..8])), "{list}");
    assert!(list.contains("b-co-dien"), "{list}");

    // Saved from this device (no server needed), by a unique prefix.
    let out_file = dir.path().join("ra.pdf");
    let said = ok(
        &store,
        &[
            "blob",
            "fetch",
            &sha[..10],
            "--out",
            out_file.to_str().unwrap(),
        ],
    );
    assert!(said.contains("from this device"), "{said}");
    assert_eq!(std::fs::read(&out_file).unwrap(), bytes);
}

#[test]
fn test_attach_and_fetch_refuse_bad_input_with_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("phone.sotay");
    ok(&store, &["init", "--member", "m-viet"]);
    ok(
        &store,
        &[
            "member",
            "add",
            "--id",
            "m-viet",
            "--name",
            "Đặng Quốc Việt",
            "--branch",
            "b-co-dien",
        ],
    );
    let material = ok(&store, &["material", "create", "--title", "Tài liệu"]);
    // Over the limit: refused before it is read, nothing listed.
    let big = dir.path().join("lớn.pdf");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(20 * 1024 * 1024 + 1)
        .unwrap();
    let r = sotay(&store, &["attach", &material, big.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("at most 20.0 MiB"), "{}", r.stderr);
    let r = sotay(
        &store,
        &["attach", &material, big.to_str().unwrap(), "--json"],
    );
    let v: Value = serde_json::from_str(r.stdout.trim()).unwrap();
    assert_eq!(v["kind"], "invalid_input");
    assert!(!ok(&store, &["doc", "show", &material]).contains("Tệp đính kèm"));
    assert!(ok(&store, &["blob", "list"]).contains("no files waiting"));
    // A missing file, a hash nobody lists, something that is no hash.
    let r = sotay(&store, &["attach", &material, "/không/có/tệp.pdf"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let out = dir.path().join("x.pdf");
    let out = out.to_str().unwrap();
    for arg in ["abcdef12", "not-a-hash", &"a".repeat(65)] {
        let r = sotay(&store, &["blob", "fetch", arg, "--out", out]);
        assert_eq!(r.code, 2, "{arg}: {}", r.stderr);
    }
    assert!(!Path::new(out).exists(), "nothing written");
}
