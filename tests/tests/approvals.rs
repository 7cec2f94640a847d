//! Signed approvals end to end (Step 3): a real server on 127.0.0.1:0, real phone stores.
//! Each rule of `docs/roles.md` is refused on the phone and on the server (a phone can be
//! modified: forged records and edits are sent raw, signed with the phone's own device key).
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use common::{device_key, send};
use sotay_core::approval::{DeltaContent, Invalid, Signoff, SignoffAction, SignoffFields, Status};
use sotay_core::ids::{BranchId, DocId, DocKind, MemberId};
use sotay_core::model::now_unix;
use sotay_core::model::plan::{NewTopic, PlanField, TopicField};
use sotay_core::model::text_doc::{CommentKind, NewComment, NewTextDoc, ProposalStatus};
use sotay_core::org::{Member, Role};
use sotay_core::protocol::{PROTOCOL_VERSION, SyncRequest, SyncResponse};
use sotay_core::{Error, Store};
use sotay_server::store::ServerStore;
use sotay_tests::harness::{Phone, TestServer};

const BRANCH: &str = "b-co-dien";

async fn phone(dir: &Path, server: &TestServer, member: &str) -> Phone {
    let mut p = Phone::enroll(&dir.join(format!("{member}.sotay")), server, member)
        .await
        .unwrap();
    // The first sync brings the signed directory every sign-off is checked against.
    p.sync().await.unwrap();
    p
}

/// A topic with everything approval needs: month, preparer, presenter.
fn ready_topic(title: &str, month: u8) -> NewTopic {
    NewTopic {
        preparers: vec![MemberId::new("m-luong")],
        presenter: Some(MemberId::new("m-hoa")),
        ..sotay_tests::simple_topic(title, month)
    }
}

/// The secretary's plan with two complete topics, synced to everyone given.
async fn plan_everyone_has(viet: &mut Phone, others: &mut [&mut Phone]) -> DocId {
    let plan = viet
        .store
        .create_plan(&sotay_tests::plan_for(BRANCH, "01-KH/CB"))
        .unwrap();
    viet.store
        .add_topic(&plan, &ready_topic("Nâng cao an toàn lao động", 3))
        .unwrap();
    viet.store
        .add_topic(&plan, &ready_topic("Tiết kiệm vật tư", 6))
        .unwrap();
    viet.sync().await.unwrap();
    for p in others.iter_mut() {
        p.sync().await.unwrap();
    }
    plan
}

/// A sign-off signed with `p`'s device key, bypassing every check the phone makes.
fn forge(p: &mut Phone, edit: impl FnOnce(&mut SignoffFields), doc: &DocId) -> Signoff {
    let heads = p.store.export_document(doc).unwrap().heads();
    let device_id = p.store.enrollment().unwrap().unwrap().device_id;
    let mut fields = SignoffFields {
        action: SignoffAction::Approve,
        doc_id: doc.clone(),
        doc_kind: p.store.kind_of(doc).unwrap(),
        branch_id: BranchId::new(BRANCH),
        heads,
        signer: p.member.clone(),
        role: Role::Secretary,
        device_id,
        signed_at: now_unix(),
        supersedes: None,
        note: String::new(),
    };
    edit(&mut fields);
    Signoff::sign(fields, &device_key(p)).unwrap()
}

/// Sends sign-offs raw, signed as `p`'s device.
async fn push_signoffs(server: &TestServer, p: &mut Phone, signoffs: Vec<Signoff>) -> SyncResponse {
    let req = SyncRequest {
        version: PROTOCOL_VERSION,
        signoffs,
        ..Default::default()
    };
    send(server, p, &req).await
}

/// Asserts the server refused `s` with `code` and stored nothing of it.
fn assert_refused(server: &TestServer, resp: &SyncResponse, s: &Signoff, code: &str) {
    let r = resp
        .signoff_refusals
        .iter()
        .find(|r| r.id == s.id())
        .unwrap_or_else(|| panic!("not refused: {resp:?}"));
    assert_eq!(r.code, code, "{r:?}");
    assert!(!resp.signoff_acks.contains(&s.id()));
    let stored = server.store.signoffs_of(&s.doc_id).unwrap();
    assert!(
        stored.iter().all(|x| x.id != s.id().as_str()),
        "the refused sign-off was stored"
    );
}

fn approval_of(status: &Status) -> &Signoff {
    match status {
        Status::Approved { approval } | Status::ApprovedWithChanges { approval, .. } => approval,
        other => panic!("not approved: {other:?}"),
    }
}

// ----- the happy path ----------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_offline_approval_reaches_every_phone_then_changes_show_as_a_delta() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    let mut viet = phone(dir.path(), &server, "m-viet").await;
    let mut luong = phone(dir.path(), &server, "m-luong").await;
    let plan = plan_everyone_has(&mut viet, &mut [&mut luong]).await;
    assert!(matches!(
        luong.store.approval_status(&plan).unwrap(),
        Status::NotSubmitted
    ));

    // The member asks; the secretary approves offline, then syncs.
    luong
        .store
        .submit_for_approval(&plan, "Đề nghị bí thư duyệt")
        .unwrap();
    luong.sync().await.unwrap();
    viet.sync().await.unwrap();
    assert!(matches!(
        viet.store.approval_status(&plan).unwrap(),
        Status::Submitted { .. }
    ));
    let approval = viet.store.approve(&plan, "Đồng ý ban hành").unwrap();
    let r = viet.sync().await.unwrap();
    assert!(r.signoffs_refused.is_empty(), "{r:?}");
    assert_eq!(server.store.signoffs_of(&plan).unwrap().len(), 2);

    // Every phone shows it approved, with a signature it checked itself.
    luong.sync().await.unwrap();
    let status = luong.store.approval_status(&plan).unwrap();
    assert!(matches!(status, Status::Approved { .. }), "{status:?}");
    assert_eq!(approval_of(&status).id(), approval.id());
    assert!(approval_of(&status).received_at.is_some());

    // The member edits: approved with changes, and the delta is exactly the edit.
    let topic = luong.store.plan(&plan).unwrap().topics[0].id.clone();
    luong
        .store
        .set_topic_field(
            &plan,
            &topic,
            &TopicField::ExpectedOutput("Bản cam kết an toàn của từng tổ".into()),
        )
        .unwrap();
    luong.sync().await.unwrap();
    viet.sync().await.unwrap();
    for p in [&mut viet, &mut luong] {
        match p.store.approval_status(&plan).unwrap() {
            Status::ApprovedWithChanges { approval: a, delta } => {
                assert_eq!(a.id(), approval.id());
                let delta = delta.unwrap();
                let DeltaContent::Plan(d) = &delta.content else {
                    panic!("{delta:?}")
                };
                assert_eq!(d.topic_fields.len(), 1, "{d:?}");
                let change = &d.topic_fields[0];
                assert_eq!(change.topic_id, topic);
                assert!(format!("{:?}", change.change.to).contains("Bản cam kết"));
                assert!(d.topics_added.is_empty() && d.topics_moved.is_empty());
            }
            other => panic!("{other:?}"),
        }
    }

    // Re-approval supersedes the first; both phones show approved again.
    let second = viet.store.approve(&plan, "Duyệt lại").unwrap();
    assert_eq!(second.supersedes, Some(approval.id()));
    viet.sync().await.unwrap();
    luong.sync().await.unwrap();
    let status = luong.store.approval_status(&plan).unwrap();
    assert!(matches!(status, Status::Approved { .. }), "{status:?}");
    assert_eq!(approval_of(&status).id(), second.id());
    // The difference between the two approvals is the member's edit.
    let d = luong
        .store
        .delta(
            &plan,
            &approval.change_hashes(),
            Some(&second.change_hashes()),
        )
        .unwrap();
    assert_eq!(d.change_count, 1, "{d:?}");
}

// ----- approval rules ----------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_wrong_role_refused() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    let mut viet = phone(dir.path(), &server, "m-viet").await;
    let mut luong = phone(dir.path(), &server, "m-luong").await;
    let mut hoa = phone(dir.path(), &server, "m-hoa").await;
    let plan = plan_everyone_has(&mut viet, &mut [&mut luong, &mut hoa]).await;

    // On the phone: a member and an executive may not approve a plan.
    for p in [&mut luong, &mut hoa] {
        let e = p.store.approve(&plan, "").unwrap_err();
        assert!(matches!(e, Error::NotPermitted(_)), "{e}");
    }
    // On the server: a record claiming a role its signer does not hold.
    let forged = forge(&mut luong, |_| {}, &plan);
    let resp = push_signoffs(&server, &mut luong, vec![forged.clone()]).await;
    assert_refused(&server, &resp, &forged, "wrong_role");
    // Claiming the role actually held (Executive) is still not enough for a plan.
    let forged = forge(&mut hoa, |f| f.role = Role::Executive, &plan);
    let resp = push_signoffs(&server, &mut hoa, vec![forged.clone()]).await;
    assert_refused(&server, &resp, &forged, "wrong_role");

    // An executive may approve a topic draft (HD 12).
    let topic = viet.store.plan(&plan).unwrap().topics[0].id.clone();
    let draft = hoa
        .store
        .create_text_doc(&NewTextDoc {
            kind: DocKind::TopicDraft,
            branch_id: BranchId::new(BRANCH),
            plan_id: Some(plan.clone()),
            topic_id: Some(topic),
            title: "Dự thảo chuyên đề an toàn".into(),
            description: String::new(),
            body: "Nội dung dự thảo.".into(),
        })
        .unwrap();
    hoa.store.approve(&draft, "").unwrap();
    let r = hoa.sync().await.unwrap();
    assert!(r.signoffs_refused.is_empty(), "{r:?}");
    luong.sync().await.unwrap();
    assert!(matches!(
        luong.store.approval_status(&draft).unwrap(),
        Status::Approved { .. }
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_deputy_approves_only_when_delegated() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    let mut viet = phone(dir.path(), &server, "m-viet").await;
    let mut trang = phone(dir.path(), &server, "m-trang").await;
    let plan = plan_everyone_has(&mut viet, &mut [&mut trang]).await;
    let e = trang.store.approve(&plan, "").unwrap_err();
    assert!(matches!(e, Error::NotPermitted(_)), "{e}");
    let forged = forge(&mut trang, |f| f.role = Role::DeputySecretary, &plan);
    let resp = push_signoffs(&server, &mut trang, vec![forged.clone()]).await;
    assert_refused(&server, &resp, &forged, "wrong_role");

    // The branch delegates plan approval to its deputy (a minute ago, so the phone's clock
    // and the server's agree on "now").
    server
        .store
        .set_plan_delegation(&BranchId::new(BRANCH), true, now_unix() - 60)
        .unwrap();
    trang.sync().await.unwrap();
    trang
        .store
        .approve(&plan, "Phó bí thư duyệt theo ủy quyền")
        .unwrap();
    let r = trang.sync().await.unwrap();
    assert!(r.signoffs_refused.is_empty(), "{r:?}");
    viet.sync().await.unwrap();
    assert!(matches!(
        viet.store.approval_status(&plan).unwrap(),
        Status::Approved { .. }
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_approval_refused_while_conflicts_or_missing_fields() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    let mut viet = phone(dir.path(), &server, "m-viet").await;
    let mut luong = phone(dir.path(), &server, "m-luong").await;
    let plan = plan_everyone_has(&mut viet, &mut [&mut luong]).await;

    // A topic without a presenter or a preparer.
    viet.store
        .add_topic(
            &plan,
            &sotay_tests::simple_topic("Chuyên đề thiếu người", 9),
        )
        .unwrap();
    let e = viet.store.approve(&plan, "").unwrap_err();
    assert!(matches!(e, Error::NotReady(_)), "{e}");
    assert!(e.to_string().contains("Chuyên đề thiếu người"), "{e}");
    viet.sync().await.unwrap();
    let forged = forge(&mut viet, |_| {}, &plan);
    let resp = push_signoffs(&server, &mut viet, vec![forged.clone()]).await;
    assert_refused(&server, &resp, &forged, "not_ready");

    // Fix it, then create a conflict: both set the same field offline.
    let t = viet.store.plan(&plan).unwrap().topics[2].id.clone();
    viet.store.cancel_topic(&plan, &t).unwrap();
    viet.sync().await.unwrap();
    luong.sync().await.unwrap();
    let first = viet.store.plan(&plan).unwrap().topics[0].id.clone();
    viet.store
        .set_topic_field(&plan, &first, &TopicField::Notes("Họp tại xưởng".into()))
        .unwrap();
    luong
        .store
        .set_topic_field(
            &plan,
            &first,
            &TopicField::Notes("Họp tại hội trường".into()),
        )
        .unwrap();
    luong.sync().await.unwrap();
    viet.sync().await.unwrap();
    assert!(!viet.store.conflicts(Some(&plan)).unwrap().is_empty());
    let e = viet.store.approve(&plan, "").unwrap_err();
    assert!(matches!(e, Error::NotReady(_)), "{e}");
    let forged = forge(&mut viet, |_| {}, &plan);
    let resp = push_signoffs(&server, &mut viet, vec![forged.clone()]).await;
    assert_refused(&server, &resp, &forged, "not_ready");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_secretary_reelection() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    let mut viet = phone(dir.path(), &server, "m-viet").await;
    let mut trang = phone(dir.path(), &server, "m-trang").await;
    let mut luong = phone(dir.path(), &server, "m-luong").await;
    let plan = plan_everyone_has(&mut viet, &mut [&mut trang, &mut luong]).await;
    let old = viet.store.approve(&plan, "").unwrap();
    viet.sync().await.unwrap();

    // Re-election a little later: Trang becomes secretary, Việt a member.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let now = now_unix();
    for (id, role) in [("m-viet", Role::Member), ("m-trang", Role::Secretary)] {
        let mut m = server.store.member(&MemberId::new(id)).unwrap().unwrap();
        m.role = role;
        server.store.put_member(&m, now).unwrap();
    }
    for p in [&mut viet, &mut trang, &mut luong] {
        p.sync().await.unwrap();
    }
    // The old approval stays valid: Việt was secretary when he signed.
    let status = luong.store.approval_status(&plan).unwrap();
    assert_eq!(approval_of(&status).id(), old.id());
    // Việt can no longer approve, on the phone or on the server.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let e = viet.store.approve(&plan, "").unwrap_err();
    assert!(matches!(e, Error::NotPermitted(_)), "{e}");
    let forged = forge(&mut viet, |_| {}, &plan);
    let resp = push_signoffs(&server, &mut viet, vec![forged.clone()]).await;
    assert_refused(&server, &resp, &forged, "wrong_role");
    // The new secretary's approval supersedes the old one.
    let new = trang.store.approve(&plan, "Bí thư mới duyệt").unwrap();
    assert_eq!(new.supersedes, Some(old.id()));
    trang.sync().await.unwrap();
    luong.sync().await.unwrap();
    let status = luong.store.approval_status(&plan).unwrap();
    assert_eq!(approval_of(&status).id(), new.id());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_revoked_device_approval_invalid_even_from_a_compromised_server() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    let mut viet = phone(dir.path(), &server, "m-viet").await;
    let mut luong = phone(dir.path(), &server, "m-luong").await;
    let plan = plan_everyone_has(&mut viet, &mut [&mut luong]).await;
    let valid = viet.store.approve(&plan, "").unwrap();
    viet.sync().await.unwrap();

    // The phone is lost; the admin revokes it. Its approval made before stays valid.
    let device = viet.store.enrollment().unwrap().unwrap().device_id;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let revoked_at = now_unix();
    sotay_server::admin::revoke_device(server.store.as_ref(), &device, revoked_at).unwrap();
    assert!(viet.sync().await.is_err(), "a revoked device is refused");
    luong.sync().await.unwrap();
    let status = luong.store.approval_status(&plan).unwrap();
    assert_eq!(approval_of(&status).id(), valid.id());

    // Someone holding the lost phone signs after the revocation, and a compromised server
    // stores it directly: every phone still finds it invalid.
    let late = forge(
        &mut viet,
        |f| {
            f.signed_at = revoked_at + 5;
            f.supersedes = Some(valid.id());
        },
        &plan,
    );
    server
        .store
        .put_signoff(&sotay_server::store::StoredSignoff {
            seq: 0,
            id: late.id().as_str().to_owned(),
            doc_id: plan.clone(),
            scope: sotay_server::store::Scope::Branch(BranchId::new(BRANCH)),
            signer: MemberId::new("m-viet"),
            device_id: device.clone(),
            received_at: now_unix(),
            bytes: late.to_bytes().unwrap(),
        })
        .unwrap();
    luong.sync().await.unwrap();
    match luong.store.approval_status(&plan).unwrap() {
        Status::Invalid {
            approval,
            reason,
            last_valid,
        } => {
            assert_eq!(approval.id(), late.id());
            assert!(
                matches!(reason, Invalid::DeviceRevoked { .. }),
                "{reason:?}"
            );
            assert_eq!(last_valid.unwrap().id(), valid.id());
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_forged_and_replayed_signoffs_refused() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    let mut viet = phone(dir.path(), &server, "m-viet").await;
    let mut trang = phone(dir.path(), &server, "m-trang").await;
    let plan = plan_everyone_has(&mut viet, &mut [&mut trang]).await;
    let other_plan = viet
        .store
        .create_plan(&sotay_tests::plan_for(BRANCH, "02-KH/CB"))
        .unwrap();
    viet.sync().await.unwrap();

    let mut cases: Vec<(Signoff, &str)> = Vec::new();
    // A signature that does not match its fields.
    let mut bad = forge(&mut viet, |_| {}, &plan);
    bad.signature[0] ^= 1;
    cases.push((bad, "bad_signature"));
    // A genuine approval replayed onto another document (its fields edited).
    let mut replayed = forge(&mut viet, |_| {}, &plan);
    replayed.doc_id = other_plan.clone();
    cases.push((replayed, "bad_signature"));
    // Signed for the other document but naming this one's heads.
    let heads = viet.store.export_document(&plan).unwrap().heads();
    cases.push((
        forge(&mut viet, |f| f.heads = heads.clone(), &other_plan),
        "unknown_heads",
    ));
    // Heads the server has never seen.
    cases.push((
        forge(
            &mut viet,
            |f| f.heads = vec![automerge::ChangeHash([7; 32])],
            &plan,
        ),
        "unknown_heads",
    ));
    // Another branch named.
    cases.push((
        forge(&mut viet, |f| f.branch_id = BranchId::new("b-khac"), &plan),
        "wrong_branch",
    ));
    // Dated in the future.
    cases.push((
        forge(&mut viet, |f| f.signed_at = now_unix() + 3600, &plan),
        "signed_in_future",
    ));
    for (s, code) in &cases {
        let resp = push_signoffs(&server, &mut viet, vec![s.clone()]).await;
        assert_refused(&server, &resp, s, code);
    }
    // Another device's genuine approval, pushed by someone else.
    let genuine = viet.store.approve(&plan, "").unwrap();
    let resp = push_signoffs(&server, &mut trang, vec![genuine.clone()]).await;
    assert_refused(&server, &resp, &genuine, "not_yours");
    // The refused records never reached anyone; the genuine one does once its device syncs.
    trang.sync().await.unwrap();
    assert!(trang.store.signoffs(&plan).unwrap().is_empty());
    viet.sync().await.unwrap();
    trang.sync().await.unwrap();
    assert_eq!(trang.store.signoffs(&plan).unwrap().len(), 1);
    // Pushing it again (a retry) stores nothing twice.
    let resp = push_signoffs(&server, &mut viet, vec![genuine.clone()]).await;
    assert!(resp.signoff_acks.contains(&genuine.id()));
    assert_eq!(server.store.signoffs_of(&plan).unwrap().len(), 1);
}

// ----- editing rules -----------------------------------------------------------------------

/// Makes the phone believe its member holds `role` (a modified phone: the local directory is
/// the user's to edit), so the phone's own checks let the edit through to the server.
fn pretend(p: &mut Phone, role: Role) {
    let me = p
        .store
        .members()
        .unwrap()
        .into_iter()
        .find(|m| m.id == p.member)
        .unwrap();
    p.store.upsert_member(&Member { role, ..me }).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_member_may_not_create_a_plan() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    let mut luong = phone(dir.path(), &server, "m-luong").await;
    let e = luong
        .store
        .create_plan(&sotay_tests::plan_for(BRANCH, "09-KH/CB"))
        .unwrap_err();
    assert!(matches!(e, Error::NotPermitted(_)), "{e}");
    pretend(&mut luong, Role::Secretary);
    let plan = luong
        .store
        .create_plan(&sotay_tests::plan_for(BRANCH, "09-KH/CB"))
        .unwrap();
    let r = luong.sync().await.unwrap();
    assert!(
        r.rejected
            .iter()
            .any(|x| x.doc_id == plan && x.code == "forbidden"),
        "{r:?}"
    );
    assert!(server.store.doc_meta(&plan).unwrap().is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_member_may_not_change_plan_metadata() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    let mut viet = phone(dir.path(), &server, "m-viet").await;
    let mut luong = phone(dir.path(), &server, "m-luong").await;
    let plan = plan_everyone_has(&mut viet, &mut [&mut luong]).await;
    let e = luong
        .store
        .set_plan_field(&plan, &PlanField::Number("99-KH/CB".into()))
        .unwrap_err();
    assert!(matches!(e, Error::NotPermitted(_)), "{e}");
    let e = luong
        .store
        .add_legal_basis(&plan, "01-HD/TW", None, "Hướng dẫn giả")
        .unwrap_err();
    assert!(matches!(e, Error::NotPermitted(_)), "{e}");
    // Topics stay everyone's.
    luong
        .store
        .add_topic(&plan, &ready_topic("Đề xuất của đảng viên", 11))
        .unwrap();
    let r = luong.sync().await.unwrap();
    assert!(r.rejected.is_empty(), "{r:?}");
    // A modified phone: the server refuses the change, and nobody receives it.
    pretend(&mut luong, Role::Secretary);
    let before = server.store.max_seq().unwrap();
    luong
        .store
        .set_plan_field(&plan, &PlanField::Number("99-KH/CB".into()))
        .unwrap();
    let r = luong.sync().await.unwrap();
    assert!(
        r.rejected
            .iter()
            .any(|x| x.doc_id == plan && x.code == "forbidden"),
        "{r:?}"
    );
    assert_eq!(server.store.max_seq().unwrap(), before);
    viet.sync().await.unwrap();
    assert_eq!(viet.store.plan(&plan).unwrap().number, "01-KH/CB");
    // The secretary may.
    viet.store
        .set_plan_field(&plan, &PlanField::Number("02-KH/CB".into()))
        .unwrap();
    let r = viet.sync().await.unwrap();
    assert!(r.rejected.is_empty(), "{r:?}");
}

async fn draft_with_comment(
    viet: &mut Phone,
    luong: &mut Phone,
    hoa: &mut Phone,
) -> (DocId, sotay_core::ids::CommentId) {
    let plan = plan_everyone_has(viet, &mut [&mut *luong, &mut *hoa]).await;
    let topic = viet.store.plan(&plan).unwrap().topics[0].id.clone();
    let draft = viet
        .store
        .create_text_doc(&NewTextDoc {
            kind: DocKind::TopicDraft,
            branch_id: BranchId::new(BRANCH),
            plan_id: Some(plan),
            topic_id: Some(topic),
            title: "Dự thảo".into(),
            description: String::new(),
            body: "Nội dung dự thảo chuyên đề.".into(),
        })
        .unwrap();
    viet.sync().await.unwrap();
    hoa.sync().await.unwrap();
    let c = hoa
        .store
        .add_comment(
            &draft,
            &NewComment {
                kind: CommentKind::Proposal,
                body: "Đề xuất tổ chức diễn tập".into(),
                reply_to: None,
                anchor: None,
            },
        )
        .unwrap();
    hoa.sync().await.unwrap();
    luong.sync().await.unwrap();
    (draft, c)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_forged_edit_of_anothers_comment_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    let mut viet = phone(dir.path(), &server, "m-viet").await;
    let mut luong = phone(dir.path(), &server, "m-luong").await;
    let mut hoa = phone(dir.path(), &server, "m-hoa").await;
    let (draft, c) = draft_with_comment(&mut viet, &mut luong, &mut hoa).await;
    let e = luong
        .store
        .edit_comment(&draft, &c, "Sửa trộm")
        .unwrap_err();
    assert!(matches!(e, Error::NotAuthor { .. }), "{e}");
    // A modified phone writes into the comment map directly, as itself: the server refuses.
    let before = server.store.max_seq().unwrap();
    let change = forged_comment_edit(&mut luong, &draft, &c);
    let resp = push_changes(&server, &mut luong, &draft, vec![change]).await;
    let r = resp
        .rejected
        .iter()
        .find(|x| x.doc_id == draft)
        .unwrap_or_else(|| panic!("{resp:?}"));
    assert_eq!(r.code, "forbidden", "{r:?}");
    assert_eq!(server.store.max_seq().unwrap(), before);
    viet.sync().await.unwrap();
    let body = viet.store.text_doc(&draft).unwrap().comments[0]
        .body
        .clone();
    assert_eq!(body, "Đề xuất tổ chức diễn tập");
}

/// One Automerge change by `p`'s member (as its author, on a fresh actor) that overwrites
/// another member's comment body: what a modified phone could send.
fn forged_comment_edit(p: &mut Phone, draft: &DocId, c: &sotay_core::ids::CommentId) -> Vec<u8> {
    use automerge::transaction::Transactable;
    use automerge::{ActorId, AutoCommit, ObjType, ROOT, ReadDoc};
    let bytes = p.store.export_document(draft).unwrap().save();
    let mut am = AutoCommit::load(&bytes)
        .unwrap()
        .with_actor(ActorId::random());
    am.set_author(Some(automerge::Author::from(
        p.member.as_str().as_bytes().to_vec(),
    )));
    let (_, comments) = am.get(ROOT, "comments").unwrap().unwrap();
    let (v, comment) = am.get(&comments, c.as_str()).unwrap().unwrap();
    assert!(matches!(v, automerge::Value::Object(ObjType::Map)));
    am.put(&comment, "body", "Sửa trộm").unwrap();
    am.commit();
    am.get_last_local_change().unwrap().raw_bytes().to_vec()
}

/// Sends changes of one document raw, signed as `p`'s device.
async fn push_changes(
    server: &TestServer,
    p: &mut Phone,
    doc: &DocId,
    changes: Vec<Vec<u8>>,
) -> SyncResponse {
    let req = SyncRequest {
        version: PROTOCOL_VERSION,
        push: vec![sotay_core::protocol::PushDoc {
            doc_id: doc.clone(),
            kind: p.store.kind_of(doc).unwrap(),
            changes,
        }],
        ..Default::default()
    };
    send(server, p, &req).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_member_may_not_decide_anothers_proposal() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    let mut viet = phone(dir.path(), &server, "m-viet").await;
    let mut luong = phone(dir.path(), &server, "m-luong").await;
    let mut hoa = phone(dir.path(), &server, "m-hoa").await;
    let (draft, c) = draft_with_comment(&mut viet, &mut luong, &mut hoa).await;
    let e = luong
        .store
        .set_proposal_status(&draft, &c, ProposalStatus::Accepted)
        .unwrap_err();
    assert!(matches!(e, Error::NotPermitted(_)), "{e}");
    let e = luong.store.resolve_comment(&draft, &c, true).unwrap_err();
    assert!(matches!(e, Error::NotPermitted(_)), "{e}");
    pretend(&mut luong, Role::Executive);
    luong
        .store
        .set_proposal_status(&draft, &c, ProposalStatus::Accepted)
        .unwrap();
    let r = luong.sync().await.unwrap();
    assert!(
        r.rejected
            .iter()
            .any(|x| x.doc_id == draft && x.code == "forbidden"),
        "{r:?}"
    );
    // The secretary may.
    viet.sync().await.unwrap();
    viet.store
        .set_proposal_status(&draft, &c, ProposalStatus::Accepted)
        .unwrap();
    let r = viet.sync().await.unwrap();
    assert!(r.rejected.is_empty(), "{r:?}");
}

#[test]
fn test_store_rejects_a_tampered_directory() {
    // Covered in depth by core's tests; here: a store without a pinned key has no directory.
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("x.sotay")).unwrap();
    assert!(store.directory().is_err() || store.directory().unwrap().is_none());
}

/// `can_approve` and "what needs me" over the synced directory: who may approve what (role,
/// kind, delegation, readiness), and whose list a submission lands on — the approving
/// officers', not the members'. Each sync names the documents whose sign-offs changed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_can_approve_and_approvals_needing_me_follow_roles_and_readiness() {
    use sotay_core::store::ApproveBlocker;

    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    let mut viet = phone(dir.path(), &server, "m-viet").await;
    let mut luong = phone(dir.path(), &server, "m-luong").await;
    let mut hoa = phone(dir.path(), &server, "m-hoa").await;
    let mut trang = phone(dir.path(), &server, "m-trang").await;
    let plan = plan_everyone_has(&mut viet, &mut [&mut luong, &mut hoa, &mut trang]).await;

    // The plan: only the secretary (the deputy once delegated).
    let r = viet.store.can_approve(&plan).unwrap();
    assert!(r.can_approve() && r.has_authority(), "{r:?}");
    assert_eq!(r.role, Some(Role::Secretary));
    for p in [&mut luong, &mut hoa, &mut trang] {
        let r = p.store.can_approve(&plan).unwrap();
        assert!(!r.has_authority(), "{r:?}");
        assert!(matches!(
            &r.blockers[..],
            [ApproveBlocker::WrongRole { needed, .. }] if needed == &vec![Role::Secretary]
        ));
    }

    // Lượng submits the plan: it waits for the secretary, not for the others.
    luong
        .store
        .submit_for_approval(&plan, "Trình chi ủy")
        .unwrap();
    let r = luong.sync().await.unwrap();
    assert_eq!(
        r.changed,
        vec![plan.clone()],
        "its sign-off was acknowledged"
    );
    let r = viet.sync().await.unwrap();
    assert_eq!(r.changed, vec![plan.clone()], "a sign-off arrived");
    let needs = viet.store.needs_me().unwrap();
    assert_eq!(needs.approvals.len(), 1, "{needs:?}");
    let a = &needs.approvals[0];
    assert_eq!((&a.doc_id, a.kind), (&plan, DocKind::AnnualPlan));
    assert_eq!(a.submission.signer, MemberId::new("m-luong"));
    assert!(a.not_ready.is_none() && a.previous.is_none());
    for p in [&mut luong, &mut hoa, &mut trang] {
        p.sync().await.unwrap();
        assert!(p.store.needs_me().unwrap().approvals.is_empty());
    }

    // Delegation: the deputy may approve plans too, and the submission reaches her list.
    server
        .store
        .set_plan_delegation(&BranchId::new(BRANCH), true, now_unix() - 60)
        .unwrap();
    let r = trang.sync().await.unwrap();
    assert!(
        r.changed.contains(&plan),
        "a new directory: sign-offs re-verify"
    );
    let rights = trang.store.can_approve(&plan).unwrap();
    assert!(
        rights.can_approve() && rights.deputy_delegated,
        "{rights:?}"
    );
    assert_eq!(trang.store.needs_me().unwrap().approvals.len(), 1);

    // Not ready: the secretary still has authority and the item, with what to fix.
    viet.store
        .add_topic(
            &plan,
            &sotay_tests::simple_topic("Chuyên đề thiếu người", 9),
        )
        .unwrap();
    let r = viet.store.can_approve(&plan).unwrap();
    assert!(r.has_authority() && !r.can_approve());
    assert!(matches!(&r.blockers[..], [ApproveBlocker::NotReady(_)]));
    let e = viet.store.approve(&plan, "").unwrap_err();
    assert!(matches!(e, Error::NotReady(_)), "{e}");
    let needs = viet.store.needs_me().unwrap();
    assert!(needs.approvals[0].not_ready.is_some());

    // Approved (a ready version): off every list.
    let t = viet
        .store
        .plan(&plan)
        .unwrap()
        .topics
        .last()
        .unwrap()
        .id
        .clone();
    viet.store.cancel_topic(&plan, &t).unwrap();
    viet.store.approve(&plan, "Đồng ý").unwrap();
    assert!(viet.store.needs_me().unwrap().approvals.is_empty());
    viet.sync().await.unwrap();
    let r = trang.sync().await.unwrap();
    assert!(r.changed.contains(&plan));
    assert!(trang.store.needs_me().unwrap().approvals.is_empty());

    // A draft: the executive may approve it.
    let draft = luong
        .store
        .create_text_doc(&NewTextDoc {
            kind: DocKind::TopicDraft,
            branch_id: BranchId::new(BRANCH),
            plan_id: Some(plan.clone()),
            topic_id: Some(t),
            title: "Dự thảo chuyên đề".into(),
            description: String::new(),
            body: "Nội dung dự thảo.".into(),
        })
        .unwrap();
    luong.store.submit_for_approval(&draft, "").unwrap();
    luong.sync().await.unwrap();
    hoa.sync().await.unwrap();
    assert!(hoa.store.can_approve(&draft).unwrap().can_approve());
    let needs = hoa.store.needs_me().unwrap();
    assert_eq!(
        needs
            .approvals
            .iter()
            .map(|a| &a.doc_id)
            .collect::<Vec<_>>(),
        vec![&draft]
    );
    assert_eq!(needs.approvals[0].title, "Dự thảo chuyên đề");
}
