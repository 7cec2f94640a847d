//! The durable store: read model, durability bookkeeping, migrations, damage containment.
#![allow(clippy::unwrap_used)]

use sotay_core::ids::{BranchId, DocId, DocKind, MemberId, TopicId};
use sotay_core::model::plan::TopicField;
use sotay_core::model::text_doc::{CommentKind, NewComment, NewTextDoc};
use sotay_core::org::{Member, MemberStatus, Role};
use sotay_core::{Error, Store};

mod common;
use common::{new_plan, topic};

fn open(dir: &tempfile::TempDir, member: &str) -> Store {
    let mut s = Store::open(dir.path().join("phone.sotay")).unwrap();
    s.set_identity(&MemberId::new(member)).unwrap();
    s
}

#[test]
fn test_edits_survive_reopen_and_read_model_needs_no_document() {
    let dir = tempfile::tempdir().unwrap();
    let (plan, t2) = {
        let mut s = open(&dir, "m-viet");
        let plan = s.create_plan(&new_plan()).unwrap();
        s.add_topic(&plan, &topic("An toàn lao động", 3)).unwrap();
        let t2 = s
            .add_topic(&plan, &topic("Giảm thời gian dừng máy", 4))
            .unwrap();
        s.set_topic_field(
            &plan,
            &t2,
            &TopicField::Presenter(Some(MemberId::new("m-luong"))),
        )
        .unwrap();
        (plan, t2)
    };
    let s = Store::open(dir.path().join("phone.sotay")).unwrap();
    assert_eq!(s.identity(), Some(&MemberId::new("m-viet")));
    let plans = s.plan_rows(None).unwrap();
    assert_eq!(plans.len(), 1);
    assert_eq!(plans[0].topic_count, 2);
    let rows = s.topic_rows(&plan).unwrap();
    assert_eq!(
        rows.iter().map(|r| r.title.as_str()).collect::<Vec<_>>(),
        ["An toàn lao động", "Giảm thời gian dừng máy"]
    );
    assert_eq!(rows[1].topic_id, t2);
    assert_eq!(rows[1].presenter, "m-luong");
    assert_eq!(rows[1].scheduled_date, "2026-04-03");
    // Accent-insensitive search over the read model.
    let hits = s.search_topics("dung may").unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].topic_id, t2);
}

#[test]
fn test_compaction_keeps_every_edit() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(&dir, "m-ung");
    s.set_compact_every(5);
    let draft = s
        .create_text_doc(&NewTextDoc {
            kind: DocKind::TopicDraft,
            branch_id: BranchId::new("b-co-dien"),
            plan_id: None,
            topic_id: Some(TopicId::new("t")),
            title: "Dự thảo".into(),
            description: String::new(),
            body: String::new(),
        })
        .unwrap();
    for i in 0..23 {
        s.splice_body(&draft, i, 0, "ư").unwrap();
    }
    for i in 0..7 {
        s.add_comment(
            &draft,
            &NewComment {
                kind: CommentKind::Comment,
                body: format!("góp ý {i}"),
                anchor: Some((i, i + 1)),
                reply_to: None,
            },
        )
        .unwrap();
    }
    drop(s);
    let mut s = Store::open(dir.path().join("phone.sotay")).unwrap();
    let d = s.text_doc(&draft).unwrap();
    assert_eq!(d.body.chars().count(), 23);
    assert_eq!(d.comments.len(), 7);
    let rows = s.text_doc_rows(None).unwrap();
    assert_eq!((rows[0].body_chars, rows[0].comment_count), (23, 7));
    assert_eq!(s.integrity_check().unwrap(), ["ok"]);
}

#[test]
fn test_edit_without_identity_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(dir.path().join("x.sotay")).unwrap();
    assert!(matches!(s.create_plan(&new_plan()), Err(Error::NoIdentity)));
}

#[test]
fn test_members_sort_vietnamese_and_match_tone_variants() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(&dir, "m-viet");
    for (id, name) in [
        ("m-viet", "Đặng Quốc Việt"),
        ("m-hoa", "Vũ Thị Hoà"),
        ("m-anh", "Phạm Ngọc Ánh"),
        ("m-dat", "Mạc Văn Đạt"),
        ("m-dung", "Lê Văn Dũng"),
    ] {
        s.upsert_member(&Member {
            id: MemberId::new(id),
            branch_id: BranchId::new("b-co-dien"),
            full_name: name.into(),
            role: Role::Member,
            status: MemberStatus::Full,
        })
        .unwrap();
    }
    let names: Vec<String> = s
        .members()
        .unwrap()
        .into_iter()
        .map(|m| m.full_name)
        .collect();
    assert_eq!(
        names,
        [
            "Phạm Ngọc Ánh",
            "Lê Văn Dũng",
            "Mạc Văn Đạt",
            "Vũ Thị Hoà",
            "Đặng Quốc Việt"
        ]
    );
    assert_eq!(
        s.find_member("Vũ Thị Hòa").unwrap().map(|m| m.id),
        Some(MemberId::new("m-hoa"))
    );
    assert_eq!(s.search_members("dat").unwrap().len(), 1);
    assert_eq!(
        s.search_members("viet").unwrap()[0].id,
        MemberId::new("m-viet")
    );
}

#[test]
fn test_unknown_document_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(&dir, "m-viet");
    assert!(matches!(
        s.plan(&DocId::new("nope")),
        Err(Error::DocumentNotFound(_))
    ));
}

#[test]
fn test_incremental_comment_counts_match_a_recount() {
    use sotay_core::model::text_doc::ProposalStatus;
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(&dir, "m-ung");
    let draft = s
        .create_text_doc(&NewTextDoc {
            kind: DocKind::TopicDraft,
            branch_id: BranchId::new("b-co-dien"),
            plan_id: None,
            topic_id: Some(TopicId::new("t")),
            title: "Dự thảo".into(),
            description: String::new(),
            body: "Nội dung dự thảo".into(),
        })
        .unwrap();
    let mut ids: Vec<sotay_core::ids::CommentId> = Vec::new();
    for i in 0..12 {
        let kind = if i % 3 == 0 {
            CommentKind::Proposal
        } else {
            CommentKind::Comment
        };
        let reply_to = (i % 4 == 3).then(|| ids[0].clone());
        let anchor = reply_to.is_none().then_some((0, 3));
        ids.push(
            s.add_comment(
                &draft,
                &NewComment {
                    kind,
                    body: format!("ý kiến {i}"),
                    anchor,
                    reply_to,
                },
            )
            .unwrap(),
        );
    }
    s.set_proposal_status(&draft, &ids[0], ProposalStatus::Accepted)
        .unwrap();
    s.set_proposal_status(&draft, &ids[3], ProposalStatus::Done)
        .unwrap();
    s.resolve_comment(&draft, &ids[1], true).unwrap();
    s.resolve_comment(&draft, &ids[1], false).unwrap();
    s.resolve_comment(&draft, &ids[2], true).unwrap();
    s.delete_comment(&draft, &ids[6]).unwrap();
    s.delete_comment(&draft, &ids[7]).unwrap();
    s.edit_comment(&draft, &ids[4], "sửa").unwrap();
    s.splice_body(&draft, 0, 0, "Mở đầu. ").unwrap();
    let row = s.text_doc_rows(None).unwrap().remove(0);
    let d = s.text_doc(&draft).unwrap();
    let live: Vec<_> = d.comments.iter().filter(|c| !c.deleted).collect();
    let proposals: Vec<_> = live
        .iter()
        .filter(|c| c.kind == CommentKind::Proposal)
        .collect();
    let open = proposals
        .iter()
        .filter(|c| c.status == Some(ProposalStatus::Open))
        .count();
    let threads = live
        .iter()
        .filter(|c| c.reply_to.is_none() && !c.resolved)
        .count();
    assert_eq!(row.comment_count as usize, live.len());
    assert_eq!(row.proposal_count as usize, proposals.len());
    assert_eq!(row.open_proposal_count as usize, open);
    assert_eq!(row.unresolved_threads as usize, threads);
    assert_eq!((row.comment_count, row.open_proposal_count), (10, 1));
}
