//! The conformance suite of [`ServerStore`]: every behaviour the trait documents, written once
//! as functions over `&dyn ServerStore` and run against every backend by
//! `conformance_tests!` (a later step adds PostgreSQL with one more line). Backend-specific
//! behaviour (SQLite files, migrations, reopening) is at the end.
//!
//! Model: matrix-rust-sdk `crates/matrix-sdk-base/src/store/integration_tests.rs`.
#![allow(clippy::unwrap_used)]

use std::collections::HashSet;

use sha2::{Digest, Sha256};
use sotay_core::ids::{BranchId, DocId, DocKind, MemberId};
use sotay_core::org::{MemberStatus, Role};
use sotay_server::Error;
use sotay_server::store::memory::MemoryStore;
use sotay_server::store::sqlite::SqliteStore;
use sotay_server::store::{
    AcceptedBatch, Branch, Committee, Device, DocMeta, LogEntry, LogPage, Scope, ServerMember,
    ServerStore,
};
use tempfile::TempDir;

// ----- backends ---------------------------------------------------------------------------

/// A store under test, with whatever must outlive it (the SQLite temp directory).
struct Fixture {
    // Declared first so it is dropped (connections closed) before the directory goes.
    store: Box<dyn ServerStore>,
    _dir: Option<TempDir>,
}

fn memory_fixture() -> Fixture {
    Fixture {
        store: Box::new(MemoryStore::new()),
        _dir: None,
    }
}

fn sqlite_fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("server.db")).unwrap();
    Fixture {
        store: Box::new(store),
        _dir: Some(dir),
    }
}

/// Instantiates the whole suite for one backend: `conformance_tests!(name, || -> Fixture)`.
/// A test function missing from this list is dead code, which `-D warnings` refuses.
macro_rules! conformance_tests {
    ($backend:ident, $make:expr) => {
        mod $backend {
            fn fixture() -> super::Fixture {
                ($make)()
            }

            conformance_tests!(@tests
                test_committee_create_and_get,
                test_committee_duplicate_refused,
                test_branch_create_get_and_list,
                test_branch_duplicate_refused,
                test_branch_needs_committee,
                test_member_put_get_and_list,
                test_member_role_and_status_round_trip,
                test_member_needs_existing_committee_and_branch,
                test_directory_version_bumps_on_every_put,
                test_member_moved_between_branches,
                test_member_moved_to_other_committee_bumps_both_directories,
                test_member_removed_stays_listed_inactive,
                test_enrollment_code_redeems_once,
                test_enrollment_code_expired_not_redeemable,
                test_enrollment_code_unknown_not_redeemable,
                test_enrollment_code_for_unknown_member_refused,
                test_enrollment_code_duplicate_refused,
                test_redeem_with_taken_device_id_refused_and_code_kept,
                test_concurrent_redeems_enroll_one_device,
                test_device_lookup_and_devices_of_member,
                test_revoke_device_once,
                test_nonce_replay_refused,
                test_nonce_same_value_other_device_accepted,
                test_nonce_forgotten_before_cutoff,
                test_epoch_nonzero_and_stable,
                test_append_creates_docs_and_binds_actors,
                test_append_returns_increasing_seqs_and_max_seq,
                test_append_retry_stores_nothing_twice,
                test_append_duplicate_entry_in_batch_stored_once,
                test_append_unknown_doc_fails_whole_batch,
                test_append_actor_of_other_device_fails_whole_batch,
                test_append_conflicting_doc_meta_fails_whole_batch,
                test_concurrent_appends_get_distinct_seqs,
                test_concurrent_refused_appends_leave_others_stored,
                test_log_after_branch_scope_isolated,
                test_log_after_committee_scope,
                test_log_after_excludes_device,
                test_log_after_budget_paging_walks_each_entry_once,
                test_log_after_budget_includes_entry_reaching_it,
                test_log_after_reached_advances_past_skipped_entries,
                test_log_after_idle_device_cursor_moves_to_end,
                test_log_after_stop_at_last_qualifying_entry_has_no_more,
                test_log_after_duplicate_scopes_yield_entries_once,
                test_log_after_no_scopes_returns_nothing_and_moves_cursor,
                test_doc_data_without_snapshot,
                test_doc_data_with_snapshot_returns_later_changes,
                test_doc_data_unknown_doc_is_empty,
                test_put_snapshot_refuses_unknown_doc_and_future_seq,
                test_docs_in_scopes_by_id,
                test_audit_trail_in_seq_order,
            );

            #[test]
            fn test_epoch_differs_between_new_stores() {
                let (a, b) = (fixture(), fixture());
                assert_ne!(a.store.epoch().unwrap(), b.store.epoch().unwrap());
            }
        }
    };
    (@tests $($test:ident),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                let fixture = fixture();
                super::$test(&*fixture.store);
            }
        )*
    };
}

conformance_tests!(memory, super::memory_fixture);
conformance_tests!(sqlite, super::sqlite_fixture);

/// Nonces are checked in memory and written in batches: a replay after a restart (the store
/// closed and opened again) must still be refused, and the cut-off still applies.
#[test]
fn sqlite_nonces_survive_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("server.db");
    {
        let s = SqliteStore::open(&path).unwrap();
        assert!(s.remember_nonce("dev-1", "n-1", 100, 0).unwrap());
        assert!(s.remember_nonce("dev-1", "n-2", 100, 0).unwrap());
        assert!(s.remember_nonce("dev-2", "n-1", 160, 0).unwrap());
    }
    let s = SqliteStore::open(&path).unwrap();
    assert!(!s.remember_nonce("dev-1", "n-1", 200, 0).unwrap());
    assert!(!s.remember_nonce("dev-1", "n-2", 200, 0).unwrap());
    assert!(s.remember_nonce("dev-1", "n-3", 200, 0).unwrap());
    // Forgotten by the cut-off: accepted again.
    assert!(s.remember_nonce("dev-1", "n-1", 300, 150).unwrap());
    assert!(!s.remember_nonce("dev-2", "n-1", 300, 150).unwrap());
    drop(s);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let n: i64 = conn
        .query_row("SELECT count(*) FROM nonces", [], |r| r.get(0))
        .unwrap();
    // dev-1/n-1 (seen again at 300), dev-1/n-3, dev-2/n-1; dev-1/n-2 (100) fell to the cut-off.
    assert_eq!(n, 3);
}

// ----- fixtures ---------------------------------------------------------------------------

const C1: &str = "c-song-lam-xanh";
const C2: &str = "c-khac";

fn bid(s: &str) -> BranchId {
    BranchId::new(s)
}

fn mid(s: &str) -> MemberId {
    MemberId::new(s)
}

fn did(s: &str) -> DocId {
    DocId::new(s)
}

fn member(id: &str, committee: &str, branch: Option<&str>, name: &str, role: Role) -> ServerMember {
    ServerMember {
        id: mid(id),
        committee_id: committee.into(),
        branch_id: branch.map(bid),
        full_name: name.into(),
        role,
        status: MemberStatus::Full,
        active: true,
    }
}

/// C1 with branches b-a and b-b, C2 with b-x; members m-a1, m-a2 (b-a), m-b1 (b-b),
/// m-admin (C1, no branch), m-x1 (b-x).
fn seed_org(s: &dyn ServerStore) {
    s.create_committee(&Committee {
        id: C1.into(),
        name: "Đảng bộ Công ty Cổ phần Cơ điện Sông Lam Xanh".into(),
    })
    .unwrap();
    s.create_committee(&Committee {
        id: C2.into(),
        name: "Đảng bộ Khác".into(),
    })
    .unwrap();
    for (id, committee, name) in [
        ("b-a", C1, "Chi bộ Cơ điện"),
        ("b-b", C1, "Chi bộ Văn phòng"),
        ("b-x", C2, "Chi bộ X"),
    ] {
        s.create_branch(&Branch {
            id: bid(id),
            committee_id: committee.into(),
            name: name.into(),
        })
        .unwrap();
    }
    for m in [
        member("m-a1", C1, Some("b-a"), "Nguyễn Văn Việt", Role::Member),
        member("m-a2", C1, Some("b-a"), "Trần Thị Hoà", Role::Secretary),
        member("m-b1", C1, Some("b-b"), "Lê Văn Bình", Role::Member),
        member("m-admin", C1, None, "Phạm Thị Quản", Role::Admin),
        member("m-x1", C2, Some("b-x"), "Hồ Văn Xuân", Role::Member),
    ] {
        s.put_member(&m).unwrap();
    }
}

fn device(id: &str, member: &str, key: u8) -> Device {
    Device {
        id: id.into(),
        member_id: mid(member),
        public_key: [key; 32],
        name: format!("Điện thoại {id}"),
        enrolled_at: 1_000,
        revoked_at: None,
    }
}

fn branch_scope(b: &str) -> Scope {
    Scope::Branch(bid(b))
}

fn committee_scope(c: &str) -> Scope {
    Scope::Committee(c.into())
}

fn meta(doc: &str, kind: DocKind, scope: Scope) -> DocMeta {
    DocMeta {
        doc_id: did(doc),
        kind,
        scope,
    }
}

fn hash_of(doc: &str, n: u32) -> [u8; 32] {
    Sha256::digest(format!("{doc}/{n}")).into()
}

/// Change `n` of `doc`, pushed by `device` (whose member is `m-` + the device id without
/// `dev-`), `len` bytes long.
fn entry(doc: &str, n: u32, device: &str, len: usize) -> LogEntry {
    LogEntry {
        seq: 0,
        doc_id: did(doc),
        hash: hash_of(doc, n),
        bytes: (0..len).map(|i| (n as usize + i) as u8).collect(),
        device_id: device.into(),
        member_id: mid(&format!("m-{}", device.trim_start_matches("dev-"))),
        received_at: 1_700_000_000 + i64::from(n),
    }
}

/// Organisation plus doc-a (b-a), doc-b (b-b), doc-c (committee C1), no changes yet.
fn seed_docs(s: &dyn ServerStore) {
    seed_org(s);
    let batch = AcceptedBatch {
        new_docs: vec![
            meta("doc-a", DocKind::AnnualPlan, branch_scope("b-a")),
            meta("doc-b", DocKind::AnnualPlan, branch_scope("b-b")),
            meta("doc-c", DocKind::Material, committee_scope(C1)),
        ],
        ..Default::default()
    };
    assert_eq!(s.append(&batch).unwrap(), Vec::<u64>::new());
}

/// Appends one change; returns its seq.
fn push(s: &dyn ServerStore, doc: &str, n: u32, device: &str, len: usize) -> u64 {
    let seqs = s
        .append(&AcceptedBatch {
            entries: vec![entry(doc, n, device, len)],
            ..Default::default()
        })
        .unwrap();
    assert_eq!(seqs.len(), 1, "change {n} of {doc} was not stored");
    seqs[0]
}

fn seqs(page: &LogPage) -> Vec<u64> {
    page.entries.iter().map(|e| e.seq).collect()
}

fn docs(page: &LogPage) -> HashSet<String> {
    page.entries
        .iter()
        .map(|e| e.doc_id.as_str().to_owned())
        .collect()
}

/// Everything observable about the log and documents, to show a refused write left no trace.
fn log_state(s: &dyn ServerStore) -> (u64, Vec<DocMeta>, usize) {
    let all = [
        branch_scope("b-a"),
        branch_scope("b-b"),
        committee_scope(C1),
    ];
    let page = s.log_after(&all, 0, "", usize::MAX).unwrap();
    (
        s.max_seq().unwrap(),
        s.docs_in_scopes(&all).unwrap(),
        page.entries.len(),
    )
}

// ----- organisation -----------------------------------------------------------------------

fn test_committee_create_and_get(s: &dyn ServerStore) {
    let c = Committee {
        id: C1.into(),
        name: "Đảng bộ Công ty Cổ phần Cơ điện Sông Lam Xanh".into(),
    };
    assert_eq!(s.committee(C1).unwrap(), None);
    s.create_committee(&c).unwrap();
    assert_eq!(s.committee(C1).unwrap(), Some(c));
    assert_eq!(s.committee("c-unknown").unwrap(), None);
}

fn test_committee_duplicate_refused(s: &dyn ServerStore) {
    seed_org(s);
    let err = s
        .create_committee(&Committee {
            id: C1.into(),
            name: "Khác".into(),
        })
        .unwrap_err();
    assert!(matches!(err, Error::AlreadyExists(_)), "{err:?}");
    assert_eq!(
        s.committee(C1).unwrap().unwrap().name,
        "Đảng bộ Công ty Cổ phần Cơ điện Sông Lam Xanh"
    );
}

fn test_branch_create_get_and_list(s: &dyn ServerStore) {
    seed_org(s);
    let a = s.branch(&bid("b-a")).unwrap().unwrap();
    assert_eq!(
        a,
        Branch {
            id: bid("b-a"),
            committee_id: C1.into(),
            name: "Chi bộ Cơ điện".into()
        }
    );
    let ids: Vec<String> = s
        .branches(C1)
        .unwrap()
        .into_iter()
        .map(|b| b.id.to_string())
        .collect();
    assert_eq!(ids, ["b-a", "b-b"]);
    assert_eq!(s.branches(C2).unwrap().len(), 1);
    assert_eq!(s.branches("c-unknown").unwrap(), vec![]);
    assert_eq!(s.branch(&bid("b-unknown")).unwrap(), None);
}

fn test_branch_duplicate_refused(s: &dyn ServerStore) {
    seed_org(s);
    let err = s
        .create_branch(&Branch {
            id: bid("b-a"),
            committee_id: C2.into(),
            name: "Trùng".into(),
        })
        .unwrap_err();
    assert!(matches!(err, Error::AlreadyExists(_)), "{err:?}");
    let a = s.branch(&bid("b-a")).unwrap().unwrap();
    assert_eq!(
        (a.committee_id.as_str(), a.name.as_str()),
        (C1, "Chi bộ Cơ điện")
    );
    assert_eq!(s.branches(C2).unwrap().len(), 1);
}

fn test_branch_needs_committee(s: &dyn ServerStore) {
    let err = s
        .create_branch(&Branch {
            id: bid("b-orphan"),
            committee_id: "c-none".into(),
            name: "Mồ côi".into(),
        })
        .unwrap_err();
    assert!(matches!(err, Error::NotFound(_)), "{err:?}");
    assert_eq!(s.branch(&bid("b-orphan")).unwrap(), None);
}

fn test_member_put_get_and_list(s: &dyn ServerStore) {
    seed_org(s);
    let m = s.member(&mid("m-a2")).unwrap().unwrap();
    assert_eq!(
        m,
        member("m-a2", C1, Some("b-a"), "Trần Thị Hoà", Role::Secretary)
    );
    let admin = s.member(&mid("m-admin")).unwrap().unwrap();
    assert_eq!(admin.branch_id, None);
    assert_eq!(admin.role, Role::Admin);
    let ids: Vec<String> = s
        .members(C1)
        .unwrap()
        .into_iter()
        .map(|m| m.id.to_string())
        .collect();
    assert_eq!(ids, ["m-a1", "m-a2", "m-admin", "m-b1"]);
    assert_eq!(s.members(C2).unwrap().len(), 1);
    assert_eq!(s.member(&mid("m-unknown")).unwrap(), None);
    // Replacing keeps one row.
    let mut renamed = m.clone();
    renamed.full_name = "Trần Thị Hòa".into();
    s.put_member(&renamed).unwrap();
    assert_eq!(s.member(&mid("m-a2")).unwrap(), Some(renamed));
    assert_eq!(s.members(C1).unwrap().len(), 4);
}

fn test_member_role_and_status_round_trip(s: &dyn ServerStore) {
    seed_org(s);
    let roles = [
        Role::Secretary,
        Role::DeputySecretary,
        Role::Executive,
        Role::Member,
        Role::Inspector,
        Role::Admin,
    ];
    let statuses = [
        MemberStatus::Full,
        MemberStatus::Probationary,
        MemberStatus::Exempt,
    ];
    for (i, role) in roles.into_iter().enumerate() {
        for (j, status) in statuses.into_iter().enumerate() {
            let mut m = member(&format!("m-{i}-{j}"), C1, Some("b-b"), "Đỗ Thị Ánh", role);
            m.status = status;
            s.put_member(&m).unwrap();
            assert_eq!(s.member(&m.id).unwrap(), Some(m));
        }
    }
}

fn test_member_needs_existing_committee_and_branch(s: &dyn ServerStore) {
    seed_org(s);
    let before = (s.directory_version(C1).unwrap(), s.members(C1).unwrap());
    let cases = [
        member("m-new", "c-none", None, "Không", Role::Admin),
        member("m-new", C1, Some("b-none"), "Không", Role::Member),
    ];
    for m in cases {
        let err = s.put_member(&m).unwrap_err();
        assert!(matches!(err, Error::NotFound(_)), "{err:?}");
    }
    let wrong_committee = member("m-new", C1, Some("b-x"), "Không", Role::Member);
    let err = s.put_member(&wrong_committee).unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    assert_eq!(s.member(&mid("m-new")).unwrap(), None);
    assert_eq!(
        (s.directory_version(C1).unwrap(), s.members(C1).unwrap()),
        before
    );
}

fn test_directory_version_bumps_on_every_put(s: &dyn ServerStore) {
    s.create_committee(&Committee {
        id: C1.into(),
        name: "Một".into(),
    })
    .unwrap();
    s.create_committee(&Committee {
        id: C2.into(),
        name: "Hai".into(),
    })
    .unwrap();
    assert_eq!(s.directory_version(C1).unwrap(), 0);
    assert_eq!(s.directory_version("c-unknown").unwrap(), 0);
    let m = member("m-admin", C1, None, "Phạm Thị Quản", Role::Admin);
    for expected in 1..=3 {
        s.put_member(&m).unwrap(); // even an identical put is a directory change
        assert_eq!(s.directory_version(C1).unwrap(), expected);
    }
    assert_eq!(s.directory_version(C2).unwrap(), 0);
    s.put_member(&member("m-x", C2, None, "X", Role::Inspector))
        .unwrap();
    assert_eq!(s.directory_version(C2).unwrap(), 1);
    assert_eq!(s.directory_version(C1).unwrap(), 3);
}

fn test_member_moved_between_branches(s: &dyn ServerStore) {
    seed_org(s);
    let v = s.directory_version(C1).unwrap();
    let mut m = s.member(&mid("m-a1")).unwrap().unwrap();
    m.branch_id = Some(bid("b-b"));
    s.put_member(&m).unwrap();
    assert_eq!(
        s.member(&mid("m-a1")).unwrap().unwrap().branch_id,
        Some(bid("b-b"))
    );
    assert_eq!(s.directory_version(C1).unwrap(), v + 1);
    let moved: Vec<_> = s
        .members(C1)
        .unwrap()
        .into_iter()
        .filter(|m| m.id == mid("m-a1"))
        .collect();
    assert_eq!(moved.len(), 1);
}

fn test_member_moved_to_other_committee_bumps_both_directories(s: &dyn ServerStore) {
    seed_org(s);
    let (v1, v2) = (
        s.directory_version(C1).unwrap(),
        s.directory_version(C2).unwrap(),
    );
    let mut m = s.member(&mid("m-b1")).unwrap().unwrap();
    m.committee_id = C2.into();
    m.branch_id = Some(bid("b-x"));
    s.put_member(&m).unwrap();
    assert_eq!(s.directory_version(C1).unwrap(), v1 + 1);
    assert_eq!(s.directory_version(C2).unwrap(), v2 + 1);
    assert!(s.members(C1).unwrap().iter().all(|m| m.id != mid("m-b1")));
    assert!(s.members(C2).unwrap().iter().any(|m| m.id == mid("m-b1")));
}

fn test_member_removed_stays_listed_inactive(s: &dyn ServerStore) {
    seed_org(s);
    let v = s.directory_version(C1).unwrap();
    let mut m = s.member(&mid("m-a1")).unwrap().unwrap();
    m.active = false;
    s.put_member(&m).unwrap();
    assert!(!s.member(&mid("m-a1")).unwrap().unwrap().active);
    let listed = s.members(C1).unwrap();
    let removed = listed.iter().find(|m| m.id == mid("m-a1")).unwrap();
    assert!(!removed.active);
    assert!(
        listed
            .iter()
            .filter(|m| m.id != mid("m-a1"))
            .all(|m| m.active)
    );
    assert_eq!(s.directory_version(C1).unwrap(), v + 1);
}

// ----- enrollment and devices -------------------------------------------------------------

fn code(n: u8) -> [u8; 32] {
    Sha256::digest([n]).into()
}

fn test_enrollment_code_redeems_once(s: &dyn ServerStore) {
    seed_org(s);
    s.create_enrollment_code(code(1), &mid("m-a1"), 2_000)
        .unwrap();
    // The device claims another member; the code's member wins.
    let stored = s
        .redeem_enrollment_code(code(1), &device("dev-1", "m-admin", 7), 1_500)
        .unwrap()
        .unwrap();
    assert_eq!(stored, device("dev-1", "m-a1", 7));
    assert_eq!(s.device("dev-1").unwrap(), Some(stored));
    let again = s
        .redeem_enrollment_code(code(1), &device("dev-2", "m-a1", 8), 1_501)
        .unwrap();
    assert_eq!(again, None);
    assert_eq!(s.device("dev-2").unwrap(), None);
    assert_eq!(s.devices_of_member(&mid("m-a1")).unwrap().len(), 1);
}

fn test_enrollment_code_expired_not_redeemable(s: &dyn ServerStore) {
    seed_org(s);
    s.create_enrollment_code(code(1), &mid("m-a1"), 2_000)
        .unwrap();
    s.create_enrollment_code(code(2), &mid("m-a1"), 2_000)
        .unwrap();
    // Expired at `expires_at` itself.
    let late = s
        .redeem_enrollment_code(code(1), &device("dev-1", "m-a1", 1), 2_000)
        .unwrap();
    assert_eq!(late, None);
    assert_eq!(s.device("dev-1").unwrap(), None);
    let in_time = s
        .redeem_enrollment_code(code(2), &device("dev-2", "m-a1", 2), 1_999)
        .unwrap();
    assert!(in_time.is_some());
}

fn test_enrollment_code_unknown_not_redeemable(s: &dyn ServerStore) {
    seed_org(s);
    s.create_enrollment_code(code(1), &mid("m-a1"), 2_000)
        .unwrap();
    let r = s
        .redeem_enrollment_code(code(9), &device("dev-1", "m-a1", 1), 1_000)
        .unwrap();
    assert_eq!(r, None);
    assert_eq!(s.device("dev-1").unwrap(), None);
}

fn test_enrollment_code_for_unknown_member_refused(s: &dyn ServerStore) {
    seed_org(s);
    let err = s
        .create_enrollment_code(code(1), &mid("m-none"), 2_000)
        .unwrap_err();
    assert!(matches!(err, Error::NotFound(_)), "{err:?}");
    let r = s
        .redeem_enrollment_code(code(1), &device("dev-1", "m-a1", 1), 1_000)
        .unwrap();
    assert_eq!(r, None);
}

fn test_enrollment_code_duplicate_refused(s: &dyn ServerStore) {
    seed_org(s);
    s.create_enrollment_code(code(1), &mid("m-a1"), 2_000)
        .unwrap();
    let err = s
        .create_enrollment_code(code(1), &mid("m-b1"), 9_000)
        .unwrap_err();
    assert!(matches!(err, Error::AlreadyExists(_)), "{err:?}");
    // The first code is untouched: still m-a1's, still expiring at 2000.
    let d = s
        .redeem_enrollment_code(code(1), &device("dev-1", "m-b1", 1), 1_999)
        .unwrap()
        .unwrap();
    assert_eq!(d.member_id, mid("m-a1"));
}

fn test_redeem_with_taken_device_id_refused_and_code_kept(s: &dyn ServerStore) {
    seed_org(s);
    s.create_enrollment_code(code(1), &mid("m-a1"), 2_000)
        .unwrap();
    s.create_enrollment_code(code(2), &mid("m-b1"), 2_000)
        .unwrap();
    s.redeem_enrollment_code(code(1), &device("dev-1", "m-a1", 1), 1_000)
        .unwrap()
        .unwrap();
    let err = s
        .redeem_enrollment_code(code(2), &device("dev-1", "m-b1", 2), 1_000)
        .unwrap_err();
    assert!(matches!(err, Error::AlreadyExists(_)), "{err:?}");
    assert_eq!(s.device("dev-1").unwrap().unwrap().member_id, mid("m-a1"));
    // Nothing was consumed: the code still works with a fresh id.
    let d = s
        .redeem_enrollment_code(code(2), &device("dev-2", "m-b1", 2), 1_000)
        .unwrap();
    assert_eq!(d, Some(device("dev-2", "m-b1", 2)));
}

fn test_concurrent_redeems_enroll_one_device(s: &dyn ServerStore) {
    seed_org(s);
    s.create_enrollment_code(code(1), &mid("m-a1"), 2_000)
        .unwrap();
    let winners: usize = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8u8)
            .map(|i| {
                scope.spawn(move || {
                    s.redeem_enrollment_code(
                        code(1),
                        &device(&format!("dev-{i}"), "m-a1", i),
                        1_000,
                    )
                    .unwrap()
                    .is_some()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| usize::from(h.join().unwrap()))
            .sum()
    });
    assert_eq!(winners, 1);
    assert_eq!(s.devices_of_member(&mid("m-a1")).unwrap().len(), 1);
}

fn enroll(s: &dyn ServerStore, n: u8, dev: &str, member: &str) -> Device {
    s.create_enrollment_code(code(n), &mid(member), 10_000)
        .unwrap();
    s.redeem_enrollment_code(code(n), &device(dev, member, n), 1_000)
        .unwrap()
        .unwrap()
}

fn test_device_lookup_and_devices_of_member(s: &dyn ServerStore) {
    seed_org(s);
    let d2 = enroll(s, 1, "dev-z", "m-a1");
    let d1 = enroll(s, 2, "dev-y", "m-a1");
    let other = enroll(s, 3, "dev-x", "m-b1");
    assert_eq!(s.device("dev-z").unwrap(), Some(d2.clone()));
    assert_eq!(s.device("dev-none").unwrap(), None);
    assert_eq!(s.devices_of_member(&mid("m-a1")).unwrap(), vec![d1, d2]);
    assert_eq!(s.devices_of_member(&mid("m-b1")).unwrap(), vec![other]);
    assert_eq!(s.devices_of_member(&mid("m-a2")).unwrap(), vec![]);
}

fn test_revoke_device_once(s: &dyn ServerStore) {
    seed_org(s);
    enroll(s, 1, "dev-1", "m-a1");
    enroll(s, 2, "dev-2", "m-a1");
    assert!(s.revoke_device("dev-1", 5_000).unwrap());
    assert_eq!(s.device("dev-1").unwrap().unwrap().revoked_at, Some(5_000));
    assert!(!s.revoke_device("dev-1", 6_000).unwrap());
    assert_eq!(
        s.device("dev-1").unwrap().unwrap().revoked_at,
        Some(5_000),
        "a second revoke must not move the time"
    );
    assert!(!s.revoke_device("dev-none", 6_000).unwrap());
    assert_eq!(s.device("dev-2").unwrap().unwrap().revoked_at, None);
}

fn test_nonce_replay_refused(s: &dyn ServerStore) {
    assert!(s.remember_nonce("dev-1", "n-1", 100, 0).unwrap());
    assert!(!s.remember_nonce("dev-1", "n-1", 101, 0).unwrap());
    assert!(s.remember_nonce("dev-1", "n-2", 102, 0).unwrap());
    assert!(!s.remember_nonce("dev-1", "n-2", 103, 0).unwrap());
}

fn test_nonce_same_value_other_device_accepted(s: &dyn ServerStore) {
    assert!(s.remember_nonce("dev-1", "n-1", 100, 0).unwrap());
    assert!(s.remember_nonce("dev-2", "n-1", 100, 0).unwrap());
    assert!(!s.remember_nonce("dev-2", "n-1", 100, 0).unwrap());
}

fn test_nonce_forgotten_before_cutoff(s: &dyn ServerStore) {
    assert!(s.remember_nonce("dev-1", "old", 100, 0).unwrap());
    assert!(s.remember_nonce("dev-2", "recent", 160, 0).unwrap());
    // Cut-off 150: "old" (seen at 100) is forgotten, "recent" (160) is not.
    assert!(s.remember_nonce("dev-1", "old", 200, 150).unwrap());
    assert!(!s.remember_nonce("dev-2", "recent", 200, 150).unwrap());
    // And "old" is remembered again from its new sighting.
    assert!(!s.remember_nonce("dev-1", "old", 201, 150).unwrap());
}

fn test_epoch_nonzero_and_stable(s: &dyn ServerStore) {
    let e = s.epoch().unwrap();
    assert_ne!(e, 0, "0 means 'never synced' in a cursor");
    assert!(e <= i64::MAX as u64);
    seed_docs(s);
    push(s, "doc-a", 1, "dev-a1", 10);
    assert_eq!(s.epoch().unwrap(), e);
}

// ----- append ------------------------------------------------------------------------------

fn test_append_creates_docs_and_binds_actors(s: &dyn ServerStore) {
    seed_org(s);
    let batch = AcceptedBatch {
        new_docs: vec![
            meta("doc-a", DocKind::AnnualPlan, branch_scope("b-a")),
            meta("doc-d", DocKind::TopicDraft, branch_scope("b-a")),
        ],
        actor_bindings: vec![
            (vec![1; 16], "dev-a1".into()),
            (vec![2; 16], "dev-a1".into()),
        ],
        entries: vec![
            entry("doc-a", 1, "dev-a1", 5),
            entry("doc-d", 1, "dev-a1", 5),
        ],
    };
    assert_eq!(s.append(&batch).unwrap().len(), 2);
    assert_eq!(
        s.doc_meta(&did("doc-d")).unwrap(),
        Some(meta("doc-d", DocKind::TopicDraft, branch_scope("b-a")))
    );
    assert_eq!(s.doc_meta(&did("doc-none")).unwrap(), None);
    assert_eq!(s.actor_device(&[1; 16]).unwrap().as_deref(), Some("dev-a1"));
    assert_eq!(s.actor_device(&[2; 16]).unwrap().as_deref(), Some("dev-a1"));
    assert_eq!(s.actor_device(&[3; 16]).unwrap(), None);
    // Re-binding an actor to the device it already belongs to is accepted.
    let again = AcceptedBatch {
        actor_bindings: vec![(vec![1; 16], "dev-a1".into())],
        entries: vec![entry("doc-a", 2, "dev-a1", 5)],
        ..Default::default()
    };
    assert_eq!(s.append(&again).unwrap().len(), 1);
}

fn test_append_returns_increasing_seqs_and_max_seq(s: &dyn ServerStore) {
    assert_eq!(s.max_seq().unwrap(), 0);
    seed_docs(s);
    assert_eq!(
        s.max_seq().unwrap(),
        0,
        "documents alone are not log entries"
    );
    let batch = AcceptedBatch {
        entries: (1..=5).map(|n| entry("doc-a", n, "dev-a1", 3)).collect(),
        ..Default::default()
    };
    let first = s.append(&batch).unwrap();
    assert_eq!(first.len(), 5);
    assert!(first.windows(2).all(|w| w[0] < w[1]), "{first:?}");
    assert!(first[0] >= 1);
    assert_eq!(s.max_seq().unwrap(), first[4]);
    let next = push(s, "doc-b", 1, "dev-b1", 3);
    assert!(next > first[4]);
    assert_eq!(s.max_seq().unwrap(), next);
    // Seqs are given in the batch's order: the audit lists the changes as they were sent.
    let hashes: Vec<_> = s
        .audit(&did("doc-a"))
        .unwrap()
        .iter()
        .map(|e| e.hash)
        .collect();
    let sent: Vec<_> = (1..=5).map(|n| hash_of("doc-a", n)).collect();
    assert_eq!(hashes, sent);
}

fn test_append_retry_stores_nothing_twice(s: &dyn ServerStore) {
    seed_org(s);
    let batch = AcceptedBatch {
        new_docs: vec![meta("doc-a", DocKind::AnnualPlan, branch_scope("b-a"))],
        actor_bindings: vec![(vec![1; 16], "dev-a1".into())],
        entries: (1..=3).map(|n| entry("doc-a", n, "dev-a1", 4)).collect(),
    };
    assert_eq!(s.append(&batch).unwrap().len(), 3);
    let max = s.max_seq().unwrap();
    assert_eq!(s.append(&batch).unwrap(), Vec::<u64>::new());
    assert_eq!(s.max_seq().unwrap(), max);
    assert_eq!(s.audit(&did("doc-a")).unwrap().len(), 3);
    // A batch mixing stored and new changes stores only the new one.
    let mixed = AcceptedBatch {
        entries: vec![
            entry("doc-a", 2, "dev-a1", 4),
            entry("doc-a", 4, "dev-a1", 4),
        ],
        ..Default::default()
    };
    let added = s.append(&mixed).unwrap();
    assert_eq!(added.len(), 1);
    assert!(added[0] > max);
    assert_eq!(s.max_seq().unwrap(), added[0]);
    let audit = s.audit(&did("doc-a")).unwrap();
    assert_eq!(audit.len(), 4);
    assert_eq!(audit[3].hash, hash_of("doc-a", 4));
    // The same hash under another document is another change.
    let mut other = entry("doc-a", 1, "dev-a1", 4);
    other.doc_id = did("doc-b");
    let b = AcceptedBatch {
        new_docs: vec![meta("doc-b", DocKind::AnnualPlan, branch_scope("b-b"))],
        entries: vec![other],
        ..Default::default()
    };
    assert_eq!(s.append(&b).unwrap().len(), 1);
}

fn test_append_duplicate_entry_in_batch_stored_once(s: &dyn ServerStore) {
    seed_docs(s);
    let batch = AcceptedBatch {
        entries: vec![
            entry("doc-a", 1, "dev-a1", 4),
            entry("doc-a", 1, "dev-a1", 4),
            entry("doc-a", 2, "dev-a1", 4),
        ],
        ..Default::default()
    };
    assert_eq!(s.append(&batch).unwrap().len(), 2);
    assert_eq!(s.audit(&did("doc-a")).unwrap().len(), 2);
}

fn test_append_unknown_doc_fails_whole_batch(s: &dyn ServerStore) {
    seed_docs(s);
    push(s, "doc-a", 1, "dev-a1", 4);
    let before = log_state(s);
    let batch = AcceptedBatch {
        new_docs: vec![meta("doc-new", DocKind::TopicDraft, branch_scope("b-a"))],
        actor_bindings: vec![(vec![9; 16], "dev-a1".into())],
        entries: vec![
            entry("doc-new", 1, "dev-a1", 4),
            entry("doc-a", 2, "dev-a1", 4),
            entry("doc-nowhere", 1, "dev-a1", 4), // neither stored nor in new_docs
        ],
    };
    let err = s.append(&batch).unwrap_err();
    assert!(matches!(err, Error::NotFound(_)), "{err:?}");
    assert_eq!(log_state(s), before);
    assert_eq!(s.doc_meta(&did("doc-new")).unwrap(), None);
    assert_eq!(s.actor_device(&[9; 16]).unwrap(), None);
    assert_eq!(s.audit(&did("doc-a")).unwrap().len(), 1);
}

fn test_append_actor_of_other_device_fails_whole_batch(s: &dyn ServerStore) {
    seed_docs(s);
    let mine = AcceptedBatch {
        actor_bindings: vec![(vec![1; 16], "dev-a1".into())],
        entries: vec![entry("doc-a", 1, "dev-a1", 4)],
        ..Default::default()
    };
    s.append(&mine).unwrap();
    let before = log_state(s);
    let theft = AcceptedBatch {
        new_docs: vec![meta("doc-new", DocKind::TopicDraft, branch_scope("b-a"))],
        actor_bindings: vec![
            (vec![2; 16], "dev-a2".into()),
            (vec![1; 16], "dev-a2".into()),
        ],
        entries: vec![entry("doc-new", 1, "dev-a2", 4)],
    };
    let err = s.append(&theft).unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    assert!(
        !err.to_string().contains("dev-a1"),
        "the refusal names the other device: {err}"
    );
    assert_eq!(log_state(s), before);
    assert_eq!(s.actor_device(&[1; 16]).unwrap().as_deref(), Some("dev-a1"));
    assert_eq!(s.actor_device(&[2; 16]).unwrap(), None);
    assert_eq!(s.doc_meta(&did("doc-new")).unwrap(), None);
    // Two devices claiming one new actor inside one batch is refused too.
    let split = AcceptedBatch {
        actor_bindings: vec![
            (vec![3; 16], "dev-a1".into()),
            (vec![3; 16], "dev-a2".into()),
        ],
        ..Default::default()
    };
    assert!(matches!(s.append(&split), Err(Error::InvalidInput(_))));
    assert_eq!(s.actor_device(&[3; 16]).unwrap(), None);
}

fn test_append_conflicting_doc_meta_fails_whole_batch(s: &dyn ServerStore) {
    seed_docs(s);
    let before = log_state(s);
    let rescope = AcceptedBatch {
        new_docs: vec![
            meta("doc-new", DocKind::TopicDraft, branch_scope("b-b")),
            meta("doc-a", DocKind::AnnualPlan, branch_scope("b-b")),
        ],
        entries: vec![entry("doc-a", 1, "dev-b1", 4)],
        ..Default::default()
    };
    let err = s.append(&rescope).unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    assert_eq!(log_state(s), before);
    assert_eq!(
        s.doc_meta(&did("doc-a")).unwrap().unwrap().scope,
        branch_scope("b-a")
    );
    // Another kind is a conflict as well.
    let rekind = AcceptedBatch {
        new_docs: vec![meta("doc-a", DocKind::Material, branch_scope("b-a"))],
        ..Default::default()
    };
    assert!(matches!(s.append(&rekind), Err(Error::InvalidInput(_))));
    // The same metadata again (two devices racing to create one document) is accepted.
    let same = AcceptedBatch {
        new_docs: vec![meta("doc-a", DocKind::AnnualPlan, branch_scope("b-a"))],
        entries: vec![entry("doc-a", 1, "dev-a1", 4)],
        ..Default::default()
    };
    assert_eq!(s.append(&same).unwrap().len(), 1);
}

/// Writes that arrive together may share a transaction (SQLite's group commit): a refused
/// append among them must roll back alone, and every accepted one must be stored.
fn test_concurrent_refused_appends_leave_others_stored(s: &dyn ServerStore) {
    seed_docs(s);
    let results: Vec<(u32, bool)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8u32)
            .map(|t| {
                scope.spawn(move || {
                    (0..20u32)
                        .map(|n| {
                            let k = t * 1000 + n;
                            let mut batch = AcceptedBatch {
                                entries: vec![entry("doc-a", k, "dev-a1", 8)],
                                ..Default::default()
                            };
                            if n % 3 == 0 {
                                // Refused: a second entry for a document nobody created.
                                batch.entries.push(entry("doc-nowhere", k, "dev-a1", 8));
                            }
                            if n % 4 == 0 {
                                let nonce = format!("nonce-{k}");
                                assert!(s.remember_nonce("dev-a1", &nonce, 2_000, 0).unwrap());
                            }
                            (k, s.append(&batch).is_ok())
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    for (k, ok) in &results {
        assert_eq!(*ok, k % 1000 % 3 != 0, "append {k}");
    }
    let page = s
        .log_after(&[branch_scope("b-a")], 0, "", usize::MAX)
        .unwrap();
    let stored: HashSet<[u8; 32]> = page.entries.iter().map(|e| e.hash).collect();
    let expected: HashSet<[u8; 32]> = results
        .iter()
        .filter(|(_, ok)| *ok)
        .map(|(k, _)| hash_of("doc-a", *k))
        .collect();
    assert_eq!(stored, expected);
    assert_eq!(page.entries.len(), expected.len());
    assert!(
        s.docs_in_scopes(&[branch_scope("b-a")])
            .unwrap()
            .iter()
            .all(|m| m.doc_id.as_str() != "doc-nowhere")
    );
    // Nonces written beside the appends were kept, refused appends or not.
    assert!(!s.remember_nonce("dev-a1", "nonce-0", 2_000, 0).unwrap());
    assert!(!s.remember_nonce("dev-a1", "nonce-7016", 2_000, 0).unwrap());
}

fn test_concurrent_appends_get_distinct_seqs(s: &dyn ServerStore) {
    seed_docs(s);
    let scopes = [
        branch_scope("b-a"),
        branch_scope("b-b"),
        committee_scope(C1),
    ];
    let all: Vec<u64> = std::thread::scope(|scope| {
        let writers: Vec<_> = ["doc-a", "doc-b", "doc-c", "doc-a"]
            .into_iter()
            .enumerate()
            .map(|(t, doc)| {
                scope.spawn(move || {
                    (0..25u32)
                        .map(|n| push(s, doc, t as u32 * 1000 + n, "dev-a1", 8))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        // A reader walking the log meanwhile only ever sees increasing seqs.
        let reader = scope.spawn(|| {
            let mut cursor = 0;
            for _ in 0..50 {
                let page = s.log_after(&scopes, cursor, "", 64).unwrap();
                assert!(page.entries.iter().all(|e| e.seq > cursor));
                assert!(page.reached >= cursor);
                cursor = page.reached;
            }
        });
        reader.join().unwrap();
        writers
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let distinct: HashSet<u64> = all.iter().copied().collect();
    assert_eq!(distinct.len(), 100);
    assert_eq!(s.max_seq().unwrap(), *distinct.iter().max().unwrap());
    let page = s.log_after(&scopes, 0, "", usize::MAX).unwrap();
    assert_eq!(page.entries.len(), 100);
    assert!(seqs(&page).windows(2).all(|w| w[0] < w[1]));
}

// ----- log_after -----------------------------------------------------------------------------

fn test_log_after_branch_scope_isolated(s: &dyn ServerStore) {
    seed_docs(s);
    for n in 1..=4 {
        push(s, "doc-a", n, "dev-a1", 4);
        push(s, "doc-b", n, "dev-b1", 4);
    }
    let a = s
        .log_after(&[branch_scope("b-a")], 0, "dev-none", usize::MAX)
        .unwrap();
    assert_eq!(a.entries.len(), 4);
    assert_eq!(docs(&a), HashSet::from(["doc-a".to_owned()]));
    let b = s
        .log_after(&[branch_scope("b-b")], 0, "dev-none", usize::MAX)
        .unwrap();
    assert_eq!(b.entries.len(), 4);
    assert_eq!(docs(&b), HashSet::from(["doc-b".to_owned()]));
    let x = s
        .log_after(&[branch_scope("b-x")], 0, "dev-none", usize::MAX)
        .unwrap();
    assert_eq!(x.entries, vec![]);
    // Entries come back whole, audit trail included.
    assert_eq!(
        a.entries[0],
        LogEntry {
            seq: a.entries[0].seq,
            ..entry("doc-a", 1, "dev-a1", 4)
        }
    );
}

fn test_log_after_committee_scope(s: &dyn ServerStore) {
    seed_docs(s);
    let s1 = push(s, "doc-c", 1, "dev-admin", 4);
    let s2 = push(s, "doc-a", 1, "dev-a1", 4);
    let s3 = push(s, "doc-b", 1, "dev-b1", 4);
    let s4 = push(s, "doc-c", 2, "dev-admin", 4);
    let c = s
        .log_after(&[committee_scope(C1)], 0, "", usize::MAX)
        .unwrap();
    assert_eq!(seqs(&c), [s1, s4]);
    let other = s
        .log_after(&[committee_scope(C2)], 0, "", usize::MAX)
        .unwrap();
    assert_eq!(other.entries, vec![]);
    let branch_only = s
        .log_after(&[branch_scope("b-a")], 0, "", usize::MAX)
        .unwrap();
    assert_eq!(seqs(&branch_only), [s2]);
    // A member reads its branch and the committee's documents, merged in seq order.
    let member = s
        .log_after(
            &[committee_scope(C1), branch_scope("b-a")],
            0,
            "",
            usize::MAX,
        )
        .unwrap();
    assert_eq!(seqs(&member), [s1, s2, s4]);
    // An inspector reads every branch.
    let inspector = s
        .log_after(
            &[
                branch_scope("b-b"),
                branch_scope("b-a"),
                committee_scope(C1),
            ],
            0,
            "",
            usize::MAX,
        )
        .unwrap();
    assert_eq!(seqs(&inspector), [s1, s2, s3, s4]);
}

fn test_log_after_excludes_device(s: &dyn ServerStore) {
    seed_docs(s);
    let mine = push(s, "doc-a", 1, "dev-a1", 4);
    let theirs = push(s, "doc-a", 2, "dev-a2", 4);
    let page = s
        .log_after(&[branch_scope("b-a")], 0, "dev-a1", usize::MAX)
        .unwrap();
    assert_eq!(seqs(&page), [theirs]);
    let page = s
        .log_after(&[branch_scope("b-a")], 0, "dev-a2", usize::MAX)
        .unwrap();
    assert_eq!(seqs(&page), [mine]);
    let page = s
        .log_after(&[branch_scope("b-a")], 0, "", usize::MAX)
        .unwrap();
    assert_eq!(seqs(&page), [mine, theirs]);
}

fn test_log_after_budget_paging_walks_each_entry_once(s: &dyn ServerStore) {
    seed_docs(s);
    let mut expected = Vec::new();
    for i in 0..50u32 {
        let (doc, device) = match i % 3 {
            0 => ("doc-a", if i % 4 == 0 { "dev-a2" } else { "dev-a1" }),
            1 => ("doc-b", "dev-b1"),
            _ => ("doc-c", if i % 4 == 0 { "dev-a2" } else { "dev-admin" }),
        };
        let len = 1 + (i as usize * 7) % 13;
        let seq = push(s, doc, i, device, len);
        if doc != "doc-b" && device != "dev-a2" {
            expected.push(seq);
        }
    }
    let scopes = [branch_scope("b-a"), committee_scope(C1)];
    let budget = 20;
    let (mut cursor, mut got, mut pages) = (0, Vec::new(), 0);
    loop {
        pages += 1;
        assert!(pages < 100, "paging does not end");
        let page = s.log_after(&scopes, cursor, "dev-a2", budget).unwrap();
        assert!(page.reached >= cursor, "the cursor went back");
        assert!(
            page.entries
                .iter()
                .all(|e| e.seq > cursor && e.seq <= page.reached),
            "entries outside (cursor, reached]"
        );
        if let Some((_, before_last)) = page.entries.split_last() {
            let below: usize = before_last.iter().map(|e| e.bytes.len()).sum();
            assert!(below < budget, "the page went on after reaching the budget");
        } else {
            assert!(!page.more, "an empty page says more remain");
        }
        got.extend(seqs(&page));
        cursor = page.reached;
        if !page.more {
            break;
        }
        assert!(!page.entries.is_empty());
    }
    assert_eq!(
        got, expected,
        "each qualifying entry exactly once, in order"
    );
    assert!(pages > 3, "a budget of {budget} should need several pages");
    let idle = s.log_after(&scopes, cursor, "dev-a2", budget).unwrap();
    assert_eq!(idle.entries, vec![]);
    assert_eq!(idle.reached, s.max_seq().unwrap());
    assert!(!idle.more);
}

fn test_log_after_budget_includes_entry_reaching_it(s: &dyn ServerStore) {
    seed_docs(s);
    let all: Vec<u64> = (1..=5).map(|n| push(s, "doc-a", n, "dev-a1", 10)).collect();
    let scopes = [branch_scope("b-a")];
    // 10 + 10 < 25, so a third entry is added, which reaches it.
    let page = s.log_after(&scopes, 0, "", 25).unwrap();
    assert_eq!(seqs(&page), all[..3]);
    assert_eq!((page.reached, page.more), (all[2], true));
    // Exactly reaching the budget stops there.
    let page = s.log_after(&scopes, 0, "", 20).unwrap();
    assert_eq!(seqs(&page), all[..2]);
    // A budget smaller than one entry (even 0) still yields one.
    for budget in [0, 1, 9] {
        let page = s.log_after(&scopes, 0, "", budget).unwrap();
        assert_eq!(seqs(&page), all[..1], "budget {budget}");
        assert!(page.more);
    }
    let page = s.log_after(&scopes, 0, "", 1_000).unwrap();
    assert_eq!(seqs(&page), all);
    assert_eq!((page.reached, page.more), (all[4], false));
}

fn test_log_after_reached_advances_past_skipped_entries(s: &dyn ServerStore) {
    seed_docs(s);
    let s1 = push(s, "doc-a", 1, "dev-a1", 4);
    let s2 = push(s, "doc-b", 1, "dev-b1", 4); // other scope
    let s3 = push(s, "doc-a", 2, "dev-a2", 4); // the excluded device
    let s4 = push(s, "doc-a", 3, "dev-a1", 4);
    let s5 = push(s, "doc-b", 2, "dev-b1", 4);
    let scopes = [branch_scope("b-a")];
    let page = s.log_after(&scopes, 0, "dev-a2", 1).unwrap();
    assert_eq!((seqs(&page), page.reached, page.more), (vec![s1], s1, true));
    // s2 and s3 are examined and skipped; the page stops at s4 with nothing after it.
    let page = s.log_after(&scopes, s1, "dev-a2", 1).unwrap();
    assert_eq!(
        (seqs(&page), page.reached, page.more),
        (vec![s4], s4, false)
    );
    assert!(s2 < s4 && s3 < s4);
    // Nothing left to return: the cursor moves past s5 too.
    let page = s.log_after(&scopes, s4, "dev-a2", 1).unwrap();
    assert_eq!((seqs(&page), page.reached, page.more), (vec![], s5, false));
}

fn test_log_after_idle_device_cursor_moves_to_end(s: &dyn ServerStore) {
    seed_docs(s);
    let scopes = [branch_scope("b-a")];
    let empty = s.log_after(&scopes, 0, "dev-a1", 100).unwrap();
    assert_eq!(empty, LogPage::default());
    for n in 1..=5 {
        push(s, "doc-b", n, "dev-b1", 4);
    }
    push(s, "doc-a", 1, "dev-a1", 4); // the device's own change
    let end = s.max_seq().unwrap();
    let page = s.log_after(&scopes, 0, "dev-a1", 100).unwrap();
    assert_eq!(
        page,
        LogPage {
            entries: vec![],
            reached: end,
            more: false
        }
    );
    // A cursor beyond the end is never moved back.
    let page = s.log_after(&scopes, end + 10, "dev-a1", 100).unwrap();
    assert_eq!((page.entries.len(), page.reached), (0, end + 10));
    let page = s.log_after(&scopes, u64::MAX, "dev-a1", 100).unwrap();
    assert_eq!((page.entries.len(), page.reached), (0, u64::MAX));
}

fn test_log_after_stop_at_last_qualifying_entry_has_no_more(s: &dyn ServerStore) {
    seed_docs(s);
    let a1 = push(s, "doc-a", 1, "dev-a1", 10);
    let a2 = push(s, "doc-a", 2, "dev-a1", 10);
    push(s, "doc-b", 1, "dev-b1", 10);
    let page = s.log_after(&[branch_scope("b-a")], 0, "", 20).unwrap();
    assert_eq!(
        (seqs(&page), page.reached, page.more),
        (vec![a1, a2], a2, false)
    );
}

fn test_log_after_duplicate_scopes_yield_entries_once(s: &dyn ServerStore) {
    seed_docs(s);
    let a = push(s, "doc-a", 1, "dev-a1", 4);
    let c = push(s, "doc-c", 1, "dev-admin", 4);
    let scopes = [
        branch_scope("b-a"),
        committee_scope(C1),
        branch_scope("b-a"),
        committee_scope(C1),
    ];
    let page = s.log_after(&scopes, 0, "", usize::MAX).unwrap();
    assert_eq!(seqs(&page), [a, c]);
    assert_eq!(s.docs_in_scopes(&scopes).unwrap().len(), 2);
}

fn test_log_after_no_scopes_returns_nothing_and_moves_cursor(s: &dyn ServerStore) {
    seed_docs(s);
    push(s, "doc-a", 1, "dev-a1", 4);
    let end = push(s, "doc-c", 1, "dev-admin", 4);
    let page = s.log_after(&[], 0, "", usize::MAX).unwrap();
    assert_eq!(
        (page.entries.len(), page.reached, page.more),
        (0, end, false)
    );
}

// ----- documents ---------------------------------------------------------------------------

fn test_doc_data_without_snapshot(s: &dyn ServerStore) {
    seed_docs(s);
    push(s, "doc-a", 1, "dev-a1", 3);
    push(s, "doc-b", 1, "dev-b1", 3);
    push(s, "doc-a", 2, "dev-a2", 5);
    let (snapshot, changes) = s.doc_data(&did("doc-a")).unwrap();
    assert_eq!(snapshot, None);
    assert_eq!(
        changes,
        vec![
            entry("doc-a", 1, "", 3).bytes,
            entry("doc-a", 2, "", 5).bytes
        ]
    );
}

fn test_doc_data_with_snapshot_returns_later_changes(s: &dyn ServerStore) {
    seed_docs(s);
    push(s, "doc-a", 1, "dev-a1", 3);
    let upto = push(s, "doc-a", 2, "dev-a1", 3);
    push(s, "doc-b", 1, "dev-b1", 3);
    s.put_snapshot(&did("doc-a"), b"snapshot-1", upto).unwrap();
    let (snapshot, changes) = s.doc_data(&did("doc-a")).unwrap();
    assert_eq!(snapshot, Some((b"snapshot-1".to_vec(), upto)));
    assert_eq!(changes, Vec::<Vec<u8>>::new());
    push(s, "doc-a", 3, "dev-a2", 6);
    let upto2 = push(s, "doc-a", 4, "dev-a2", 7);
    let (_, changes) = s.doc_data(&did("doc-a")).unwrap();
    assert_eq!(
        changes,
        vec![
            entry("doc-a", 3, "", 6).bytes,
            entry("doc-a", 4, "", 7).bytes
        ]
    );
    // A newer snapshot replaces the old one.
    s.put_snapshot(&did("doc-a"), b"snapshot-2", upto2).unwrap();
    let (snapshot, changes) = s.doc_data(&did("doc-a")).unwrap();
    assert_eq!(snapshot, Some((b"snapshot-2".to_vec(), upto2)));
    assert_eq!(changes.len(), 0);
    // Other documents are unaffected; the audit keeps every change.
    assert_eq!(s.doc_data(&did("doc-b")).unwrap().0, None);
    assert_eq!(s.audit(&did("doc-a")).unwrap().len(), 4);
}

fn test_doc_data_unknown_doc_is_empty(s: &dyn ServerStore) {
    seed_docs(s);
    push(s, "doc-a", 1, "dev-a1", 3);
    assert_eq!(s.doc_data(&did("doc-none")).unwrap(), (None, vec![]));
    assert_eq!(s.doc_data(&did("doc-b")).unwrap(), (None, vec![]));
}

fn test_put_snapshot_refuses_unknown_doc_and_future_seq(s: &dyn ServerStore) {
    seed_docs(s);
    let seq = push(s, "doc-a", 1, "dev-a1", 3);
    let err = s.put_snapshot(&did("doc-none"), b"x", seq).unwrap_err();
    assert!(matches!(err, Error::NotFound(_)), "{err:?}");
    let err = s.put_snapshot(&did("doc-a"), b"x", seq + 1).unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    assert_eq!(s.doc_data(&did("doc-a")).unwrap().0, None);
}

fn test_docs_in_scopes_by_id(s: &dyn ServerStore) {
    seed_org(s);
    let batch = AcceptedBatch {
        new_docs: vec![
            meta("doc-z", DocKind::AnnualPlan, branch_scope("b-a")),
            meta("doc-m", DocKind::Material, committee_scope(C1)),
            meta("doc-b", DocKind::TopicDraft, branch_scope("b-b")),
            meta("doc-a", DocKind::TopicDraft, branch_scope("b-a")),
            meta("doc-x", DocKind::AnnualPlan, branch_scope("b-x")),
        ],
        ..Default::default()
    };
    s.append(&batch).unwrap();
    let ids = |scopes: &[Scope]| -> Vec<String> {
        s.docs_in_scopes(scopes)
            .unwrap()
            .into_iter()
            .map(|d| d.doc_id.to_string())
            .collect()
    };
    assert_eq!(ids(&[branch_scope("b-a")]), ["doc-a", "doc-z"]);
    assert_eq!(
        ids(&[committee_scope(C1), branch_scope("b-a")]),
        ["doc-a", "doc-m", "doc-z"]
    );
    assert_eq!(ids(&[committee_scope(C2)]), Vec::<String>::new());
    assert_eq!(ids(&[]), Vec::<String>::new());
    let all = s
        .docs_in_scopes(&[
            branch_scope("b-b"),
            branch_scope("b-x"),
            committee_scope(C1),
        ])
        .unwrap();
    assert_eq!(
        all,
        vec![
            meta("doc-b", DocKind::TopicDraft, branch_scope("b-b")),
            meta("doc-m", DocKind::Material, committee_scope(C1)),
            meta("doc-x", DocKind::AnnualPlan, branch_scope("b-x")),
        ]
    );
}

fn test_audit_trail_in_seq_order(s: &dyn ServerStore) {
    seed_docs(s);
    let mut e1 = entry("doc-a", 1, "dev-a1", 3);
    e1.received_at = 1_800_000_000;
    let mut e2 = entry("doc-a", 2, "dev-a2", 4);
    e2.received_at = 1_700_000_000; // clocks may step back; the log order still rules
    let s1 = s
        .append(&AcceptedBatch {
            entries: vec![e1.clone()],
            ..Default::default()
        })
        .unwrap()[0];
    push(s, "doc-b", 1, "dev-b1", 3);
    let s2 = s
        .append(&AcceptedBatch {
            entries: vec![e2.clone()],
            ..Default::default()
        })
        .unwrap()[0];
    let audit = s.audit(&did("doc-a")).unwrap();
    assert_eq!(
        audit,
        vec![LogEntry { seq: s1, ..e1 }, LogEntry { seq: s2, ..e2 }]
    );
    assert_eq!(audit[1].device_id, "dev-a2");
    assert_eq!(audit[1].member_id, mid("m-a2"));
    assert_eq!(s.audit(&did("doc-none")).unwrap(), vec![]);
}

// ----- SQLite only --------------------------------------------------------------------------

mod sqlite_only {
    use super::*;
    use sotay_server::store::sqlite::SCHEMA_VERSION;

    #[test]
    fn test_sqlite_data_survives_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("server.db");
        let (epoch, last, enrolled) = {
            let s = SqliteStore::open(&path).unwrap();
            seed_docs(&s);
            let d = enroll(&s, 1, "dev-a1", "m-a1");
            s.append(&AcceptedBatch {
                actor_bindings: vec![(vec![1; 16], "dev-a1".into())],
                entries: vec![entry("doc-a", 1, "dev-a1", 4)],
                ..Default::default()
            })
            .unwrap();
            let last = push(&s, "doc-a", 2, "dev-a1", 4);
            s.put_snapshot(&did("doc-a"), b"snap", last).unwrap();
            assert!(s.remember_nonce("dev-a1", "n-1", 100, 0).unwrap());
            (s.epoch().unwrap(), last, d)
        };
        let s = SqliteStore::open(&path).unwrap();
        assert_eq!(s.epoch().unwrap(), epoch);
        assert_eq!(s.max_seq().unwrap(), last);
        assert_eq!(s.members(C1).unwrap().len(), 4);
        assert_eq!(s.directory_version(C1).unwrap(), 4);
        assert_eq!(s.device("dev-a1").unwrap(), Some(enrolled));
        assert_eq!(s.actor_device(&[1; 16]).unwrap().as_deref(), Some("dev-a1"));
        assert_eq!(
            s.doc_data(&did("doc-a")).unwrap(),
            (Some((b"snap".to_vec(), last)), vec![])
        );
        assert_eq!(s.audit(&did("doc-a")).unwrap().len(), 2);
        assert!(!s.remember_nonce("dev-a1", "n-1", 101, 0).unwrap());
        // The code was spent before the restart.
        assert_eq!(
            s.redeem_enrollment_code(code(1), &device("dev-9", "m-a1", 9), 1_000)
                .unwrap(),
            None
        );
        // Seqs continue after the old ones.
        assert!(push(&s, "doc-a", 3, "dev-a1", 4) > last);
    }

    #[test]
    fn test_sqlite_creates_parent_directories() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data").join("nested").join("server.db");
        let s = SqliteStore::open(&path).unwrap();
        seed_org(&s);
        assert!(path.is_file());
    }

    #[test]
    fn test_sqlite_epoch_stable_across_reopen_and_differs_per_file() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.db");
        let first = SqliteStore::open(&a).unwrap().epoch().unwrap();
        assert_eq!(SqliteStore::open(&a).unwrap().epoch().unwrap(), first);
        let b = SqliteStore::open(dir.path().join("b.db")).unwrap();
        assert_ne!(b.epoch().unwrap(), first);
    }

    #[test]
    fn test_sqlite_schema_version_and_pragmas() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("server.db");
        drop(SqliteStore::open(&path).unwrap());
        let conn = rusqlite::Connection::open(&path).unwrap();
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION);
        let mode: String = conn
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
    }

    #[test]
    fn test_sqlite_newer_schema_refused_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("server.db");
        {
            let s = SqliteStore::open(&path).unwrap();
            seed_org(&s);
        }
        let newer = SCHEMA_VERSION + 1;
        rusqlite::Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", newer)
            .unwrap();
        let err = SqliteStore::open(&path).unwrap_err();
        match &err {
            Error::Core(sotay_core::Error::DatabaseTooNew {
                found, supported, ..
            }) => assert_eq!((*found, *supported), (newer, SCHEMA_VERSION)),
            other => panic!("expected DatabaseTooNew, got {other:?}"),
        }
        assert!(err.to_string().contains("newer"), "{err}");
        let conn = rusqlite::Connection::open(&path).unwrap();
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, newer);
        let committees: i64 = conn
            .query_row("SELECT count(*) FROM committees", [], |r| r.get(0))
            .unwrap();
        assert_eq!(committees, 2);
    }

    #[test]
    fn test_sqlite_not_a_database_refused_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("server.db");
        let garbage = b"this is not a SQLite database, and it is the only copy".repeat(100);
        std::fs::write(&path, &garbage).unwrap();
        let err = SqliteStore::open(&path).unwrap_err();
        assert!(matches!(err, Error::Sqlite(_)), "{err:?}");
        assert_eq!(std::fs::read(&path).unwrap(), garbage);
    }

    #[test]
    fn test_sqlite_reads_run_while_a_write_transaction_is_open() {
        // Another process (an admin command) holds the write lock; the server still reads.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("server.db");
        let s = SqliteStore::open(&path).unwrap();
        seed_docs(&s);
        let seq = push(&s, "doc-a", 1, "dev-a1", 4);
        let mut other = rusqlite::Connection::open(&path).unwrap();
        let tx = other
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .unwrap();
        tx.execute("DELETE FROM nonces", []).unwrap();
        assert_eq!(s.max_seq().unwrap(), seq);
        let page = s
            .log_after(&[branch_scope("b-a")], 0, "", usize::MAX)
            .unwrap();
        assert_eq!(seqs(&page), [seq]);
        tx.rollback().unwrap();
    }
}
