//! Damaged input is contained: migrations, newer and broken database files, corrupt document
//! bytes (including bytes that make Automerge 0.12 panic).
#![allow(clippy::unwrap_used)]

use std::path::Path;

use sotay_core::ids::{BranchId, DocId, MemberId};
use sotay_core::model::plan::{self, NewPlan};
use sotay_core::model::{Document, Editor};
use sotay_core::store::SCHEMA_VERSION;
use sotay_core::{Error, Store};

fn new_plan(number: &str) -> NewPlan {
    NewPlan {
        branch_id: BranchId::new("b-co-dien"),
        year: 2026,
        title: String::new(),
        number: number.into(),
        issue_date: None,
        purpose: "Mục đích".into(),
        implementation: String::new(),
    }
}

fn user_version(path: &Path) -> i64 {
    let c = rusqlite::Connection::open(path).unwrap();
    c.pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap()
}

#[test]
fn test_upgrade_from_schema_v1_keeps_documents_and_rebuilds_read_model() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v1.sotay");
    // A store as schema version 1 left it: documents only, no read model yet.
    let mut doc = plan::create(
        &new_plan("01-KH/CB"),
        &Editor {
            member: MemberId::new("m-viet"),
            time: 1,
        },
    )
    .unwrap();
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch(include_str!("../src/store/sql/001_init.sql"))
            .unwrap();
        c.pragma_update(None, "user_version", 1).unwrap();
        c.execute(
            "INSERT INTO documents (doc_id, kind, branch_id, snapshot, created_at, updated_at) VALUES (?1, 'annual_plan', 'b-co-dien', ?2, 1, 1)",
            rusqlite::params![doc.id().to_string(), doc.save()],
        )
        .unwrap();
        c.execute(
            "INSERT INTO identity (id, member_id, device_id) VALUES (1, 'm-viet', 'd1')",
            [],
        )
        .unwrap();
    }
    let store = Store::open(&path).unwrap();
    let rows = store.plan_rows(None).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(&rows[0].doc_id, doc.id());
    assert_eq!(rows[0].number, "01-KH/CB");
    assert_eq!(store.identity(), Some(&MemberId::new("m-viet")));
    drop(store);
    assert_eq!(user_version(&path), SCHEMA_VERSION);
}

#[test]
fn test_newer_database_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.sotay");
    drop(Store::open(&path).unwrap());
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.pragma_update(None, "user_version", SCHEMA_VERSION + 7)
            .unwrap();
    }
    match Store::open(&path) {
        Err(Error::DatabaseTooNew {
            found, supported, ..
        }) => {
            assert_eq!(found, SCHEMA_VERSION + 7);
            assert_eq!(supported, SCHEMA_VERSION);
        }
        other => panic!("expected DatabaseTooNew, got {other:?}"),
    }
    assert!(path.exists());
    assert_eq!(user_version(&path), SCHEMA_VERSION + 7);
}

#[test]
fn test_file_that_is_not_a_database_is_moved_aside_never_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("phone.sotay");
    let garbage = b"this is not a database, but maybe someone's only copy\x00\x01".repeat(100);
    std::fs::write(&path, &garbage).unwrap();
    let moved = match Store::open(&path) {
        Err(e @ Error::DatabaseMovedAside { .. }) => {
            assert!(e.to_string().contains("nothing was deleted"), "{e}");
            let Error::DatabaseMovedAside { moved_to, .. } = e else {
                unreachable!()
            };
            moved_to
        }
        other => panic!("expected DatabaseMovedAside, got {other:?}"),
    };
    assert_eq!(std::fs::read(&moved).unwrap(), garbage);
    // Opening again starts a fresh, working store; the moved file stays.
    let mut s = Store::open(&path).unwrap();
    s.set_identity(&MemberId::new("m-viet")).unwrap();
    s.create_plan(&new_plan("01-KH/CB")).unwrap();
    assert!(moved.exists());
}

#[test]
fn test_corrupt_document_is_quarantined_and_the_rest_keeps_working() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("phone.sotay");
    let (good, bad) = {
        let mut s = Store::open(&path).unwrap();
        s.set_identity(&MemberId::new("m-viet")).unwrap();
        (
            s.create_plan(&new_plan("01-KH/CB")).unwrap(),
            s.create_plan(&new_plan("02-KH/CB")).unwrap(),
        )
    };
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute(
            "UPDATE documents SET snapshot = x'856f4a83deadbeef00' WHERE doc_id = ?1",
            [bad.as_str()],
        )
        .unwrap();
    }
    let mut s = Store::open(&path).unwrap();
    assert!(matches!(s.plan(&bad), Err(Error::DocumentDamaged { .. })));
    // Reported, still stored (never deleted), and the other plan works.
    let damaged = s.damaged_documents().unwrap();
    assert_eq!(damaged.len(), 1);
    assert_eq!(damaged[0].doc_id, bad);
    assert!(s.plan(&good).is_ok());
    s.set_plan_field(&good, &plan::PlanField::Title("Kế hoạch mới".into()))
        .unwrap();
    assert_eq!(s.plan(&good).unwrap().title, "Kế hoạch mới");
    assert!(matches!(
        s.set_plan_field(&bad, &plan::PlanField::Title("x".into())),
        Err(Error::DocumentDamaged { .. })
    ));
    assert_eq!(
        s.plan_rows(None).unwrap().len(),
        2,
        "the damaged plan's last known row stays listed"
    );
}

/// Mutated document bytes with a valid checksum (so they reach the decoder): every load
/// returns Ok or Err and never unwinds into the caller, although Automerge 0.12 panics on
/// some of them.
#[test]
fn test_mutated_document_bytes_never_panic_the_loader() {
    use sha2::Digest;
    let editor = |t| Editor {
        member: MemberId::new("m-viet"),
        time: t,
    };
    let mut doc = plan::create(&new_plan("01-KH/CB"), &editor(1)).unwrap();
    for i in 0..5 {
        plan::add_legal_basis(&mut doc, &editor(i), "12-HD/BTCTW", None, "Hướng dẫn").unwrap();
    }
    let bytes = doc.save();
    // Chunk layout: magic (4) | checksum (4) | type (1) | uleb128 length | body.
    let len_bytes = bytes[9..].iter().position(|b| b & 0x80 == 0).unwrap() + 1;
    let body_start = 9 + len_bytes;
    let mut seed: u64 = 0x5eed_cafe;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let (mut errors, mut panics) = (0, 0);
    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    for _ in 0..2000 {
        let mut m = bytes.clone();
        for _ in 0..(1 + next() % 3) {
            let i = body_start + (next() as usize) % (m.len() - body_start);
            m[i] = next() as u8;
        }
        let sum = sha2::Sha256::digest(&m[8..]);
        m[4..8].copy_from_slice(&sum[..4]);
        if let Err(e) = Document::load(&m, &[]) {
            errors += 1;
            if e.to_string().contains("panicked") {
                panics += 1;
            }
        }
    }
    std::panic::set_hook(previous_hook);
    assert!(errors > 0, "mutations should break some loads");
    assert!(
        panics > 0,
        "some mutations should reach Automerge's panicking paths"
    );
}

/// Inputs that once made Automerge panic, kept as regression fixtures.
#[test]
fn test_committed_panic_fixtures_are_errors() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/panics");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let err = Document::load(&bytes, &[]).unwrap_err();
        assert!(matches!(err, Error::InvalidDocument(_)), "{err}");
        n += 1;
    }
    assert!(n > 0, "no fixtures in {}", dir.display());
}

#[test]
fn test_unsent_changes_follow_acknowledged_heads() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(dir.path().join("p.sotay")).unwrap();
    s.set_identity(&MemberId::new("m-viet")).unwrap();
    let p = s.create_plan(&new_plan("01-KH/CB")).unwrap();
    assert_eq!(s.documents_with_unsent().unwrap(), vec![p.clone()]);
    assert_eq!(s.unsent_changes(&p).unwrap().len(), 1);
    let heads = s.export_document(&p).unwrap().heads();
    s.set_acked_heads(&p, &heads).unwrap();
    assert!(s.documents_with_unsent().unwrap().is_empty());
    assert!(s.unsent_changes(&p).unwrap().is_empty());
    s.set_plan_field(&p, &plan::PlanField::Number("02-KH/CB".into()))
        .unwrap();
    assert_eq!(s.unsent_changes(&p).unwrap().len(), 1);
    assert_eq!(s.documents_with_unsent().unwrap(), vec![p.clone()]);
    assert_eq!(s.acked_heads(&p).unwrap(), heads);
    assert!(matches!(
        s.acked_heads(&DocId::new("x")),
        Err(Error::DocumentNotFound(_))
    ));
}
