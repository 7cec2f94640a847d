//! The session cycle on the phone (Step 5, `docs/sessions.md`): publishing approved drafts,
//! who may write what in a session, receipts and the reading list, the distribution report,
//! minutes adopted by the chair's and the clerk's signatures, proposals followed through to
//! done, and each member's participation evidence.
//!
//! Every member has a phone of their own (a store on its own file), enrolled offline against
//! one test server key with a server-signed directory listing every phone's device key, so
//! the phones sign and verify exactly as enrolled phones do. Documents and sign-offs move
//! between phones the way a sync delivers them (`merge_document`, and the sign-off rows a
//! pull writes); the server's own refusals are covered end to end in
//! `tests/tests/sessions.rs`.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use ed25519_dalek::SigningKey;
use sotay_core::approval::{
    self, Adoption, DeltaContent, Invalid, Signoff, SignoffAction, SignoffFields,
};
use sotay_core::date::{self, Date};
use sotay_core::ids::{BranchId, CommentId, DocId, DocKind, MemberId, TopicId};
use sotay_core::model::plan::{NewTopic, TopicGroup};
use sotay_core::model::session::{
    self, Attendance, NewSession, NewTask, QualityCriterion, QualityGrid, SessionField, SourceRef,
    TaskStatus,
};
use sotay_core::model::text_doc::{self, CommentKind, NewComment, NewTextDoc, ProposalStatus};
use sotay_core::model::{Document, Editor, now_unix, reading_log};
use sotay_core::org::{MemberStatus, Role};
use sotay_core::protocol::{
    CommitteeSettings, Directory, DirectoryBranch, DirectoryDevice, DirectoryMember, RoleSpan,
};
use sotay_core::store::evidence::{Category, Frame, NOTICE_VI, Weight, Weights};
use sotay_core::store::{Enrollment, ProposalStage, day_start_vn, today_vn};
use sotay_core::{Error, Store};

mod common;

const BRANCH: &str = "b-co-dien";
const DAY: i64 = 86_400;
const ENROLLED: i64 = 1_600_000_000;

/// The branch: officers, two plain members (Thuỷ is the sessions' clerk) and an exempt
/// member (miễn sinh hoạt), with the names as DOMAIN.md writes them.
const MEMBERS: &[(&str, &str, Role, MemberStatus)] = &[
    (
        "m-viet",
        "Đặng Quốc Việt",
        Role::Secretary,
        MemberStatus::Full,
    ),
    (
        "m-trang",
        "Nguyễn Thị Huyền Trang",
        Role::DeputySecretary,
        MemberStatus::Full,
    ),
    ("m-ung", "Lê Văn Ứng", Role::Executive, MemberStatus::Full),
    (
        "m-thuy",
        "Trương Thị Thuỷ",
        Role::Member,
        MemberStatus::Full,
    ),
    (
        "m-luong",
        "Hoàng Đức Lượng",
        Role::Member,
        MemberStatus::Full,
    ),
    ("m-anh", "Phạm Ngọc Ánh", Role::Member, MemberStatus::Full),
    ("m-dat", "Mạc Văn Đạt", Role::Member, MemberStatus::Exempt),
];

fn m(s: &str) -> MemberId {
    MemberId::new(s)
}

fn branch() -> BranchId {
    BranchId::new(BRANCH)
}

fn ed(member: &str, time: i64) -> Editor {
    Editor {
        member: m(member),
        time,
    }
}

fn d(s: &str) -> Date {
    date::parse(s).unwrap()
}

/// 08:00 Vietnam time on `day`.
fn morning(day: Date) -> i64 {
    day_start_vn(day) + 8 * 3600
}

/// One phone per member, enrolled offline (see the module comment).
struct Branch {
    dir: tempfile::TempDir,
    phones: BTreeMap<&'static str, Store>,
    directory: Directory,
    server: SigningKey,
}

impl Branch {
    fn new() -> Branch {
        let dir = tempfile::tempdir().unwrap();
        let server = SigningKey::from_bytes(&[42; 32]);
        let mut phones = BTreeMap::new();
        let mut keys = BTreeMap::new();
        for (id, ..) in MEMBERS {
            let mut s = Store::open(dir.path().join(format!("{id}.sotay"))).unwrap();
            s.set_enrollment(&Enrollment {
                // Nothing listens here: these phones never sync over the network.
                server_url: "http://127.0.0.1:9".into(),
                device_id: format!("dev-{id}"),
                member_id: m(id),
                committee_id: "c-song-lam".into(),
                enrolled_at: ENROLLED,
            })
            .unwrap();
            keys.insert(*id, s.device_public_key().unwrap());
            phones.insert(*id, s);
        }
        let mut directory = Directory {
            version: 1,
            committee_id: "c-song-lam".into(),
            committee_name: "Đảng bộ Công ty Cổ phần Cơ điện Sông Lam Xanh".into(),
            members: MEMBERS
                .iter()
                .map(|(id, name, role, status)| DirectoryMember {
                    id: m(id),
                    branch_id: Some(branch()),
                    full_name: (*name).into(),
                    role: *role,
                    status: *status,
                    active: true,
                    roles: vec![RoleSpan {
                        branch_id: Some(branch()),
                        role: *role,
                        from: 0,
                        until: None,
                    }],
                    devices: vec![DirectoryDevice {
                        id: format!("dev-{id}"),
                        public_key: keys[id],
                        enrolled_at: ENROLLED,
                        revoked_at: None,
                    }],
                })
                .collect(),
            branches: vec![DirectoryBranch {
                id: branch(),
                name: "Chi bộ Phân xưởng Cơ điện".into(),
                plan_delegations: vec![],
            }],
            settings: Default::default(),
            issued_at: ENROLLED,
            signature: vec![],
        };
        directory.sign(&server).unwrap();
        for s in phones.values_mut() {
            // What enrollment pins; the first sync then brings the signed directory.
            let db = rusqlite::Connection::open(s.path()).unwrap();
            db.execute(
                "UPDATE enrollment SET server_key = ?1 WHERE id = 1",
                [server.verifying_key().to_bytes().to_vec()],
            )
            .unwrap();
            s.replace_directory(&directory).unwrap();
        }
        Branch {
            dir,
            phones,
            directory,
            server,
        }
    }

    /// What the next sync brings after the committee's admin changed its settings: the
    /// directory, signed again, with them.
    fn committee_sets(&mut self, settings: CommitteeSettings) {
        self.directory.settings = settings;
        self.directory.version += 1;
        self.directory.sign(&self.server).unwrap();
        for s in self.phones.values_mut() {
            s.replace_directory(&self.directory).unwrap();
        }
    }

    fn phone(&mut self, member: &str) -> &mut Store {
        self.phones.get_mut(member).unwrap()
    }

    /// Hands `doc` as `from`'s phone holds it to each phone of `to` (what a sync does).
    fn share(&mut self, from: &str, doc: &DocId, to: &[&str]) {
        let mut copy = self.phone(from).export_document(doc).unwrap();
        for t in to {
            self.phone(t).merge_document(&mut copy).unwrap();
        }
    }

    /// Hands `doc` from `from`'s phone to every other phone.
    fn share_all(&mut self, from: &str, doc: &DocId) {
        let to: Vec<&str> = MEMBERS
            .iter()
            .map(|(id, ..)| *id)
            .filter(|id| *id != from)
            .collect();
        self.share(from, doc, &to);
    }

    /// Hands every sign-off of `doc` `from`'s phone holds to each phone of `to`.
    fn share_signoffs(&mut self, from: &str, doc: &DocId, to: &[&str]) {
        let list = self.phone(from).signoffs(doc).unwrap();
        for t in to {
            deliver(self.phone(t), &list);
        }
    }

    /// An approval of minutes `session` at `heads`, signed with `member`'s own device key at
    /// `signed_at` (what a modified phone, or one with a wrong clock, can make).
    fn minutes_signoff(
        &self,
        member: &str,
        role: Role,
        session: &DocId,
        heads: Vec<automerge::ChangeHash>,
        signed_at: i64,
    ) -> Signoff {
        Signoff::sign(
            SignoffFields {
                action: SignoffAction::Approve,
                doc_id: session.clone(),
                doc_kind: DocKind::Session,
                branch_id: branch(),
                heads,
                signer: m(member),
                role,
                device_id: format!("dev-{member}"),
                signed_at,
                supersedes: None,
                note: String::new(),
            },
            &self.device_key(member),
        )
        .unwrap()
    }

    /// The device key of `member`'s phone, read from its file (a modified phone can sign
    /// anything with it).
    fn device_key(&self, member: &str) -> SigningKey {
        let db =
            rusqlite::Connection::open(self.dir.path().join(format!("{member}.sotay"))).unwrap();
        let secret: Vec<u8> = db
            .query_row("SELECT secret_key FROM device_key WHERE id = 1", [], |r| {
                r.get(0)
            })
            .unwrap();
        SigningKey::from_bytes(&secret.try_into().unwrap())
    }
}

/// Stores sign-offs on a phone as a sync's pull does (verbatim, state `synced`).
fn deliver(store: &Store, signoffs: &[Signoff]) {
    let db = rusqlite::Connection::open(store.path()).unwrap();
    for s in signoffs {
        db.execute(
            "INSERT OR IGNORE INTO signoffs (id, doc_id, action, signed_at, bytes, state)
             VALUES (?1, ?2, ?3, ?4, ?5, 'synced')",
            rusqlite::params![
                s.id().as_str(),
                s.doc_id.as_str(),
                s.action.as_str(),
                s.signed_at,
                s.to_bytes().unwrap()
            ],
        )
        .unwrap();
    }
}

/// A topic of month `month` prepared and presented by `who`.
fn topic(title: &str, month: u8, who: &str, deadline: Option<Date>) -> NewTopic {
    NewTopic {
        group: TopicGroup::PartyBuilding,
        preparers: vec![m(who)],
        presenter: Some(m(who)),
        executive: Some(m("m-ung")),
        draft_deadline: deadline,
        ..common::topic(title, month)
    }
}

fn new_draft(plan: &DocId, topic: &TopicId, title: &str) -> NewTextDoc {
    NewTextDoc {
        kind: DocKind::TopicDraft,
        branch_id: branch(),
        plan_id: Some(plan.clone()),
        topic_id: Some(topic.clone()),
        title: title.into(),
        description: String::new(),
        body: "Dừng máy ngoài kế hoạch làm giảm sản lượng. Đảng viên nêu gương.".into(),
    }
}

fn proposal(body: &str) -> NewComment {
    NewComment {
        kind: CommentKind::Proposal,
        body: body.into(),
        anchor: None,
        reply_to: None,
    }
}

fn plain_comment(body: &str) -> NewComment {
    NewComment {
        kind: CommentKind::Comment,
        ..proposal(body)
    }
}

/// The secretary's 2026 plan with one topic Lượng prepares, and his draft of it; both on
/// every phone.
fn plan_and_draft(b: &mut Branch) -> (DocId, TopicId, DocId) {
    let plan = b.phone("m-viet").create_plan(&common::new_plan()).unwrap();
    let t = b
        .phone("m-viet")
        .add_topic(
            &plan,
            &topic("Giải pháp giảm thời gian dừng máy", 3, "m-luong", None),
        )
        .unwrap();
    b.share_all("m-viet", &plan);
    let draft = b
        .phone("m-luong")
        .create_text_doc(&new_draft(&plan, &t, "Dự thảo chuyên đề dừng máy"))
        .unwrap();
    b.share_all("m-luong", &draft);
    (plan, t, draft)
}

fn is_not_permitted(r: Result<impl std::fmt::Debug, Error>) -> bool {
    matches!(r, Err(Error::NotPermitted(_)))
}

// ----- publishing ------------------------------------------------------------------------------

#[test]
fn test_a_draft_is_published_only_once_approved_and_at_the_approved_version() {
    let mut b = Branch::new();
    let (plan, t, draft) = plan_and_draft(&mut b);
    let s = b
        .phone("m-viet")
        .create_session_for_topic(&plan, &t, Some(d("2026-03-10")))
        .unwrap();
    let rows = b.phone("m-viet").session_rows(None).unwrap();
    let row = &rows[0];
    assert_eq!(row.doc_id, s);
    assert_eq!(row.title, "Giải pháp giảm thời gian dừng máy");
    assert_eq!(row.session_date, "2026-03-10");

    // Not approved yet: refused, and nothing written.
    let e = b.phone("m-viet").publish(&s, &draft).unwrap_err();
    assert!(matches!(e, Error::NotReady(_)), "{e}");
    assert!(
        b.phone("m-viet")
            .session(&s)
            .unwrap()
            .distribution
            .is_empty()
    );
    // Submitted is not approved either.
    b.phone("m-luong")
        .submit_for_approval(&draft, "Đề nghị duyệt")
        .unwrap();
    b.share_signoffs("m-luong", &draft, &["m-viet"]);
    let e = b.phone("m-viet").publish(&s, &draft).unwrap_err();
    assert!(matches!(e, Error::NotReady(_)), "{e}");

    // Approved: published at exactly the approved heads, even after later edits.
    let approval = b.phone("m-viet").approve(&draft, "Đồng ý").unwrap();
    let mut approved: Vec<String> = approval
        .change_hashes()
        .iter()
        .map(|h| h.to_string())
        .collect();
    approved.sort();
    b.phone("m-luong")
        .replace_body(&draft, "Nội dung sửa sau khi duyệt.")
        .unwrap();
    b.share("m-luong", &draft, &["m-viet"]);
    let current: Vec<String> = b
        .phone("m-viet")
        .export_document(&draft)
        .unwrap()
        .heads()
        .iter()
        .map(|h| h.to_string())
        .collect();
    assert_ne!(current, approved, "the draft changed since its approval");
    let before = now_unix();
    b.phone("m-viet").publish(&s, &draft).unwrap();
    let dist = b.phone("m-viet").session(&s).unwrap().distribution;
    assert_eq!(dist.len(), 1);
    assert_eq!(dist[0].doc_id, draft);
    assert_eq!(dist[0].kind, DocKind::TopicDraft);
    assert_eq!(dist[0].heads, approved, "the approved version goes out");
    assert_eq!(dist[0].published_by, m("m-viet"));
    assert!(dist[0].published_at >= before);
    assert_eq!(
        b.phone("m-viet").session_rows(None).unwrap()[0].published,
        1
    );

    // A study material goes out as it stands; a plan is not published.
    let material = b
        .phone("m-viet")
        .create_text_doc(&NewTextDoc {
            kind: DocKind::Material,
            plan_id: None,
            topic_id: None,
            title: "Tài liệu tham khảo".into(),
            ..new_draft(&plan, &t, "")
        })
        .unwrap();
    b.phone("m-viet").publish(&s, &material).unwrap();
    assert_eq!(b.phone("m-viet").session(&s).unwrap().distribution.len(), 2);
    let e = b.phone("m-viet").publish(&s, &plan).unwrap_err();
    assert!(matches!(e, Error::InvalidInput(_)), "{e}");
}

// ----- who writes what -------------------------------------------------------------------------

#[test]
fn test_a_plain_member_may_not_create_publish_or_name_chair_and_clerk() {
    let mut b = Branch::new();
    let (plan, t, draft) = plan_and_draft(&mut b);
    // Lượng (a plain member) may not create the session.
    assert!(is_not_permitted(
        b.phone("m-luong")
            .create_session_for_topic(&plan, &t, Some(d("2026-03-10")))
    ));
    assert!(is_not_permitted(b.phone("m-luong").create_session(
        &NewSession {
            branch_id: branch(),
            plan_id: plan.clone(),
            topic_id: t.clone(),
            title: "Giải pháp".into(),
            session_date: d("2026-03-10"),
            combined_with_regular: false,
        }
    )));
    assert!(b.phone("m-luong").session_rows(None).unwrap().is_empty());

    // An executive may; the secretary approves the draft.
    let s = b
        .phone("m-ung")
        .create_session_for_topic(&plan, &t, Some(d("2026-03-10")))
        .unwrap();
    b.phone("m-viet").approve(&draft, "").unwrap();
    b.share_signoffs("m-viet", &draft, &["m-luong", "m-trang"]);
    b.share_all("m-ung", &s);

    // Lượng may not publish, nor name the chair or the clerk (not even himself).
    assert!(is_not_permitted(b.phone("m-luong").publish(&s, &draft)));
    for field in [
        SessionField::Chair(Some(m("m-luong"))),
        SessionField::Clerk(Some(m("m-luong"))),
    ] {
        assert!(is_not_permitted(
            b.phone("m-luong").set_session_field(&s, &field)
        ));
    }
    // The deputy secretary names them, but publishing is for the secretary and executives.
    assert!(is_not_permitted(b.phone("m-trang").publish(&s, &draft)));
    b.phone("m-trang")
        .set_session_field(&s, &SessionField::Clerk(Some(m("m-thuy"))))
        .unwrap();
    let got = b.phone("m-luong").session(&s).unwrap();
    assert!(got.distribution.is_empty() && got.chair.is_none() && got.clerk.is_none());
    assert_eq!(
        b.phone("m-trang").session(&s).unwrap().clerk,
        Some(m("m-thuy"))
    );
    b.phone("m-viet").publish(&s, &draft).unwrap();
}

#[test]
fn test_the_clerk_named_writes_the_minutes_and_another_plain_member_may_not() {
    let mut b = Branch::new();
    let (plan, t, _) = plan_and_draft(&mut b);
    let s = b
        .phone("m-viet")
        .create_session_for_topic(&plan, &t, Some(d("2026-03-10")))
        .unwrap();
    // Before she is named, Thuỷ may not write the minutes.
    b.share_all("m-viet", &s);
    assert!(is_not_permitted(b.phone("m-thuy").replace_session_text(
        &s,
        "conclusion",
        "Sớm"
    )));
    b.phone("m-viet")
        .set_session_field(&s, &SessionField::Chair(Some(m("m-ung"))))
        .unwrap();
    b.phone("m-viet")
        .set_session_field(&s, &SessionField::Clerk(Some(m("m-thuy"))))
        .unwrap();
    b.share_all("m-viet", &s);

    // Thuỷ, the clerk, writes every part of the minutes.
    let thuy = b.phone("m-thuy");
    thuy.set_session_field(&s, &SessionField::Place("Hội trường Phân xưởng".into()))
        .unwrap();
    thuy.set_session_field(&s, &SessionField::StartedAt(Some(morning(d("2026-03-10")))))
        .unwrap();
    thuy.replace_session_text(&s, "conclusion", "Chi bộ thống nhất lắp cảm biến.")
        .unwrap();
    thuy.set_attendance(&s, &m("m-anh"), Attendance::AbsentExcused, "Đi công tác")
        .unwrap();
    // Everyone not yet recorded: present, the exempt member exempt.
    assert_eq!(thuy.fill_attendance(&s).unwrap(), 6);
    thuy.add_guest(&s, "Nguyễn Văn Khách", "Đảng ủy viên", true)
        .unwrap();
    thuy.add_opinion(&s, Some(&m("m-luong")), "Đề nghị bảo dưỡng theo ca", None)
        .unwrap();
    thuy.set_session_quality(&s, "preparation", Some(8))
        .unwrap();
    thuy.add_task(
        &s,
        &NewTask {
            title: "Lập kế hoạch bảo dưỡng".into(),
            owner: m("m-luong"),
            deadline: Some(d("2026-04-30")),
            source: None,
        },
    )
    .unwrap();
    // ...but does not name the chair or the clerk.
    assert!(is_not_permitted(
        thuy.set_session_field(&s, &SessionField::Chair(Some(m("m-thuy"))))
    ));
    let minutes = thuy.session(&s).unwrap();
    assert_eq!(minutes.place, "Hội trường Phân xưởng");
    assert_eq!(minutes.conclusion, "Chi bộ thống nhất lắp cảm biến.");
    assert_eq!(minutes.attendance.len(), 7);
    assert_eq!(
        minutes.attendance_of(&m("m-dat")).unwrap().status,
        Attendance::Exempt
    );
    assert_eq!(
        minutes.attendance_of(&m("m-anh")).unwrap().reason,
        "Đi công tác"
    );
    assert_eq!(minutes.guests.len(), 1);
    assert_eq!(minutes.opinions[0].member, m("m-luong"));
    assert_eq!(minutes.quality.get("preparation"), Some(&8));
    assert_eq!(minutes.tasks.len(), 1);

    // Lượng, a plain member neither chair nor clerk, may write none of it.
    b.share("m-thuy", &s, &["m-luong"]);
    let luong = b.phone("m-luong");
    assert!(is_not_permitted(
        luong.set_session_field(&s, &SessionField::Place("Nhà ăn".into()))
    ));
    assert!(is_not_permitted(luong.replace_session_text(
        &s,
        "conclusion",
        "Sửa kết luận"
    )));
    assert!(is_not_permitted(luong.set_attendance(
        &s,
        &m("m-luong"),
        Attendance::Present,
        ""
    )));
    assert!(is_not_permitted(luong.fill_attendance(&s)));
    assert!(is_not_permitted(luong.add_guest(&s, "Khách", "", false)));
    assert!(is_not_permitted(luong.add_opinion(
        &s,
        Some(&m("m-luong")),
        "Ý kiến",
        None
    )));
    assert!(is_not_permitted(luong.set_session_quality(
        &s,
        "preparation",
        Some(10)
    )));
    assert!(is_not_permitted(luong.add_task(
        &s,
        &NewTask {
            title: "Việc tự giao".into(),
            owner: m("m-luong"),
            deadline: None,
            source: None,
        }
    )));
    assert_eq!(luong.session(&s).unwrap(), minutes, "nothing was written");
}

#[test]
fn test_a_task_is_updated_only_by_its_owner_or_an_officer() {
    let mut b = Branch::new();
    let (plan, t, _) = plan_and_draft(&mut b);
    let s = b
        .phone("m-viet")
        .create_session_for_topic(&plan, &t, Some(d("2026-03-10")))
        .unwrap();
    b.phone("m-viet")
        .set_session_field(&s, &SessionField::Clerk(Some(m("m-thuy"))))
        .unwrap();
    let task = b
        .phone("m-viet")
        .add_task(
            &s,
            &NewTask {
                title: "Lắp cảm biến rung".into(),
                owner: m("m-anh"),
                deadline: Some(d("2026-05-31")),
                source: None,
            },
        )
        .unwrap();
    b.share_all("m-viet", &s);

    // Not the owner, not an officer: refused, nothing written.
    let e = b
        .phone("m-luong")
        .update_task(&s, &task, TaskStatus::Done, "Xong")
        .unwrap_err();
    assert!(matches!(e, Error::NotPermitted(_)), "{e}");
    assert!(
        b.phone("m-luong").session(&s).unwrap().tasks[0]
            .updates
            .is_empty()
    );
    // The clerk writes the minutes but does not report on others' tasks either.
    assert!(is_not_permitted(b.phone("m-thuy").update_task(
        &s,
        &task,
        TaskStatus::InProgress,
        ""
    )));

    // The owner posts progress; an officer (the executive) may too.
    b.phone("m-anh")
        .update_task(&s, &task, TaskStatus::InProgress, "Đã khảo sát")
        .unwrap();
    b.share("m-anh", &s, &["m-ung"]);
    b.phone("m-ung")
        .update_task(&s, &task, TaskStatus::Done, "Đã nghiệm thu")
        .unwrap();
    let got = b.phone("m-ung").session(&s).unwrap();
    let t = got.task(&task).unwrap();
    assert_eq!(t.status, TaskStatus::Done);
    let by: Vec<&MemberId> = t.updates.iter().map(|u| &u.by).collect();
    assert_eq!(by, [&m("m-anh"), &m("m-ung")]);
    assert!(matches!(
        b.phone("m-anh")
            .update_task(&s, "no-such-task", TaskStatus::Done, ""),
        Err(Error::InvalidInput(_))
    ));
}

/// The server's gate (`roles::check_push`) compares a session before and after a push:
/// what the phone refuses, a modified phone cannot push either.
#[test]
fn test_the_push_gate_refuses_what_the_phone_refuses() {
    use sotay_core::roles::{Snapshot, check_push};
    let t0 = 1_770_000_000;
    let mut doc = session::create(
        &NewSession {
            branch_id: branch(),
            plan_id: DocId::new("p-1"),
            topic_id: TopicId::new("t-1"),
            title: "Giải pháp".into(),
            session_date: d("2026-03-10"),
            combined_with_regular: false,
        },
        &ed("m-viet", t0),
    )
    .unwrap();
    // A new session: officers only.
    assert!(check_push(&doc, None, "m-viet", Role::Secretary).is_ok());
    assert!(check_push(&doc, None, "m-luong", Role::Member).is_err());
    session::set_field(
        &mut doc,
        &ed("m-viet", t0),
        &SessionField::Clerk(Some(m("m-thuy"))),
    )
    .unwrap();
    let task = session::add_task(
        &mut doc,
        &ed("m-viet", t0),
        &NewTask {
            title: "Việc".into(),
            owner: m("m-anh"),
            deadline: None,
            source: None,
        },
    )
    .unwrap();

    /// Applies `edit` to a copy and asks the gate about it as `member` holding `role`.
    fn gate(
        doc: &mut Document,
        member: &str,
        role: Role,
        edit: impl FnOnce(&mut Document, &Editor),
    ) -> sotay_core::Result<()> {
        let mut after = Document::load(&doc.save(), &[]).unwrap();
        let before = Snapshot::before_push(doc, &[]).unwrap();
        edit(&mut after, &ed(member, 1_770_000_100));
        check_push(&after, Some(&before), member, role)
    }

    let material = DocId::new("mat-1");
    let heads = doc.heads();
    let publish = |d: &mut Document, e: &Editor| {
        session::publish(d, e, &material, DocKind::Material, &heads).unwrap()
    };
    assert!(gate(&mut doc, "m-luong", Role::Member, publish).is_err());
    assert!(gate(&mut doc, "m-trang", Role::DeputySecretary, publish).is_err());
    assert!(gate(&mut doc, "m-ung", Role::Executive, publish).is_ok());
    let chair = |d: &mut Document, e: &Editor| {
        session::set_field(d, e, &SessionField::Chair(Some(m("m-luong")))).unwrap()
    };
    assert!(gate(&mut doc, "m-luong", Role::Member, chair).is_err());
    assert!(gate(&mut doc, "m-thuy", Role::Member, chair).is_err());
    assert!(gate(&mut doc, "m-trang", Role::DeputySecretary, chair).is_ok());
    let conclusion = |d: &mut Document, e: &Editor| {
        session::replace_text(d, e, "conclusion", "Kết luận").unwrap()
    };
    assert!(gate(&mut doc, "m-luong", Role::Member, conclusion).is_err());
    assert!(gate(&mut doc, "m-thuy", Role::Member, conclusion).is_ok());
    let update = |d: &mut Document, e: &Editor| {
        session::update_task(d, e, &task, TaskStatus::Done, "Xong").unwrap();
    };
    assert!(gate(&mut doc, "m-luong", Role::Member, update).is_err());
    assert!(gate(&mut doc, "m-anh", Role::Member, update).is_ok());

    // A new session pushed whole by a modified phone is checked as a whole: the deputy
    // creates it (an officer) but may not publish in the same push.
    let mut fresh = session::create(
        &NewSession {
            branch_id: branch(),
            plan_id: DocId::new("p-1"),
            topic_id: TopicId::new("t-2"),
            title: "Chuyên đề khác".into(),
            session_date: d("2026-06-10"),
            combined_with_regular: false,
        },
        &ed("m-trang", t0),
    )
    .unwrap();
    assert!(check_push(&fresh, None, "m-trang", Role::DeputySecretary).is_ok());
    let heads = fresh.heads();
    session::publish(
        &mut fresh,
        &ed("m-trang", t0),
        &material,
        DocKind::Material,
        &heads,
    )
    .unwrap();
    assert!(check_push(&fresh, None, "m-trang", Role::DeputySecretary).is_err());
    assert!(check_push(&fresh, None, "m-viet", Role::Secretary).is_ok());
}

// ----- receipts --------------------------------------------------------------------------------

#[test]
fn test_opening_a_material_writes_the_reading_log_once_and_the_lists_follow() {
    let mut b = Branch::new();
    let (plan, t, draft) = plan_and_draft(&mut b);
    let s = b
        .phone("m-viet")
        .create_session_for_topic(&plan, &t, Some(d("2026-03-10")))
        .unwrap();
    b.phone("m-viet").approve(&draft, "").unwrap();
    b.phone("m-viet").publish(&s, &draft).unwrap();
    b.share_all("m-viet", &s);

    let anh = b.phone("m-anh");
    let list = anh.reading_list().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].doc_id, draft);
    assert_eq!(list[0].session_id, s);
    assert_eq!(list[0].title, "Dự thảo chuyên đề dừng máy");
    assert_eq!(list[0].session_date, "2026-03-10");
    assert_eq!(list[0].opened_at, None);
    assert_eq!(anh.unread_materials().unwrap(), list);
    assert_eq!(anh.needs_me().unwrap().to_read, list);

    let log = reading_log::id_for(&branch(), &m("m-anh"));
    assert!(!anh.has_document(&log).unwrap());
    let before = now_unix();
    assert!(anh.mark_opened(&draft).unwrap(), "the first opening");
    assert!(!anh.mark_opened(&draft).unwrap(), "counted once");
    assert_eq!(anh.kind_of(&log).unwrap(), DocKind::ReadingLog);
    let logs: Vec<DocId> = anh
        .document_ids()
        .unwrap()
        .into_iter()
        .filter(|(_, k)| *k == Some(DocKind::ReadingLog))
        .map(|(id, _)| id)
        .collect();
    assert_eq!(
        logs,
        std::slice::from_ref(&log),
        "one log per member and branch"
    );
    let opened = reading_log::opened(&anh.export_document(&log).unwrap()).unwrap();
    assert_eq!(opened.len(), 1);
    let at = opened[&draft];
    assert!(at >= before && at <= now_unix());

    let list = anh.reading_list().unwrap();
    assert_eq!(list[0].opened_at, Some(at));
    assert!(anh.unread_materials().unwrap().is_empty());
    assert!(anh.needs_me().unwrap().to_read.is_empty());
    // Another member's list is their own: Lượng has not opened it.
    assert_eq!(b.phone("m-luong").unread_materials().unwrap().len(), 1);
    b.share("m-anh", &log, &["m-luong"]);
    assert_eq!(b.phone("m-luong").unread_materials().unwrap().len(), 1);
    assert_eq!(b.phone("m-luong").needs_me().unwrap().to_read.len(), 1);
}

#[test]
fn test_distribution_report_lists_who_opened_and_flags_late_publication_by_the_plans_lead_days() {
    let mut b = Branch::new();
    let (plan, t, draft) = plan_and_draft(&mut b);
    b.phone("m-viet").approve(&draft, "").unwrap();
    // Published today for a session two days from now (Vietnam dates).
    let today = today_vn();
    let session_day = today + time::Duration::days(2);
    let s = b
        .phone("m-viet")
        .create_session_for_topic(&plan, &t, Some(session_day))
        .unwrap();
    b.phone("m-viet").publish(&s, &draft).unwrap();
    b.share_all("m-viet", &s);
    b.phone("m-luong").mark_opened(&draft).unwrap();
    let log = reading_log::id_for(&branch(), &m("m-luong"));
    b.share("m-luong", &log, &["m-viet"]);

    let report = b.phone("m-viet").distribution_report(&s).unwrap();
    assert_eq!(report.len(), 1);
    let r = &report[0];
    assert_eq!(r.doc_id, draft);
    assert_eq!(r.title, "Dự thảo chuyên đề dừng máy");
    assert_eq!(r.published_by, m("m-viet"));
    let opened: Vec<&MemberId> = r.opened.iter().map(|(who, _)| who).collect();
    assert_eq!(opened, [&m("m-luong")]);
    assert!(r.opened[0].1 >= r.published_at);
    // Everyone else of the branch, in Vietnamese name order, the exempt member excluded.
    let not_opened: Vec<&str> = r.not_opened.iter().map(|x| x.as_str()).collect();
    assert_eq!(
        not_opened,
        ["m-anh", "m-thuy", "m-trang", "m-ung", "m-viet"],
        "Ánh, Thuỷ, Trang, Ứng, Việt"
    );
    // HD 42's one day: two days ahead is in time.
    assert_eq!(r.lead_days, 1);
    // Late from 00:00 of the session day: anything published by the day before is in time.
    assert_eq!(r.due_by, Some(day_start_vn(session_day)));
    assert!(!r.late, "{r:?}");

    // The branch asks three days: the same publication is late.
    assert!(is_not_permitted(
        b.phone("m-ung").set_distribution_lead_days(&plan, 3)
    ));
    assert!(matches!(
        b.phone("m-viet").set_distribution_lead_days(&plan, 0),
        Err(Error::InvalidInput(_))
    ));
    b.phone("m-viet")
        .set_distribution_lead_days(&plan, 3)
        .unwrap();
    let r = &b.phone("m-viet").distribution_report(&s).unwrap()[0];
    assert_eq!(r.lead_days, 3);
    assert_eq!(r.due_by, Some(day_start_vn(session_day) - 2 * DAY));
    assert!(r.late, "{r:?}");

    // A session tomorrow: published today is in time at one day (HD 42)…
    b.phone("m-viet")
        .set_distribution_lead_days(&plan, 1)
        .unwrap();
    b.phone("m-viet")
        .set_session_field(
            &s,
            &SessionField::SessionDate(Some(today + time::Duration::days(1))),
        )
        .unwrap();
    assert!(!b.phone("m-viet").distribution_report(&s).unwrap()[0].late);
    // …but a session held today: late even at one day.
    b.phone("m-viet")
        .set_session_field(&s, &SessionField::SessionDate(Some(today)))
        .unwrap();
    assert!(b.phone("m-viet").distribution_report(&s).unwrap()[0].late);
}

// ----- minutes adopted by signatures -----------------------------------------------------------

/// A session whose minutes name Ứng (an executive) chair and Thuỷ (a plain member) clerk,
/// with start and end recorded, on every phone.
fn minutes(b: &mut Branch) -> DocId {
    let (plan, t, _) = plan_and_draft(b);
    let day = d("2026-03-10");
    let viet = b.phone("m-viet");
    let s = viet.create_session_for_topic(&plan, &t, Some(day)).unwrap();
    for f in [
        SessionField::Chair(Some(m("m-ung"))),
        SessionField::Clerk(Some(m("m-thuy"))),
        SessionField::StartedAt(Some(morning(day))),
        SessionField::EndedAt(Some(morning(day) + 100 * 60)),
    ] {
        viet.set_session_field(&s, &f).unwrap();
    }
    viet.replace_session_text(&s, "conclusion", "Chi bộ thống nhất lắp cảm biến rung.")
        .unwrap();
    b.share_all("m-viet", &s);
    s
}

#[test]
fn test_minutes_are_adopted_when_chair_and_clerk_sign_the_same_version() {
    let mut b = Branch::new();
    let s = minutes(&mut b);
    assert_eq!(
        b.phone("m-ung").minutes_adoption(&s).unwrap(),
        Adoption::NotSigned
    );

    // The chair signs: partly signed, awaiting the clerk.
    let chair = b.phone("m-ung").sign_minutes(&s, "Chủ trì ký").unwrap();
    assert_eq!(chair.action, SignoffAction::Approve);
    assert_eq!(chair.role, Role::Executive);
    match b.phone("m-ung").minutes_adoption(&s).unwrap() {
        Adoption::PartlySigned { signed, awaiting } => {
            assert_eq!(signed, std::slice::from_ref(&chair));
            assert_eq!(awaiting, [m("m-thuy")]);
        }
        other => panic!("{other:?}"),
    }

    // The clerk, a plain member, signs the same version on her phone: adopted.
    b.share_signoffs("m-ung", &s, &["m-thuy"]);
    let clerk = b.phone("m-thuy").sign_minutes(&s, "Thư ký ký").unwrap();
    assert_eq!(clerk.role, Role::Member);
    assert_eq!(clerk.change_hashes(), chair.change_hashes());
    let adopted = b.phone("m-thuy").minutes_adoption(&s).unwrap();
    match &adopted {
        Adoption::Adopted { chair: a, clerk: c } => {
            assert_eq!(a.id(), chair.id());
            assert_eq!(c.id(), clerk.id());
        }
        other => panic!("{other:?}"),
    }
    // Every phone that holds both records and the version agrees, checking them itself.
    b.share_signoffs("m-thuy", &s, &["m-ung", "m-luong"]);
    assert_eq!(b.phone("m-ung").minutes_adoption(&s).unwrap(), adopted);
    assert_eq!(b.phone("m-luong").minutes_adoption(&s).unwrap(), adopted);

    // The clerk edits the conclusion afterwards: adopted with changes, and the delta names it.
    b.phone("m-thuy")
        .replace_session_text(
            &s,
            "conclusion",
            "Chi bộ thống nhất lắp cảm biến rung và nhiệt.",
        )
        .unwrap();
    match b.phone("m-thuy").minutes_adoption(&s).unwrap() {
        Adoption::AdoptedWithChanges {
            chair: a,
            clerk: c,
            delta,
        } => {
            assert_eq!((a.id(), c.id()), (chair.id(), clerk.id()));
            let delta = delta.unwrap();
            let DeltaContent::Session(sd) = &delta.content else {
                panic!("{delta:?}")
            };
            assert_eq!(sd.fields, ["conclusion"]);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn test_signatures_on_different_versions_do_not_adopt() {
    let mut b = Branch::new();
    let s = minutes(&mut b);
    b.phone("m-ung").sign_minutes(&s, "").unwrap();
    b.share_signoffs("m-ung", &s, &["m-thuy"]);
    // The clerk corrects the place, then signs her version: not the one the chair signed.
    b.phone("m-thuy")
        .set_session_field(&s, &SessionField::Place("Phòng họp số 2".into()))
        .unwrap();
    b.phone("m-thuy").sign_minutes(&s, "").unwrap();
    let got = b.phone("m-thuy").minutes_adoption(&s).unwrap();
    assert!(matches!(got, Adoption::PartlySigned { .. }), "{got:?}");
    // The chair receives her version and signs it: adopted at that version.
    b.share("m-thuy", &s, &["m-ung"]);
    b.share_signoffs("m-thuy", &s, &["m-ung"]);
    let chair = b.phone("m-ung").sign_minutes(&s, "").unwrap();
    match b.phone("m-ung").minutes_adoption(&s).unwrap() {
        Adoption::Adopted { chair: a, .. } => assert_eq!(a.id(), chair.id()),
        other => panic!("{other:?}"),
    }
}

/// Two versions each carry one signature; the clerk's phone clock ran a day behind. The
/// minutes await the chair on the clerk's version — the newer one, because it was made after
/// the chair's — not on whichever signature claims the later time.
#[test]
fn test_partly_signed_minutes_follow_the_newer_version_not_the_phones_clocks() {
    let mut b = Branch::new();
    let s = minutes(&mut b);
    let chair = b.phone("m-ung").sign_minutes(&s, "").unwrap();
    b.share_signoffs("m-ung", &s, &["m-thuy"]);
    b.phone("m-thuy")
        .set_session_field(&s, &SessionField::Place("Phòng họp số 2".into()))
        .unwrap();
    let mut heads = b.phone("m-thuy").export_document(&s).unwrap().heads();
    heads.sort_unstable();
    let clerk = b.minutes_signoff("m-thuy", Role::Member, &s, heads, chair.signed_at - 86_400);
    for who in ["m-thuy", "m-luong"] {
        if who == "m-luong" {
            b.share("m-thuy", &s, &["m-luong"]);
        }
        deliver(b.phone(who), &[chair.clone(), clerk.clone()]);
        match b.phone(who).minutes_adoption(&s).unwrap() {
            Adoption::PartlySigned { signed, awaiting } => {
                assert_eq!(signed, std::slice::from_ref(&clerk), "{who}");
                assert_eq!(awaiting, [m("m-ung")], "{who}");
            }
            other => panic!("{who}: {other:?}"),
        }
    }
}

/// What the phone shows before the chair or the clerk may sign: every part the minutes lack,
/// listed by `can_approve` — the same gate `sign_minutes` and the server apply.
#[test]
fn test_minutes_without_times_cannot_be_signed_and_can_approve_says_why() {
    let mut b = Branch::new();
    let (plan, t, _) = plan_and_draft(&mut b);
    let day = d("2026-03-10");
    let viet = b.phone("m-viet");
    let s = viet.create_session_for_topic(&plan, &t, Some(day)).unwrap();
    viet.set_session_field(&s, &SessionField::Chair(Some(m("m-ung"))))
        .unwrap();
    viet.set_session_field(&s, &SessionField::Clerk(Some(m("m-thuy"))))
        .unwrap();
    b.share_all("m-viet", &s);
    let rights = b.phone("m-ung").can_approve(&s).unwrap();
    assert!(
        rights.has_authority() && !rights.can_approve(),
        "{rights:?}"
    );
    let missing: Vec<&str> = rights
        .blockers
        .iter()
        .find_map(|x| match x {
            sotay_core::store::ApproveBlocker::NotReady(n) => Some(n),
            _ => None,
        })
        .map(|n| n.missing_minutes.iter().map(String::as_str).collect())
        .unwrap_or_default();
    assert_eq!(missing, ["started_at", "ended_at"]);
    let e = b.phone("m-ung").sign_minutes(&s, "").unwrap_err();
    assert!(
        matches!(&e, Error::NotReady(m) if m.contains("the start time")),
        "{e}"
    );
    assert!(b.phone("m-ung").signoffs(&s).unwrap().is_empty());
    // With the times, nothing stands in the way.
    b.phone("m-ung")
        .set_session_field(&s, &SessionField::StartedAt(Some(morning(day))))
        .unwrap();
    b.phone("m-ung")
        .set_session_field(&s, &SessionField::EndedAt(Some(morning(day) + 95 * 60)))
        .unwrap();
    assert!(b.phone("m-ung").can_approve(&s).unwrap().can_approve());
}

#[test]
fn test_a_member_neither_chair_nor_clerk_cannot_adopt_minutes() {
    let mut b = Branch::new();
    let s = minutes(&mut b);
    // On the phone: refused by sign_minutes, and by a plain approve too.
    let e = b.phone("m-luong").sign_minutes(&s, "").unwrap_err();
    assert!(matches!(e, Error::NotPermitted(_)), "{e}");
    let e = b.phone("m-luong").approve(&s, "").unwrap_err();
    assert!(matches!(e, Error::NotPermitted(_)), "{e}");
    assert!(b.phone("m-luong").signoffs(&s).unwrap().is_empty());
    // An officer who is neither is refused the same way.
    assert!(is_not_permitted(b.phone("m-viet").sign_minutes(&s, "")));

    // A modified phone signs an approval anyway, with Lượng's own device key.
    let chair = b.phone("m-ung").sign_minutes(&s, "").unwrap();
    let forged = b.minutes_signoff(
        "m-luong",
        Role::Member,
        &s,
        chair.change_hashes(),
        chair.signed_at,
    );
    let dir = b.phone("m-thuy").directory().unwrap().unwrap();
    let mut doc = b.phone("m-thuy").export_document(&s).unwrap();
    assert_eq!(
        approval::verify(&forged, &dir),
        Ok(()),
        "the signature is his"
    );
    assert_eq!(
        approval::verify_for(&forged, &dir, &doc),
        Err(Invalid::NotChairOrClerk {
            signer: m("m-luong")
        })
    );
    // With the chair's signature, it still does not adopt: the clerk is awaited.
    deliver(b.phone("m-thuy"), &[forged.clone(), chair.clone()]);
    match b.phone("m-thuy").minutes_adoption(&s).unwrap() {
        Adoption::PartlySigned { signed, awaiting } => {
            assert_eq!(signed, std::slice::from_ref(&chair));
            assert_eq!(awaiting, [m("m-thuy")]);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        approval::adoption(&mut doc, &[forged], &dir),
        Adoption::NotSigned
    );
}

// ----- proposals followed through --------------------------------------------------------------

#[test]
fn test_proposals_board_follows_a_proposal_from_open_to_done() {
    let mut b = Branch::new();
    let (plan, t, draft) = plan_and_draft(&mut b);
    let p = b
        .phone("m-anh")
        .add_comment(&draft, &proposal("Bảo dưỡng định kỳ theo ca"))
        .unwrap();
    let c = b
        .phone("m-anh")
        .add_comment(&draft, &plain_comment("Cần thêm số liệu"))
        .unwrap();
    b.share_all("m-anh", &draft);
    let s = b
        .phone("m-viet")
        .create_session_for_topic(&plan, &t, Some(d("2026-03-10")))
        .unwrap();
    let deadline = d("2026-04-30");
    let board = |b: &mut Branch, who: &str, today: Date| {
        b.phone(who)
            .proposals_board(Some(&branch()), None, today)
            .unwrap()
    };

    let open = board(&mut b, "m-viet", deadline);
    assert_eq!(open.len(), 1, "proposals only: {open:?}");
    assert_eq!(open[0].comment_id, p);
    assert_eq!(open[0].author, m("m-anh"));
    assert_eq!(open[0].doc_title, "Dự thảo chuyên đề dừng máy");
    assert_eq!(open[0].excerpt, "Bảo dưỡng định kỳ theo ca");
    assert_eq!(open[0].status, ProposalStatus::Open);
    assert_eq!(open[0].stage, ProposalStage::Open);
    assert!(open[0].task.is_none());

    // A task adopts a proposal, not a plain comment.
    let task_for = |source: &CommentId| NewTask {
        title: "Xây dựng lịch bảo dưỡng theo ca".into(),
        owner: m("m-anh"),
        deadline: Some(deadline),
        source: Some(SourceRef {
            doc_id: draft.clone(),
            comment_id: source.clone(),
        }),
    };
    assert!(matches!(
        b.phone("m-viet").add_task(&s, &task_for(&c)),
        Err(Error::InvalidInput(_))
    ));
    let task = b.phone("m-viet").add_task(&s, &task_for(&p)).unwrap();
    let adopted = board(&mut b, "m-viet", deadline);
    assert_eq!(adopted[0].stage, ProposalStage::Adopted);
    assert_eq!(
        adopted[0].status,
        ProposalStatus::Accepted,
        "marked accepted"
    );
    let tr = adopted[0].task.as_ref().unwrap();
    assert_eq!((&tr.session_id, &tr.task_id), (&s, &task));
    assert_eq!(tr.owner, m("m-anh"));
    assert_eq!(tr.deadline, "2026-04-30");
    assert!(!tr.overdue);
    assert_eq!(
        b.phone("m-viet").session_of_task(&task).unwrap(),
        Some(s.clone())
    );

    // The day after the deadline, not done: overdue.
    let late = board(&mut b, "m-viet", d("2026-05-01"));
    assert_eq!(late[0].stage, ProposalStage::Overdue);
    assert!(late[0].task.as_ref().unwrap().overdue);

    // The owner (who made the proposal) reports it done: the proposal is done everywhere.
    b.share_all("m-viet", &s);
    b.share_all("m-viet", &draft);
    b.phone("m-anh")
        .update_task(&s, &task, TaskStatus::Done, "Đã áp dụng từ tháng 5")
        .unwrap();
    let done = board(&mut b, "m-anh", d("2026-05-01"));
    assert_eq!(done[0].stage, ProposalStage::Done);
    assert_eq!(done[0].status, ProposalStatus::Done);
    b.share("m-anh", &s, &["m-viet"]);
    b.share("m-anh", &draft, &["m-viet"]);
    let done = board(&mut b, "m-viet", d("2026-12-31"));
    assert_eq!(done[0].stage, ProposalStage::Done);
    assert_eq!(done[0].status, ProposalStatus::Done);
    let tr = done[0].task.as_ref().unwrap();
    assert_eq!(tr.status, TaskStatus::Done);
    assert!(tr.closed_at.is_some() && !tr.overdue);
}

// ----- participation evidence ------------------------------------------------------------------

/// A year of two sessions, made with the documents' own clocks where time matters.
struct Year {
    b: Branch,
    plan: DocId,
    t1: TopicId,
    s1: DocId,
    s2: DocId,
    d1: DocId,
    d2: DocId,
    luong_comment: CommentId,
    anh_proposal: CommentId,
    luong_proposal: CommentId,
}

fn year() -> Year {
    let mut b = Branch::new();
    let today = today_vn();
    let (day1, day2) = (d("2026-03-10"), d("2026-06-12"));
    let (cut1, cut2) = (morning(day1), morning(day2));

    // The plan: Lượng's topic was due ten days ago, Ánh's is due in a month, Thuỷ's was due
    // and she never sent a draft.
    let viet = b.phone("m-viet");
    let plan = viet.create_plan(&common::new_plan()).unwrap();
    let t1 = viet
        .add_topic(
            &plan,
            &topic(
                "Giải pháp giảm thời gian dừng máy",
                3,
                "m-luong",
                Some(today - time::Duration::days(10)),
            ),
        )
        .unwrap();
    let t2 = viet
        .add_topic(
            &plan,
            &topic(
                "Tiết kiệm vật tư",
                6,
                "m-anh",
                Some(today + time::Duration::days(30)),
            ),
        )
        .unwrap();
    viet.add_topic(
        &plan,
        &topic(
            "An toàn lao động",
            9,
            "m-thuy",
            Some(today - time::Duration::days(1)),
        ),
    )
    .unwrap();
    b.share_all("m-viet", &plan);

    // The preparers write and submit their drafts (now); the secretary approves them.
    let d1 = b
        .phone("m-luong")
        .create_text_doc(&new_draft(&plan, &t1, "Dự thảo chuyên đề dừng máy"))
        .unwrap();
    b.phone("m-luong").submit_for_approval(&d1, "").unwrap();
    b.share("m-luong", &d1, &["m-viet"]);
    b.share_signoffs("m-luong", &d1, &["m-viet"]);
    let d2 = b
        .phone("m-anh")
        .create_text_doc(&new_draft(&plan, &t2, "Dự thảo chuyên đề vật tư"))
        .unwrap();
    b.phone("m-anh").submit_for_approval(&d2, "").unwrap();
    b.share("m-anh", &d2, &["m-viet"]);
    b.share_signoffs("m-anh", &d2, &["m-viet"]);

    // Comments and proposals, each with its writer's clock: before or after the session.
    let mut doc1 = b.phone("m-viet").export_document(&d1).unwrap();
    let luong_comment = text_doc::add_comment(
        &mut doc1,
        &ed("m-luong", cut1 - 5 * DAY),
        &plain_comment("Bổ sung số liệu quý I"),
    )
    .unwrap();
    let anh_proposal = text_doc::add_comment(
        &mut doc1,
        &ed("m-anh", cut1 - 2 * DAY),
        &proposal("Bảo dưỡng định kỳ theo ca"),
    )
    .unwrap();
    text_doc::add_comment(
        &mut doc1,
        &ed("m-anh", cut1 + 3600),
        &plain_comment("Góp ý muộn"),
    )
    .unwrap();
    text_doc::add_comment(
        &mut doc1,
        &ed("m-thuy", cut1 + DAY),
        &proposal("Hiến kế muộn"),
    )
    .unwrap();
    b.phone("m-viet").merge_document(&mut doc1).unwrap();
    let mut doc2 = b.phone("m-viet").export_document(&d2).unwrap();
    let luong_proposal = text_doc::add_comment(
        &mut doc2,
        &ed("m-luong", cut2 - DAY),
        &proposal("Thu hồi vật tư cũ"),
    )
    .unwrap();
    b.phone("m-viet").merge_document(&mut doc2).unwrap();

    // What each opened, and when.
    let mut luong_log = reading_log::create(&branch(), &ed("m-luong", cut1 - 4 * DAY)).unwrap();
    reading_log::mark_opened(&mut luong_log, &ed("m-luong", cut1 - 3 * DAY), &d1).unwrap();
    reading_log::mark_opened(&mut luong_log, &ed("m-luong", cut2 + DAY), &d2).unwrap();
    b.phone("m-viet").merge_document(&mut luong_log).unwrap();
    let mut anh_log = reading_log::create(&branch(), &ed("m-anh", cut2 - 3600)).unwrap();
    reading_log::mark_opened(&mut anh_log, &ed("m-anh", cut2 - 3600), &d2).unwrap();
    b.phone("m-viet").merge_document(&mut anh_log).unwrap();

    // The sessions, held, with their presenters and attendance; the drafts published.
    let viet = b.phone("m-viet");
    viet.approve(&d1, "").unwrap();
    viet.approve(&d2, "").unwrap();
    let s1 = viet
        .create_session_for_topic(&plan, &t1, Some(day1))
        .unwrap();
    let s2 = viet
        .create_session_for_topic(&plan, &t2, Some(day2))
        .unwrap();
    for (s, cut, presenter, d) in [(&s1, cut1, "m-luong", &d1), (&s2, cut2, "m-anh", &d2)] {
        viet.set_session_field(s, &SessionField::Presenter(Some(m(presenter))))
            .unwrap();
        viet.set_session_field(s, &SessionField::StartedAt(Some(cut)))
            .unwrap();
        viet.set_session_field(s, &SessionField::EndedAt(Some(cut + 95 * 60)))
            .unwrap();
        viet.publish(s, d).unwrap();
    }
    for (s, who, status, reason) in [
        (&s1, "m-luong", Attendance::Present, ""),
        (&s1, "m-anh", Attendance::Present, ""),
        (&s1, "m-thuy", Attendance::AbsentExcused, "Đi công tác"),
        (&s1, "m-ung", Attendance::AbsentUnexcused, ""),
        (&s2, "m-luong", Attendance::Present, ""),
        (&s2, "m-anh", Attendance::AbsentExcused, "Ốm"),
        (&s2, "m-thuy", Attendance::Present, ""),
        (&s2, "m-ung", Attendance::AbsentUnexcused, ""),
        (&s2, "m-dat", Attendance::Exempt, "Miễn sinh hoạt"),
    ] {
        viet.set_attendance(s, &m(who), status, reason).unwrap();
    }

    // Ánh's proposal is adopted and done; Lượng's adopted, still open.
    let task = viet
        .add_task(
            &s1,
            &NewTask {
                title: "Lịch bảo dưỡng theo ca".into(),
                owner: m("m-anh"),
                deadline: Some(d("2026-04-30")),
                source: Some(SourceRef {
                    doc_id: d1.clone(),
                    comment_id: anh_proposal.clone(),
                }),
            },
        )
        .unwrap();
    viet.update_task(&s1, &task, TaskStatus::Done, "Xong")
        .unwrap();
    viet.add_task(
        &s2,
        &NewTask {
            title: "Thu hồi vật tư cũ".into(),
            owner: m("m-luong"),
            deadline: Some(d("2026-08-31")),
            source: Some(SourceRef {
                doc_id: d2.clone(),
                comment_id: luong_proposal.clone(),
            }),
        },
    )
    .unwrap();
    Year {
        b,
        plan,
        t1,
        s1,
        s2,
        d1,
        d2,
        luong_comment,
        anh_proposal,
        luong_proposal,
    }
}

#[test]
fn test_participation_evidence_counts_a_year_with_its_evidence() {
    let mut y = year();
    let report =
        y.b.phone("m-viet")
            .participation_evidence(Some(&branch()), 2026, now_unix())
            .unwrap();
    assert_eq!(report.year, 2026);
    assert_eq!(report.notice, NOTICE_VI);
    assert!(report.notice.contains("không phải kết quả đánh giá"));
    assert_eq!(report.members.len(), MEMBERS.len());
    assert!(report.flags.is_empty(), "two months are not three");

    let counts = |who: &str| -> BTreeMap<Category, u32> {
        report
            .member(&m(who))
            .unwrap()
            .figures
            .iter()
            .filter(|f| f.count > 0)
            .map(|f| (f.category, f.count))
            .collect()
    };
    use Category::*;
    assert_eq!(
        counts("m-luong"),
        BTreeMap::from([
            (AssignmentLate, 1),
            (Presentation, 1),
            (CommentBefore, 1),
            (ProposalBefore, 1),
            (ProposalAdopted, 1),
            (Present, 2),
            (MaterialOpenedBefore, 1),
        ])
    );
    assert_eq!(
        counts("m-anh"),
        BTreeMap::from([
            (AssignmentOnTime, 1),
            (Presentation, 1),
            (ProposalBefore, 1),
            (ProposalAdopted, 1),
            (ProposalDone, 1),
            (Present, 1),
            (AbsentExcused, 1),
            (MaterialOpenedBefore, 1),
        ])
    );
    assert_eq!(
        counts("m-thuy"),
        BTreeMap::from([(AssignmentLate, 1), (Present, 1), (AbsentExcused, 1)])
    );
    assert_eq!(counts("m-ung"), BTreeMap::from([(AbsentUnexcused, 2)]));
    assert!(counts("m-viet").is_empty());
    assert!(counts("m-dat").is_empty(), "exempt is not absent");

    // Every figure points at what it counted.
    let luong = report.member(&m("m-luong")).unwrap();
    assert_eq!(luong.name, "Hoàng Đức Lượng");
    let ev = |e: &sotay_core::store::evidence::MemberEvidence, c: Category| {
        let mut refs: Vec<(DocId, String)> = e
            .figure(c)
            .evidence
            .iter()
            .map(|r| (r.doc_id.clone(), r.item_id.clone()))
            .collect();
        refs.sort();
        refs
    };
    assert_eq!(ev(luong, Presentation), [(y.s1.clone(), String::new())]);
    assert_eq!(
        ev(luong, CommentBefore),
        [(y.d1.clone(), y.luong_comment.to_string())]
    );
    assert_eq!(
        ev(luong, ProposalBefore),
        [(y.d2.clone(), y.luong_proposal.to_string())]
    );
    assert_eq!(
        ev(luong, ProposalAdopted),
        [(y.s2.clone(), y.luong_proposal.to_string())]
    );
    assert_eq!(
        ev(luong, MaterialOpenedBefore),
        [(y.d1.clone(), String::new())]
    );
    assert_eq!(
        ev(luong, AssignmentLate),
        [(y.plan.clone(), y.t1.to_string())]
    );
    assert!(
        luong.figure(AssignmentLate).evidence[0].at.is_some(),
        "submitted, late"
    );
    let mut both = vec![
        (y.s1.clone(), "m-luong".to_owned()),
        (y.s2.clone(), "m-luong".to_owned()),
    ];
    both.sort();
    assert_eq!(ev(luong, Present), both);
    let anh = report.member(&m("m-anh")).unwrap();
    assert_eq!(
        ev(anh, ProposalDone),
        [(y.s1.clone(), y.anh_proposal.to_string())]
    );
    assert!(anh.figure(ProposalDone).evidence[0].at.is_some());
    assert_eq!(ev(anh, AbsentExcused), [(y.s2.clone(), "m-anh".to_owned())]);
    assert!(anh.figure(AbsentExcused).evidence[0].note.contains("Ốm"));
    assert_eq!(
        ev(anh, MaterialOpenedBefore),
        [(y.d2.clone(), String::new())]
    );
    let thuy = report.member(&m("m-thuy")).unwrap();
    assert!(
        thuy.figure(AssignmentLate).evidence[0].at.is_none(),
        "never sent"
    );
    assert!(
        thuy.figure(AssignmentLate).evidence[0]
            .note
            .contains("chưa nộp")
    );

    // Suggested points with the default weights.
    assert_eq!(
        luong.task_points, 3.0,
        "presentation 3 − late 1 + adopted 1"
    );
    assert_eq!(luong.general_points, 2.0, "0.25 + 0.5 + 2 × 0.5 + 0.25");
    assert_eq!(anh.task_points, 3.0 + 3.0 + 1.0 + 1.0);
    let ung = report.member(&m("m-ung")).unwrap();
    assert_eq!(ung.general_points, -2.0);
    assert_eq!(ung.figure(AbsentUnexcused).points, -2.0);

    // CSV: a header, one row per member, the names intact.
    let csv = report.to_csv();
    let lines: Vec<&str> = csv.trim_end().split("\r\n").collect();
    assert_eq!(lines.len(), 1 + MEMBERS.len());
    assert!(lines[0].starts_with("\u{feff}member_id,ho_ten,chi_bo,assignment_on_time,"));
    assert!(lines[0].ends_with(",diem_tieu_chi_chung,diem_ket_qua_nhiem_vu"));
    let row = lines.iter().find(|l| l.starts_with("m-luong,")).unwrap();
    assert_eq!(
        *row,
        "m-luong,Hoàng Đức Lượng,b-co-dien,0,1,1,1,1,1,0,2,0,0,1,2.00,3.00"
    );
    for (id, name, ..) in MEMBERS {
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with(&format!("{id},{name},"))),
            "{id}"
        );
    }

    // Another year has none of it.
    let other =
        y.b.phone("m-viet")
            .participation_evidence(Some(&branch()), 2025, now_unix())
            .unwrap();
    assert!(
        other
            .members
            .iter()
            .all(|e| e.figures.iter().all(|f| f.count == 0)),
        "{other:?}"
    );
}

#[test]
fn test_unexcused_absences_in_three_months_are_flagged_and_in_two_are_not() {
    let mut b = Branch::new();
    let (plan, t, _) = plan_and_draft(&mut b);
    let viet = b.phone("m-viet");
    // Ứng misses March, June and September without a reason; Thuỷ misses two sessions in
    // March and one in June (two months); Lượng's September absence is excused.
    for (day, unexcused, excused) in [
        ("2026-03-05", vec!["m-ung", "m-thuy"], vec![]),
        ("2026-03-20", vec!["m-thuy"], vec![]),
        ("2026-06-12", vec!["m-ung", "m-thuy"], vec![]),
        ("2026-09-11", vec!["m-ung"], vec!["m-luong"]),
    ] {
        let s = viet
            .create_session_for_topic(&plan, &t, Some(d(day)))
            .unwrap();
        for who in unexcused {
            viet.set_attendance(&s, &m(who), Attendance::AbsentUnexcused, "")
                .unwrap();
        }
        for who in excused {
            viet.set_attendance(&s, &m(who), Attendance::AbsentExcused, "Ốm")
                .unwrap();
        }
    }
    let report = viet
        .participation_evidence(Some(&branch()), 2026, now_unix())
        .unwrap();
    assert_eq!(report.flags.len(), 1, "{:?}", report.flags);
    assert_eq!(report.flags[0].member, m("m-ung"));
    assert_eq!(report.flags[0].name, "Lê Văn Ứng");
    assert_eq!(report.flags[0].months, [3, 6, 9]);
    let thuy = report.member(&m("m-thuy")).unwrap();
    assert_eq!(thuy.figure(Category::AbsentUnexcused).count, 3);
    // Not in 2027.
    let next = viet
        .participation_evidence(Some(&branch()), 2027, now_unix())
        .unwrap();
    assert!(next.flags.is_empty());
}

#[test]
fn test_committee_weights_change_the_points_and_bad_weights_are_refused() {
    let mut y = year();
    assert_eq!(
        y.b.phone("m-viet").evidence_weights().unwrap(),
        Weights::default()
    );
    let mut w = Weights::default();
    for x in &mut w.weights {
        if x.category == Category::Presentation {
            x.points_each = 10.0;
            x.cap = 10.0;
        }
    }
    // The committee's admin sets them on the server; the signed directory brings them.
    y.b.committee_sets(CommitteeSettings {
        evidence_weights: Some(serde_json::to_string(&w).unwrap()),
        quality_grid: None,
    });
    let viet = y.b.phone("m-viet");
    assert_eq!(viet.evidence_weights().unwrap(), w);
    let report = viet
        .participation_evidence(Some(&branch()), 2026, now_unix())
        .unwrap();
    assert_eq!(report.weights, w);
    let luong = report.member(&m("m-luong")).unwrap();
    assert_eq!(luong.figure(Category::Presentation).points, 10.0);
    assert_eq!(luong.task_points, 10.0, "10 − 1 + 1");
    // Every phone of the committee uses the same.
    assert_eq!(y.b.phone("m-thuy").evidence_weights().unwrap(), w);

    // Weights outside QĐ 366's frame, or that do not read, are refused.
    let json = |general_cap: f64, cap: f64| {
        serde_json::to_string(&Weights {
            weights: vec![Weight {
                category: Category::Present,
                frame: Frame::General,
                points_each: 1.0,
                cap,
            }],
            general_cap,
            task_cap: 15.0,
        })
        .unwrap()
    };
    assert!(Weights::from_json(&json(10.0, 4.0)).is_ok());
    let mut twice = Weights::default();
    twice.weights.push(twice.weights[0].clone());
    let over = Weights {
        task_cap: 71.0,
        ..Weights::default()
    };
    for bad in [
        json(31.0, 4.0),
        json(10.0, -1.0),
        json(10.0, 31.0),
        serde_json::to_string(&twice).unwrap(),
        serde_json::to_string(&over).unwrap(),
        "{\"weights\": []}".to_owned(),
        "không phải JSON".to_owned(),
    ] {
        assert!(
            matches!(Weights::from_json(&bad), Err(Error::InvalidInput(_))),
            "{bad}"
        );
    }

    // Back to the defaults when the committee drops its own.
    y.b.committee_sets(CommitteeSettings::default());
    assert_eq!(
        y.b.phone("m-viet").evidence_weights().unwrap(),
        Weights::default()
    );
}

#[test]
fn test_the_committees_quality_grid_scores_the_minutes_on_every_phone() {
    let mut b = Branch::new();
    assert_eq!(
        b.phone("m-viet").quality_grid().unwrap(),
        QualityGrid::default()
    );
    let grid = QualityGrid {
        criteria: vec![
            QualityCriterion {
                code: "prep".into(),
                label: "Chuẩn bị".into(),
                max: 40,
            },
            QualityCriterion {
                code: "talk".into(),
                label: "Thảo luận".into(),
                max: 60,
            },
        ],
    };
    b.committee_sets(CommitteeSettings {
        evidence_weights: None,
        quality_grid: Some(serde_json::to_string(&grid).unwrap()),
    });
    for who in ["m-viet", "m-luong"] {
        assert_eq!(b.phone(who).quality_grid().unwrap(), grid, "{who}");
    }
    // A grid whose maxima do not add up to 100 never reads.
    let mut short = grid.clone();
    short.criteria[1].max = 50;
    assert!(matches!(
        QualityGrid::from_json(&serde_json::to_string(&short).unwrap()),
        Err(Error::InvalidInput(_))
    ));
    // A directory whose settings were changed after the server signed them does not verify:
    // a phone cannot score with weights of its own.
    let mut forged = b.directory.clone();
    forged.settings.quality_grid = Some(serde_json::to_string(&short).unwrap());
    assert!(b.phone("m-viet").replace_directory(&forged).is_err());
    assert_eq!(b.phone("m-viet").quality_grid().unwrap(), grid, "unchanged");
}

/// Two phones of one member create the reading log offline (its id is derived from the
/// member): the merge holds the header twice, with the same values, and the server's
/// structure check accepts it. A header written twice with different values, or any other
/// kind's header written twice, is still refused.
#[test]
fn test_a_reading_log_created_on_two_phones_passes_the_structure_check() {
    let material = DocId::new("d-1");
    let mut phone = reading_log::create(&branch(), &ed("m-anh", 10)).unwrap();
    let mut tablet = reading_log::create(&branch(), &ed("m-anh", 11)).unwrap();
    reading_log::mark_opened(&mut phone, &ed("m-anh", 500), &material).unwrap();
    reading_log::mark_opened(&mut tablet, &ed("m-anh", 400), &material).unwrap();
    phone.merge(&mut tablet).unwrap();
    assert_eq!(phone.check_structure().map_err(|e| e.to_string()), Ok(()));
    assert_eq!(reading_log::opened(&phone).unwrap()[&material], 400);
    assert!(
        sotay_core::roles::check_push(&phone, None, "m-anh", Role::Member).is_ok(),
        "the owner's own log"
    );

    // The log's branch written concurrently with two other values: refused.
    let mut clash = reading_log::create(&branch(), &ed("m-anh", 13)).unwrap();
    let mut am = automerge::AutoCommit::load(&clash.save()).unwrap();
    {
        use automerge::transaction::Transactable;
        let mut fork = am.fork().with_actor(automerge::ActorId::random());
        fork.put(automerge::ROOT, "branch_id", "b-khac").unwrap();
        fork.commit();
        am.put(automerge::ROOT, "branch_id", "b-khac-nua").unwrap();
        am.commit();
        am.merge(&mut fork).unwrap();
    }
    let differing = Document::load(&am.save(), &[]).unwrap();
    assert!(differing.check_structure().is_err(), "two branches");

    // Any other kind created twice under one id is refused even with equal headers.
    let created = |kind: &str| {
        use automerge::transaction::Transactable;
        let mut am = automerge::AutoCommit::new().with_actor(automerge::ActorId::random());
        am.put(automerge::ROOT, "doc_id", "p-twice").unwrap();
        am.put(automerge::ROOT, "kind", kind).unwrap();
        am.put(automerge::ROOT, "schema_version", 1u64).unwrap();
        am.put(automerge::ROOT, "branch_id", BRANCH).unwrap();
        am.commit();
        am
    };
    for kind in ["session", "reading_log"] {
        let mut a = created(kind);
        a.merge(&mut created(kind)).unwrap();
        let twice = Document::load(&a.save(), &[]).unwrap();
        assert_eq!(
            twice.check_structure().is_ok(),
            kind == "reading_log",
            "{kind}"
        );
    }
}

/// A task's status is the update posted last with the others in view, even from a phone
/// whose clock is behind (device clocks are informational, never an order).
#[test]
fn test_a_later_task_update_wins_whatever_the_clocks_say() {
    let mut doc = session::create(
        &NewSession {
            branch_id: branch(),
            plan_id: DocId::new("p-1"),
            topic_id: TopicId::new("t-1"),
            title: "Giải pháp".into(),
            session_date: d("2026-03-10"),
            combined_with_regular: false,
        },
        &ed("m-viet", 1_000),
    )
    .unwrap();
    let task = session::add_task(
        &mut doc,
        &ed("m-viet", 1_000),
        &NewTask {
            title: "Lắp cảm biến".into(),
            owner: m("m-anh"),
            deadline: None,
            source: None,
        },
    )
    .unwrap();
    // Ánh reports progress; the executive, on a phone whose clock runs an hour behind,
    // receives it and marks the task done.
    session::update_task(
        &mut doc,
        &ed("m-anh", 10_000),
        &task,
        TaskStatus::InProgress,
        "",
    )
    .unwrap();
    let mut exec = Document::load(&doc.save(), &[]).unwrap();
    session::update_task(&mut exec, &ed("m-ung", 6_400), &task, TaskStatus::Done, "").unwrap();
    doc.merge(&mut exec).unwrap();
    let s = session::get(&doc).unwrap();
    let t = s.task(&task).unwrap();
    assert_eq!(t.status, TaskStatus::Done);
    let by: Vec<&str> = t.updates.iter().map(|u| u.by.as_str()).collect();
    assert_eq!(by, ["m-anh", "m-ung"], "oldest first");
}

/// The papers a phone writes: names from the signed directory (the committee's too, no
/// option needed), "DỰ THẢO" until the minutes are adopted, the adopted version after.
#[test]
fn test_papers_take_names_from_the_directory_and_mark_drafts() {
    use sotay_core::store::{PaperFormat, PaperOptions};
    let mut b = Branch::new();
    let s = minutes(&mut b);
    let html = PaperOptions::new(PaperFormat::Html);
    let draft = b.phone("m-ung").minutes_paper(&s, &html).unwrap();
    assert!(!draft.official);
    let text = String::from_utf8(draft.bytes).unwrap();
    assert!(text.to_uppercase().contains("SÔNG LAM XANH"), "{text}");
    assert!(text.contains("DỰ THẢO"));
    b.phone("m-ung").sign_minutes(&s, "").unwrap();
    b.share_signoffs("m-ung", &s, &["m-thuy"]);
    b.phone("m-thuy").sign_minutes(&s, "").unwrap();
    let adopted = b.phone("m-thuy").minutes_paper(&s, &html).unwrap();
    assert!(adopted.official);
    let text = String::from_utf8(adopted.bytes).unwrap();
    assert!(!text.contains("DỰ THẢO"), "adopted: no draft mark");
    assert!(text.contains("Chi bộ thống nhất lắp cảm biến rung."));
    // As DOCX, and this device's version on request.
    let docx = b
        .phone("m-thuy")
        .minutes_paper(
            &s,
            &PaperOptions {
                current: true,
                ..PaperOptions::new(PaperFormat::Docx)
            },
        )
        .unwrap();
    assert!(docx.bytes.starts_with(b"PK"));
    // A member's evidence sheet: a working paper, never official.
    let sheet = b
        .phone("m-viet")
        .evidence_sheet(&m("m-luong"), 2026, &html)
        .unwrap();
    assert!(!sheet.official);
    assert_eq!(sheet.title, "Hoàng Đức Lượng");
    assert!(String::from_utf8(sheet.bytes).unwrap().contains(NOTICE_VI));
    // Someone the directory does not list: refused.
    let e = b
        .phone("m-viet")
        .evidence_sheet(&m("m-nobody"), 2026, &html)
        .unwrap_err();
    assert!(matches!(e, Error::InvalidInput(_)), "{e}");
}
