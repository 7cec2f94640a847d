//! The session cycle end to end (Step 5, `docs/sessions.md`): a real server on 127.0.0.1:0,
//! real phone stores. The secretary publishes an approved draft, members open it and the
//! receipts reach the secretary's distribution report; branches never see each other's
//! sessions or receipts; the server refuses what the roles forbid even from a modified phone
//! (changes and sign-offs sent raw, signed with the phone's own device key); and minutes
//! signed offline by their chair and clerk are adopted on every phone.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use common::{device_key, send};
use sotay_core::Error;
use sotay_core::approval::{self, Adoption, Signoff, SignoffAction, SignoffFields};
use sotay_core::ids::{BranchId, DocId, DocKind, MemberId, TopicId};
use sotay_core::model::plan::NewTopic;
use sotay_core::model::session::{SessionField, TaskStatus};
use sotay_core::model::text_doc::NewTextDoc;
use sotay_core::model::{Editor, now_unix, reading_log};
use sotay_core::org::{Member, MemberStatus, Role};
use sotay_core::protocol::{PROTOCOL_VERSION, PushDoc, SignoffRefusal, SyncRequest, SyncResponse};
use sotay_server::admin::{self, NewMember};
use sotay_server::demo;
use sotay_server::store::ServerStore;
use sotay_tests::harness::{Phone, TestServer};

const BRANCH: &str = "b-co-dien";
/// Another branch of the demo committee, and the secretary the tests give it.
const BRANCH_B: &str = "b-khoi-co-quan";
const MEMBER_B: &str = "m-khac";

fn branch() -> BranchId {
    BranchId::new(BRANCH)
}

fn m(s: &str) -> MemberId {
    MemberId::new(s)
}

async fn phone(dir: &Path, server: &TestServer, member: &str) -> Phone {
    phone_file(dir, server, member, member).await
}

/// A phone of `member` on its own file (a member may have two).
async fn phone_file(dir: &Path, server: &TestServer, member: &str, file: &str) -> Phone {
    let mut p = Phone::enroll(&dir.join(format!("{file}.sotay")), server, member)
        .await
        .unwrap();
    // The first sync brings the signed directory and the branch's documents.
    p.sync().await.unwrap();
    p
}

/// Syncs and asserts the server refused nothing.
async fn sync_ok(p: &mut Phone) {
    let r = p.sync().await.unwrap();
    assert!(
        r.rejected.is_empty() && r.signoffs_refused.is_empty() && r.deferred.is_empty(),
        "{}: {r:?}",
        p.member
    );
}

/// Makes the phone believe its member holds `role` (a modified phone: the local directory
/// is the user's to edit), so the phone's own checks let the edit through to the server.
fn pretend(p: &mut Phone, role: Role) {
    let me = p
        .store
        .members()
        .unwrap()
        .into_iter()
        .find(|x| x.id == p.member)
        .unwrap();
    p.store.upsert_member(&Member { role, ..me }).unwrap();
}

/// Sends changes of one document raw, signed as `p`'s device.
async fn push_changes(
    server: &TestServer,
    p: &mut Phone,
    doc: &DocId,
    kind: DocKind,
    changes: Vec<Vec<u8>>,
) -> SyncResponse {
    let req = SyncRequest {
        version: PROTOCOL_VERSION,
        push: vec![PushDoc {
            doc_id: doc.clone(),
            kind,
            changes,
        }],
        ..Default::default()
    };
    send(server, p, &req).await
}

/// Asserts the server refused the push of `doc` with `code`.
fn assert_rejected(resp: &SyncResponse, doc: &DocId, code: &str) {
    let r = resp
        .rejected
        .iter()
        .find(|x| &x.doc_id == doc)
        .unwrap_or_else(|| panic!("not rejected: {resp:?}"));
    assert_eq!(r.code, code, "{r:?}");
    assert!(resp.acks.iter().all(|a| &a.doc_id != doc), "{resp:?}");
}

/// The secretary's plan (one topic Lượng prepares and presents), Lượng's draft of it
/// approved by the secretary, and a session of that topic with the draft published; synced
/// to the server (the phones given sync after).
async fn published(viet: &mut Phone, luong: &mut Phone) -> (DocId, DocId, DocId) {
    let plan = viet
        .store
        .create_plan(&sotay_tests::plan_for(BRANCH, "01-KH/CB"))
        .unwrap();
    let topic: TopicId = viet
        .store
        .add_topic(
            &plan,
            &NewTopic {
                preparers: vec![m("m-luong")],
                presenter: Some(m("m-luong")),
                ..sotay_tests::simple_topic("Giải pháp giảm thời gian dừng máy", 3)
            },
        )
        .unwrap();
    sync_ok(viet).await;
    sync_ok(luong).await;
    let draft = luong
        .store
        .create_text_doc(&NewTextDoc {
            kind: DocKind::TopicDraft,
            branch_id: branch(),
            plan_id: Some(plan.clone()),
            topic_id: Some(topic.clone()),
            title: "Dự thảo chuyên đề dừng máy".into(),
            description: String::new(),
            body: "Dừng máy ngoài kế hoạch làm giảm sản lượng.".into(),
        })
        .unwrap();
    luong
        .store
        .submit_for_approval(&draft, "Đề nghị duyệt")
        .unwrap();
    sync_ok(luong).await;
    sync_ok(viet).await;
    // Offline on the secretary's phone: approve, create the session, publish the draft.
    viet.store.approve(&draft, "Đồng ý").unwrap();
    let session = viet
        .store
        .create_session_for_topic(
            &plan,
            &topic,
            Some(sotay_core::date::parse("2026-03-10").unwrap()),
        )
        .unwrap();
    viet.store.publish(&session, &draft).unwrap();
    sync_ok(viet).await;
    (plan, draft, session)
}

/// Adds [`MEMBER_B`], branch B's secretary.
fn add_member_b(server: &TestServer) {
    admin::add_member(
        server.store.as_ref(),
        &NewMember {
            id: MEMBER_B.into(),
            committee_id: demo::committee_id().unwrap(),
            branch_id: Some(BRANCH_B.into()),
            full_name: "Lò Văn Khác".into(),
            role: Role::Secretary,
            status: MemberStatus::Full,
        },
        now_unix(),
    )
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_a_published_draft_is_opened_and_the_secretary_sees_who_read_it() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    let mut viet = phone(dir.path(), &server, "m-viet").await;
    let mut luong = phone(dir.path(), &server, "m-luong").await;
    let (_, draft, session) = published(&mut viet, &mut luong).await;

    // Lượng's phone receives the session; the draft is on his reading list, unread.
    sync_ok(&mut luong).await;
    let list = luong.store.reading_list().unwrap();
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!((&list[0].doc_id, &list[0].session_id), (&draft, &session));
    assert_eq!(list[0].opened_at, None);
    assert_eq!(luong.store.needs_me().unwrap().to_read.len(), 1);
    let dist = luong.store.session(&session).unwrap().distribution;
    let approved = viet.store.signoffs(&draft).unwrap();
    let approval = approved
        .iter()
        .find(|s| s.action == SignoffAction::Approve)
        .unwrap();
    let mut heads: Vec<String> = approval
        .change_hashes()
        .iter()
        .map(|h| h.to_string())
        .collect();
    heads.sort();
    assert_eq!(dist[0].heads, heads, "the approved version went out");

    // He opens it offline, then syncs.
    assert!(luong.store.mark_opened(&draft).unwrap());
    assert!(luong.store.unread_materials().unwrap().is_empty());
    sync_ok(&mut luong).await;
    let log = reading_log::id_for(&branch(), &m("m-luong"));
    assert!(server.store.doc_meta(&log).unwrap().is_some());

    // The secretary's phone: Lượng opened it, the others of the branch have not.
    sync_ok(&mut viet).await;
    let report = viet.store.distribution_report(&session).unwrap();
    assert_eq!(report.len(), 1);
    let opened: Vec<&MemberId> = report[0].opened.iter().map(|(x, _)| x).collect();
    assert_eq!(opened, [&m("m-luong")]);
    assert!(!report[0].not_opened.contains(&m("m-luong")));
    assert!(report[0].not_opened.contains(&m("m-viet")));
    assert!(report[0].not_opened.contains(&m("m-thuy")));
    assert_eq!(
        report[0].opened.len() + report[0].not_opened.len(),
        sotay_tests::sample().demo_branch.members.len()
    );
    assert_eq!(
        Some(report[0].opened[0].1),
        luong.store.reading_list().unwrap()[0].opened_at
    );

    // Branch B's phone never receives branch A's session or receipts.
    add_member_b(&server);
    let mut khac = phone(dir.path(), &server, MEMBER_B).await;
    sync_ok(&mut khac).await;
    assert!(!khac.store.has_document(&session).unwrap());
    assert!(!khac.store.has_document(&log).unwrap());
    assert!(!khac.store.has_document(&draft).unwrap());
    let kinds: Vec<Option<DocKind>> = khac
        .store
        .document_ids()
        .unwrap()
        .into_iter()
        .map(|(_, k)| k)
        .collect();
    assert!(
        !kinds.contains(&Some(DocKind::Session)) && !kinds.contains(&Some(DocKind::ReadingLog)),
        "{kinds:?}"
    );
    assert!(khac.store.reading_list().unwrap().is_empty());
    assert!(khac.store.session_rows(None).unwrap().is_empty());
}

/// Bug found by these tests: the reading log is one document per member, created by the
/// first of the member's phones that opens a material — on two phones offline, twice. The
/// server refused the second phone's log forever ("doc_id written twice"), though both
/// creations write the same header and merge without loss (`docs/sessions.md`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_two_phones_of_one_member_open_offline_and_both_receipts_sync() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    let mut viet = phone(dir.path(), &server, "m-viet").await;
    let mut luong = phone(dir.path(), &server, "m-luong").await;
    let (_, draft, session) = published(&mut viet, &mut luong).await;
    let mut tablet = phone_file(dir.path(), &server, "m-luong", "m-luong-tablet").await;
    sync_ok(&mut luong).await;
    sync_ok(&mut tablet).await;

    // Both open it offline: each creates the log.
    assert!(tablet.store.mark_opened(&draft).unwrap());
    let first = tablet.store.reading_list().unwrap()[0].opened_at.unwrap();
    assert!(luong.store.mark_opened(&draft).unwrap());
    sync_ok(&mut tablet).await;
    sync_ok(&mut luong).await;
    sync_ok(&mut tablet).await;

    // One log, holding both openings; the first counts, everywhere.
    sync_ok(&mut viet).await;
    let report = viet.store.distribution_report(&session).unwrap();
    assert_eq!(report[0].opened, [(m("m-luong"), first)]);
    assert_eq!(
        luong.store.reading_list().unwrap()[0].opened_at,
        Some(first)
    );
    let log = reading_log::id_for(&branch(), &m("m-luong"));
    assert!(luong.store.conflicts(Some(&log)).unwrap().is_empty());
    // And the log keeps syncing: another material opened on the second phone arrives.
    let material = viet
        .store
        .create_text_doc(&NewTextDoc {
            kind: DocKind::Material,
            branch_id: branch(),
            plan_id: None,
            topic_id: None,
            title: "Tài liệu tham khảo".into(),
            description: String::new(),
            body: "Nội dung".into(),
        })
        .unwrap();
    viet.store.publish(&session, &material).unwrap();
    sync_ok(&mut viet).await;
    sync_ok(&mut luong).await;
    luong.store.mark_opened(&material).unwrap();
    sync_ok(&mut luong).await;
    sync_ok(&mut viet).await;
    let report = viet.store.distribution_report(&session).unwrap();
    let r = report.iter().find(|r| r.doc_id == material).unwrap();
    assert_eq!(r.opened.len(), 1);
}

/// A change to a reading log as a modified phone could make it: one new Automerge change
/// by `author` (on a fresh actor) putting `opened/<material>` into the log `bytes` holds.
fn write_into_log(bytes: &[u8], author: &str, material: &DocId) -> Vec<u8> {
    use automerge::transaction::Transactable;
    use automerge::{ActorId, AutoCommit, ROOT};
    let mut am = AutoCommit::load(bytes)
        .unwrap()
        .with_actor(ActorId::random());
    am.set_author(Some(automerge::Author::from(author.as_bytes().to_vec())));
    am.put(ROOT, format!("opened/{material}").as_str(), now_unix())
        .unwrap();
    am.commit();
    am.get_last_local_change().unwrap().raw_bytes().to_vec()
}

/// A whole new reading log written by `author`, with the given id and owner.
fn new_log(id: &DocId, owner: &str, author: &str, material: &DocId) -> Vec<Vec<u8>> {
    use automerge::transaction::Transactable;
    use automerge::{ActorId, AutoCommit, ROOT};
    let mut am = AutoCommit::new().with_actor(ActorId::random());
    am.set_author(Some(automerge::Author::from(author.as_bytes().to_vec())));
    am.put(ROOT, "doc_id", id.as_str()).unwrap();
    am.put(ROOT, "kind", "reading_log").unwrap();
    am.put(ROOT, "schema_version", 1u64).unwrap();
    am.put(ROOT, "branch_id", BRANCH).unwrap();
    am.put(ROOT, "member_id", owner).unwrap();
    am.put(ROOT, format!("opened/{material}").as_str(), now_unix())
        .unwrap();
    am.commit();
    vec![am.get_last_local_change().unwrap().raw_bytes().to_vec()]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_a_member_may_not_write_another_members_reading_log() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    let mut viet = phone(dir.path(), &server, "m-viet").await;
    let mut luong = phone(dir.path(), &server, "m-luong").await;
    let mut anh = phone(dir.path(), &server, "m-anh").await;
    let (_, draft, session) = published(&mut viet, &mut luong).await;
    sync_ok(&mut luong).await;
    luong.store.mark_opened(&draft).unwrap();
    sync_ok(&mut luong).await;
    sync_ok(&mut anh).await;
    let luong_log = reading_log::id_for(&branch(), &m("m-luong"));
    let y_log = reading_log::id_for(&branch(), &m("m-y"));
    let material = DocId::new("tai-lieu-khong-co");
    let before = server.store.max_seq().unwrap();

    // 1. Ánh writes into Lượng's log, as herself: refused.
    let bytes = anh.store.export_document(&luong_log).unwrap().save();
    let change = write_into_log(&bytes, "m-anh", &material);
    let resp = push_changes(
        &server,
        &mut anh,
        &luong_log,
        DocKind::ReadingLog,
        vec![change],
    )
    .await;
    assert_rejected(&resp, &luong_log, "forbidden");

    // 2. She creates Ỷ's log (Ỷ never opened anything), as herself: refused; and one named
    //    hers under Ỷ's id: refused too.
    for owner in ["m-y", "m-anh"] {
        let changes = new_log(&y_log, owner, "m-anh", &material);
        let resp = push_changes(&server, &mut anh, &y_log, DocKind::ReadingLog, changes).await;
        assert_rejected(&resp, &y_log, "forbidden");
    }

    // 3. She builds Ỷ's log with the reading-log functions, as Ỷ: never stored (a change
    //    whose author is another member is not accepted from this device).
    let mut forged = reading_log::create(
        &branch(),
        &Editor {
            member: m("m-y"),
            time: now_unix(),
        },
    )
    .unwrap();
    reading_log::mark_opened(
        &mut forged,
        &Editor {
            member: m("m-y"),
            time: now_unix(),
        },
        &draft,
    )
    .unwrap();
    let changes = automerge::AutoCommit::load(&forged.save())
        .unwrap()
        .get_changes(&[])
        .into_iter()
        .map(|c| c.raw_bytes().to_vec())
        .collect();
    let resp = push_changes(&server, &mut anh, &y_log, DocKind::ReadingLog, changes).await;
    assert!(resp.acks.iter().all(|a| a.doc_id != y_log), "{resp:?}");
    assert!(resp.deferred.contains(&y_log), "{resp:?}");

    // Nothing was stored, and nothing reaches the other phones.
    assert_eq!(server.store.max_seq().unwrap(), before);
    assert!(server.store.doc_meta(&y_log).unwrap().is_none());
    sync_ok(&mut viet).await;
    assert!(!viet.store.has_document(&y_log).unwrap());
    let opened = reading_log::opened(&viet.store.export_document(&luong_log).unwrap()).unwrap();
    assert_eq!(opened.keys().collect::<Vec<_>>(), [&draft]);
    let report = viet.store.distribution_report(&session).unwrap();
    assert!(!report[0].opened.iter().any(|(x, _)| x == &m("m-y")));
    // Her own log she writes.
    anh.store.mark_opened(&draft).unwrap();
    sync_ok(&mut anh).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_a_plain_member_may_not_publish_or_name_the_chair_even_from_a_modified_phone() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    let mut viet = phone(dir.path(), &server, "m-viet").await;
    let mut luong = phone(dir.path(), &server, "m-luong").await;
    let mut anh = phone(dir.path(), &server, "m-anh").await;
    let (_, _, session) = published(&mut viet, &mut luong).await;
    sync_ok(&mut luong).await;
    sync_ok(&mut anh).await;
    let material = luong
        .store
        .create_text_doc(&NewTextDoc {
            kind: DocKind::Material,
            branch_id: branch(),
            plan_id: None,
            topic_id: None,
            title: "Tài liệu tự gửi".into(),
            description: String::new(),
            body: "Nội dung".into(),
        })
        .unwrap();
    sync_ok(&mut luong).await;

    // On the phone: refused.
    let e = luong.store.publish(&session, &material).unwrap_err();
    assert!(matches!(e, Error::NotPermitted(_)), "{e}");
    let e = anh
        .store
        .set_session_field(&session, &SessionField::Chair(Some(m("m-anh"))))
        .unwrap_err();
    assert!(matches!(e, Error::NotPermitted(_)), "{e}");

    // Modified phones let the edits through; the server refuses them and stores nothing.
    let before = server.store.max_seq().unwrap();
    pretend(&mut luong, Role::Secretary);
    luong.store.publish(&session, &material).unwrap();
    let r = luong.sync().await.unwrap();
    assert!(
        r.rejected
            .iter()
            .any(|x| x.doc_id == session && x.code == "forbidden"),
        "{r:?}"
    );
    pretend(&mut anh, Role::Executive);
    anh.store
        .set_session_field(&session, &SessionField::Chair(Some(m("m-anh"))))
        .unwrap();
    let r = anh.sync().await.unwrap();
    assert!(
        r.rejected
            .iter()
            .any(|x| x.doc_id == session && x.code == "forbidden"),
        "{r:?}"
    );
    assert_eq!(server.store.max_seq().unwrap(), before);
    sync_ok(&mut viet).await;
    let s = viet.store.session(&session).unwrap();
    assert_eq!(s.distribution.len(), 1);
    assert_eq!(s.distribution[0].published_by, m("m-viet"));
    assert_eq!(s.chair, None);
    // The secretary names the chair: accepted.
    viet.store
        .set_session_field(&session, &SessionField::Chair(Some(m("m-hoa"))))
        .unwrap();
    sync_ok(&mut viet).await;
}

/// What a modified phone does: signs the minutes' current version as its member holding
/// `role`, with its own device key, and pushes the record raw. Returns the record and the
/// server's refusal of it (the test fails if it was not refused).
async fn push_minutes_signoff(
    server: &TestServer,
    p: &mut Phone,
    session: &DocId,
    role: Role,
) -> (Signoff, SignoffRefusal) {
    let enrollment = p.store.enrollment().unwrap().unwrap();
    let record = Signoff::sign(
        SignoffFields {
            action: SignoffAction::Approve,
            doc_id: session.clone(),
            doc_kind: DocKind::Session,
            branch_id: branch(),
            heads: p.store.export_document(session).unwrap().heads(),
            signer: enrollment.member_id,
            role,
            device_id: enrollment.device_id,
            signed_at: now_unix(),
            supersedes: None,
            note: String::new(),
        },
        &device_key(p),
    )
    .unwrap();
    let req = SyncRequest {
        version: PROTOCOL_VERSION,
        signoffs: vec![record.clone()],
        ..Default::default()
    };
    let resp = send(server, p, &req).await;
    let refusal = resp
        .signoff_refusals
        .into_iter()
        .find(|r| r.id == record.id())
        .unwrap_or_else(|| panic!("not refused: {:?}", record.id()));
    (record, refusal)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_minutes_signed_offline_by_chair_and_clerk_are_adopted_on_a_third_phone() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    let mut viet = phone(dir.path(), &server, "m-viet").await;
    let mut luong = phone(dir.path(), &server, "m-luong").await;
    let mut ung = phone(dir.path(), &server, "m-ung").await;
    let mut thuy = phone(dir.path(), &server, "m-thuy").await;
    let (_, _, session) = published(&mut viet, &mut luong).await;
    let day = sotay_core::store::day_start_vn(sotay_core::date::parse("2026-03-10").unwrap());
    for f in [
        SessionField::Chair(Some(m("m-ung"))),
        SessionField::Clerk(Some(m("m-thuy"))),
        SessionField::StartedAt(Some(day + 8 * 3600)),
        SessionField::EndedAt(Some(day + 8 * 3600 + 100 * 60)),
    ] {
        viet.store.set_session_field(&session, &f).unwrap();
    }
    sync_ok(&mut viet).await;
    // The clerk (a plain member) writes the minutes; her edits are accepted.
    sync_ok(&mut thuy).await;
    thuy.store
        .replace_session_text(
            &session,
            "conclusion",
            "Chi bộ thống nhất lắp cảm biến rung.",
        )
        .unwrap();
    sync_ok(&mut thuy).await;
    for p in [&mut ung, &mut luong, &mut viet] {
        sync_ok(p).await;
    }

    // Lượng is neither chair nor clerk: his phone refuses, and so does the server.
    let e = luong.store.sign_minutes(&session, "").unwrap_err();
    assert!(matches!(e, Error::NotPermitted(_)), "{e}");
    let (forged, refusal) = push_minutes_signoff(&server, &mut luong, &session, Role::Member).await;
    assert_eq!(refusal.code, "not_chair_or_clerk", "{refusal:?}");
    assert!(server.store.signoffs_of(&session).unwrap().is_empty());

    // Chair and clerk sign on their phones, offline, then sync.
    let chair = ung.store.sign_minutes(&session, "Chủ trì").unwrap();
    let clerk = thuy.store.sign_minutes(&session, "Thư ký").unwrap();
    assert_eq!(chair.change_hashes(), clerk.change_hashes());
    assert!(matches!(
        ung.store.minutes_adoption(&session).unwrap(),
        Adoption::PartlySigned { .. }
    ));
    sync_ok(&mut ung).await;
    sync_ok(&mut thuy).await;
    assert_eq!(server.store.signoffs_of(&session).unwrap().len(), 2);

    // A third phone sees the minutes adopted, both signatures checked there.
    sync_ok(&mut viet).await;
    match viet.store.minutes_adoption(&session).unwrap() {
        Adoption::Adopted { chair: a, clerk: c } => {
            assert_eq!((a.id(), c.id()), (chair.id(), clerk.id()));
            assert_eq!((&a.signer, &c.signer), (&m("m-ung"), &m("m-thuy")));
        }
        other => panic!("{other:?}"),
    }
    let dir_v = viet.store.directory().unwrap().unwrap();
    let mut doc = viet.store.export_document(&session).unwrap();
    for s in [&chair, &clerk] {
        assert_eq!(approval::verify_for(s, &dir_v, &doc), Ok(()));
    }
    assert_eq!(
        approval::adoption(&mut doc, std::slice::from_ref(&forged), &dir_v),
        Adoption::NotSigned,
        "the forged record never counts"
    );
    // Tasks the minutes assign are followed by their owner: Lượng reports on his own.
    let task = viet
        .store
        .add_task(
            &session,
            &sotay_core::model::session::NewTask {
                title: "Lập lịch bảo dưỡng".into(),
                owner: m("m-luong"),
                deadline: None,
                source: None,
            },
        )
        .unwrap();
    sync_ok(&mut viet).await;
    sync_ok(&mut luong).await;
    luong
        .store
        .update_task(&session, &task, TaskStatus::InProgress, "Đang khảo sát")
        .unwrap();
    sync_ok(&mut luong).await;
    sync_ok(&mut viet).await;
    assert!(matches!(
        viet.store.minutes_adoption(&session).unwrap(),
        Adoption::AdoptedWithChanges { .. }
    ));
    assert_eq!(
        viet.store
            .session(&session)
            .unwrap()
            .task(&task)
            .unwrap()
            .status,
        TaskStatus::InProgress
    );
}

/// Bug found by these tests: a session new to the server was checked only for its creator's
/// role, so a deputy secretary's modified phone could create a session already published (in
/// the same push) though publishing is for the secretary and executives.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_a_new_session_pushed_already_published_is_checked_whole() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    let mut viet = phone(dir.path(), &server, "m-viet").await;
    let mut luong = phone(dir.path(), &server, "m-luong").await;
    let mut trang = phone(dir.path(), &server, "m-trang").await;
    let (plan, draft, _) = published(&mut viet, &mut luong).await;
    sync_ok(&mut trang).await;
    let topic = trang.store.plan(&plan).unwrap().topics[0].id.clone();
    let day = sotay_core::date::parse("2026-04-10").unwrap();

    // The deputy creates a session (an officer may) but may not publish.
    let s = trang
        .store
        .create_session_for_topic(&plan, &topic, Some(day))
        .unwrap();
    let e = trang.store.publish(&s, &draft).unwrap_err();
    assert!(matches!(e, Error::NotPermitted(_)), "{e}");
    // Her modified phone publishes before the session ever reached the server.
    pretend(&mut trang, Role::Secretary);
    trang.store.publish(&s, &draft).unwrap();
    let before = server.store.max_seq().unwrap();
    let r = trang.sync().await.unwrap();
    assert!(
        r.rejected
            .iter()
            .any(|x| x.doc_id == s && x.code == "forbidden"),
        "{r:?}"
    );
    assert!(server.store.doc_meta(&s).unwrap().is_none());
    assert_eq!(server.store.max_seq().unwrap(), before);
    sync_ok(&mut luong).await;
    assert!(!luong.store.has_document(&s).unwrap());

    // Unpublished, her session is accepted.
    let mut other = phone_file(dir.path(), &server, "m-trang", "m-trang-2").await;
    let s2 = other
        .store
        .create_session_for_topic(&plan, &topic, Some(day))
        .unwrap();
    sync_ok(&mut other).await;
    assert!(server.store.doc_meta(&s2).unwrap().is_some());
}

/// The committee's admin sets its evidence weights and quality grid on the server; every
/// phone of the committee receives them with the signed directory at its next sync and
/// scores with them; a phone of another committee does not. Bad settings never leave the
/// server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_the_committees_weights_and_grid_reach_every_phone_with_the_directory() {
    use sotay_core::model::session::QualityGrid;
    use sotay_core::store::evidence::{Category, Weights};
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    let mut viet = phone(dir.path(), &server, "m-viet").await;
    let mut luong = phone(dir.path(), &server, "m-luong").await;
    sync_ok(&mut viet).await;
    assert_eq!(viet.store.evidence_weights().unwrap(), Weights::default());
    let committee = demo::committee_id().unwrap();

    let mut w = Weights::default();
    for x in &mut w.weights {
        if x.category == Category::CommentBefore {
            x.points_each = 0.5;
        }
    }
    admin::set_evidence_weights(
        server.store.as_ref(),
        &committee,
        Some(&serde_json::to_string(&w).unwrap()),
    )
    .unwrap();
    let mut grid = QualityGrid::default();
    grid.criteria[0].max -= 5;
    grid.criteria[1].max += 5;
    admin::set_quality_grid(
        server.store.as_ref(),
        &committee,
        Some(&serde_json::to_string(&grid).unwrap()),
    )
    .unwrap();
    // Refused on the server: nothing changes for the phones.
    let mut bad = w.clone();
    bad.task_cap = 90.0;
    assert!(
        admin::set_evidence_weights(
            server.store.as_ref(),
            &committee,
            Some(&serde_json::to_string(&bad).unwrap()),
        )
        .is_err()
    );

    for p in [&mut viet, &mut luong] {
        sync_ok(p).await;
        assert_eq!(p.store.evidence_weights().unwrap(), w);
        assert_eq!(p.store.quality_grid().unwrap(), grid);
        let report = p
            .store
            .participation_evidence(Some(&branch()), 2026, now_unix())
            .unwrap();
        assert_eq!(report.weights, w, "the evidence uses them");
    }
    // The admin goes back to the default grid: the phones follow.
    admin::set_quality_grid(server.store.as_ref(), &committee, None).unwrap();
    sync_ok(&mut luong).await;
    assert_eq!(luong.store.quality_grid().unwrap(), QualityGrid::default());
    assert_eq!(luong.store.evidence_weights().unwrap(), w);
}

/// A modified phone signs minutes that lack their end time: the server refuses the sign-off
/// with the readiness gate the phones apply (`not_ready`), and it reaches nobody.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_minutes_signed_without_their_times_are_refused_by_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    let mut viet = phone(dir.path(), &server, "m-viet").await;
    let mut luong = phone(dir.path(), &server, "m-luong").await;
    let mut ung = phone(dir.path(), &server, "m-ung").await;
    let (_, _, session) = published(&mut viet, &mut luong).await;
    let day = sotay_core::store::day_start_vn(sotay_core::date::parse("2026-03-10").unwrap());
    for f in [
        SessionField::Chair(Some(m("m-ung"))),
        SessionField::Clerk(Some(m("m-thuy"))),
        SessionField::StartedAt(Some(day + 8 * 3600)),
    ] {
        viet.store.set_session_field(&session, &f).unwrap();
    }
    sync_ok(&mut viet).await;
    sync_ok(&mut ung).await;
    let e = ung.store.sign_minutes(&session, "").unwrap_err();
    assert!(
        matches!(&e, Error::NotReady(m) if m.contains("the end time")),
        "{e}"
    );
    let (_, refusal) = push_minutes_signoff(&server, &mut ung, &session, Role::Executive).await;
    assert_eq!(refusal.code, "not_ready", "{refusal:?}");
    assert!(refusal.message.contains("the end time"), "{refusal:?}");
    assert!(server.store.signoffs_of(&session).unwrap().is_empty());
}
