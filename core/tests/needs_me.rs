//! "What needs me": the threads waiting for a member (replies, comments on their drafts,
//! decisions on their proposals, until they look), and what stands in the way of approving
//! on a store without a directory. Approvals waiting for a role need a server-signed
//! directory: `tests/tests/approvals.rs` covers them end to end.
#![allow(clippy::unwrap_used)]

use sotay_core::ids::{BranchId, CommentId, DocId, DocKind, MemberId, TopicId};
use sotay_core::model::plan::NewPlan;
use sotay_core::model::text_doc::{CommentKind, NewComment, NewTextDoc, ProposalStatus};
use sotay_core::org::{Member, MemberStatus, Role};
use sotay_core::store::{ApproveBlocker, Enrollment, ThreadReason};
use sotay_core::{Error, Store};

fn store(dir: &tempfile::TempDir) -> Store {
    let mut s = Store::open(dir.path().join("phone.sotay")).unwrap();
    for (id, name, role) in [
        ("m-viet", "Nguyễn Văn Việt", Role::Secretary),
        ("m-luong", "Hoàng Đức Lượng", Role::Member),
        ("m-hoa", "Lê Thị Hoa", Role::Executive),
    ] {
        s.upsert_member(&Member {
            id: MemberId::new(id),
            branch_id: BranchId::new("b-co-dien"),
            full_name: name.into(),
            role,
            status: MemberStatus::Full,
        })
        .unwrap();
    }
    s
}

fn as_member(s: &mut Store, member: &str) {
    s.set_identity(&MemberId::new(member)).unwrap();
}

fn draft(s: &mut Store) -> DocId {
    s.create_text_doc(&NewTextDoc {
        kind: DocKind::TopicDraft,
        branch_id: BranchId::new("b-co-dien"),
        plan_id: None,
        topic_id: Some(TopicId::new("t-1")),
        title: "Dự thảo chuyên đề an toàn lao động".into(),
        description: String::new(),
        body: "Dừng máy ngoài kế hoạch làm giảm sản lượng.".into(),
    })
    .unwrap()
}

fn comment(s: &mut Store, doc: &DocId, body: &str, reply_to: Option<&CommentId>) -> CommentId {
    s.add_comment(
        doc,
        &NewComment {
            kind: CommentKind::Comment,
            body: body.into(),
            anchor: None,
            reply_to: reply_to.cloned(),
        },
    )
    .unwrap()
}

/// The threads waiting for `member`: (root, latest, reason).
fn waiting(s: &mut Store, member: &str) -> Vec<(CommentId, CommentId, ThreadReason)> {
    as_member(s, member);
    s.needs_me()
        .unwrap()
        .threads
        .into_iter()
        .map(|t| (t.root.id, t.latest.id, t.reason))
        .collect()
}

#[test]
fn test_comments_and_replies_wait_for_the_right_member_until_answered_or_seen() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(&dir);
    as_member(&mut s, "m-viet");
    let doc = draft(&mut s);
    assert!(waiting(&mut s, "m-viet").is_empty());

    // Lượng comments on the secretary's draft: it waits for Việt (his document), not for
    // Lượng (he wrote last) nor for Hoa (not involved).
    as_member(&mut s, "m-luong");
    let c = comment(&mut s, &doc, "Đề nghị bổ sung số liệu", None);
    assert!(waiting(&mut s, "m-luong").is_empty());
    assert!(waiting(&mut s, "m-hoa").is_empty());
    assert_eq!(
        waiting(&mut s, "m-viet"),
        vec![(c.clone(), c.clone(), ThreadReason::OnMyDocument)]
    );
    let item = &s.needs_me().unwrap().threads[0];
    assert_eq!(item.doc_id, doc);
    assert_eq!(item.doc_title, "Dự thảo chuyên đề an toàn lao động");
    assert_eq!(item.topic_id, Some(TopicId::new("t-1")));

    // Việt looks at it: gone, until something new arrives.
    s.mark_thread_seen(&doc, &c).unwrap();
    assert!(waiting(&mut s, "m-viet").is_empty());

    // Hoa joins the thread: it waits for Việt again (a new message) and for Lượng (someone
    // wrote after him in his thread).
    as_member(&mut s, "m-hoa");
    let r1 = comment(&mut s, &doc, "Tôi có số liệu quý I", Some(&c));
    assert_eq!(
        waiting(&mut s, "m-viet"),
        vec![(c.clone(), r1.clone(), ThreadReason::OnMyDocument)]
    );
    assert_eq!(
        waiting(&mut s, "m-luong"),
        vec![(c.clone(), r1.clone(), ThreadReason::Reply)]
    );
    assert!(waiting(&mut s, "m-hoa").is_empty());

    // Việt answers (a reply to the reply is the same thread): nothing waits for him; Lượng
    // and Hoa have a reply.
    as_member(&mut s, "m-viet");
    let r2 = comment(&mut s, &doc, "Cảm ơn, đã bổ sung", Some(&r1));
    assert!(waiting(&mut s, "m-viet").is_empty());
    assert_eq!(
        waiting(&mut s, "m-hoa"),
        vec![(c.clone(), r2.clone(), ThreadReason::Reply)]
    );

    // A resolved thread waits for nobody; a deleted last message does not count.
    as_member(&mut s, "m-viet");
    s.resolve_comment(&doc, &c, true).unwrap();
    assert!(waiting(&mut s, "m-luong").is_empty());
    assert!(waiting(&mut s, "m-hoa").is_empty());
    as_member(&mut s, "m-viet");
    s.resolve_comment(&doc, &c, false).unwrap();
    s.delete_comment(&doc, &r2).unwrap();
    assert_eq!(
        waiting(&mut s, "m-luong"),
        vec![(c.clone(), r1.clone(), ThreadReason::Reply)]
    );
    assert!(matches!(
        s.mark_thread_seen(&doc, &CommentId::new("no-such")),
        Err(Error::CommentNotFound(_))
    ));
}

#[test]
fn test_a_decision_on_my_proposal_waits_for_me_until_i_look_and_again_when_it_changes() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(&dir);
    as_member(&mut s, "m-viet");
    let doc = draft(&mut s);
    as_member(&mut s, "m-luong");
    let p = s
        .add_comment(
            &doc,
            &NewComment {
                kind: CommentKind::Proposal,
                body: "Bảo dưỡng định kỳ theo ca".into(),
                anchor: Some((0, 8)),
                reply_to: None,
            },
        )
        .unwrap();
    // The secretary has it on his document until he decides it (deciding is looking).
    assert_eq!(waiting(&mut s, "m-viet").len(), 1);
    s.set_proposal_status(&doc, &p, ProposalStatus::Accepted)
        .unwrap();
    s.resolve_comment(&doc, &p, true).unwrap();
    assert!(waiting(&mut s, "m-viet").is_empty());
    // Lượng hears of the decision, resolved or not.
    assert_eq!(
        waiting(&mut s, "m-luong"),
        vec![(
            p.clone(),
            p.clone(),
            ThreadReason::ProposalDecided(ProposalStatus::Accepted)
        )]
    );
    s.mark_thread_seen(&doc, &p).unwrap();
    assert!(waiting(&mut s, "m-luong").is_empty());
    // Carried out: a new decision.
    as_member(&mut s, "m-viet");
    s.set_proposal_status(&doc, &p, ProposalStatus::Done)
        .unwrap();
    assert_eq!(
        waiting(&mut s, "m-luong"),
        vec![(
            p.clone(),
            p.clone(),
            ThreadReason::ProposalDecided(ProposalStatus::Done)
        )]
    );
    // Replying counts as looking.
    comment(&mut s, &doc, "Đã thực hiện xong", Some(&p));
    assert!(waiting(&mut s, "m-luong").is_empty());
    // The thread is resolved: Lượng's reply on Việt's draft does not wait for Việt.
    assert!(waiting(&mut s, "m-viet").is_empty());
}

#[test]
fn test_can_approve_lists_what_is_in_the_way_without_enrollment_or_directory() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = store(&dir);
    as_member(&mut s, "m-viet");
    let plan = s
        .create_plan(&NewPlan {
            branch_id: BranchId::new("b-co-dien"),
            year: 2026,
            title: String::new(),
            number: "01-KH/CB".into(),
            issue_date: None,
            purpose: String::new(),
            implementation: String::new(),
        })
        .unwrap();
    s.add_topic(
        &plan,
        &sotay_core::model::plan::NewTopic {
            title: "Chuyên đề chưa có người trình bày".into(),
            group: sotay_core::model::plan::TopicGroup::PartyBuilding,
            month: 3,
            scheduled_date: None,
            combined_with_regular_meeting: false,
            preparers: vec![],
            presenter: None,
            executive: None,
            draft_deadline: None,
            expected_output: String::new(),
            notes: String::new(),
        },
    )
    .unwrap();
    let r = s.can_approve(&plan).unwrap();
    assert!(!r.can_approve() && !r.has_authority());
    assert_eq!(r.required_roles, vec![Role::Secretary]);
    assert!(matches!(r.blockers[0], ApproveBlocker::NotEnrolled));
    let ApproveBlocker::NotReady(n) = &r.blockers[1] else {
        panic!("{:?}", r.blockers)
    };
    assert_eq!(n.missing.len(), 2, "{n:?}");

    s.set_enrollment(&Enrollment {
        server_url: "http://127.0.0.1:9".into(),
        device_id: "d".into(),
        member_id: MemberId::new("m-viet"),
        committee_id: "c".into(),
        enrolled_at: 0,
    })
    .unwrap();
    let r = s.can_approve(&plan).unwrap();
    assert!(matches!(r.blockers[0], ApproveBlocker::NoDirectory));
    // `approve` says the same, in the same order.
    assert!(matches!(s.approve(&plan, ""), Err(Error::NotPermitted(_))));
    // Nothing is submitted: nothing waits for approval.
    assert!(s.needs_me().unwrap().approvals.is_empty());
}
