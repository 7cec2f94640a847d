//! Unit tests of the typed model: every operation, merges, conflicts, anchors, NFC.
#![allow(clippy::unwrap_used)]

use sotay_core::ids::{BranchId, DocKind, MemberId, TopicId};
use sotay_core::model::conflict;
use sotay_core::model::plan::{
    self, NewPlan, NewTopic, PlanField, PlanText, TopicField, TopicGroup, TopicStatus,
};
use sotay_core::model::text_doc::{self, CommentKind, NewComment, NewTextDoc, ProposalStatus};
use sotay_core::model::{Document, Editor};
use sotay_core::{Error, date};

fn ed(m: &str, t: i64) -> Editor {
    Editor {
        member: MemberId::new(m),
        time: t,
    }
}

fn new_plan() -> Document {
    plan::create(
        &NewPlan {
            branch_id: BranchId::new("b-co-dien"),
            year: 2026,
            title: String::new(),
            number: "01-KH/CB".into(),
            issue_date: Some(date::parse("2026-01-15").unwrap()),
            purpose: "Nâng cao chất lượng sinh hoạt chi bộ.".into(),
            implementation: String::new(),
        },
        &ed("m-viet", 1_767_000_000),
    )
    .unwrap()
}

fn topic(title: &str, month: u8) -> NewTopic {
    NewTopic {
        title: title.into(),
        group: TopicGroup::PartyBuilding,
        month,
        scheduled_date: None,
        combined_with_regular_meeting: false,
        preparers: vec![MemberId::new("m-ung")],
        presenter: Some(MemberId::new("m-ung")),
        executive: None,
        draft_deadline: None,
        expected_output: String::new(),
        notes: String::new(),
    }
}

/// A replica of `doc` as another phone would hold it.
fn replica(doc: &mut Document) -> Document {
    Document::load(&doc.save(), &[]).unwrap()
}

#[test]
fn test_create_plan_defaults_title_and_keeps_header() {
    let doc = new_plan();
    assert_eq!(doc.kind(), DocKind::AnnualPlan);
    let p = plan::get(&doc).unwrap();
    assert_eq!(p.title, "Kế hoạch sinh hoạt chuyên đề năm 2026");
    assert_eq!(p.number, "01-KH/CB");
    assert_eq!(p.year, 2026);
    assert_eq!(
        p.issue_date.map(date::format).as_deref(),
        Some("2026-01-15")
    );
    assert_eq!(p.purpose, "Nâng cao chất lượng sinh hoạt chi bộ.");
    assert!(p.topics.is_empty());
}

#[test]
fn test_add_topic_defaults_to_the_third_and_90_minutes() {
    let mut doc = new_plan();
    let id = plan::add_topic(&mut doc, &ed("m-viet", 1), &topic("An toàn lao động", 3)).unwrap();
    let p = plan::get(&doc).unwrap();
    let t = p.topic(&id).unwrap();
    assert_eq!(
        t.scheduled_date.map(date::format).as_deref(),
        Some("2026-03-03")
    );
    assert_eq!(t.month(), Some(3));
    assert_eq!(t.quarter(), Some(1));
    assert_eq!(t.min_duration_minutes(), 90);
    assert_eq!(t.status, TopicStatus::Planned);
    plan::set_topic_field(
        &mut doc,
        &ed("m-viet", 2),
        &id,
        &TopicField::CombinedWithRegularMeeting(true),
    )
    .unwrap();
    assert_eq!(
        plan::get(&doc)
            .unwrap()
            .topic(&id)
            .unwrap()
            .min_duration_minutes(),
        120
    );
}

#[test]
fn test_edit_move_cancel_topics() {
    let mut doc = new_plan();
    let e = ed("m-viet", 1);
    let a = plan::add_topic(&mut doc, &e, &topic("A", 3)).unwrap();
    let b = plan::add_topic(&mut doc, &e, &topic("B", 4)).unwrap();
    let c = plan::add_topic(&mut doc, &e, &topic("C", 6)).unwrap();
    let order = |doc: &Document| {
        plan::get(doc)
            .unwrap()
            .topics
            .iter()
            .map(|t| t.title.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(order(&doc), ["A", "B", "C"]);
    plan::move_topic(&mut doc, &e, &c, 0).unwrap();
    assert_eq!(order(&doc), ["C", "A", "B"]);
    plan::move_topic(&mut doc, &e, &c, 2).unwrap();
    assert_eq!(order(&doc), ["A", "B", "C"]);
    plan::move_topic(&mut doc, &e, &a, 1).unwrap();
    assert_eq!(order(&doc), ["B", "A", "C"]);
    plan::set_topic_field(&mut doc, &e, &b, &TopicField::Title("B mới".into())).unwrap();
    plan::set_topic_field(
        &mut doc,
        &e,
        &b,
        &TopicField::Presenter(Some(MemberId::new("m-trang"))),
    )
    .unwrap();
    plan::set_preparer(&mut doc, &e, &b, &MemberId::new("m-luong"), true).unwrap();
    plan::set_preparer(&mut doc, &e, &b, &MemberId::new("m-ung"), false).unwrap();
    plan::cancel_topic(&mut doc, &e, &c).unwrap();
    let p = plan::get(&doc).unwrap();
    let tb = p.topic(&b).unwrap();
    assert_eq!(tb.title, "B mới");
    assert_eq!(tb.presenter, Some(MemberId::new("m-trang")));
    assert_eq!(tb.preparers, vec![MemberId::new("m-luong")]);
    assert_eq!(p.topic(&c).unwrap().status, TopicStatus::Cancelled);
    assert!(matches!(
        plan::set_topic_field(
            &mut doc,
            &e,
            &TopicId::new("nope"),
            &TopicField::Notes("x".into())
        ),
        Err(Error::TopicNotFound(_))
    ));
    assert!(matches!(
        plan::set_topic_field(&mut doc, &e, &b, &TopicField::Title("  ".into())),
        Err(Error::InvalidInput(_))
    ));
}

#[test]
fn test_plan_fields_texts_and_legal_bases() {
    let mut doc = new_plan();
    let e = ed("m-viet", 1);
    plan::set_plan_field(&mut doc, &e, &PlanField::Number("02-KH/CB".into())).unwrap();
    plan::splice_text(
        &mut doc,
        &e,
        PlanText::Implementation,
        0,
        0,
        "Chi ủy chỉ đạo.",
    )
    .unwrap();
    plan::splice_text(&mut doc, &e, PlanText::Implementation, 0, 3, "Chi bộ").unwrap();
    let hd12 = plan::add_legal_basis(
        &mut doc,
        &e,
        "12-HD/BTCTW",
        Some(date::parse("2018-07-06").unwrap()),
        "Hướng dẫn",
    )
    .unwrap();
    plan::add_legal_basis(
        &mut doc,
        &e,
        "42-HD/BTCTW",
        Some(date::parse("2025-10-28").unwrap()),
        "Hướng dẫn",
    )
    .unwrap();
    let p = plan::get(&doc).unwrap();
    assert_eq!(p.number, "02-KH/CB");
    assert_eq!(p.implementation, "Chi bộ ủy chỉ đạo.");
    assert_eq!(
        p.legal_bases
            .iter()
            .map(|l| l.number.as_str())
            .collect::<Vec<_>>(),
        ["12-HD/BTCTW", "42-HD/BTCTW"]
    );
    plan::remove_legal_basis(&mut doc, &e, &hd12).unwrap();
    assert_eq!(plan::get(&doc).unwrap().legal_bases.len(), 1);
    assert!(plan::splice_text(&mut doc, &e, PlanText::Purpose, 999, 0, "x").is_err());
}

#[test]
fn test_nfd_input_is_stored_nfc_even_when_marks_arrive_separately() {
    let mut doc = new_plan();
    let e = ed("m-viet", 1);
    let nfd_title = "Vi\u{0065}\u{0323}\u{0302}t"; // "Việt" in NFD
    let id = plan::add_topic(&mut doc, &e, &topic(nfd_title, 3)).unwrap();
    assert_eq!(plan::get(&doc).unwrap().topic(&id).unwrap().title, "Việt");
    // A keyboard sending the base letter and its marks as separate edits.
    plan::replace_text(&mut doc, &e, PlanText::Purpose, "Vi").unwrap();
    plan::splice_text(&mut doc, &e, PlanText::Purpose, 2, 0, "e").unwrap();
    plan::splice_text(&mut doc, &e, PlanText::Purpose, 3, 0, "\u{0323}").unwrap();
    plan::splice_text(&mut doc, &e, PlanText::Purpose, 3, 0, "\u{0302}").unwrap();
    let purpose = plan::get(&doc).unwrap().purpose;
    assert!(sotay_core::text::is_nfc(&purpose), "{purpose:?}");
    assert_eq!(purpose, "Việ");
}

#[test]
fn test_concurrent_presenters_are_listed_with_their_authors_and_resolved() {
    let mut a = new_plan();
    let id = plan::add_topic(&mut a, &ed("m-viet", 1), &topic("Chuyển đổi số", 7)).unwrap();
    let mut b = replica(&mut a);
    plan::set_topic_field(
        &mut a,
        &ed("m-viet", 2),
        &id,
        &TopicField::Presenter(Some(MemberId::new("m-anh"))),
    )
    .unwrap();
    plan::set_topic_field(
        &mut b,
        &ed("m-trang", 2),
        &id,
        &TopicField::Presenter(Some(MemberId::new("m-huy"))),
    )
    .unwrap();
    a.merge(&mut b).unwrap();
    b.merge(&mut a).unwrap();
    let ca = conflict::list(&a);
    assert_eq!(ca.len(), 1, "{ca:?}");
    assert_eq!(
        ca[0].path,
        vec!["topics".to_string(), id.to_string(), "presenter".into()]
    );
    let mut pairs: Vec<(String, String)> = ca[0]
        .values
        .iter()
        .map(|v| (v.value.clone(), v.set_by.clone().unwrap().to_string()))
        .collect();
    pairs.sort();
    assert_eq!(
        pairs,
        [
            ("m-anh".into(), "m-viet".into()),
            ("m-huy".into(), "m-trang".into())
        ]
    );
    // Both replicas show the same default winner.
    assert_eq!(conflict::list(&b)[0].values[0].value, ca[0].values[0].value);
    let huy = ca[0]
        .values
        .iter()
        .find(|v| v.value == "m-huy")
        .unwrap()
        .op
        .clone();
    conflict::resolve(&mut a, &ed("m-viet", 3), &ca[0].path, &huy).unwrap();
    assert!(conflict::list(&a).is_empty());
    assert_eq!(
        plan::get(&a).unwrap().topic(&id).unwrap().presenter,
        Some(MemberId::new("m-huy"))
    );
    b.merge(&mut a).unwrap();
    assert!(conflict::list(&b).is_empty());
    // The same choice offered again is stale.
    assert!(matches!(
        conflict::resolve(&mut a, &ed("m-viet", 4), &ca[0].path, &huy),
        Err(Error::ConflictChanged { .. })
    ));
}

#[test]
fn test_same_value_set_concurrently_is_not_a_conflict() {
    let mut a = new_plan();
    let id = plan::add_topic(&mut a, &ed("m-viet", 1), &topic("X", 7)).unwrap();
    let mut b = replica(&mut a);
    plan::set_topic_field(
        &mut a,
        &ed("m-viet", 2),
        &id,
        &TopicField::Notes("giống".into()),
    )
    .unwrap();
    plan::set_topic_field(
        &mut b,
        &ed("m-trang", 2),
        &id,
        &TopicField::Notes("giống".into()),
    )
    .unwrap();
    a.merge(&mut b).unwrap();
    assert!(conflict::list(&a).is_empty());
}

fn new_draft(text: &str) -> Document {
    text_doc::create(
        &NewTextDoc {
            kind: DocKind::TopicDraft,
            branch_id: BranchId::new("b-co-dien"),
            plan_id: None,
            topic_id: Some(TopicId::new("t1")),
            title: "Dự thảo chuyên đề".into(),
            description: String::new(),
            body: text.into(),
        },
        &ed("m-ung", 10),
    )
    .unwrap()
}

#[test]
fn test_anchor_survives_concurrent_edits() {
    let mut a = new_draft("Giảm thời gian dừng máy ngoài kế hoạch.");
    let mut b = replica(&mut a);
    // Comment on "dừng máy" (chars 15..23).
    let start = "Giảm thời gian ".chars().count();
    let end = start + "dừng máy".chars().count();
    let c = text_doc::add_comment(
        &mut a,
        &ed("m-luong", 11),
        &NewComment {
            kind: CommentKind::Proposal,
            body: "Đề xuất bảo dưỡng định kỳ".into(),
            anchor: Some((start, end)),
            reply_to: None,
        },
    )
    .unwrap();
    // Concurrently, another member prepends text and edits inside nothing of the anchor.
    text_doc::splice_body(&mut b, &ed("m-ung", 11), 0, 0, "Mục tiêu: ").unwrap();
    a.merge(&mut b).unwrap();
    let d = text_doc::get(&a).unwrap();
    let com = d.comments.iter().find(|x| x.id == c).unwrap();
    let anchor = com.anchor.clone().unwrap();
    assert_eq!(anchor.current, "dừng máy");
    assert_eq!(anchor.quote, "dừng máy");
    assert_eq!(anchor.start, start + "Mục tiêu: ".chars().count());
    assert!(!anchor.orphaned);
    assert_eq!(com.status, Some(ProposalStatus::Open));
    // Deleting the anchored words orphans the comment but keeps it.
    let s = anchor.start;
    text_doc::splice_body(&mut a, &ed("m-ung", 12), s, anchor.end - s, "").unwrap();
    let d = text_doc::get(&a).unwrap();
    let anchor = d.comments[0].anchor.clone().unwrap();
    assert!(anchor.orphaned);
    assert_eq!(anchor.quote, "dừng máy");
}

#[test]
fn test_comment_thread_edit_delete_resolve_and_author_rule() {
    let mut doc = new_draft("Nội dung");
    let root = text_doc::add_comment(
        &mut doc,
        &ed("m-anh", 20),
        &NewComment {
            kind: CommentKind::Comment,
            body: "Cần thêm số liệu".into(),
            anchor: Some((0, 3)),
            reply_to: None,
        },
    )
    .unwrap();
    let reply = text_doc::add_comment(
        &mut doc,
        &ed("m-viet", 21),
        &NewComment {
            kind: CommentKind::Comment,
            body: "Đồng ý".into(),
            anchor: None,
            reply_to: Some(root.clone()),
        },
    )
    .unwrap();
    assert!(matches!(
        text_doc::edit_comment(&mut doc, &ed("m-viet", 22), &root, "sửa"),
        Err(Error::NotAuthor { .. })
    ));
    assert!(matches!(
        text_doc::delete_comment(&mut doc, &ed("m-viet", 22), &root),
        Err(Error::NotAuthor { .. })
    ));
    text_doc::edit_comment(&mut doc, &ed("m-anh", 23), &root, "Cần thêm số liệu quý I").unwrap();
    text_doc::delete_comment(&mut doc, &ed("m-viet", 24), &reply).unwrap();
    text_doc::resolve_comment(&mut doc, &ed("m-viet", 25), &root, true).unwrap();
    let d = text_doc::get(&doc).unwrap();
    let r = d.comments.iter().find(|c| c.id == root).unwrap();
    assert_eq!(r.body, "Cần thêm số liệu quý I");
    assert_eq!(r.edited_at, Some(23));
    assert!(r.resolved);
    assert_eq!(r.resolved_by, Some(MemberId::new("m-viet")));
    let rep = d.comments.iter().find(|c| c.id == reply).unwrap();
    assert!(rep.deleted);
    assert_eq!(rep.body, "");
    assert_eq!(rep.reply_to, Some(root.clone()));
    assert!(
        text_doc::set_proposal_status(&mut doc, &ed("m-viet", 26), &root, ProposalStatus::Done)
            .is_err()
    );
    let counts = text_doc::comment_counts(&doc).unwrap();
    assert_eq!((counts.total, counts.unresolved_threads), (1, 0));
    assert!(matches!(
        text_doc::add_comment(
            &mut doc,
            &ed("m-anh", 27),
            &NewComment {
                kind: CommentKind::Comment,
                body: "x".into(),
                anchor: Some((5, 99)),
                reply_to: None
            }
        ),
        Err(Error::InvalidInput(_))
    ));
}

#[test]
fn test_commits_record_author_and_time() {
    let mut doc = new_plan();
    plan::add_topic(&mut doc, &ed("m-trang", 1_770_000_000), &topic("X", 5)).unwrap();
    let h = doc.history();
    let last = h.last().unwrap();
    assert_eq!(last.member, Some(MemberId::new("m-trang")));
    assert_eq!(last.time, 1_770_000_000);
    assert_eq!(last.message, "topic.add");
    assert_eq!(h[0].member, Some(MemberId::new("m-viet")));
}

#[test]
fn test_load_garbage_is_an_error_not_a_panic() {
    for bytes in [vec![], vec![0u8; 10], b"\x85\x6f\x4a\x83garbage".to_vec()] {
        assert!(Document::load(&bytes, &[]).is_err());
    }
}

#[test]
fn test_move_between_topics_that_share_a_position_lands_where_asked() {
    // X, Y exist; two phones each append a topic offline: both get the same position.
    let mut a = new_plan();
    let e = ed("m-viet", 1);
    let x = plan::add_topic(&mut a, &e, &topic("X", 3)).unwrap();
    let mut b = replica(&mut a);
    let ta = plan::add_topic(&mut a, &e, &topic("A", 4)).unwrap();
    let tb = plan::add_topic(&mut b, &ed("m-trang", 1), &topic("B", 5)).unwrap();
    a.merge(&mut b).unwrap();
    let y = plan::add_topic(&mut a, &e, &topic("Y", 6)).unwrap();
    let p = plan::get(&a).unwrap();
    assert_eq!(
        p.topic(&ta).unwrap().position,
        p.topic(&tb).unwrap().position,
        "the tie this test needs"
    );
    // Asked for the second place: a tied pair cannot be split, so X goes right after the
    // pair — and never past Y, as it did when the tie made the neighbours look equal.
    plan::move_topic(&mut a, &e, &x, 1).unwrap();
    let order: Vec<TopicId> = plan::get(&a)
        .unwrap()
        .topics
        .into_iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(order[2], x, "{order:?}");
    assert_eq!(order[3], y, "{order:?}");
}

#[test]
fn test_large_changes_pass_the_canonical_check() {
    // A big change travels uncompressed (zstd compresses the whole body better).
    let mut a = new_plan();
    let mut b = replica(&mut a);
    let base = a.heads();
    let long = "Chi bộ thảo luận, góp ý và thống nhất giải pháp. ".repeat(400);
    plan::replace_text(&mut a, &ed("m-viet", 5), PlanText::Implementation, &long).unwrap();
    let changes = a.changes_since(&base);
    // Byte 8 is the chunk type: 1 = a plain change, 2 = a deflated one.
    assert!(
        changes.iter().all(|c| c[8] == 1),
        "types {:?}",
        changes.iter().map(|c| c[8]).collect::<Vec<_>>()
    );
    assert!(changes.iter().any(|c| c.len() > 4096));
    b.apply_untrusted_changes(&changes).unwrap();
    assert_eq!(plan::get(&b).unwrap().implementation, long);
}

#[test]
fn test_tampered_change_is_refused_before_it_is_applied() {
    let mut a = new_plan();
    let mut b = replica(&mut a);
    let base = a.heads();
    plan::set_plan_field(
        &mut a,
        &ed("m-viet", 5),
        &PlanField::Number("09-KH/CB".into()),
    )
    .unwrap();
    let mut changes = a.changes_since(&base);
    // Flip the stored checksum: Automerge itself would accept and relay this.
    changes[0][5] ^= 0xff;
    let err = b.apply_untrusted_changes(&changes).unwrap_err();
    assert!(err.to_string().contains("canonical"), "{err}");
    assert_eq!(plan::get(&b).unwrap().number, "01-KH/CB");
}

#[test]
fn test_decoded_changes_carry_their_author() {
    let mut doc = new_plan();
    plan::add_topic(&mut doc, &ed("m-trang", 2), &topic("X", 3)).unwrap();
    let decoded = sotay_core::model::decode_changes(&doc.changes_since(&[])).unwrap();
    let authors: Vec<Option<String>> = decoded
        .iter()
        .map(|c| c.author.as_ref().map(|m| m.to_string()))
        .collect();
    assert_eq!(
        authors,
        [Some("m-viet".to_string()), Some("m-trang".to_string())]
    );
}
