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
use sotay_core::protocol::{CommitteeSettings, RoleSpan, Span};
use sotay_server::Error;
use sotay_server::store::memory::MemoryStore;
use sotay_server::store::sqlite::SqliteStore;
use sotay_server::store::{
    AcceptedBatch, Branch, Committee, Device, DocMeta, LogEntry, LogPage, Scope, ServerMember,
    ServerStore, StoredSignoff,
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
                test_enrollment_and_revocation_bump_the_directory,
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
                test_role_history_opens_a_span_when_a_member_is_added,
                test_role_history_role_change_closes_and_opens,
                test_role_history_branch_move_closes_and_opens,
                test_role_history_committee_move_closes_and_opens,
                test_role_history_removal_leaves_no_open_span,
                test_role_history_added_inactive_has_no_span,
                test_role_history_unchanged_without_role_relevant_change,
                test_role_history_never_runs_backwards,
                test_role_history_refused_put_records_nothing,
                test_plan_delegation_spans_and_directory_version,
                test_plan_delegation_unknown_branch_not_found,
                test_committee_settings_default_set_and_directory_version,
                test_committee_settings_unknown_committee_not_found,
                test_server_secret_nonzero_and_stable,
                test_put_signoff_assigns_its_own_sequence,
                test_put_signoff_idempotent_by_id,
                test_put_signoff_unknown_doc_refused,
                test_put_signoff_wrong_scope_refused,
                test_put_signoff_malformed_id_refused,
                test_concurrent_puts_of_one_signoff_store_it_once,
                test_signoffs_after_scoped_and_ordered,
                test_signoffs_of_doc_in_seq_order,
                test_put_blob_stores_and_reads_back,
                test_put_blob_empty_file_round_trips,
                test_put_blob_twice_stores_it_once_and_keeps_the_first_uploader,
                test_put_blob_refuses_bytes_that_do_not_match_and_stores_nothing,
                test_put_blob_unknown_branch_refused,
                test_blobs_are_scoped_per_branch,
                test_concurrent_puts_of_one_blob_store_it_once,
            );

            #[test]
            fn test_epoch_differs_between_new_stores() {
                let (a, b) = (fixture(), fixture());
                assert_ne!(a.store.epoch().unwrap(), b.store.epoch().unwrap());
            }

            #[test]
            fn test_server_secret_differs_between_new_stores() {
                let (a, b) = (fixture(), fixture());
                assert_ne!(
                    a.store.server_secret().unwrap(),
                    b.store.server_secret().unwrap()
                );
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

// Attachments' blobs.
#[path = "conformance/blobs.rs"]
mod blobs;
use blobs::*;

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
/// When [`seed_org`] adds its members (Unix seconds).
const T0: i64 = 1_700_000_000;
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
        s.put_member(&m, T0).unwrap();
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
    s.put_member(&renamed, T0).unwrap();
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
            s.put_member(&m, T0).unwrap();
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
        let err = s.put_member(&m, T0).unwrap_err();
        assert!(matches!(err, Error::NotFound(_)), "{err:?}");
    }
    let wrong_committee = member("m-new", C1, Some("b-x"), "Không", Role::Member);
    let err = s.put_member(&wrong_committee, T0).unwrap_err();
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
        s.put_member(&m, T0).unwrap(); // even an identical put is a directory change
        assert_eq!(s.directory_version(C1).unwrap(), expected);
    }
    assert_eq!(s.directory_version(C2).unwrap(), 0);
    s.put_member(&member("m-x", C2, None, "X", Role::Inspector), T0)
        .unwrap();
    assert_eq!(s.directory_version(C2).unwrap(), 1);
    assert_eq!(s.directory_version(C1).unwrap(), 3);
}

fn test_member_moved_between_branches(s: &dyn ServerStore) {
    seed_org(s);
    let v = s.directory_version(C1).unwrap();
    let mut m = s.member(&mid("m-a1")).unwrap().unwrap();
    m.branch_id = Some(bid("b-b"));
    s.put_member(&m, T0).unwrap();
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
    s.put_member(&m, T0).unwrap();
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
    s.put_member(&m, T0).unwrap();
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

/// Device keys are in the directory phones verify approvals against: a new device or a
/// revocation must reach them.
fn test_enrollment_and_revocation_bump_the_directory(s: &dyn ServerStore) {
    seed_org(s);
    let v0 = s.directory_version(C1).unwrap();
    s.create_enrollment_code(code(9), &mid("m-a1"), 10_000)
        .unwrap();
    s.redeem_enrollment_code(code(9), &device("dev-x", "m-a1", 9), 2_000)
        .unwrap()
        .unwrap();
    let v1 = s.directory_version(C1).unwrap();
    assert!(v1 > v0, "enrollment: {v0} → {v1}");
    assert!(s.revoke_device("dev-x", 3_000).unwrap());
    let v2 = s.directory_version(C1).unwrap();
    assert!(v2 > v1, "revocation: {v1} → {v2}");
    // Nothing changes, nothing bumps.
    assert!(!s.revoke_device("dev-x", 3_001).unwrap());
    assert_eq!(s.directory_version(C1).unwrap(), v2);
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

// ----- role history -----------------------------------------------------------------------

fn span(branch: Option<&str>, role: Role, from: i64, until: Option<i64>) -> RoleSpan {
    RoleSpan {
        branch_id: branch.map(bid),
        role,
        from,
        until,
    }
}

fn history(s: &dyn ServerStore, m: &str) -> Vec<RoleSpan> {
    s.role_history(&mid(m)).unwrap()
}

fn test_role_history_opens_a_span_when_a_member_is_added(s: &dyn ServerStore) {
    assert_eq!(history(s, "m-a2"), vec![]);
    seed_org(s);
    assert_eq!(
        history(s, "m-a2"),
        vec![span(Some("b-a"), Role::Secretary, T0, None)]
    );
    assert_eq!(
        history(s, "m-admin"),
        vec![span(None, Role::Admin, T0, None)]
    );
    assert_eq!(history(s, "m-unknown"), vec![]);
}

/// A re-election: the secretary steps down and a member is elected; the former role's span
/// ends exactly where the new one starts.
fn test_role_history_role_change_closes_and_opens(s: &dyn ServerStore) {
    seed_org(s);
    let v = s.directory_version(C1).unwrap();
    let t = T0 + 86_400;
    let mut old = s.member(&mid("m-a2")).unwrap().unwrap();
    old.role = Role::Member;
    s.put_member(&old, t).unwrap();
    let mut new = s.member(&mid("m-a1")).unwrap().unwrap();
    new.role = Role::Secretary;
    s.put_member(&new, t + 1).unwrap();
    assert_eq!(
        history(s, "m-a2"),
        vec![
            span(Some("b-a"), Role::Secretary, T0, Some(t)),
            span(Some("b-a"), Role::Member, t, None),
        ]
    );
    assert_eq!(
        history(s, "m-a1"),
        vec![
            span(Some("b-a"), Role::Member, T0, Some(t + 1)),
            span(Some("b-a"), Role::Secretary, t + 1, None),
        ]
    );
    // Who held the role when: the former secretary's span covers her signing time only.
    let at = |m: &str, when: i64| {
        history(s, m)
            .into_iter()
            .find(|r| r.covers(when))
            .map(|r| r.role)
    };
    assert_eq!(at("m-a2", t - 1), Some(Role::Secretary));
    assert_eq!(at("m-a2", t), Some(Role::Member));
    assert_eq!(at("m-a1", t), Some(Role::Member));
    assert_eq!(at("m-a1", t + 1), Some(Role::Secretary));
    assert_eq!(at("m-a1", T0 - 1), None);
    assert_eq!(s.directory_version(C1).unwrap(), v + 2);
    // Others untouched.
    assert_eq!(
        history(s, "m-b1"),
        vec![span(Some("b-b"), Role::Member, T0, None)]
    );
}

fn test_role_history_branch_move_closes_and_opens(s: &dyn ServerStore) {
    seed_org(s);
    let mut m = s.member(&mid("m-a1")).unwrap().unwrap();
    m.branch_id = Some(bid("b-b"));
    s.put_member(&m, T0 + 10).unwrap();
    assert_eq!(
        history(s, "m-a1"),
        vec![
            span(Some("b-a"), Role::Member, T0, Some(T0 + 10)),
            span(Some("b-b"), Role::Member, T0 + 10, None),
        ]
    );
}

fn test_role_history_committee_move_closes_and_opens(s: &dyn ServerStore) {
    seed_org(s);
    let mut m = s.member(&mid("m-b1")).unwrap().unwrap();
    m.committee_id = C2.into();
    m.branch_id = Some(bid("b-x"));
    m.role = Role::Executive;
    s.put_member(&m, T0 + 10).unwrap();
    assert_eq!(
        history(s, "m-b1"),
        vec![
            span(Some("b-b"), Role::Member, T0, Some(T0 + 10)),
            span(Some("b-x"), Role::Executive, T0 + 10, None),
        ]
    );
}

fn test_role_history_removal_leaves_no_open_span(s: &dyn ServerStore) {
    seed_org(s);
    let mut m = s.member(&mid("m-a2")).unwrap().unwrap();
    m.active = false;
    s.put_member(&m, T0 + 50).unwrap();
    let closed = vec![span(Some("b-a"), Role::Secretary, T0, Some(T0 + 50))];
    assert_eq!(history(s, "m-a2"), closed);
    assert!(history(s, "m-a2").iter().all(|r| r.until.is_some()));
    // Changes while removed (here: the role) open nothing.
    m.role = Role::Member;
    s.put_member(&m, T0 + 60).unwrap();
    assert_eq!(history(s, "m-a2"), closed);
    // Re-admitted: a new span from then on.
    m.active = true;
    s.put_member(&m, T0 + 70).unwrap();
    assert_eq!(
        history(s, "m-a2"),
        vec![
            span(Some("b-a"), Role::Secretary, T0, Some(T0 + 50)),
            span(Some("b-a"), Role::Member, T0 + 70, None),
        ]
    );
}

fn test_role_history_added_inactive_has_no_span(s: &dyn ServerStore) {
    seed_org(s);
    let mut m = member("m-new", C1, Some("b-a"), "Đinh Văn Mới", Role::Member);
    m.active = false;
    s.put_member(&m, T0 + 5).unwrap();
    assert_eq!(history(s, "m-new"), vec![]);
}

fn test_role_history_unchanged_without_role_relevant_change(s: &dyn ServerStore) {
    seed_org(s);
    let before = history(s, "m-a2");
    let v = s.directory_version(C1).unwrap();
    let mut m = s.member(&mid("m-a2")).unwrap().unwrap();
    s.put_member(&m, T0 + 1).unwrap(); // identical
    m.full_name = "Trần Thị Hòa".into();
    s.put_member(&m, T0 + 2).unwrap();
    m.status = MemberStatus::Exempt;
    s.put_member(&m, T0 + 3).unwrap();
    assert_eq!(history(s, "m-a2"), before);
    // Still directory changes.
    assert_eq!(s.directory_version(C1).unwrap(), v + 3);
}

/// An administrator's clock that steps back never makes spans overlap or run backwards.
fn test_role_history_never_runs_backwards(s: &dyn ServerStore) {
    seed_org(s);
    let mut m = s.member(&mid("m-a1")).unwrap().unwrap();
    m.role = Role::Executive;
    s.put_member(&m, T0 - 100).unwrap();
    assert_eq!(
        history(s, "m-a1"),
        vec![
            span(Some("b-a"), Role::Member, T0, Some(T0)),
            span(Some("b-a"), Role::Executive, T0, None),
        ]
    );
    m.active = false;
    s.put_member(&m, T0 + 20).unwrap();
    m.active = true;
    s.put_member(&m, T0 + 10).unwrap(); // before the removal
    let h = history(s, "m-a1");
    assert_eq!(
        h.last(),
        Some(&span(Some("b-a"), Role::Executive, T0 + 20, None))
    );
    for pair in h.windows(2) {
        assert!(
            pair[0]
                .until
                .is_some_and(|u| u >= pair[0].from && u <= pair[1].from)
        );
    }
}

fn test_role_history_refused_put_records_nothing(s: &dyn ServerStore) {
    seed_org(s);
    let before = history(s, "m-a1");
    let mut m = s.member(&mid("m-a1")).unwrap().unwrap();
    m.branch_id = Some(bid("b-none"));
    assert!(matches!(
        s.put_member(&m, T0 + 5).unwrap_err(),
        Error::NotFound(_)
    ));
    m.branch_id = Some(bid("b-x")); // another committee's branch
    assert!(matches!(
        s.put_member(&m, T0 + 6).unwrap_err(),
        Error::InvalidInput(_)
    ));
    assert_eq!(history(s, "m-a1"), before);
    let new = member("m-new", "c-none", None, "Không", Role::Admin);
    assert!(s.put_member(&new, T0).is_err());
    assert_eq!(history(s, "m-new"), vec![]);
}

// ----- plan-approval delegation -----------------------------------------------------------

fn test_committee_settings_default_set_and_directory_version(s: &dyn ServerStore) {
    seed_org(s);
    let (v1, v2) = (
        s.directory_version(C1).unwrap(),
        s.directory_version(C2).unwrap(),
    );
    assert_eq!(
        s.committee_settings(C1).unwrap(),
        CommitteeSettings::default()
    );
    let set = CommitteeSettings {
        evidence_weights: Some("{\"w\": 1}".into()),
        quality_grid: None,
    };
    s.set_committee_settings(C1, &set).unwrap();
    assert_eq!(s.committee_settings(C1).unwrap(), set);
    assert_eq!(s.directory_version(C1).unwrap(), v1 + 1);
    // The other committee is untouched.
    assert_eq!(
        s.committee_settings(C2).unwrap(),
        CommitteeSettings::default()
    );
    assert_eq!(s.directory_version(C2).unwrap(), v2);
    // The same settings again change nothing.
    s.set_committee_settings(C1, &set).unwrap();
    assert_eq!(s.directory_version(C1).unwrap(), v1 + 1);
    let both = CommitteeSettings {
        quality_grid: Some("{\"g\": 2}".into()),
        ..set
    };
    s.set_committee_settings(C1, &both).unwrap();
    assert_eq!(s.committee_settings(C1).unwrap(), both);
    assert_eq!(s.directory_version(C1).unwrap(), v1 + 2);
    // Back to the defaults.
    s.set_committee_settings(C1, &CommitteeSettings::default())
        .unwrap();
    assert_eq!(
        s.committee_settings(C1).unwrap(),
        CommitteeSettings::default()
    );
    assert_eq!(s.directory_version(C1).unwrap(), v1 + 3);
}

fn test_committee_settings_unknown_committee_not_found(s: &dyn ServerStore) {
    let set = CommitteeSettings {
        evidence_weights: Some("{}".into()),
        quality_grid: None,
    };
    assert!(matches!(
        s.set_committee_settings("c-none", &set),
        Err(Error::NotFound(_))
    ));
    assert_eq!(
        s.committee_settings("c-none").unwrap(),
        CommitteeSettings::default()
    );
}

fn test_plan_delegation_spans_and_directory_version(s: &dyn ServerStore) {
    seed_org(s);
    let (v1, v2) = (
        s.directory_version(C1).unwrap(),
        s.directory_version(C2).unwrap(),
    );
    assert_eq!(s.plan_delegations(&bid("b-a")).unwrap(), vec![]);
    s.set_plan_delegation(&bid("b-a"), true, T0 + 10).unwrap();
    let open = Span {
        from: T0 + 10,
        until: None,
    };
    assert_eq!(s.plan_delegations(&bid("b-a")).unwrap(), vec![open]);
    assert_eq!(s.directory_version(C1).unwrap(), v1 + 1);
    // Asking for what already holds changes nothing.
    s.set_plan_delegation(&bid("b-a"), true, T0 + 15).unwrap();
    assert_eq!(s.plan_delegations(&bid("b-a")).unwrap(), vec![open]);
    assert_eq!(s.directory_version(C1).unwrap(), v1 + 1);
    s.set_plan_delegation(&bid("b-a"), false, T0 + 20).unwrap();
    let closed = Span {
        from: T0 + 10,
        until: Some(T0 + 20),
    };
    assert_eq!(s.plan_delegations(&bid("b-a")).unwrap(), vec![closed]);
    assert_eq!(s.directory_version(C1).unwrap(), v1 + 2);
    s.set_plan_delegation(&bid("b-a"), false, T0 + 25).unwrap();
    assert_eq!(s.plan_delegations(&bid("b-a")).unwrap(), vec![closed]);
    assert_eq!(s.directory_version(C1).unwrap(), v1 + 2);
    // Again, with a clock that stepped back: it starts where the last one ended.
    s.set_plan_delegation(&bid("b-a"), true, T0 + 5).unwrap();
    assert_eq!(
        s.plan_delegations(&bid("b-a")).unwrap(),
        vec![
            closed,
            Span {
                from: T0 + 20,
                until: None
            }
        ]
    );
    assert!(s.plan_delegations(&bid("b-a")).unwrap()[0].covers(T0 + 19));
    assert!(!s.plan_delegations(&bid("b-a")).unwrap()[0].covers(T0 + 20));
    // Other branches and committees are untouched.
    assert_eq!(s.plan_delegations(&bid("b-b")).unwrap(), vec![]);
    assert_eq!(s.directory_version(C2).unwrap(), v2);
    s.set_plan_delegation(&bid("b-x"), true, T0).unwrap();
    assert_eq!(s.directory_version(C2).unwrap(), v2 + 1);
    assert_eq!(s.directory_version(C1).unwrap(), v1 + 3);
}

fn test_plan_delegation_unknown_branch_not_found(s: &dyn ServerStore) {
    seed_org(s);
    let v = s.directory_version(C1).unwrap();
    for delegated in [true, false] {
        let err = s
            .set_plan_delegation(&bid("b-none"), delegated, T0)
            .unwrap_err();
        assert!(matches!(err, Error::NotFound(_)), "{err:?}");
    }
    assert_eq!(s.plan_delegations(&bid("b-none")).unwrap(), vec![]);
    assert_eq!(s.directory_version(C1).unwrap(), v);
}

// ----- the server's key -------------------------------------------------------------------

fn test_server_secret_nonzero_and_stable(s: &dyn ServerStore) {
    let key = s.server_secret().unwrap();
    assert_eq!(key.len(), 32);
    assert_ne!(key, [0; 32]);
    seed_docs(s);
    s.put_signoff(&signoff(1, "doc-a", branch_scope("b-a")))
        .unwrap();
    assert_eq!(s.server_secret().unwrap(), key);
    // It is an ed25519 secret: it signs, and its public key verifies.
    let signing = ed25519_dalek::SigningKey::from_bytes(&key);
    let sig = ed25519_dalek::Signer::sign(&signing, b"directory");
    assert!(
        signing
            .verifying_key()
            .verify_strict(b"directory", &sig)
            .is_ok()
    );
}

// ----- sign-offs --------------------------------------------------------------------------

/// Sign-off `n` of `doc` (id: `n` as 32 hex digits), signed by m-a2 on dev-a2.
fn signoff(n: u128, doc: &str, scope: Scope) -> StoredSignoff {
    StoredSignoff {
        seq: 0,
        id: format!("{n:032x}"),
        doc_id: did(doc),
        scope,
        signer: mid("m-a2"),
        device_id: "dev-a2".into(),
        received_at: 1_800_000_000 + n as i64,
        bytes: vec![n as u8; 20 + n as usize],
    }
}

/// Every stored sign-off, to show a refused put left no trace.
fn signoff_state(s: &dyn ServerStore) -> (u64, Vec<StoredSignoff>) {
    let all = [
        branch_scope("b-a"),
        branch_scope("b-b"),
        committee_scope(C1),
    ];
    (
        s.max_signoff_seq().unwrap(),
        s.signoffs_after(&all, 0).unwrap(),
    )
}

fn test_put_signoff_assigns_its_own_sequence(s: &dyn ServerStore) {
    seed_docs(s);
    assert_eq!(s.max_signoff_seq().unwrap(), 0);
    push(s, "doc-a", 1, "dev-a1", 4);
    push(s, "doc-a", 2, "dev-a1", 4);
    let log_seq = s.max_seq().unwrap();
    let a = signoff(1, "doc-a", branch_scope("b-a"));
    let mut seed = a.clone();
    seed.seq = 999; // ignored
    let s1 = s.put_signoff(&seed).unwrap();
    let s2 = s
        .put_signoff(&signoff(2, "doc-c", committee_scope(C1)))
        .unwrap();
    assert!(s1 >= 1 && s2 > s1, "{s1} {s2}");
    assert_eq!(s.max_signoff_seq().unwrap(), s2);
    // The change log's sequence is not touched, and the next change continues it.
    assert_eq!(s.max_seq().unwrap(), log_seq);
    assert_eq!(push(s, "doc-a", 3, "dev-a1", 4), log_seq + 1);
    assert_eq!(s.max_signoff_seq().unwrap(), s2);
    assert_eq!(
        s.signoffs_of(&did("doc-a")).unwrap(),
        vec![StoredSignoff { seq: s1, ..a }]
    );
}

fn test_put_signoff_idempotent_by_id(s: &dyn ServerStore) {
    seed_docs(s);
    let a = signoff(1, "doc-a", branch_scope("b-a"));
    let seq = s.put_signoff(&a).unwrap();
    s.put_signoff(&signoff(2, "doc-a", branch_scope("b-a")))
        .unwrap();
    let before = signoff_state(s);
    // A retry (received again, later) stores nothing and answers the first seq.
    let retry = StoredSignoff {
        received_at: a.received_at + 3_600,
        device_id: "dev-other".into(),
        ..a.clone()
    };
    assert_eq!(s.put_signoff(&retry).unwrap(), seq);
    assert_eq!(s.put_signoff(&a).unwrap(), seq);
    assert_eq!(signoff_state(s), before);
    assert_eq!(
        s.signoffs_of(&did("doc-a")).unwrap()[0],
        StoredSignoff { seq, ..a }
    );
}

fn test_put_signoff_unknown_doc_refused(s: &dyn ServerStore) {
    seed_docs(s);
    let err = s
        .put_signoff(&signoff(1, "doc-none", branch_scope("b-a")))
        .unwrap_err();
    assert!(matches!(err, Error::NotFound(_)), "{err:?}");
    assert_eq!(signoff_state(s), (0, vec![]));
    assert_eq!(s.signoffs_of(&did("doc-none")).unwrap(), vec![]);
    // A refused put spends no seq.
    assert_eq!(
        s.put_signoff(&signoff(2, "doc-a", branch_scope("b-a")))
            .unwrap(),
        1
    );
}

fn test_put_signoff_wrong_scope_refused(s: &dyn ServerStore) {
    seed_docs(s);
    let stored = s
        .put_signoff(&signoff(1, "doc-b", branch_scope("b-b")))
        .unwrap();
    let before = signoff_state(s);
    for scope in [
        branch_scope("b-b"),    // doc-a is in b-a
        branch_scope("b-x"),    // another committee's branch
        committee_scope(C1),    // committee, not branch
        branch_scope("b-none"), // nowhere
    ] {
        let err = s.put_signoff(&signoff(2, "doc-a", scope)).unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    }
    let err = s
        .put_signoff(&signoff(3, "doc-c", branch_scope("b-a")))
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    assert_eq!(signoff_state(s), before);
    assert_eq!(s.signoffs_of(&did("doc-a")).unwrap(), vec![]);
    assert_eq!(s.max_signoff_seq().unwrap(), stored);
}

fn test_put_signoff_malformed_id_refused(s: &dyn ServerStore) {
    seed_docs(s);
    let good = signoff(1, "doc-a", branch_scope("b-a"));
    for id in [
        "",
        "00000000000000000000000000000001 ",
        "0000000000000000000000000000001",
        "000000000000000000000000000000001",
        "0000000000000000000000000000000A",
        "0000000000000000000000000000000g",
    ] {
        let bad = StoredSignoff {
            id: id.into(),
            ..good.clone()
        };
        let err = s.put_signoff(&bad).unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)), "{id:?}: {err:?}");
    }
    assert_eq!(signoff_state(s), (0, vec![]));
}

/// Two devices relaying the same sign-off at once: stored once, both told the same seq.
fn test_concurrent_puts_of_one_signoff_store_it_once(s: &dyn ServerStore) {
    seed_docs(s);
    let seqs: Vec<u64> = std::thread::scope(|scope| {
        let threads: Vec<_> = (0..8)
            .map(|t| {
                scope.spawn(move || {
                    (1..=10u128)
                        .map(|n| {
                            let mut so = signoff(n, "doc-a", branch_scope("b-a"));
                            so.received_at += t;
                            s.put_signoff(&so).unwrap()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        threads
            .into_iter()
            .flat_map(|t| t.join().unwrap())
            .collect()
    });
    let stored = s.signoffs_of(&did("doc-a")).unwrap();
    assert_eq!(stored.len(), 10);
    let distinct: HashSet<u64> = seqs.iter().copied().collect();
    assert_eq!(distinct, stored.iter().map(|so| so.seq).collect());
    assert_eq!(s.max_signoff_seq().unwrap(), stored.last().unwrap().seq);
}

fn test_signoffs_after_scoped_and_ordered(s: &dyn ServerStore) {
    seed_docs(s);
    let batch = AcceptedBatch {
        new_docs: vec![meta("doc-x", DocKind::AnnualPlan, branch_scope("b-x"))],
        ..Default::default()
    };
    s.append(&batch).unwrap();
    let puts = [
        (1, "doc-a", branch_scope("b-a")),
        (2, "doc-b", branch_scope("b-b")),
        (3, "doc-c", committee_scope(C1)),
        (4, "doc-a", branch_scope("b-a")),
        (5, "doc-x", branch_scope("b-x")),
        (6, "doc-b", branch_scope("b-b")),
    ];
    let mut seq_of = std::collections::HashMap::new();
    for (n, doc, scope) in puts {
        seq_of.insert(n, s.put_signoff(&signoff(n, doc, scope)).unwrap());
    }
    let ns = |scopes: &[Scope], after: u64| -> Vec<u128> {
        let found = s.signoffs_after(scopes, after).unwrap();
        assert!(found.windows(2).all(|w| w[0].seq < w[1].seq), "seq order");
        assert!(found.iter().all(|so| so.seq > after));
        found
            .iter()
            .map(|so| u128::from_str_radix(&so.id, 16).unwrap())
            .collect()
    };
    // Branch A's sign-offs never reach branch B's scopes, nor another committee's.
    assert_eq!(ns(&[branch_scope("b-a")], 0), [1, 4]);
    assert_eq!(ns(&[branch_scope("b-b")], 0), [2, 6]);
    assert_eq!(
        ns(&[branch_scope("b-b"), committee_scope(C1)], 0),
        [2, 3, 6]
    );
    assert_eq!(ns(&[branch_scope("b-x"), committee_scope(C2)], 0), [5]);
    // Merged across scopes in seq order, from a cursor, each once.
    let mine = [
        committee_scope(C1),
        branch_scope("b-a"),
        branch_scope("b-a"),
    ];
    assert_eq!(ns(&mine, 0), [1, 3, 4]);
    assert_eq!(ns(&mine, seq_of[&1]), [3, 4]);
    assert_eq!(ns(&mine, seq_of[&4]), Vec::<u128>::new());
    assert_eq!(ns(&[], 0), Vec::<u128>::new());
    assert_eq!(ns(&[branch_scope("b-none")], 0), Vec::<u128>::new());
    // What comes back is what was stored.
    assert_eq!(
        s.signoffs_after(&[committee_scope(C1)], 0).unwrap(),
        vec![StoredSignoff {
            seq: seq_of[&3],
            ..signoff(3, "doc-c", committee_scope(C1))
        }]
    );
}

fn test_signoffs_of_doc_in_seq_order(s: &dyn ServerStore) {
    seed_docs(s);
    // Ids out of order: the store's order is arrival (seq), not id.
    for n in [9, 2, 5] {
        s.put_signoff(&signoff(n, "doc-a", branch_scope("b-a")))
            .unwrap();
        s.put_signoff(&signoff(n + 100, "doc-b", branch_scope("b-b")))
            .unwrap();
    }
    let of_a = s.signoffs_of(&did("doc-a")).unwrap();
    let ids: Vec<String> = of_a.iter().map(|so| so.id.clone()).collect();
    assert_eq!(ids, [9u128, 2, 5].map(|n| format!("{n:032x}")).to_vec());
    assert!(of_a.windows(2).all(|w| w[0].seq < w[1].seq));
    assert!(of_a.iter().all(|so| so.doc_id == did("doc-a")));
    assert_eq!(s.signoffs_of(&did("doc-none")).unwrap(), vec![]);
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
        // Four members put, one device enrolled.
        assert_eq!(s.directory_version(C1).unwrap(), 5);
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
    fn test_sqlite_approvals_and_server_key_survive_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("server.db");
        let (key, so_seq) = {
            let s = SqliteStore::open(&path).unwrap();
            seed_docs(&s);
            let mut m = s.member(&mid("m-a2")).unwrap().unwrap();
            m.role = Role::Member;
            s.put_member(&m, T0 + 10).unwrap();
            s.set_plan_delegation(&bid("b-a"), true, T0 + 20).unwrap();
            let seq = s
                .put_signoff(&signoff(1, "doc-a", branch_scope("b-a")))
                .unwrap();
            (s.server_secret().unwrap(), seq)
        };
        let s = SqliteStore::open(&path).unwrap();
        assert_eq!(s.server_secret().unwrap(), key);
        assert_eq!(
            history(&s, "m-a2"),
            vec![
                span(Some("b-a"), Role::Secretary, T0, Some(T0 + 10)),
                span(Some("b-a"), Role::Member, T0 + 10, None),
            ]
        );
        assert_eq!(
            s.plan_delegations(&bid("b-a")).unwrap(),
            vec![Span {
                from: T0 + 20,
                until: None
            }]
        );
        assert_eq!(s.max_signoff_seq().unwrap(), so_seq);
        assert_eq!(
            s.put_signoff(&signoff(1, "doc-a", branch_scope("b-a")))
                .unwrap(),
            so_seq
        );
        assert!(
            s.put_signoff(&signoff(2, "doc-a", branch_scope("b-a")))
                .unwrap()
                > so_seq
        );
    }

    #[test]
    fn test_sqlite_server_key_stable_across_reopen_and_differs_per_file() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.db");
        let first = SqliteStore::open(&a).unwrap().server_secret().unwrap();
        assert_ne!(first, [0; 32]);
        assert_eq!(
            SqliteStore::open(&a).unwrap().server_secret().unwrap(),
            first
        );
        // Marking a restore changes the epoch, never the key the phones pinned.
        let mut restored = SqliteStore::open(&a).unwrap();
        restored.mark_restored().unwrap();
        assert_eq!(restored.server_secret().unwrap(), first);
        drop(restored);
        let b = SqliteStore::open(dir.path().join("b.db")).unwrap();
        assert_ne!(b.server_secret().unwrap(), first);
    }

    /// A database made by the build before migration 002 (only 001 applied) opens, migrates,
    /// and knows its members' current roles (from the migration on) and a server key.
    #[test]
    fn test_sqlite_upgrade_from_001_keeps_members_and_adds_roles_and_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("server.db");
        let epoch: i64 = 4_242;
        {
            let conn = rusqlite::Connection::open(&path).unwrap();
            conn.execute_batch(include_str!("../src/store/sql/001_init.sql"))
                .unwrap();
            conn.pragma_update(None, "user_version", 1).unwrap();
            conn.execute_batch(&format!(
                "INSERT INTO meta (id, epoch) VALUES (1, {epoch});
                 INSERT INTO committees (id, name) VALUES ('{C1}', 'Đảng bộ');
                 INSERT INTO branches (id, committee_id, name) VALUES ('b-a', '{C1}', 'Chi bộ A');
                 INSERT INTO members (id, committee_id, branch_id, full_name, role, status, active)
                     VALUES ('m-sec', '{C1}', 'b-a', 'Trần Thị Hoà', 'Secretary', 'Full', 1),
                            ('m-insp', '{C1}', NULL, 'Lê Văn Kiểm', 'Inspector', 'Full', 1),
                            ('m-gone', '{C1}', 'b-a', 'Phan Văn Đi', 'Member', 'Full', 0);
                 INSERT INTO directory_versions (committee_id, version) VALUES ('{C1}', 3);"
            ))
            .unwrap();
        }
        let before = sotay_core::model::now_unix();
        let s = SqliteStore::open(&path).unwrap();
        let after = sotay_core::model::now_unix();
        assert_eq!(s.epoch().unwrap(), epoch as u64);
        assert_eq!(s.members(C1).unwrap().len(), 3);
        assert_eq!(s.directory_version(C1).unwrap(), 3);
        let sec = history(&s, "m-sec");
        assert_eq!(sec.len(), 1, "{sec:?}");
        assert_eq!(
            (sec[0].branch_id.clone(), sec[0].role, sec[0].until),
            (Some(bid("b-a")), Role::Secretary, None)
        );
        assert!(
            (before..=after).contains(&sec[0].from),
            "{} not in {before}..={after}",
            sec[0].from
        );
        assert_eq!(
            history(&s, "m-insp"),
            vec![span(None, Role::Inspector, sec[0].from, None)]
        );
        assert_eq!(history(&s, "m-gone"), vec![]); // removed: holds nothing
        let key = s.server_secret().unwrap();
        assert_ne!(key, [0; 32]);
        // Works as a current database: a re-election closes the migrated span.
        let mut m = s.member(&mid("m-sec")).unwrap().unwrap();
        m.role = Role::Member;
        s.put_member(&m, after + 100).unwrap();
        assert_eq!(history(&s, "m-sec")[0].until, Some(after + 100));
        drop(s);
        let s = SqliteStore::open(&path).unwrap();
        assert_eq!(s.server_secret().unwrap(), key);
        assert_eq!(history(&s, "m-sec").len(), 2);
        let conn = rusqlite::Connection::open(&path).unwrap();
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION);
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
