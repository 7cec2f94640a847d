//! Conformance of the attachments' blob methods (`put_blob`, `blob_meta`, `blob`), run against
//! every backend by `conformance_tests!` like the rest of the suite.

use std::collections::HashSet;

use sha2::{Digest, Sha256};
use sotay_server::Error;
use sotay_server::store::{BlobMeta, ServerStore, StoredBlob};

use super::{bid, mid, seed_org};

fn sha(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// PDF-like bytes, `len` long after the header.
fn pdf(seed: u8, len: usize) -> Vec<u8> {
    let mut v = b"%PDF-1.7\n".to_vec();
    v.extend((0..len).map(|i| (i as u8).wrapping_mul(17).wrapping_add(seed)));
    v
}

/// A blob of branch `b`, uploaded by `device` (whose member is `m-` + the device id without
/// `dev-`) at `at`.
fn blob(b: &str, bytes: &[u8], device: &str, at: i64) -> StoredBlob {
    StoredBlob {
        meta: BlobMeta {
            branch_id: bid(b),
            sha256: sha(bytes),
            size: bytes.len() as u64,
            device_id: device.into(),
            member_id: mid(&format!("m-{}", device.trim_start_matches("dev-"))),
            received_at: at,
        },
        bytes: bytes.to_vec(),
    }
}

/// Every blob of the seeded branches with these hashes, for "nothing was stored".
fn held(s: &dyn ServerStore, hashes: &[[u8; 32]]) -> usize {
    let mut n = 0;
    for b in ["b-a", "b-b", "b-x"] {
        for h in hashes {
            n += usize::from(s.blob_meta(&bid(b), h).unwrap().is_some());
            n += usize::from(s.blob(&bid(b), h).unwrap().is_some());
        }
    }
    n
}

pub(super) fn test_put_blob_stores_and_reads_back(s: &dyn ServerStore) {
    seed_org(s);
    let bytes = pdf(1, 200_000);
    let b = blob("b-a", &bytes, "dev-a1", 1_700_000_100);
    assert!(s.put_blob(&b).unwrap(), "stored now");
    assert_eq!(
        s.blob_meta(&bid("b-a"), &sha(&bytes)).unwrap(),
        Some(b.meta.clone())
    );
    assert_eq!(s.blob(&bid("b-a"), &sha(&bytes)).unwrap(), Some(b));
    // Another branch, another hash: nothing.
    assert_eq!(s.blob_meta(&bid("b-b"), &sha(&bytes)).unwrap(), None);
    assert_eq!(s.blob(&bid("b-b"), &sha(&bytes)).unwrap(), None);
    assert_eq!(s.blob(&bid("b-a"), &sha(b"other")).unwrap(), None);
    assert_eq!(s.blob(&bid("b-none"), &sha(&bytes)).unwrap(), None);
}

pub(super) fn test_put_blob_empty_file_round_trips(s: &dyn ServerStore) {
    seed_org(s);
    let b = blob("b-a", b"", "dev-a1", 1);
    assert!(s.put_blob(&b).unwrap());
    let got = s.blob(&bid("b-a"), &sha(b"")).unwrap().unwrap();
    assert_eq!((got.meta.size, got.bytes.len()), (0, 0));
}

pub(super) fn test_put_blob_twice_stores_it_once_and_keeps_the_first_uploader(s: &dyn ServerStore) {
    seed_org(s);
    let bytes = pdf(2, 1000);
    let first = blob("b-a", &bytes, "dev-a1", 100);
    assert!(s.put_blob(&first).unwrap());
    assert!(!s.put_blob(&first).unwrap(), "a retry stores nothing");
    assert!(!s.put_blob(&blob("b-a", &bytes, "dev-a2", 200)).unwrap());
    assert_eq!(
        s.blob_meta(&bid("b-a"), &sha(&bytes)).unwrap(),
        Some(first.meta)
    );
}

pub(super) fn test_put_blob_refuses_bytes_that_do_not_match_and_stores_nothing(
    s: &dyn ServerStore,
) {
    seed_org(s);
    let bytes = pdf(3, 1000);
    // The bytes of one file under another's hash.
    let mut wrong_hash = blob("b-a", &bytes, "dev-a1", 1);
    wrong_hash.meta.sha256 = sha(b"another file");
    let e = s.put_blob(&wrong_hash).unwrap_err();
    assert!(matches!(e, Error::InvalidInput(_)), "{e:?}");
    assert!(e.to_string().contains(&hex::encode(sha(&bytes))), "{e}");
    // One flipped byte.
    let mut flipped = blob("b-a", &bytes, "dev-a1", 1);
    flipped.bytes[500] ^= 0x80;
    assert!(matches!(s.put_blob(&flipped), Err(Error::InvalidInput(_))));
    // The right hash, the wrong size.
    let mut wrong_size = blob("b-a", &bytes, "dev-a1", 1);
    wrong_size.meta.size += 1;
    assert!(matches!(
        s.put_blob(&wrong_size),
        Err(Error::InvalidInput(_))
    ));
    assert_eq!(
        held(s, &[sha(&bytes), sha(b"another file"), sha(&flipped.bytes)]),
        0
    );
    // The right one is still accepted.
    assert!(s.put_blob(&blob("b-a", &bytes, "dev-a1", 1)).unwrap());
}

pub(super) fn test_put_blob_unknown_branch_refused(s: &dyn ServerStore) {
    seed_org(s);
    let bytes = pdf(4, 10);
    let e = s
        .put_blob(&blob("b-none", &bytes, "dev-a1", 1))
        .unwrap_err();
    assert!(matches!(e, Error::NotFound(_)), "{e:?}");
    assert_eq!(s.blob(&bid("b-none"), &sha(&bytes)).unwrap(), None);
}

pub(super) fn test_blobs_are_scoped_per_branch(s: &dyn ServerStore) {
    seed_org(s);
    let bytes = pdf(5, 5000);
    let a = blob("b-a", &bytes, "dev-a1", 10);
    let b = blob("b-b", &bytes, "dev-b1", 20);
    assert!(s.put_blob(&a).unwrap());
    assert!(
        s.put_blob(&b).unwrap(),
        "the other branch gets its own copy"
    );
    assert_eq!(
        s.blob_meta(&bid("b-a"), &sha(&bytes)).unwrap(),
        Some(a.meta)
    );
    assert_eq!(
        s.blob_meta(&bid("b-b"), &sha(&bytes)).unwrap(),
        Some(b.meta)
    );
    assert_eq!(s.blob_meta(&bid("b-x"), &sha(&bytes)).unwrap(), None);
}

pub(super) fn test_concurrent_puts_of_one_blob_store_it_once(s: &dyn ServerStore) {
    seed_org(s);
    let bytes = pdf(6, 50_000);
    let stored: Vec<bool> = std::thread::scope(|scope| {
        let threads: Vec<_> = (0..8i64)
            .map(|t| {
                let bytes = &bytes;
                scope.spawn(move || s.put_blob(&blob("b-a", bytes, "dev-a1", t)).unwrap())
            })
            .collect();
        threads.into_iter().map(|t| t.join().unwrap()).collect()
    });
    assert_eq!(stored.iter().filter(|s| **s).count(), 1, "{stored:?}");
    let meta = s.blob_meta(&bid("b-a"), &sha(&bytes)).unwrap().unwrap();
    assert!((0..8).contains(&meta.received_at));
    let distinct: HashSet<Vec<u8>> = (0..3)
        .map(|_| s.blob(&bid("b-a"), &sha(&bytes)).unwrap().unwrap().bytes)
        .collect();
    assert_eq!(distinct.len(), 1);
}

// ----- SQLite only ------------------------------------------------------------------------

#[test]
fn test_sqlite_blobs_survive_reopen() {
    use sotay_server::store::sqlite::SqliteStore;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("server.db");
    let bytes = pdf(7, 300_000);
    let b = blob("b-a", &bytes, "dev-a1", 42);
    {
        let s = SqliteStore::open(&path).unwrap();
        seed_org(&s);
        assert!(s.put_blob(&b).unwrap());
    }
    let s = SqliteStore::open(&path).unwrap();
    assert_eq!(s.blob(&bid("b-a"), &sha(&bytes)).unwrap(), Some(b.clone()));
    assert!(!s.put_blob(&b).unwrap(), "still there after a restart");
}

/// A database made by the build before migration 003 (001 and 002 applied, a branch and a
/// member in it) opens, migrates, keeps its data, stores blobs and committee settings.
#[test]
fn test_sqlite_upgrade_from_002_adds_blobs() {
    use sotay_server::store::sqlite::{SCHEMA_VERSION, SqliteStore};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("server.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(include_str!("../../src/store/sql/001_init.sql"))
            .unwrap();
        conn.execute_batch(include_str!("../../src/store/sql/002_approvals.sql"))
            .unwrap();
        conn.pragma_update(None, "user_version", 2).unwrap();
        conn.execute_batch(
            "INSERT INTO meta (id, epoch) VALUES (1, 77);
             INSERT INTO committees (id, name) VALUES ('c-1', 'Đảng bộ');
             INSERT INTO branches (id, committee_id, name) VALUES ('b-a', 'c-1', 'Chi bộ A');",
        )
        .unwrap();
    }
    let s = SqliteStore::open(&path).unwrap();
    assert_eq!(s.epoch().unwrap(), 77);
    assert!(s.branch(&bid("b-a")).unwrap().is_some());
    let bytes = pdf(8, 100);
    assert!(s.put_blob(&blob("b-a", &bytes, "dev-a1", 1)).unwrap());
    assert!(s.blob(&bid("b-a"), &sha(&bytes)).unwrap().is_some());
    // Migration 004 too: the committee's settings start at the defaults and can be set.
    let set = sotay_core::protocol::CommitteeSettings {
        evidence_weights: None,
        quality_grid: Some("{}".into()),
    };
    assert_eq!(s.committee_settings("c-1").unwrap(), Default::default());
    s.set_committee_settings("c-1", &set).unwrap();
    assert_eq!(s.committee_settings("c-1").unwrap(), set);
    drop(s);
    let version: i64 = rusqlite::Connection::open(&path)
        .unwrap()
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION);
    assert_eq!(SCHEMA_VERSION, 4);
}
