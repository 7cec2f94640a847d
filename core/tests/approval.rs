//! Signed approval: verification against the directory (every way a record can be invalid),
//! the approval gate, the status rules and the delta between versions.
#![allow(clippy::unwrap_used)]

use automerge::ChangeHash;
use ed25519_dalek::SigningKey;
use sotay_core::approval::{
    self, DeltaContent, DeviceFacts, FieldValue, Invalid, LegalBasisChange, MemoryAuthority,
    RequiredField, Signoff, SignoffAction, SignoffFields, SignoffId, Status, TextEdit,
    TextEditKind,
};
use sotay_core::date;
use sotay_core::ids::{BranchId, DocKind, MemberId, TopicId};
use sotay_core::model::plan::{
    self, NewPlan, NewTopic, PlanField, PlanText, TopicField, TopicGroup,
};
use sotay_core::model::text_doc::{self, CommentKind, NewComment, NewTextDoc, ProposalStatus};
use sotay_core::model::{Document, Editor};
use sotay_core::org::Role;

const T0: i64 = 1_767_000_000;
const ENROLLED: i64 = T0 - 86_400;

fn m(s: &str) -> MemberId {
    MemberId::new(s)
}

fn ed(member: &str, t: i64) -> Editor {
    Editor {
        member: m(member),
        time: t,
    }
}

fn branch() -> BranchId {
    BranchId::new("b-co-dien")
}

/// A directory: the Cơ điện branch (secretary Việt, deputy Trang, executive Ứng, member Hòa)
/// and the secretary of another branch.
struct Dir {
    auth: MemoryAuthority,
}

fn key(member: &str) -> SigningKey {
    let mut seed = [0u8; 32];
    for (i, b) in member.bytes().enumerate() {
        seed[i % 32] ^= b;
    }
    seed[31] ^= 0x5a;
    SigningKey::from_bytes(&seed)
}

fn device(member: &str) -> String {
    format!("dev-{member}")
}

fn dir() -> Dir {
    let mut auth = MemoryAuthority::new();
    let other = BranchId::new("b-khac");
    for (member, b, role) in [
        ("m-viet", branch(), Role::Secretary),
        ("m-trang", branch(), Role::DeputySecretary),
        ("m-ung", branch(), Role::Executive),
        ("m-hoa", branch(), Role::Member),
        ("m-khac", other, Role::Secretary),
    ] {
        auth.add_device(
            &device(member),
            DeviceFacts {
                member: m(member),
                public_key: key(member).verifying_key().to_bytes(),
                enrolled_at: ENROLLED,
                revoked_at: None,
            },
        );
        auth.set_role(&m(member), 0, Some((b, role)));
    }
    Dir { auth }
}

fn new_plan() -> Document {
    let mut doc = plan::create(
        &NewPlan {
            branch_id: branch(),
            year: 2026,
            title: String::new(),
            number: "01-KH/CB".into(),
            issue_date: Some(date::parse("2026-01-15").unwrap()),
            purpose: "Nâng cao chất lượng sinh hoạt chi bộ. Mỗi đảng viên nhận rõ trách nhiệm."
                .into(),
            implementation: "Chi ủy phân công đồng chí phụ trách từng chuyên đề.".into(),
        },
        &ed("m-viet", T0),
    )
    .unwrap();
    for (title, month) in [
        ("Học tập và làm theo tư tưởng Hồ Chí Minh", 3),
        ("An toàn lao động trong sửa chữa băng tải", 5),
        ("Phòng, chống lãng phí điện năng", 7),
    ] {
        plan::add_topic(&mut doc, &ed("m-viet", T0 + 10), &topic(title, month)).unwrap();
    }
    doc
}

fn topic(title: &str, month: u8) -> NewTopic {
    NewTopic {
        title: title.into(),
        group: TopicGroup::PartyBuilding,
        month,
        scheduled_date: None,
        combined_with_regular_meeting: false,
        preparers: vec![m("m-ung")],
        presenter: Some(m("m-ung")),
        executive: Some(m("m-trang")),
        draft_deadline: None,
        expected_output: String::new(),
        notes: String::new(),
    }
}

fn new_draft() -> Document {
    text_doc::create(
        &NewTextDoc {
            kind: DocKind::TopicDraft,
            branch_id: branch(),
            plan_id: None,
            topic_id: Some(TopicId::new("t-1")),
            title: "Dự thảo chuyên đề an toàn lao động".into(),
            description: String::new(),
            body: "Chi bộ đề ra mục tiêu giảm thời gian dừng máy. Đảng viên nêu gương.".into(),
        },
        &ed("m-ung", T0),
    )
    .unwrap()
}

fn replica(doc: &mut Document) -> Document {
    Document::load(&doc.save(), &[]).unwrap()
}

struct Sign<'a> {
    action: SignoffAction,
    doc: &'a mut Document,
    signer: &'a str,
    role: Role,
    at: i64,
    supersedes: Option<SignoffId>,
}

impl Sign<'_> {
    fn with_key(self, key: &SigningKey) -> Signoff {
        let heads = self.doc.heads();
        Signoff::sign(
            SignoffFields {
                action: self.action,
                doc_id: self.doc.id().clone(),
                doc_kind: self.doc.kind(),
                branch_id: self.doc.branch_id().unwrap(),
                heads,
                signer: m(self.signer),
                role: self.role,
                device_id: device(self.signer),
                signed_at: self.at,
                supersedes: self.supersedes,
                note: String::new(),
            },
            key,
        )
        .unwrap()
    }

    fn signed(self) -> Signoff {
        let k = key(self.signer);
        self.with_key(&k)
    }
}

fn approve<'a>(doc: &'a mut Document, signer: &'a str, role: Role, at: i64) -> Sign<'a> {
    Sign {
        action: SignoffAction::Approve,
        doc,
        signer,
        role,
        at,
        supersedes: None,
    }
}

fn submit<'a>(doc: &'a mut Document, signer: &'a str, role: Role, at: i64) -> Sign<'a> {
    Sign {
        action: SignoffAction::Submit,
        ..approve(doc, signer, role, at)
    }
}

// ----------------------------------------------------------------------------------------
// verify: every Invalid variant
// ----------------------------------------------------------------------------------------

#[test]
fn test_secretary_approval_verifies_and_matches_its_document() {
    let d = dir();
    let mut doc = new_plan();
    let s = approve(&mut doc, "m-viet", Role::Secretary, T0 + 100).signed();
    assert_eq!(approval::verify(&s, &d.auth), Ok(()));
    assert_eq!(approval::check_document(&s, &doc), Ok(()));
    assert_eq!(approval::verify_for(&s, &d.auth, &doc), Ok(()));
}

#[test]
fn test_forged_signature_is_bad_signature() {
    let d = dir();
    let mut doc = new_plan();
    // Mallory signs with her own key but puts the secretary's public key in the record.
    let mut s = approve(&mut doc, "m-viet", Role::Secretary, T0 + 100).with_key(&key("mallory"));
    s.public_key = key("m-viet").verifying_key().to_bytes();
    let err = approval::verify(&s, &d.auth).unwrap_err();
    assert_eq!(err, Invalid::BadSignature);
    assert!(err.to_string().contains("forged or altered"));
    assert!(err.message_vi().contains("giả mạo"));
}

#[test]
fn test_tampered_fields_are_bad_signature() {
    let d = dir();
    let mut doc = new_plan();
    let s = approve(&mut doc, "m-viet", Role::Secretary, T0 + 100).signed();
    let mut later = s.clone();
    // Someone swaps in newer heads after the secretary signed.
    plan::set_plan_field(
        &mut doc,
        &ed("m-hoa", T0 + 200),
        &PlanField::Number("02-KH/CB".into()),
    )
    .unwrap();
    later.heads = doc.heads().iter().map(|h| h.0).collect();
    assert_eq!(
        approval::verify(&later, &d.auth),
        Err(Invalid::BadSignature)
    );
    let mut kind = s.clone();
    kind.doc_kind = DocKind::Material;
    assert_eq!(approval::verify(&kind, &d.auth), Err(Invalid::BadSignature));
    let mut time = s;
    time.signed_at -= 1;
    assert_eq!(approval::verify(&time, &d.auth), Err(Invalid::BadSignature));
}

#[test]
fn test_unknown_device() {
    let d = dir();
    let mut doc = new_plan();
    let mut s = approve(&mut doc, "m-viet", Role::Secretary, T0 + 100);
    s.signer = "m-lan";
    let s = s.with_key(&key("m-lan"));
    let err = approval::verify(&s, &d.auth).unwrap_err();
    assert_eq!(
        err,
        Invalid::UnknownDevice {
            device_id: "dev-m-lan".into()
        }
    );
    assert!(err.to_string().contains("dev-m-lan"));
}

#[test]
fn test_key_mismatch_other_key_or_other_members_device() {
    let mut d = dir();
    let mut doc = new_plan();
    // A validly signed record whose key is not the one enrolled for the device.
    let s = approve(&mut doc, "m-viet", Role::Secretary, T0 + 100).with_key(&key("other"));
    assert_eq!(s.verify_signature(), Ok(()));
    assert!(matches!(
        approval::verify(&s, &d.auth),
        Err(Invalid::KeyMismatch { .. })
    ));
    // Ứng claims the secretary's device (with Ứng's key registered for it).
    d.auth.add_device(
        "dev-m-viet",
        DeviceFacts {
            member: m("m-viet"),
            public_key: key("m-ung").verifying_key().to_bytes(),
            enrolled_at: ENROLLED,
            revoked_at: None,
        },
    );
    let heads = doc.heads();
    let s = Signoff::sign(
        SignoffFields {
            action: SignoffAction::Submit,
            doc_id: doc.id().clone(),
            doc_kind: DocKind::AnnualPlan,
            branch_id: branch(),
            heads,
            signer: m("m-ung"),
            role: Role::Executive,
            device_id: "dev-m-viet".into(),
            signed_at: T0 + 100,
            supersedes: None,
            note: String::new(),
        },
        &key("m-ung"),
    )
    .unwrap();
    let err = approval::verify(&s, &d.auth).unwrap_err();
    assert!(
        matches!(&err, Invalid::KeyMismatch { device_id, signer } if device_id == "dev-m-viet" && signer == &m("m-ung")),
        "{err:?}"
    );
}

#[test]
fn test_revoked_device_voids_what_it_signs_at_or_after_revocation() {
    let mut d = dir();
    let mut doc = new_plan();
    d.auth.revoke("dev-m-viet", T0 + 500);
    let before = approve(&mut doc, "m-viet", Role::Secretary, T0 + 499).signed();
    assert_eq!(approval::verify(&before, &d.auth), Ok(()));
    for at in [T0 + 500, T0 + 501] {
        let s = approve(&mut doc, "m-viet", Role::Secretary, at).signed();
        assert_eq!(
            approval::verify(&s, &d.auth),
            Err(Invalid::DeviceRevoked {
                revoked_at: T0 + 500,
                signed_at: at
            })
        );
    }
}

#[test]
fn test_signed_before_enrollment() {
    let d = dir();
    let mut doc = new_plan();
    let s = approve(&mut doc, "m-viet", Role::Secretary, ENROLLED - 1).signed();
    assert_eq!(
        approval::verify(&s, &d.auth),
        Err(Invalid::SignedBeforeEnrollment {
            signed_at: ENROLLED - 1,
            enrolled_at: ENROLLED
        })
    );
    let at = approve(&mut doc, "m-viet", Role::Secretary, ENROLLED).signed();
    assert_eq!(approval::verify(&at, &d.auth), Ok(()));
}

#[test]
fn test_wrong_role_for_plans_and_drafts() {
    let mut d = dir();
    let mut doc = new_plan();
    // An executive may not approve the plan.
    let s = approve(&mut doc, "m-ung", Role::Executive, T0 + 100).signed();
    let err = approval::verify(&s, &d.auth).unwrap_err();
    assert_eq!(
        err,
        Invalid::WrongRole {
            claimed: Role::Executive,
            held: Some(Role::Executive),
            required: vec![Role::Secretary]
        }
    );
    assert!(err.to_string().contains("Secretary"), "{err}");
    // Claiming a role one does not hold.
    let s = approve(&mut doc, "m-ung", Role::Secretary, T0 + 100).signed();
    assert!(matches!(
        approval::verify(&s, &d.auth),
        Err(Invalid::WrongRole {
            claimed: Role::Secretary,
            held: Some(Role::Executive),
            ..
        })
    ));
    // The deputy only with delegation, and only while it lasts.
    let s = approve(&mut doc, "m-trang", Role::DeputySecretary, T0 + 100).signed();
    assert!(matches!(
        approval::verify(&s, &d.auth),
        Err(Invalid::WrongRole { .. })
    ));
    d.auth.set_deputy_delegation(&branch(), T0 + 50, true);
    d.auth.set_deputy_delegation(&branch(), T0 + 1_000, false);
    assert_eq!(approval::verify(&s, &d.auth), Ok(()));
    let late = approve(&mut doc, "m-trang", Role::DeputySecretary, T0 + 1_000).signed();
    assert!(matches!(
        approval::verify(&late, &d.auth),
        Err(Invalid::WrongRole { .. })
    ));
    // Drafts: the secretary or an executive, not a member.
    let mut draft = new_draft();
    let ung = approve(&mut draft, "m-ung", Role::Executive, T0 + 100).signed();
    assert_eq!(approval::verify(&ung, &d.auth), Ok(()));
    let viet = approve(&mut draft, "m-viet", Role::Secretary, T0 + 100).signed();
    assert_eq!(approval::verify(&viet, &d.auth), Ok(()));
    let hoa = approve(&mut draft, "m-hoa", Role::Member, T0 + 100).signed();
    assert_eq!(
        approval::verify(&hoa, &d.auth),
        Err(Invalid::WrongRole {
            claimed: Role::Member,
            held: Some(Role::Member),
            required: vec![Role::Secretary, Role::Executive]
        })
    );
    // …but a member may submit.
    let sub = submit(&mut draft, "m-hoa", Role::Member, T0 + 100).signed();
    assert_eq!(approval::verify(&sub, &d.auth), Ok(()));
}

#[test]
fn test_role_is_judged_at_signing_time() {
    let mut d = dir();
    let mut doc = new_plan();
    // Việt hands the office to Trang at T0 + 1000.
    d.auth
        .set_role(&m("m-viet"), T0 + 1_000, Some((branch(), Role::Executive)));
    d.auth
        .set_role(&m("m-trang"), T0 + 1_000, Some((branch(), Role::Secretary)));
    let old = approve(&mut doc, "m-viet", Role::Secretary, T0 + 999).signed();
    assert_eq!(
        approval::verify(&old, &d.auth),
        Ok(()),
        "stays valid after hand-over"
    );
    let stale = approve(&mut doc, "m-viet", Role::Secretary, T0 + 1_000).signed();
    assert!(matches!(
        approval::verify(&stale, &d.auth),
        Err(Invalid::WrongRole { .. })
    ));
    let early = approve(&mut doc, "m-trang", Role::Secretary, T0 + 999).signed();
    assert!(matches!(
        approval::verify(&early, &d.auth),
        Err(Invalid::WrongRole {
            held: Some(Role::DeputySecretary),
            ..
        })
    ));
    let new = approve(&mut doc, "m-trang", Role::Secretary, T0 + 1_000).signed();
    assert_eq!(approval::verify(&new, &d.auth), Ok(()));
}

#[test]
fn test_secretary_of_another_branch_is_wrong_branch() {
    let mut d = dir();
    let mut doc = new_plan();
    let s = approve(&mut doc, "m-khac", Role::Secretary, T0 + 100).signed();
    assert_eq!(
        approval::verify(&s, &d.auth),
        Err(Invalid::WrongBranch {
            record: branch(),
            signer_branch: Some(BranchId::new("b-khac"))
        })
    );
    // A member who has left every branch.
    d.auth.set_role(&m("m-viet"), T0 + 50, None);
    let s = approve(&mut doc, "m-viet", Role::Secretary, T0 + 100).signed();
    assert_eq!(
        approval::verify(&s, &d.auth),
        Err(Invalid::WrongBranch {
            record: branch(),
            signer_branch: None
        })
    );
}

#[test]
fn test_replay_onto_another_document_or_branch_fails() {
    let d = dir();
    let mut doc = new_plan();
    let mut other = new_plan();
    let s = approve(&mut doc, "m-viet", Role::Secretary, T0 + 100).signed();
    let err = approval::check_document(&s, &other).unwrap_err();
    assert!(
        matches!(&err, Invalid::WrongDocument { field, .. } if field == "document id"),
        "{err:?}"
    );
    assert!(approval::verify_for(&s, &d.auth, &other).is_err());
    // A record naming this document but another branch (signed by that branch's secretary,
    // so its signature and authority check pass) does not apply to this document.
    let heads = doc.heads();
    let foreign = Signoff::sign(
        SignoffFields {
            action: SignoffAction::Approve,
            doc_id: doc.id().clone(),
            doc_kind: DocKind::AnnualPlan,
            branch_id: BranchId::new("b-khac"),
            heads,
            signer: m("m-khac"),
            role: Role::Secretary,
            device_id: device("m-khac"),
            signed_at: T0 + 100,
            supersedes: None,
            note: String::new(),
        },
        &key("m-khac"),
    )
    .unwrap();
    assert_eq!(approval::verify(&foreign, &d.auth), Ok(()));
    let err = approval::check_document(&foreign, &doc).unwrap_err();
    assert!(
        matches!(&err, Invalid::WrongDocument { field, record, document } if field == "branch" && record == "b-khac" && document == "b-co-dien"),
        "{err:?}"
    );
    // The same id with another kind.
    let mut draft = new_draft();
    let on_draft = approve(&mut draft, "m-viet", Role::Secretary, T0 + 100).signed();
    let mut as_plan = on_draft.clone();
    as_plan.doc_kind = DocKind::AnnualPlan;
    assert!(matches!(
        approval::check_document(&as_plan, &draft),
        Err(Invalid::WrongDocument { field, .. }) if field == "kind"
    ));
    // Status ignores records of other documents entirely.
    assert_eq!(
        approval::status(&mut other, &[s], &d.auth),
        Status::NotSubmitted
    );
    let _ = other.heads();
}

#[test]
fn test_heads_unknown_to_this_replica() {
    let d = dir();
    let mut doc = new_plan();
    let mut phone = replica(&mut doc);
    plan::set_plan_field(
        &mut doc,
        &ed("m-viet", T0 + 50),
        &PlanField::Number("03-KH/CB".into()),
    )
    .unwrap();
    let s = approve(&mut doc, "m-viet", Role::Secretary, T0 + 100).signed();
    assert_eq!(approval::verify(&s, &d.auth), Ok(()));
    let err = approval::check_document(&s, &phone).unwrap_err();
    assert!(
        matches!(err, Invalid::HeadsUnknown { missing } if missing >= 1),
        "{err:?}"
    );
    assert!(err.message_vi().contains("đồng bộ"));
    // Status on the phone: the only approval does not verify here yet.
    match approval::status(&mut phone, std::slice::from_ref(&s), &d.auth) {
        Status::Invalid {
            reason: Invalid::HeadsUnknown { .. },
            last_valid: None,
            ..
        } => {}
        other => panic!("{other:?}"),
    }
    // After sync it is approved.
    phone.merge(&mut doc).unwrap();
    assert!(matches!(
        approval::status(&mut phone, &[s], &d.auth),
        Status::Approved { .. }
    ));
    // Made-up heads.
    let mut fake = approve(&mut doc, "m-viet", Role::Secretary, T0 + 100).signed();
    fake.heads = vec![[7; 32]];
    assert!(matches!(
        approval::check_document(&fake, &doc),
        Err(Invalid::HeadsUnknown { .. })
    ));
}

// ----------------------------------------------------------------------------------------
// check_ready
// ----------------------------------------------------------------------------------------

#[test]
fn test_check_ready_lists_every_missing_item() {
    let mut doc = new_plan();
    assert_eq!(approval::check_ready(&doc), Ok(()));
    let topics = plan::get(&doc).unwrap().topics;
    let e = ed("m-hoa", T0 + 100);
    plan::set_topic_field(
        &mut doc,
        &e,
        &topics[0].id,
        &TopicField::ScheduledDate(None),
    )
    .unwrap();
    plan::set_preparer(&mut doc, &e, &topics[1].id, &m("m-ung"), false).unwrap();
    plan::set_topic_field(&mut doc, &e, &topics[1].id, &TopicField::Presenter(None)).unwrap();
    // A cancelled topic needs nothing.
    plan::set_topic_field(&mut doc, &e, &topics[2].id, &TopicField::Presenter(None)).unwrap();
    plan::cancel_topic(&mut doc, &e, &topics[2].id).unwrap();
    let err = approval::check_ready(&doc).unwrap_err();
    let got: Vec<(&str, RequiredField)> = err
        .missing
        .iter()
        .map(|i| (i.topic_title.as_str(), i.field))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "Học tập và làm theo tư tưởng Hồ Chí Minh",
                RequiredField::Month
            ),
            (
                "An toàn lao động trong sửa chữa băng tải",
                RequiredField::Preparer
            ),
            (
                "An toàn lao động trong sửa chữa băng tải",
                RequiredField::Presenter
            ),
        ]
    );
    assert!(err.conflicts.is_empty());
    let text = err.to_string();
    assert!(
        text.contains("\"Học tập và làm theo tư tưởng Hồ Chí Minh\" has no month"),
        "{text}"
    );
    assert!(
        text.contains("has no preparer") && text.contains("has no presenter"),
        "{text}"
    );
    assert!(!text.contains("điện năng"), "{text}");
}

#[test]
fn test_check_ready_refuses_while_a_conflict_is_open() {
    let mut a = new_plan();
    let mut b = replica(&mut a);
    let t = plan::get(&a).unwrap().topics[0].id.clone();
    plan::set_topic_field(
        &mut a,
        &ed("m-ung", T0 + 1),
        &t,
        &TopicField::Presenter(Some(m("m-ung"))),
    )
    .unwrap();
    plan::set_topic_field(
        &mut a,
        &ed("m-viet", T0 + 2),
        &t,
        &TopicField::Presenter(Some(m("m-hoa"))),
    )
    .unwrap();
    plan::set_topic_field(
        &mut b,
        &ed("m-trang", T0 + 2),
        &t,
        &TopicField::Presenter(Some(m("m-trang"))),
    )
    .unwrap();
    a.merge(&mut b).unwrap();
    let err = approval::check_ready(&a).unwrap_err();
    assert_eq!(err.conflicts.len(), 1);
    assert_eq!(err.conflicts[0].field(), "presenter");
    assert!(err.missing.is_empty());
    assert!(err.to_string().contains("conflicting values"), "{err}");
    // Resolving it makes the plan ready.
    let c = &err.conflicts[0];
    sotay_core::model::conflict::resolve(&mut a, &ed("m-viet", T0 + 3), &c.path, &c.values[0].op)
        .unwrap();
    assert_eq!(approval::check_ready(&a), Ok(()));
    // Drafts: only conflicts matter.
    assert_eq!(approval::check_ready(&new_draft()), Ok(()));
}

// ----------------------------------------------------------------------------------------
// status
// ----------------------------------------------------------------------------------------

#[test]
fn test_status_lifecycle_submit_approve_change_resubmit() {
    let d = dir();
    let mut doc = new_plan();
    assert_eq!(
        approval::status(&mut doc, &[], &d.auth),
        Status::NotSubmitted
    );
    let sub = submit(&mut doc, "m-hoa", Role::Member, T0 + 100).signed();
    let mut records = vec![sub.clone()];
    match approval::status(&mut doc, &records, &d.auth) {
        Status::Submitted {
            by, at, previous, ..
        } => {
            assert_eq!(by, m("m-hoa"));
            assert_eq!(at, T0 + 100);
            assert!(previous.is_none());
        }
        other => panic!("{other:?}"),
    }
    // The secretary's phone clock runs a day late: the approval still answers the
    // submission, because it covers the submitted heads.
    let a1 = approve(&mut doc, "m-viet", Role::Secretary, T0 - 86_000).signed();
    records.push(a1.clone());
    assert_eq!(
        approval::status(&mut doc, &records, &d.auth),
        Status::Approved {
            approval: Box::new(a1.clone())
        }
    );
    // Edits after approval.
    let t = plan::get(&doc).unwrap().topics[1].id.clone();
    plan::set_topic_field(
        &mut doc,
        &ed("m-ung", T0 + 300),
        &t,
        &TopicField::Notes("Mời Phòng An toàn dự.".into()),
    )
    .unwrap();
    match approval::status(&mut doc, &records, &d.auth) {
        Status::ApprovedWithChanges { approval, delta } => {
            assert_eq!(*approval, a1);
            let delta = delta.unwrap();
            assert_eq!(delta.change_count, 1);
            assert_eq!(delta.editors, vec![m("m-ung")]);
            let DeltaContent::Plan(p) = &delta.content else {
                panic!()
            };
            assert_eq!(p.topic_fields.len(), 1);
            assert_eq!(p.topic_fields[0].change.field, "notes");
            assert_eq!(p.topic_fields[0].change.by, Some(m("m-ung")));
        }
        other => panic!("{other:?}"),
    }
    // A new submission of the changed version is pending; the approval is its "previous".
    let sub2 = submit(&mut doc, "m-ung", Role::Executive, T0 + 400).signed();
    records.push(sub2.clone());
    match approval::status(&mut doc, &records, &d.auth) {
        Status::Submitted {
            by,
            submission,
            previous,
            ..
        } => {
            assert_eq!(by, m("m-ung"));
            assert_eq!(*submission, sub2);
            assert_eq!(previous.as_deref(), Some(&a1));
        }
        other => panic!("{other:?}"),
    }
    // The secretary approves it, superseding the first approval.
    let a2 = Sign {
        supersedes: Some(a1.id()),
        ..approve(&mut doc, "m-viet", Role::Secretary, T0 + 500)
    }
    .signed();
    records.push(a2.clone());
    let st = approval::status(&mut doc, &records, &d.auth);
    assert_eq!(
        st,
        Status::Approved {
            approval: Box::new(a2.clone())
        }
    );
    assert_eq!(st.newest_approval_id(), Some(a2.id()));
    assert_eq!(st.approval_in_force(), Some(&a2));
}

#[test]
fn test_redundant_approved_heads_still_count_as_approved() {
    let d = dir();
    let mut doc = new_plan();
    let old_heads = doc.heads();
    plan::set_plan_field(
        &mut doc,
        &ed("m-viet", T0 + 5),
        &PlanField::Number("09-KH/CB".into()),
    )
    .unwrap();
    let mut heads = doc.heads();
    heads.extend(old_heads); // an ancestor named as well
    let s = Signoff::sign(
        SignoffFields {
            action: SignoffAction::Approve,
            doc_id: doc.id().clone(),
            doc_kind: DocKind::AnnualPlan,
            branch_id: branch(),
            heads,
            signer: m("m-viet"),
            role: Role::Secretary,
            device_id: device("m-viet"),
            signed_at: T0 + 10,
            supersedes: None,
            note: String::new(),
        },
        &key("m-viet"),
    )
    .unwrap();
    assert_eq!(s.heads.len(), 2);
    assert!(matches!(
        approval::status(&mut doc, &[s], &d.auth),
        Status::Approved { .. }
    ));
}

#[test]
fn test_supersedes_beats_clocks_and_concurrent_pick_is_deterministic() {
    let mut d = dir();
    d.auth.set_deputy_delegation(&branch(), 0, true);
    let mut doc = new_plan();
    let a1 = approve(&mut doc, "m-viet", Role::Secretary, T0 + 1_000).signed();
    // A later approval from a phone whose clock is behind, naming a1: it wins.
    let a2 = Sign {
        supersedes: Some(a1.id()),
        ..approve(&mut doc, "m-viet", Role::Secretary, T0 + 10)
    }
    .signed();
    for records in [vec![a1.clone(), a2.clone()], vec![a2.clone(), a1.clone()]] {
        assert_eq!(
            approval::status(&mut doc, &records, &d.auth),
            Status::Approved {
                approval: Box::new(a2.clone())
            }
        );
    }
    // Concurrent approvals (both superseding a1) on two phones: the later device time wins,
    // whatever order the records arrived in.
    let by_deputy = Sign {
        supersedes: Some(a1.id()),
        ..approve(&mut doc, "m-trang", Role::DeputySecretary, T0 + 20)
    }
    .signed();
    let mut records = vec![a1.clone(), a2.clone(), by_deputy.clone()];
    let first = approval::status(&mut doc, &records, &d.auth);
    records.reverse();
    let second = approval::status(&mut doc, &records, &d.auth);
    assert_eq!(first, second);
    assert_eq!(
        first,
        Status::Approved {
            approval: Box::new(by_deputy)
        }
    );
    // Duplicates change nothing.
    records.extend(records.clone());
    assert_eq!(approval::status(&mut doc, &records, &d.auth), first);
}

#[test]
fn test_invalid_newest_approval_is_reported_with_the_last_valid_one() {
    let mut d = dir();
    let mut doc = new_plan();
    let good = approve(&mut doc, "m-viet", Role::Secretary, T0 + 100).signed();
    // The executive's record supersedes the genuine one and is newer, but he may not
    // approve plans: it must neither count nor hide the genuine approval.
    let bad = Sign {
        supersedes: Some(good.id()),
        ..approve(&mut doc, "m-ung", Role::Executive, T0 + 200)
    }
    .signed();
    match approval::status(&mut doc, &[good.clone(), bad.clone()], &d.auth) {
        Status::Invalid {
            approval,
            reason,
            last_valid,
        } => {
            assert_eq!(*approval, bad);
            assert!(matches!(reason, Invalid::WrongRole { .. }));
            assert_eq!(last_valid.as_deref(), Some(&good));
        }
        other => panic!("{other:?}"),
    }
    // A record signed by a device revoked before its (later) signing time.
    d.auth.revoke("dev-m-viet", T0 + 250);
    let stolen = approve(&mut doc, "m-viet", Role::Secretary, T0 + 300).signed();
    let st = approval::status(&mut doc, &[good.clone(), stolen.clone()], &d.auth);
    match &st {
        Status::Invalid {
            approval,
            reason: Invalid::DeviceRevoked { .. },
            last_valid,
        } => {
            assert_eq!(**approval, stolen);
            assert_eq!(last_valid.as_deref(), Some(&good));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(st.approval_in_force(), Some(&good));
    assert_eq!(st.newest_approval_id(), Some(stolen.id()));
    // The new secretary retires it by superseding it.
    d.auth
        .set_role(&m("m-trang"), T0 + 260, Some((branch(), Role::Secretary)));
    let fix = Sign {
        supersedes: st.newest_approval_id(),
        ..approve(&mut doc, "m-trang", Role::Secretary, T0 + 280)
    }
    .signed();
    assert_eq!(
        approval::status(&mut doc, &[good, stolen, fix.clone()], &d.auth),
        Status::Approved {
            approval: Box::new(fix)
        }
    );
    // A forged record never counts, even when it is the only one.
    let mut forged = approve(&mut doc, "m-viet", Role::Secretary, T0 + 100).signed();
    forged.note = "đã sửa".into();
    assert!(matches!(
        approval::status(&mut doc, &[forged], &d.auth),
        Status::Invalid {
            reason: Invalid::BadSignature,
            last_valid: None,
            ..
        }
    ));
}

#[test]
fn test_invalid_submissions_are_ignored() {
    let d = dir();
    let mut doc = new_plan();
    let stranger = {
        let mut s = submit(&mut doc, "m-khac", Role::Secretary, T0 + 10).signed();
        assert!(approval::verify(&s, &d.auth).is_err());
        s.received_at = Some(T0 + 20);
        s
    };
    assert_eq!(
        approval::status(&mut doc, &[stranger], &d.auth),
        Status::NotSubmitted
    );
}

// ----------------------------------------------------------------------------------------
// delta
// ----------------------------------------------------------------------------------------

fn apply(old: &str, edits: &[TextEdit]) -> String {
    let a: Vec<char> = old.chars().collect();
    let mut out = String::new();
    let mut pos = 0;
    for e in edits {
        assert!(e.old_at >= pos, "edits in order");
        out.extend(&a[pos..e.old_at]);
        pos = e.old_at;
        match e.kind {
            TextEditKind::Inserted => {
                assert_eq!(out.chars().count(), e.new_at, "new_at of {e:?}");
                out.push_str(&e.text);
            }
            TextEditKind::Deleted => {
                let gone: String = a[pos..pos + e.text.chars().count()].iter().collect();
                assert_eq!(gone, e.text);
                pos += e.text.chars().count();
            }
        }
    }
    out.extend(&a[pos..]);
    out
}

#[test]
fn test_plan_delta_reports_every_kind_of_change_with_authors() {
    let mut doc = new_plan();
    let lb_kept = plan::add_legal_basis(
        &mut doc,
        &ed("m-viet", T0 + 1),
        "42-HD/BTCTW",
        None,
        "Hướng dẫn",
    )
    .unwrap();
    let lb_gone =
        plan::add_legal_basis(&mut doc, &ed("m-viet", T0 + 1), "12-HD/BTCTW", None, "Cũ").unwrap();
    let approved = doc.heads();
    let before = plan::get(&doc).unwrap();
    let [t0, t1, t2] = [0, 1, 2].map(|i| before.topics[i].id.clone());

    plan::set_plan_field(
        &mut doc,
        &ed("m-trang", T0 + 10),
        &PlanField::Number("02-KH/CB".into()),
    )
    .unwrap();
    plan::set_topic_field(
        &mut doc,
        &ed("m-ung", T0 + 11),
        &t0,
        &TopicField::ScheduledDate(Some(date::parse("2026-04-03").unwrap())),
    )
    .unwrap();
    plan::set_preparer(&mut doc, &ed("m-hoa", T0 + 12), &t0, &m("m-hoa"), true).unwrap();
    plan::cancel_topic(&mut doc, &ed("m-viet", T0 + 13), &t1).unwrap();
    plan::move_topic(&mut doc, &ed("m-trang", T0 + 14), &t2, 0).unwrap();
    let added =
        plan::add_topic(&mut doc, &ed("m-hoa", T0 + 15), &topic("Chuyển đổi số", 9)).unwrap();
    plan::remove_legal_basis(&mut doc, &ed("m-viet", T0 + 16), &lb_gone).unwrap();
    plan::add_legal_basis(
        &mut doc,
        &ed("m-ung", T0 + 17),
        "366-QĐ/TW",
        None,
        "Quy định",
    )
    .unwrap();
    let old_purpose = before.purpose.clone();
    plan::splice_text(
        &mut doc,
        &ed("m-hoa", T0 + 18),
        PlanText::Purpose,
        0,
        4,
        "Tăng",
    )
    .unwrap();
    let at = old_purpose.chars().count();
    plan::splice_text(
        &mut doc,
        &ed("m-ung", T0 + 19),
        PlanText::Purpose,
        at,
        0,
        " Đúng hạn.",
    )
    .unwrap();
    let _ = lb_kept;

    let d = approval::delta(&mut doc, &approved, None).unwrap();
    assert_eq!(d.from, {
        let mut h = approved.clone();
        h.sort();
        h
    });
    assert_eq!(d.change_count, 10);
    assert_eq!(
        d.editors,
        vec![m("m-hoa"), m("m-trang"), m("m-ung"), m("m-viet")]
    );
    let DeltaContent::Plan(p) = &d.content else {
        panic!("plan delta expected")
    };
    assert_eq!(p.fields.len(), 1);
    assert_eq!(p.fields[0].field, "number");
    assert_eq!(p.fields[0].from, FieldValue::Text("01-KH/CB".into()));
    assert_eq!(p.fields[0].to, FieldValue::Text("02-KH/CB".into()));
    assert_eq!(p.fields[0].by, Some(m("m-trang")));

    assert_eq!(p.topics_added.len(), 1);
    assert_eq!(p.topics_added[0].id, added);
    assert_eq!(p.topics_added[0].title, "Chuyển đổi số");
    assert_eq!(
        p.topics_added[0].scheduled_date,
        Some(date::parse("2026-09-03").unwrap())
    );
    assert_eq!(p.topics_added[0].index, 3);
    assert_eq!(p.topics_added[0].by, Some(m("m-hoa")));
    assert_eq!(p.topics_cancelled.len(), 1);
    assert_eq!(p.topics_cancelled[0].id, t1);
    assert_eq!(p.topics_cancelled[0].by, Some(m("m-viet")));
    assert!(p.topics_removed.is_empty());
    assert_eq!(p.topics_moved.len(), 1);
    assert_eq!(
        (
            p.topics_moved[0].id.clone(),
            p.topics_moved[0].from_index,
            p.topics_moved[0].to_index
        ),
        (t2.clone(), 2, 0)
    );
    assert_eq!(p.topics_moved[0].by, Some(m("m-trang")));

    let fields: Vec<(&str, &str, Option<&MemberId>)> = p
        .topic_fields
        .iter()
        .map(|f| {
            (
                f.topic_id.as_str(),
                f.change.field.as_str(),
                f.change.by.as_ref(),
            )
        })
        .collect();
    assert_eq!(
        fields,
        vec![
            (t0.as_str(), "scheduled_date", Some(&m("m-ung"))),
            (t0.as_str(), "preparers", Some(&m("m-hoa"))),
        ],
        "a cancellation is not repeated as a status edit"
    );
    assert_eq!(
        p.topic_fields[0].change.from,
        FieldValue::Date(Some(date::parse("2026-03-03").unwrap()))
    );
    assert_eq!(
        p.topic_fields[1].change.to,
        FieldValue::Members(vec![m("m-hoa"), m("m-ung")])
    );

    assert_eq!(p.legal_bases.len(), 2);
    assert!(p.legal_bases.iter().any(|l| matches!(l,
        LegalBasisChange::Added { basis, by } if basis.number == "366-QĐ/TW" && by.as_ref() == Some(&m("m-ung")))));
    assert!(p.legal_bases.iter().any(|l| matches!(l,
        LegalBasisChange::Removed { basis, by } if basis.id == lb_gone && by.as_ref() == Some(&m("m-viet")))));

    let now = plan::get(&doc).unwrap();
    assert_eq!(apply(&old_purpose, &p.purpose), now.purpose);
    let ins: Vec<(&str, Option<&MemberId>)> = p
        .purpose
        .iter()
        .filter(|e| e.kind == TextEditKind::Inserted)
        .map(|e| (e.text.as_str(), e.by.as_ref()))
        .collect();
    assert_eq!(
        ins,
        vec![
            ("Tăng", Some(&m("m-hoa"))),
            (" Đúng hạn.", Some(&m("m-ung")))
        ]
    );
    let del: Vec<(&str, usize)> = p
        .purpose
        .iter()
        .filter(|e| e.kind == TextEditKind::Deleted)
        .map(|e| (e.text.as_str(), e.old_at))
        .collect();
    assert_eq!(del, vec![("Nâng", 0)]);
    assert!(p.implementation.is_empty());
    assert!(!d.is_empty());

    // The delta and a status carrying it survive the wire (postcard) and JSON.
    let st = Status::ApprovedWithChanges {
        approval: Box::new(approve(&mut doc, "m-viet", Role::Secretary, T0 + 30).signed()),
        delta: Some(Box::new(d.clone())),
    };
    let bytes = postcard::to_stdvec(&st).unwrap();
    assert_eq!(postcard::from_bytes::<Status>(&bytes).unwrap(), st);
    let json = serde_json::to_string(&st).unwrap();
    assert_eq!(serde_json::from_str::<Status>(&json).unwrap(), st);

    // No change → empty delta.
    let same = approval::delta(&mut doc, &approved, Some(&approved)).unwrap();
    assert!(same.is_empty());
    assert_eq!(same.change_count, 0);
}

#[test]
fn test_delta_between_two_approvals_and_backwards() {
    let mut doc = new_plan();
    let v1 = doc.heads();
    plan::set_plan_field(
        &mut doc,
        &ed("m-viet", T0 + 1),
        &PlanField::Title("Kế hoạch mới".into()),
    )
    .unwrap();
    let v2 = doc.heads();
    plan::set_plan_field(
        &mut doc,
        &ed("m-viet", T0 + 2),
        &PlanField::Number("05-KH/CB".into()),
    )
    .unwrap();
    let d = approval::delta(&mut doc, &v1, Some(&v2)).unwrap();
    assert_eq!(d.change_count, 1);
    let DeltaContent::Plan(p) = &d.content else {
        panic!()
    };
    assert_eq!(p.fields.len(), 1, "the later number edit is outside v1..v2");
    assert_eq!(p.fields[0].field, "title");
    // Backwards: from v2 to v1 swaps from and to.
    let back = approval::delta(&mut doc, &v2, Some(&v1)).unwrap();
    let DeltaContent::Plan(b) = &back.content else {
        panic!()
    };
    assert_eq!(
        b.fields[0].to,
        FieldValue::Text("Kế hoạch sinh hoạt chuyên đề năm 2026".into())
    );
    // Unknown versions are an error, not a panic.
    assert!(approval::delta(&mut doc, &[ChangeHash([1; 32])], None).is_err());
    assert!(approval::delta(&mut doc, &v1, Some(&[ChangeHash([1; 32])])).is_err());
    assert!(approval::delta(&mut doc, &[], None).is_err());
}

#[test]
fn test_draft_delta_body_spans_and_comments() {
    let mut doc = new_draft();
    let e = |m: &str, t| ed(m, T0 + t);
    let c_resolve = text_doc::add_comment(
        &mut doc,
        &e("m-hoa", 1),
        &NewComment {
            kind: CommentKind::Comment,
            body: "Đề nghị bổ sung số liệu cụ thể của quý trước để so sánh.".into(),
            anchor: Some((0, 6)),
            reply_to: None,
        },
    )
    .unwrap();
    let c_delete = text_doc::add_comment(
        &mut doc,
        &e("m-trang", 2),
        &NewComment {
            kind: CommentKind::Comment,
            body: "Câu này nên viết gọn lại.".into(),
            anchor: None,
            reply_to: None,
        },
    )
    .unwrap();
    let proposal = text_doc::add_comment(
        &mut doc,
        &e("m-ung", 3),
        &NewComment {
            kind: CommentKind::Proposal,
            body: "Hiến kế: lắp cảm biến nhiệt cho hộp giảm tốc.".into(),
            anchor: None,
            reply_to: None,
        },
    )
    .unwrap();
    let approved = doc.heads();
    let old_body = text_doc::get(&doc).unwrap().body;

    text_doc::set_title(&mut doc, &e("m-ung", 10), "Dự thảo: an toàn lao động").unwrap();
    text_doc::splice_body(&mut doc, &e("m-hoa", 11), 0, 0, "Năm 2026, ").unwrap();
    let len = text_doc::body_len(&doc).unwrap();
    text_doc::splice_body(&mut doc, &e("m-ung", 12), len - 1, 1, "!").unwrap();
    text_doc::resolve_comment(&mut doc, &e("m-viet", 13), &c_resolve, true).unwrap();
    text_doc::delete_comment(&mut doc, &e("m-trang", 14), &c_delete).unwrap();
    text_doc::set_proposal_status(
        &mut doc,
        &e("m-viet", 15),
        &proposal,
        ProposalStatus::Accepted,
    )
    .unwrap();
    let long = "Tôi đồng ý với nội dung này, nhưng cần ghi rõ người phụ trách và thời hạn hoàn thành từng việc.";
    let added = text_doc::add_comment(
        &mut doc,
        &e("m-hoa", 16),
        &NewComment {
            kind: CommentKind::Comment,
            body: long.into(),
            anchor: None,
            reply_to: None,
        },
    )
    .unwrap();
    // Added and deleted within the window: never seen, not reported.
    let ghost = text_doc::add_comment(
        &mut doc,
        &e("m-hoa", 17),
        &NewComment {
            kind: CommentKind::Comment,
            body: "nhầm".into(),
            anchor: None,
            reply_to: None,
        },
    )
    .unwrap();
    text_doc::delete_comment(&mut doc, &e("m-hoa", 18), &ghost).unwrap();

    let d = approval::delta(&mut doc, &approved, None).unwrap();
    let DeltaContent::Text(t) = &d.content else {
        panic!("text delta expected")
    };
    assert_eq!(t.fields.len(), 1);
    assert_eq!(t.fields[0].field, "title");
    assert_eq!(t.fields[0].by, Some(m("m-ung")));
    let new_body = text_doc::get(&doc).unwrap().body;
    assert_eq!(apply(&old_body, &t.body), new_body);
    assert_eq!(t.body[0].kind, TextEditKind::Inserted);
    assert_eq!(t.body[0].text, "Năm 2026, ");
    assert_eq!(t.body[0].by, Some(m("m-hoa")));
    assert!(
        t.body
            .iter()
            .any(|e| e.kind == TextEditKind::Deleted && e.text == ".")
    );

    assert_eq!(t.comments_added.len(), 1);
    let a = &t.comments_added[0];
    assert_eq!(
        (a.id.clone(), a.author.clone(), a.kind),
        (added, m("m-hoa"), CommentKind::Comment)
    );
    assert_eq!(
        a.excerpt.chars().count(),
        approval::delta::EXCERPT_CHARS + 1
    );
    assert!(a.excerpt.starts_with("Tôi đồng ý"));
    assert_eq!(t.comments_resolved.len(), 1);
    assert_eq!(t.comments_resolved[0].id, c_resolve);
    assert_eq!(t.comments_resolved[0].by, Some(m("m-viet")));
    assert_eq!(t.comments_deleted.len(), 1);
    assert_eq!(t.comments_deleted[0].id, c_delete);
    assert_eq!(t.comments_deleted[0].excerpt, "Câu này nên viết gọn lại.");
    assert_eq!(t.proposals.len(), 1);
    assert_eq!(
        (t.proposals[0].from, t.proposals[0].to),
        (ProposalStatus::Open, ProposalStatus::Accepted)
    );
    assert!(t.comments_reopened.is_empty());
}

/// A tiny deterministic generator (no dependency on the order of a HashMap or the clock).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

#[test]
fn test_text_spans_from_concurrent_random_edits_rebuild_the_new_text() {
    const WORDS: &[&str] = &[
        "đảng viên ",
        "chi bộ ",
        "nghị quyết ",
        "ệ",
        "ư",
        "an toàn ",
        "x",
    ];
    for seed in 1..=12u64 {
        let mut rng = Lcg(seed);
        let mut a = new_draft();
        let approved = a.heads();
        let old = text_doc::get(&a).unwrap().body;
        let mut b = replica(&mut a);
        for round in 0..6 {
            for (doc, who) in [(&mut a, "m-hoa"), (&mut b, "m-ung")] {
                for _ in 0..5 {
                    let len = text_doc::body_len(doc).unwrap();
                    let pos = rng.next(len + 1);
                    let del = if rng.next(3) == 0 {
                        rng.next((len - pos).min(6) + 1)
                    } else {
                        0
                    };
                    let word = WORDS[rng.next(WORDS.len())];
                    text_doc::splice_body(doc, &ed(who, T0 + round), pos, del, word).unwrap();
                }
            }
            if round % 2 == 1 {
                a.merge(&mut b).unwrap();
                b.merge(&mut a).unwrap();
            }
        }
        a.merge(&mut b).unwrap();
        let d = approval::delta(&mut a, &approved, None).unwrap();
        let DeltaContent::Text(t) = &d.content else {
            panic!()
        };
        let new = text_doc::get(&a).unwrap().body;
        assert_eq!(apply(&old, &t.body), new, "seed {seed}");
        assert!(
            t.body.len() > 2,
            "seed {seed}: fine-grained spans, not one coarse replacement"
        );
        assert!(
            t.body
                .iter()
                .filter(|e| e.kind == TextEditKind::Inserted)
                .all(|e| e.by.is_some())
        );
    }
}
