//! End to end: real server on 127.0.0.1:0, real phone stores on temp files.
#![allow(clippy::unwrap_used)]

use sotay_core::ids::{BranchId, DocKind, MemberId};
use sotay_core::model::plan::{NewPlan, NewTopic, TopicField};
use sotay_core::model::text_doc::{CommentKind, NewComment, NewTextDoc};
use sotay_tests::harness::{Phone, TestServer};

fn plan() -> NewPlan {
    sotay_tests::plan_for("b-co-dien", "01-KH/CB")
}

fn topic(title: &str, month: u8) -> NewTopic {
    sotay_tests::simple_topic(title, month)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_two_phones_edit_offline_sync_and_converge_with_a_visible_conflict() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    let mut viet = Phone::enroll(&dir.path().join("viet.sotay"), &server, "m-viet")
        .await
        .unwrap();
    let mut luong = Phone::enroll(&dir.path().join("luong.sotay"), &server, "m-luong")
        .await
        .unwrap();

    // The secretary drafts the plan offline, then syncs once.
    let plan_id = viet.store.create_plan(&plan()).unwrap();
    let t = viet
        .store
        .add_topic(&plan_id, &topic("Giảm thời gian dừng máy", 4))
        .unwrap();
    let r = viet.sync().await.unwrap();
    assert_eq!(r.docs_pushed, 1, "{r:?}");
    assert_eq!(r.round_trips, 1, "{r:?}");
    assert!(r.rejected.is_empty(), "{r:?}");

    // The member receives it, with the branch directory.
    let r = luong.sync().await.unwrap();
    assert!(r.docs_pulled >= 1, "{r:?}");
    assert_eq!(luong.store.plan(&plan_id).unwrap().topics.len(), 1);
    let n = luong.store.members().unwrap().len();
    assert!(
        n >= 16,
        "directory has {n} members; state {:?}",
        luong.store.sync_state()
    );

    // Both edit offline: the same field differently, and a comment on a draft.
    viet.store
        .set_topic_field(
            &plan_id,
            &t,
            &TopicField::Presenter(Some(MemberId::new("m-anh"))),
        )
        .unwrap();
    luong
        .store
        .set_topic_field(
            &plan_id,
            &t,
            &TopicField::Presenter(Some(MemberId::new("m-luong"))),
        )
        .unwrap();
    let draft = luong
        .store
        .create_text_doc(&NewTextDoc {
            kind: DocKind::TopicDraft,
            branch_id: BranchId::new("b-co-dien"),
            plan_id: Some(plan_id.clone()),
            topic_id: Some(t.clone()),
            title: "Dự thảo".into(),
            description: String::new(),
            body: "Dừng máy ngoài kế hoạch làm giảm sản lượng.".into(),
        })
        .unwrap();
    luong
        .store
        .add_comment(
            &draft,
            &NewComment {
                kind: CommentKind::Proposal,
                body: "Bảo dưỡng theo ca".into(),
                anchor: Some((0, 8)),
                reply_to: None,
            },
        )
        .unwrap();

    luong.sync().await.unwrap();
    let r = viet.sync().await.unwrap();
    assert_eq!(r.round_trips, 1, "push and pull in one round trip: {r:?}");
    luong.sync().await.unwrap();

    for phone in [&mut viet, &mut luong] {
        let conflicts = phone.store.conflicts(Some(&plan_id)).unwrap();
        assert_eq!(conflicts.len(), 1, "{conflicts:?}");
        let mut values: Vec<String> = conflicts[0]
            .1
            .values
            .iter()
            .map(|v| v.value.clone())
            .collect();
        values.sort();
        assert_eq!(values, ["m-anh", "m-luong"]);
        let d = phone.store.text_doc(&draft).unwrap();
        assert_eq!(d.comments.len(), 1);
        assert_eq!(d.comments[0].anchor.as_ref().unwrap().current, "Dừng máy");
    }
    let a = viet.store.plan(&plan_id).unwrap();
    let b = luong.store.plan(&plan_id).unwrap();
    assert_eq!(a, b);

    // Idle: nothing to send, nothing to get: one small round trip.
    let r = viet.sync().await.unwrap();
    assert_eq!(r.round_trips, 1);
    assert_eq!(r.docs_pulled + r.docs_pushed, 0, "{r:?}");
    assert!(
        r.bytes_up + r.bytes_down < 256,
        "idle sync moved {} bytes",
        r.bytes_up + r.bytes_down
    );
    server.stop().await;
}

/// The client's steps against the real server: an edit made while a round is on the network
/// is neither lost nor counted as sent; the next round pushes it, and the other phone gets
/// both, its sync naming exactly the document that changed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_an_edit_made_while_a_round_is_on_the_network_is_pushed_next_round() {
    use sotay_core::sync::{ClientConfig, SyncSession};

    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    let mut viet = Phone::enroll(&dir.path().join("viet.sotay"), &server, "m-viet")
        .await
        .unwrap();
    let mut luong = Phone::enroll(&dir.path().join("luong.sotay"), &server, "m-luong")
        .await
        .unwrap();
    let plan_id = viet.store.create_plan(&plan()).unwrap();
    let untouched = viet
        .store
        .create_plan(&sotay_tests::plan_for("b-co-dien", "02-KH/CB"))
        .unwrap();
    viet.sync().await.unwrap();
    let r = luong.sync().await.unwrap();
    let mut both = vec![plan_id.clone(), untouched.clone()];
    both.sort();
    assert_eq!(r.changed, both);

    let cfg = ClientConfig::default();
    let mut session = SyncSession::begin(&mut viet.store, &cfg).unwrap();
    viet.store
        .add_topic(&plan_id, &topic("Giảm thời gian dừng máy", 4))
        .unwrap();
    let round = session.next_round(&mut viet.store).unwrap().unwrap();
    let pushed = round.pushes()[0].heads.clone();
    assert_eq!(round.pushes().len(), 1);
    // The round is built; until its reply is applied, the store is free for edits. The
    // member adds a second topic.
    let exchange = session.exchange(&round);
    viet.store
        .add_topic(&plan_id, &topic("Tiết kiệm vật tư", 6))
        .unwrap();
    let reply = exchange.await.unwrap();
    session.apply(&mut viet.store, round, reply).unwrap();
    let mut acked = viet.store.acked_heads(&plan_id).unwrap();
    acked.sort();
    let mut pushed_sorted = pushed.clone();
    pushed_sorted.sort();
    assert_eq!(
        acked, pushed_sorted,
        "the ack covers exactly what was pushed"
    );
    assert_eq!(
        viet.store.documents_with_unsent().unwrap(),
        vec![plan_id.clone()]
    );
    assert!(session.next_round(&mut viet.store).unwrap().is_none());
    session.finish(&mut viet.store, Ok(())).unwrap();

    // The server has only the first topic so far.
    let r = luong.sync().await.unwrap();
    assert_eq!(r.changed, vec![plan_id.clone()]);
    assert_eq!(luong.store.plan(&plan_id).unwrap().topics.len(), 1);

    // The next sync pushes the second topic, and only it.
    let r = viet.sync().await.unwrap();
    assert_eq!((r.docs_pushed, r.changes_pushed), (1, 1), "{r:?}");
    assert!(viet.store.documents_with_unsent().unwrap().is_empty());
    let r = luong.sync().await.unwrap();
    assert_eq!(r.changed, vec![plan_id.clone()], "not {untouched}");
    assert_eq!(luong.store.plan(&plan_id).unwrap().topics.len(), 2);
    // Nothing new: nothing changed.
    assert!(luong.sync().await.unwrap().changed.is_empty());
}

/// A server that moved: the phone keeps its enrollment, cursors and queue, and its next sync
/// goes to the new address (no download from scratch).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_set_server_url_follows_a_moved_server_without_starting_over() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    let mut viet = Phone::enroll(&dir.path().join("viet.sotay"), &server, "m-viet")
        .await
        .unwrap();
    let plan_id = viet.store.create_plan(&plan()).unwrap();
    viet.sync().await.unwrap();
    let cursor = viet.store.sync_state().unwrap().cursor;

    // The server moves: the old address answers nothing.
    let (store, codes) = (server.store.clone(), server.codes.clone());
    server.stop().await;
    let moved = TestServer::serve(store, codes).await;
    viet.store
        .add_topic(&plan_id, &topic("Giảm thời gian dừng máy", 4))
        .unwrap();
    let e = viet
        .sync_with(&sotay_core::sync::ClientConfig {
            attempts: 1,
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert!(matches!(e, sotay_core::Error::Offline(_)), "{e}");

    viet.store.set_server_url(&moved.url).unwrap();
    let r = viet.sync().await.unwrap();
    assert_eq!((r.docs_pushed, r.docs_pulled), (1, 0), "{r:?}");
    let state = viet.store.sync_state().unwrap();
    assert_eq!(state.cursor.epoch, cursor.epoch);
    assert!(state.cursor.seq > cursor.seq);
    assert_eq!(state.last_error_kind, None);
    assert_eq!(
        viet.store.enrollment().unwrap().unwrap().server_url,
        moved.url
    );
}
