//! Signed approval on a year-old plan and a long draft: what a phone pays to show a status.
//!
//! 1. A year of plan edits through the model API: 15 topics, purpose and implementation
//!    typed a few words per commit to a few thousand characters each, field edits, moves and
//!    legal bases — by six members on six replicas that merge with a hub now and then (so the
//!    history has many actors and concurrent branches). Conflicts are resolved, the plan
//!    passes `check_ready` and the secretary signs an approval.
//! 2. 1,000 further changes the same way (field edits, preparers, topic adds and moves,
//!    cancellations, typing and deleting in the texts).
//! 3. `status` (which includes the delta since approval) and `delta` alone, each on a
//!    freshly loaded copy of the document (as a phone opening it; Automerge caches its last
//!    diff, so reusing one copy would flatter repeated runs): first run, median and max.
//! 4. Verification of 1,000 sign-offs (signature + directory checks + document check).
//! 5. A topic draft of ~20,000 characters with 200 comments, approved, then 1,000 changes
//!    (typing, deletions, comments, resolutions, proposal decisions): `status` + `delta`.
//!
//! ```text
//! cargo bench -p sotay-core --bench approval              # full
//! cargo bench -p sotay-core --bench approval -- --quick   # fewer timed runs
//! ```
//! `SOTAY_BENCH_SEED=<n>` fixes the workload (default 2026).
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use ed25519_dalek::SigningKey;
use sotay_core::approval::{
    self, DeltaContent, DeviceFacts, MemoryAuthority, Signoff, SignoffAction, SignoffFields, Status,
};
use sotay_core::date;
use sotay_core::ids::{BranchId, CommentId, DocKind, MemberId, TopicId};
use sotay_core::model::conflict;
use sotay_core::model::plan::{
    self, NewPlan, NewTopic, PlanText, TopicField, TopicGroup, TopicStatus,
};
use sotay_core::model::text_doc::{self, CommentKind, NewComment, NewTextDoc, ProposalStatus};
use sotay_core::model::{Document, Editor};
use sotay_core::org::Role;

const PROSE: &[&str] = &[
    "Thực hiện Chỉ thị số 50-CT/TW của Ban Bí thư về đổi mới, nâng cao chất lượng sinh hoạt chi bộ. ",
    "Trong năm qua, thời gian dừng máy ngoài kế hoạch của các băng tải chính vẫn chiếm tỷ lệ cao. ",
    "Nguyên nhân chủ yếu là công tác bảo dưỡng định kỳ chưa được thực hiện nghiêm. ",
    "Một bộ phận đảng viên còn ngại va chạm, chưa thẳng thắn góp ý khi phát hiện sai phạm. ",
    "Chi bộ đề ra mục tiêu giảm ít nhất 20% thời gian dừng máy ngoài kế hoạch so với cùng kỳ. ",
    "Mỗi tổ đảng phân công đảng viên theo dõi từng thiết bị trọng yếu, ghi chép nhật ký vận hành. ",
    "Ứng dụng phần mềm quản lý vật tư giúp theo dõi tồn kho theo thời gian thực. ",
    "Việc học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh phải gắn với việc làm cụ thể. ",
    "Chi ủy đề nghị các đồng chí đảng viên nêu gương trong chấp hành kỷ luật lao động. ",
    "Các giải pháp được đề xuất phải có người phụ trách, thời hạn hoàn thành và sản phẩm cụ thể. ",
];

const REMARKS: &[&str] = &[
    "Đề nghị bổ sung số liệu cụ thể của quý trước để so sánh.",
    "Câu này nên viết gọn lại, tránh trùng ý với đoạn trên.",
    "Tôi đồng ý với nội dung này, nhưng cần ghi rõ người phụ trách.",
    "Hiến kế: lắp cảm biến nhiệt cho hộp giảm tốc băng tải số 3 để cảnh báo sớm.",
    "Nên dẫn chiếu đúng số hiệu văn bản: Hướng dẫn 42-HD/BTCTW ngày 28/10/2025.",
];

const TOPICS: &[&str] = &[
    "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh về tiết kiệm",
    "Nâng cao chất lượng sinh hoạt chi bộ theo Chỉ thị 50-CT/TW",
    "An toàn lao động trong sửa chữa băng tải",
    "Phòng, chống lãng phí điện năng tại phân xưởng",
    "Nhận diện biểu hiện \"tự diễn biến\", \"tự chuyển hóa\" trên không gian mạng",
    "Phát huy sáng kiến cải tiến kỹ thuật trong bảo dưỡng thiết bị",
    "Công tác phát triển đảng viên trong công nhân trẻ",
    "Thực hiện Nghị quyết Đại hội Đảng bộ Công ty nhiệm kỳ 2025–2030",
];

const MEMBERS: &[&str] = &["m-viet", "m-trang", "m-ung", "m-hoa", "m-lan", "m-son"];
const T0: i64 = 1_767_225_600; // 2026-01-01

/// xorshift64*: seeded, so a run can be repeated exactly.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        (x.wrapping_mul(0x2545_f491_4f6c_dd1d) % n.max(1) as u64) as usize
    }
}

/// Prose handed out a few words at a time (as typed).
fn words(rng: &mut Rng, min: usize, extra: usize) -> String {
    let n = min + rng.below(extra + 1);
    let s = PROSE[rng.below(PROSE.len())];
    let w: Vec<&str> = s.split_inclusive(' ').collect();
    let start = rng.below(w.len().saturating_sub(n).max(1));
    w[start..(start + n).min(w.len())].concat()
}

fn ed(member: &str, t: i64) -> Editor {
    Editor {
        member: MemberId::new(member),
        time: t,
    }
}

fn key(i: usize) -> SigningKey {
    SigningKey::from_bytes(&[i as u8 + 1; 32])
}

fn branch() -> BranchId {
    BranchId::new("b-co-dien")
}

fn authority() -> MemoryAuthority {
    let mut a = MemoryAuthority::new();
    let roles = [
        Role::Secretary,
        Role::DeputySecretary,
        Role::Executive,
        Role::Member,
        Role::Member,
        Role::Member,
    ];
    for (i, m) in MEMBERS.iter().enumerate() {
        a.add_device(
            &format!("dev-{m}"),
            DeviceFacts {
                member: MemberId::new(m),
                public_key: key(i).verifying_key().to_bytes(),
                enrolled_at: T0 - 86_400,
                revoked_at: None,
            },
        );
        a.set_role(&MemberId::new(m), 0, Some((branch(), roles[i])));
    }
    a
}

/// Six phones and a hub; edits happen on a phone, which syncs with the hub every few edits.
struct Branch {
    hub: Document,
    phones: Vec<Document>,
    clock: i64,
    commits: usize,
}

impl Branch {
    fn new(mut hub: Document) -> Self {
        let bytes = hub.save();
        let phones = MEMBERS
            .iter()
            .map(|_| Document::load(&bytes, &[]).unwrap())
            .collect();
        Branch {
            hub,
            phones,
            clock: T0,
            commits: 0,
        }
    }

    /// One edit by phone `p`'s member; the phone syncs after it with probability 1/4.
    fn edit(&mut self, rng: &mut Rng, p: usize, f: impl FnOnce(&mut Document, &Editor, &mut Rng)) {
        self.clock += 600;
        let e = ed(MEMBERS[p], self.clock);
        f(&mut self.phones[p], &e, rng);
        self.commits += 1;
        if rng.below(4) == 0 {
            self.sync(p);
        }
    }

    fn sync(&mut self, p: usize) {
        self.hub.merge(&mut self.phones[p]).unwrap();
        self.phones[p].merge(&mut self.hub).unwrap();
    }

    fn sync_all(&mut self) {
        for p in 0..self.phones.len() {
            self.sync(p);
        }
        for p in 0..self.phones.len() {
            self.sync(p);
        }
    }

    /// Resolves every conflict on the hub (the secretary picks the shown value), then syncs.
    fn resolve_conflicts(&mut self) -> usize {
        let conflicts = conflict::list(&self.hub);
        for c in &conflicts {
            self.clock += 60;
            conflict::resolve(
                &mut self.hub,
                &ed("m-viet", self.clock),
                &c.path,
                &c.values[0].op,
            )
            .unwrap();
        }
        self.sync_all();
        conflicts.len()
    }
}

/// One plan edit: typing in a section with probability `typing_bias`%, otherwise a topic
/// edit (adds and cancellations only after approval: the year's plan keeps its 15 topics).
fn plan_edit(
    doc: &mut Document,
    e: &Editor,
    rng: &mut Rng,
    typing_bias: usize,
    after_approval: bool,
) {
    let p = plan::get(doc).unwrap();
    let topics: Vec<TopicId> = p.topics.iter().map(|t| t.id.clone()).collect();
    let t = topics[rng.below(topics.len())].clone();
    let roll = rng.below(100);
    if roll < typing_bias {
        let which = if rng.below(2) == 0 {
            PlanText::Purpose
        } else {
            PlanText::Implementation
        };
        let text = match which {
            PlanText::Purpose => &p.purpose,
            PlanText::Implementation => &p.implementation,
        };
        let len = text.chars().count();
        let pos = rng.below(len + 1);
        if rng.below(5) == 0 && len > 20 && pos < len {
            let del = (1 + rng.below(8)).min(len - pos);
            plan::splice_text(doc, e, which, pos, del, "").unwrap();
        } else {
            // Typing appends mostly at the end of what one is writing: a word at a time.
            let pos = if rng.below(3) == 0 { len } else { pos };
            plan::splice_text(doc, e, which, pos, 0, &words(rng, 1, 2)).unwrap();
        }
        return;
    }
    let r = rng.below(100);
    let field = match r {
        0..=14 => TopicField::Notes(words(rng, 4, 0)),
        15..=29 => TopicField::ExpectedOutput(words(rng, 5, 0)),
        30..=39 => TopicField::ScheduledDate(Some(
            date::day_of_month(2026, 1 + rng.below(12) as u8, 3).unwrap(),
        )),
        40..=49 => TopicField::Presenter(Some(MemberId::new(MEMBERS[rng.below(6)]))),
        50..=57 => TopicField::Executive(Some(MemberId::new(MEMBERS[rng.below(3)]))),
        58..=64 => TopicField::DraftDeadline(Some(
            date::day_of_month(2026, 1 + rng.below(12) as u8, 20).unwrap(),
        )),
        65..=69 => TopicField::Group(TopicGroup::ALL[rng.below(7)]),
        70..=74 => TopicField::CombinedWithRegularMeeting(rng.below(2) == 0),
        75..=79 => TopicField::Title(format!(
            "{} ({})",
            TOPICS[rng.below(TOPICS.len())],
            rng.below(99)
        )),
        80..=84 => TopicField::Status(TopicStatus::Drafting),
        _ => {
            let topic = &p.topics[topics.iter().position(|x| *x == t).unwrap_or(0)];
            if r < 91 {
                let m = MemberId::new(MEMBERS[rng.below(6)]);
                let present = topic.preparers.contains(&m);
                plan::set_preparer(doc, e, &t, &m, !present || rng.below(3) != 0).unwrap();
            } else if r < 98 || !after_approval {
                plan::move_topic(doc, e, &t, rng.below(topics.len())).unwrap();
            } else if r < 99 {
                plan::cancel_topic(doc, e, &t).unwrap();
            } else {
                plan::add_topic(doc, e, &new_topic(rng)).unwrap();
            }
            return;
        }
    };
    plan::set_topic_field(doc, e, &t, &field).unwrap();
}

fn new_topic(rng: &mut Rng) -> NewTopic {
    NewTopic {
        title: TOPICS[rng.below(TOPICS.len())].into(),
        group: TopicGroup::ALL[rng.below(7)],
        month: 1 + rng.below(12) as u8,
        scheduled_date: None,
        combined_with_regular_meeting: false,
        preparers: vec![MemberId::new(MEMBERS[rng.below(6)])],
        presenter: Some(MemberId::new(MEMBERS[rng.below(6)])),
        executive: Some(MemberId::new("m-ung")),
        draft_deadline: None,
        expected_output: String::new(),
        notes: String::new(),
    }
}

/// Makes every non-cancelled topic complete (preparer, presenter, month) so the plan is ready.
fn make_ready(b: &mut Branch) {
    let p = plan::get(&b.hub).unwrap();
    for t in p
        .topics
        .iter()
        .filter(|t| t.status != TopicStatus::Cancelled)
    {
        b.clock += 60;
        let e = ed("m-viet", b.clock);
        if t.preparers.is_empty() {
            plan::set_preparer(&mut b.hub, &e, &t.id, &MemberId::new("m-ung"), true).unwrap();
        }
        if t.presenter.is_none() {
            plan::set_topic_field(
                &mut b.hub,
                &e,
                &t.id,
                &TopicField::Presenter(Some(MemberId::new("m-ung"))),
            )
            .unwrap();
        }
        if t.scheduled_date.is_none() {
            plan::set_topic_field(
                &mut b.hub,
                &e,
                &t.id,
                &TopicField::ScheduledDate(Some(date::day_of_month(2026, 6, 3).unwrap())),
            )
            .unwrap();
        }
    }
}

fn sign(doc: &mut Document, action: SignoffAction, who: usize, role: Role, at: i64) -> Signoff {
    let heads = doc.heads();
    Signoff::sign(
        SignoffFields {
            action,
            doc_id: doc.id().clone(),
            doc_kind: doc.kind(),
            branch_id: branch(),
            heads,
            signer: MemberId::new(MEMBERS[who]),
            role,
            device_id: format!("dev-{}", MEMBERS[who]),
            signed_at: at,
            supersedes: None,
            note: "Đồng ý ban hành".into(),
        },
        &key(who),
    )
    .unwrap()
}

struct Timing {
    first: Duration,
    median: Duration,
    max: Duration,
}

/// Times `f` on a freshly loaded copy of `bytes`, `runs` times (+1 untimed warm-up of the
/// code paths, whose figure is reported as `first`).
fn time_fresh<R>(bytes: &[u8], runs: usize, mut f: impl FnMut(&mut Document) -> R) -> (Timing, R) {
    let mut samples = Vec::new();
    let mut last = None;
    for _ in 0..=runs {
        let mut doc = Document::load(bytes, &[]).unwrap();
        let t = Instant::now();
        let r = f(&mut doc);
        samples.push(t.elapsed());
        last = Some(r);
    }
    let first = samples[0];
    let mut rest = samples[1..].to_vec();
    rest.sort();
    (
        Timing {
            first,
            median: rest[rest.len() / 2],
            max: rest[rest.len() - 1],
        },
        last.unwrap(),
    )
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn row(what: &str, t: &Timing) {
    println!(
        "| {what:<46} | {:>8.2} | {:>8.2} | {:>8.2} |",
        ms(t.first),
        ms(t.median),
        ms(t.max)
    );
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let runs = if quick { 5 } else { 15 };
    let seed = std::env::var("SOTAY_BENCH_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2026u64);
    let mut rng = Rng(seed.max(1));
    let auth = authority();

    // 1. The plan's year.
    let build = Instant::now();
    let mut hub = plan::create(
        &NewPlan {
            branch_id: branch(),
            year: 2026,
            title: String::new(),
            number: "01-KH/CB".into(),
            issue_date: Some(date::parse("2026-01-15").unwrap()),
            purpose: String::new(),
            implementation: String::new(),
        },
        &ed("m-viet", T0),
    )
    .unwrap();
    for (i, title) in TOPICS.iter().chain(TOPICS.iter().take(7)).enumerate() {
        let mut t = new_topic(&mut rng);
        t.title = format!("{title} — {}", i + 1);
        plan::add_topic(&mut hub, &ed(MEMBERS[i % 6], T0 + i as i64), &t).unwrap();
    }
    for n in ["42-HD/BTCTW", "12-HD/BTCTW", "366-QĐ/TW", "50-CT/TW"] {
        plan::add_legal_basis(&mut hub, &ed("m-viet", T0 + 100), n, None, "Văn bản").unwrap();
    }
    let mut b = Branch::new(hub);
    // Typing the two sections to a few thousand characters each, plus the year's edits.
    while {
        let p = plan::get(&b.hub).unwrap();
        p.purpose.chars().count() < 3_000 || p.implementation.chars().count() < 3_000
    } {
        for _ in 0..50 {
            let p = rng.below(6);
            b.edit(&mut rng, p, |d, e, r| plan_edit(d, e, r, 85, false));
        }
        b.sync_all();
    }
    b.sync_all();
    let conflicts_before = b.resolve_conflicts();
    make_ready(&mut b);
    b.sync_all();
    approval::check_ready(&b.hub).unwrap();
    let at_approval = plan::get(&b.hub).unwrap();
    let year_changes = b.hub.history().len();
    let approval_record = sign(
        &mut b.hub,
        SignoffAction::Approve,
        0,
        Role::Secretary,
        T0 + 200 * 86_400,
    );
    let approved_bytes = b.hub.save();

    // 2. 1,000 further changes.
    b.sync_all();
    let base = b.hub.history().len();
    loop {
        let done = b.hub.history().len() - base;
        if done >= 1_000 {
            break;
        }
        for _ in 0..(1_000 - done).min(100) {
            let p = rng.below(6);
            b.edit(&mut rng, p, |d, e, r| plan_edit(d, e, r, 45, true));
        }
        b.sync_all();
    }
    let mut plan_doc = Document::load(&b.hub.save(), &[]).unwrap();
    let plan_bytes = plan_doc.save();
    let history = plan_doc.history().len();
    let plan_now = plan::get(&plan_doc).unwrap();
    let setup = build.elapsed();

    // 3. Status and delta on the plan.
    let records = vec![approval_record.clone()];
    let (t_status, st) = time_fresh(&plan_bytes, runs, |d| approval::status(d, &records, &auth));
    let approved_heads = approval_record.change_hashes();
    let (t_delta, delta) = time_fresh(&plan_bytes, runs, |d| {
        approval::delta(d, &approved_heads, None).unwrap()
    });
    let (t_exact, exact) = time_fresh(&approved_bytes, runs, |d| {
        approval::status(d, &records, &auth)
    });
    assert!(matches!(exact, Status::Approved { .. }));
    let Status::ApprovedWithChanges {
        delta: Some(sd), ..
    } = &st
    else {
        panic!("expected approved with changes, got {st:?}")
    };
    assert_eq!(**sd, delta);
    let DeltaContent::Plan(pd) = &delta.content else {
        panic!()
    };

    // 4. 1,000 sign-offs verified (signature, directory, document).
    let mut signoffs = Vec::new();
    for i in 0..1_000 {
        let who = i % 6;
        let (action, role) = match who {
            0 => (SignoffAction::Approve, Role::Secretary),
            1 => (SignoffAction::Submit, Role::DeputySecretary),
            2 => (SignoffAction::Submit, Role::Executive),
            _ => (SignoffAction::Submit, Role::Member),
        };
        signoffs.push(sign(&mut plan_doc, action, who, role, T0 + i as i64));
    }
    let mut verify_samples = Vec::new();
    for _ in 0..runs.min(5) {
        let t = Instant::now();
        let mut ok = 0;
        for s in &signoffs {
            if approval::verify(s, &auth).is_ok() && approval::check_document(s, &plan_doc).is_ok()
            {
                ok += 1;
            }
        }
        verify_samples.push(t.elapsed());
        assert_eq!(ok, 1_000);
    }
    verify_samples.sort();
    let verify_total = verify_samples[verify_samples.len() / 2];
    let mut sig_samples = Vec::new();
    for _ in 0..runs.min(5) {
        let t = Instant::now();
        for s in &signoffs {
            assert!(s.verify_signature().is_ok());
        }
        sig_samples.push(t.elapsed());
    }
    sig_samples.sort();
    let sig_only = sig_samples[sig_samples.len() / 2];
    let t = Instant::now();
    let st_many = approval::status(&mut plan_doc, &signoffs, &auth);
    let status_1000 = t.elapsed();
    assert!(matches!(st_many, Status::Approved { .. }));

    // 5. A topic draft: ~20,000 characters, 200 comments, 1,000 changes since approval.
    let draft = text_doc::create(
        &NewTextDoc {
            kind: DocKind::TopicDraft,
            branch_id: branch(),
            plan_id: Some(plan_doc.id().clone()),
            topic_id: Some(plan_now.topics[0].id.clone()),
            title: "Dự thảo chuyên đề an toàn lao động".into(),
            description: String::new(),
            body: String::new(),
        },
        &ed("m-ung", T0),
    )
    .unwrap();
    let mut db = Branch::new(draft);
    let mut comments: Vec<CommentId> = Vec::new();
    let draft_edit =
        |d: &mut Document, e: &Editor, r: &mut Rng, grow: bool, comments: &mut Vec<CommentId>| {
            let len = text_doc::body_len(d).unwrap();
            let roll = r.below(100);
            if grow || roll < 75 || len < 100 {
                if !grow && r.below(3) == 0 && len > 50 {
                    let pos = r.below(len - 10);
                    text_doc::splice_body(d, e, pos, 1 + r.below(8), "").unwrap();
                } else {
                    let pos = if grow && r.below(3) != 0 {
                        len
                    } else {
                        r.below(len + 1)
                    };
                    text_doc::splice_body(d, e, pos, 0, &words(r, 1, 2)).unwrap();
                }
            } else if roll < 87 || comments.is_empty() {
                let s = r.below(len - 20);
                let kind = if r.below(4) == 0 {
                    CommentKind::Proposal
                } else {
                    CommentKind::Comment
                };
                let id = text_doc::add_comment(
                    d,
                    e,
                    &NewComment {
                        kind,
                        body: REMARKS[r.below(REMARKS.len())].into(),
                        anchor: Some((s, s + 1 + r.below(15))),
                        reply_to: None,
                    },
                )
                .unwrap();
                comments.push(id);
            } else {
                // Decide a proposal, or resolve a thread (a comment this phone has not
                // received yet: type instead).
                let c = comments[r.below(comments.len())].clone();
                let done = if roll < 94 {
                    text_doc::set_proposal_status(d, e, &c, ProposalStatus::Accepted)
                        .or_else(|_| text_doc::resolve_comment(d, e, &c, true))
                } else {
                    text_doc::resolve_comment(d, e, &c, true)
                };
                if done.is_err() {
                    text_doc::splice_body(d, e, r.below(len + 1), 0, &words(r, 1, 2)).unwrap();
                }
            }
        };
    while text_doc::body_len(&db.hub).unwrap() < 20_000 {
        for _ in 0..50 {
            let p = rng.below(6);
            let mut cs = std::mem::take(&mut comments);
            db.edit(&mut rng, p, |d, e, r| draft_edit(d, e, r, true, &mut cs));
            comments = cs;
        }
        db.sync_all();
    }
    while comments.len() < 200 {
        let p = rng.below(6);
        db.clock += 600;
        let e = ed(MEMBERS[p], db.clock);
        let len = text_doc::body_len(&db.phones[p]).unwrap();
        let s = rng.below(len - 20);
        let id = text_doc::add_comment(
            &mut db.phones[p],
            &e,
            &NewComment {
                kind: if comments.len() % 4 == 0 {
                    CommentKind::Proposal
                } else {
                    CommentKind::Comment
                },
                body: REMARKS[rng.below(REMARKS.len())].into(),
                anchor: Some((s, s + 12)),
                reply_to: None,
            },
        )
        .unwrap();
        comments.push(id);
        db.commits += 1;
        db.sync(p);
    }
    db.sync_all();
    db.resolve_conflicts();
    let draft_at_approval = text_doc::get(&db.hub).unwrap();
    let draft_year_changes = db.hub.history().len();
    let draft_approval = sign(
        &mut db.hub,
        SignoffAction::Approve,
        2,
        Role::Executive,
        T0 + 100 * 86_400,
    );
    let base = db.hub.history().len();
    loop {
        let done = db.hub.history().len() - base;
        if done >= 1_000 {
            break;
        }
        for _ in 0..(1_000 - done).min(100) {
            let p = rng.below(6);
            let mut cs = std::mem::take(&mut comments);
            db.edit(&mut rng, p, |d, e, r| draft_edit(d, e, r, false, &mut cs));
            comments = cs;
        }
        db.sync_all();
    }
    let mut draft_doc = Document::load(&db.hub.save(), &[]).unwrap();
    let draft_bytes = draft_doc.save();
    let draft_history = draft_doc.history().len();
    let draft_now = text_doc::get(&draft_doc).unwrap();
    let drecords = vec![draft_approval.clone()];
    let (t_dstatus, dst) = time_fresh(&draft_bytes, runs, |d| {
        approval::status(d, &drecords, &auth)
    });
    let dheads = draft_approval.change_hashes();
    let (t_ddelta, ddelta) = time_fresh(&draft_bytes, runs, |d| {
        approval::delta(d, &dheads, None).unwrap()
    });
    assert!(matches!(
        dst,
        Status::ApprovedWithChanges { delta: Some(_), .. }
    ));
    let DeltaContent::Text(td) = &ddelta.content else {
        panic!()
    };

    // The table.
    println!(
        "approval bench (seed {seed}, {runs} timed runs each, fresh load per run; setup {:.1} s)",
        setup.as_secs_f64()
    );
    println!();
    println!(
        "plan at approval: {} topics, purpose {} + implementation {} chars, {} changes by {} members on {} phones ({} conflict(s) resolved)",
        at_approval.topics.len(),
        at_approval.purpose.chars().count(),
        at_approval.implementation.chars().count(),
        year_changes,
        MEMBERS.len(),
        MEMBERS.len(),
        conflicts_before,
    );
    println!(
        "  since approval: {} changes by {} members → {} topic field edits, {} added, {} moved, {} cancelled, {} + {} text spans; now {} topics, {} changes",
        delta.change_count,
        delta.editors.len(),
        pd.topic_fields.len(),
        pd.topics_added.len(),
        pd.topics_moved.len(),
        pd.topics_cancelled.len(),
        pd.purpose.len(),
        pd.implementation.len(),
        plan_now.topics.len(),
        history,
    );
    println!(
        "draft at approval: {} chars, {} comments, {} changes",
        draft_at_approval.body.chars().count(),
        draft_at_approval.comments.len(),
        draft_year_changes,
    );
    println!(
        "  since approval: {} changes → {} body spans, {} comments added, {} resolved, {} proposals decided; now {} chars, {} comments, {} changes",
        ddelta.change_count,
        td.body.len(),
        td.comments_added.len(),
        td.comments_resolved.len(),
        td.proposals.len(),
        draft_now.body.chars().count(),
        draft_now.comments.len(),
        draft_history,
    );
    println!();
    println!(
        "| {:<46} | {:>8} | {:>8} | {:>8} |",
        "ms", "first", "median", "max"
    );
    println!("|{:-<48}|{:->10}|{:->10}|{:->10}|", "", "", "", "");
    row("plan: status (approved, 1,000 changes since)", &t_status);
    row("plan: delta since approval", &t_delta);
    row("plan: status, exactly the approved version", &t_exact);
    row("draft: status (approved, 1,000 changes since)", &t_dstatus);
    row("draft: delta since approval", &t_ddelta);
    println!();
    println!(
        "verify 1,000 sign-offs (signature + directory + document): {:.1} ms total, {:.1} µs each (signature alone {:.1} µs)",
        ms(verify_total),
        verify_total.as_secs_f64() * 1e6 / 1_000.0,
        sig_only.as_secs_f64() * 1e6 / 1_000.0
    );
    println!(
        "status of the plan with those 1,000 sign-offs in the set: {:.1} ms",
        ms(status_1000)
    );
}
