//! The sync client as steps (`SyncSession`): the store is lent only to build a round and to
//! apply its reply, so members edit while a round is on the network. These tests play the
//! server's part with crafted replies (the end-to-end tests in `tests/` use a real one) and
//! edit the store between the steps: nothing written meanwhile is lost or counted as sent.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use automerge::ChangeHash;
use sotay_core::ids::{DocKind, MemberId};
use sotay_core::model::plan::{self, NewPlan};
use sotay_core::model::{Document, Editor, now_unix};
use sotay_core::protocol::{self, Cursor, DocHeads, PullData, PullDoc, SyncResponse};
use sotay_core::store::{Enrollment, SyncErrorKind};
use sotay_core::sync::{ClientConfig, Reply, Round, SyncSession};
use sotay_core::{Error, Store};

mod common;
use common::{new_plan, topic};

fn enrolled(dir: &tempfile::TempDir, name: &str) -> Store {
    let mut s = Store::open(dir.path().join(name)).unwrap();
    s.set_enrollment(&Enrollment {
        // Nothing listens here: these tests never send (they craft the replies).
        server_url: "http://127.0.0.1:9".into(),
        device_id: format!("d-{name}"),
        member_id: MemberId::new("m-viet"),
        committee_id: "c".into(),
        enrolled_at: 0,
    })
    .unwrap();
    s
}

fn cfg() -> ClientConfig {
    ClientConfig {
        timeout: Duration::from_secs(1),
        attempts: 1,
        backoff: Duration::from_millis(1),
        budget: 0,
    }
}

fn sorted(mut h: Vec<ChangeHash>) -> Vec<ChangeHash> {
    h.sort();
    h
}

/// What a server answers when it accepted every push of `round` (acks only) plus `extra`.
fn reply_accepting(round: &Round, seq: u64, extra: impl FnOnce(&mut SyncResponse)) -> Reply {
    let mut resp = SyncResponse {
        cursor: Cursor { epoch: 7, seq },
        acks: round
            .pushes()
            .iter()
            .map(|p| DocHeads {
                doc_id: p.push.doc_id.clone(),
                // The server's heads; the phone records the heads it pushed, not these.
                heads: p.heads.iter().map(|h| h.0).collect(),
            })
            .collect(),
        ..Default::default()
    };
    extra(&mut resp);
    Reply::received(round, protocol::encode(&resp).unwrap())
}

#[test]
fn test_an_edit_between_building_and_applying_a_round_is_pushed_by_the_next_round() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = enrolled(&dir, "viet.sotay");
    let plan = store.create_plan(&new_plan()).unwrap();

    let mut session = SyncSession::begin(&mut store, &cfg()).unwrap();
    let round = session.next_round(&mut store).unwrap().unwrap();
    assert_eq!(round.number(), 1);
    let pushed = round
        .pushes()
        .iter()
        .find(|p| p.push.doc_id == plan)
        .unwrap();
    let pushed_heads = sorted(pushed.heads.clone());
    assert_eq!(pushed.push.changes.len(), 1);

    // While the round is on the network, the member adds a topic.
    store
        .add_topic(&plan, &topic("An toàn lao động", 3))
        .unwrap();
    let heads_after_edit = sorted(store.export_document(&plan).unwrap().heads());
    assert_ne!(heads_after_edit, pushed_heads);

    let reply = reply_accepting(&round, 1, |_| {});
    let progress = session.apply(&mut store, round, reply).unwrap();
    assert!(!progress.more);
    // Acknowledged: exactly what was pushed. The edit is still waiting, and only it.
    assert_eq!(sorted(store.acked_heads(&plan).unwrap()), pushed_heads);
    assert_eq!(store.documents_with_unsent().unwrap(), vec![plan.clone()]);
    let edit_only = store
        .export_document(&plan)
        .unwrap()
        .changes_since(&pushed_heads);
    assert_eq!(edit_only.len(), 1);
    assert_eq!(store.unsent_changes(&plan).unwrap(), edit_only);
    assert_eq!(
        store.sync_state().unwrap().cursor,
        Cursor { epoch: 7, seq: 1 }
    );

    assert!(session.next_round(&mut store).unwrap().is_none());
    let report = session.finish(&mut store, Ok(())).unwrap();
    assert_eq!((report.docs_pushed, report.changes_pushed), (1, 1));
    assert!(
        report.changed.is_empty(),
        "pushes alone change nothing shown"
    );
    assert!(store.sync_state().unwrap().last_sync_at.is_some());

    // The next sync pushes the edit, and only it.
    let mut session = SyncSession::begin(&mut store, &cfg()).unwrap();
    let round = session.next_round(&mut store).unwrap().unwrap();
    let push = &round.pushes()[0];
    assert_eq!(push.push.changes, edit_only);
    assert_eq!(sorted(push.heads.clone()), heads_after_edit);
    let reply = reply_accepting(&round, 2, |_| {});
    session.apply(&mut store, round, reply).unwrap();
    session.finish(&mut store, Ok(())).unwrap();
    assert!(store.documents_with_unsent().unwrap().is_empty());
    assert_eq!(sorted(store.acked_heads(&plan).unwrap()), heads_after_edit);
}

#[test]
fn test_pulled_changes_merge_with_an_edit_made_between_the_steps_and_are_listed_as_changed() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = enrolled(&dir, "viet.sotay");
    let plan = store.create_plan(&new_plan()).unwrap();
    let quiet = store
        .create_plan(&NewPlan {
            number: "02-KH/CB".into(),
            ..new_plan()
        })
        .unwrap();
    // Both plans are on the server already.
    let mut session = SyncSession::begin(&mut store, &cfg()).unwrap();
    let round = session.next_round(&mut store).unwrap().unwrap();
    assert_eq!(round.pushes().len(), 2);
    let reply = reply_accepting(&round, 1, |_| {});
    session.apply(&mut store, round, reply).unwrap();
    session.finish(&mut store, Ok(())).unwrap();

    // Another member's phone adds a topic to the plan.
    let mut other: Document = store.export_document(&plan).unwrap();
    let base = other.heads();
    plan::add_topic(
        &mut other,
        &Editor {
            member: MemberId::new("m-luong"),
            time: now_unix(),
        },
        &topic("Tiết kiệm vật tư", 6),
    )
    .unwrap();
    let theirs = other.changes_since(&base);

    // This phone's round goes out with nothing to push …
    let mut session = SyncSession::begin(&mut store, &cfg()).unwrap();
    let round = session.next_round(&mut store).unwrap().unwrap();
    assert!(round.pushes().is_empty());
    // … the member edits meanwhile …
    store
        .add_topic(&plan, &topic("An toàn lao động", 3))
        .unwrap();
    // … and the reply brings the other member's topic.
    let reply = reply_accepting(&round, 2, |r| {
        r.docs.push(PullDoc {
            doc_id: plan.clone(),
            kind: DocKind::AnnualPlan,
            data: PullData::Changes(theirs.clone()),
        });
    });
    session.apply(&mut store, round, reply).unwrap();
    let report = session.finish(&mut store, Ok(())).unwrap();
    assert_eq!(report.docs_pulled, 1);
    assert_eq!(report.changed, vec![plan.clone()]);

    let titles: Vec<String> = store
        .plan(&plan)
        .unwrap()
        .topics
        .into_iter()
        .map(|t| t.title)
        .collect();
    assert_eq!(titles.len(), 2, "{titles:?}");
    // The local edit is still unsent (the pull did not count it as the server's) …
    let unsent = store.unsent_changes(&plan).unwrap();
    assert_eq!(unsent.len(), 1);
    assert!(!theirs.contains(&unsent[0]));
    // … and the untouched plan stays in step.
    assert_eq!(store.documents_with_unsent().unwrap(), vec![plan.clone()]);
    assert!(store.unsent_changes(&quiet).unwrap().is_empty());
}

#[test]
fn test_a_reply_that_does_not_decode_changes_nothing_and_the_failure_kind_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("viet.sotay");
    let mut store = enrolled(&dir, "viet.sotay");
    let plan = store.create_plan(&new_plan()).unwrap();
    let mut session = SyncSession::begin(&mut store, &cfg()).unwrap();
    let round = session.next_round(&mut store).unwrap().unwrap();
    let garbage = Reply::received(&round, vec![0x28, 0xb5, 0x2f, 0xfd, 1, 2, 3]);
    let e = session.apply(&mut store, round, garbage).unwrap_err();
    let e = session.finish(&mut store, Err(e)).unwrap_err();
    assert!(matches!(e, Error::InvalidInput(_)), "{e}");
    let state = store.sync_state().unwrap();
    assert_eq!(state.cursor, Cursor::default());
    assert_eq!(state.last_error_kind, Some(SyncErrorKind::Other));
    assert_eq!(store.documents_with_unsent().unwrap(), vec![plan]);

    // Offline, then a refusal: each is kept with its kind, across a restart.
    for (error, kind) in [
        (
            Error::Offline("connection refused".into()),
            SyncErrorKind::Offline,
        ),
        (
            Error::Server {
                status: 401,
                code: "device_revoked".into(),
                message: "re-enroll".into(),
            },
            SyncErrorKind::ServerRefused {
                status: 401,
                code: "device_revoked".into(),
            },
        ),
    ] {
        let message = error.to_string();
        let session = SyncSession::begin(&mut store, &cfg()).unwrap();
        session.finish(&mut store, Err(error)).unwrap_err();
        drop(store);
        store = Store::open(&path).unwrap();
        let state = store.sync_state().unwrap();
        assert_eq!(state.last_error_kind, Some(kind));
        assert_eq!(state.last_error, Some(message));
    }
    // A successful sync clears it.
    let session = SyncSession::begin(&mut store, &cfg()).unwrap();
    session.finish(&mut store, Ok(())).unwrap();
    let state = store.sync_state().unwrap();
    assert_eq!((state.last_error, state.last_error_kind), (None, None));
}

#[test]
fn test_a_session_stops_when_the_device_is_enrolled_again_meanwhile() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = enrolled(&dir, "viet.sotay");
    store.create_plan(&new_plan()).unwrap();
    let mut session = SyncSession::begin(&mut store, &cfg()).unwrap();
    let round = session.next_round(&mut store).unwrap().unwrap();
    store
        .set_enrollment(&Enrollment {
            server_url: "http://127.0.0.1:10".into(),
            device_id: "d-new".into(),
            member_id: MemberId::new("m-viet"),
            committee_id: "c".into(),
            enrolled_at: 1,
        })
        .unwrap();
    let reply = reply_accepting(&round, 99, |_| {});
    let e = session.apply(&mut store, round, reply).unwrap_err();
    assert!(matches!(e, Error::InvalidInput(_)), "{e}");
    // Nothing of the old server's reply was applied to the new enrollment.
    assert_eq!(store.sync_state().unwrap().cursor, Cursor::default());
    assert_eq!(store.documents_with_unsent().unwrap().len(), 1);
}

#[test]
fn test_set_server_url_keeps_enrollment_cursors_and_queue() {
    let dir = tempfile::tempdir().unwrap();
    let mut unenrolled = Store::open(dir.path().join("none.sotay")).unwrap();
    assert!(matches!(
        unenrolled.set_server_url("https://sotay.example.vn"),
        Err(Error::NotEnrolled)
    ));

    let mut store = enrolled(&dir, "viet.sotay");
    let plan = store.create_plan(&new_plan()).unwrap();
    let mut state = store.sync_state().unwrap();
    state.cursor = Cursor { epoch: 7, seq: 42 };
    state.signoff_cursor = 5;
    state.directory_version = 3;
    store.set_sync_state(&state).unwrap();
    let before = store.enrollment().unwrap().unwrap();

    for bad in [
        "",
        "sotay.example.vn",
        "ftp://sotay.example.vn",
        "http://",
        "http://a b",
    ] {
        assert!(
            matches!(store.set_server_url(bad), Err(Error::InvalidInput(_))),
            "{bad:?}"
        );
    }
    store
        .set_server_url(" https://sotay-moi.example.vn:8443/ ")
        .unwrap();
    let after = store.enrollment().unwrap().unwrap();
    assert_eq!(after.server_url, "https://sotay-moi.example.vn:8443");
    assert_eq!(
        (&after.device_id, &after.member_id, &after.committee_id),
        (&before.device_id, &before.member_id, &before.committee_id)
    );
    assert_eq!(store.sync_state().unwrap(), state);
    assert_eq!(store.identity(), Some(&MemberId::new("m-viet")));
    assert_eq!(store.documents_with_unsent().unwrap(), vec![plan]);
}
