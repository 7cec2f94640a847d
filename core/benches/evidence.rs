//! A committee's year in one store: the committee-wide view an inspector's phone holds. 20
//! branches × 30 members, each branch with its 2026 plan (8 topics), 8 topic drafts with
//! comments and proposals, 8 sessions with full minutes, the drafts published for them, and
//! every member's reading log — all written through the real [`Store`] on a real SQLite
//! file. Then it times what the evaluation and the inspection read from it: participation
//! evidence for one branch and for the whole committee, the proposals board, the CSV export,
//! and the DOCX/HTML export of one branch's plan.
//!
//! ```text
//! cargo bench -p sotay-core --bench evidence              # the committee's year (~1–2 min)
//! cargo bench -p sotay-core --bench evidence -- --quick   # 3 branches, fewer runs
//! ```
//! `SOTAY_BENCH_SEED=<n>` changes the generated year (default 2026); `SOTAY_BENCH_KEEP=<dir>`
//! keeps the store file there instead of in a temporary directory.
//!
//! How the year is written:
//! - Structure goes through the typed, role-checked `Store` methods as the branch's secretary
//!   (`set_identity`): plan, topics, legal bases, drafts, sessions, minutes fields, attendance
//!   (`fill_attendance`, then the absent), opinions (picked from comments or typed), texts,
//!   votes, quality score.
//! - What carries a time that matters — comments and proposals, publications, tasks and their
//!   updates, proposal decisions, reading-log openings — goes through `Store::edit` with the
//!   model's own operation and an `Editor` dated in 2026 (the typed methods stamp the wall
//!   clock, and the evidence counts what happened before each session).
//! - Publishing: `Store::publish` requires a draft approved with a signed record, and signing
//!   needs an enrolled device and a server-signed directory. The bench bypasses it: it
//!   writes the distribution entry with `model::session::publish` through `Store::edit`, at
//!   the draft's current heads. So no sign-offs are stored, and every preparer's assignment
//!   counts as "late or not submitted" (their deadlines have passed by `now`).
//! - Then the store gets what the inspector's phone holds after its first sync: an
//!   enrollment with a pinned server key and the committee's server-signed directory with the
//!   committee's own weights, which every evidence call decodes and verifies.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use sotay_core::Store;
use sotay_core::date::{self, Date};
use sotay_core::ids::{BranchId, CommentId, DocId, DocKind, MemberId};
use sotay_core::model::plan::{NewPlan, NewTopic, PlanText, TopicGroup};
use sotay_core::model::session::{
    self, Attendance, NewSession, NewTask, SessionField, SourceRef, TaskStatus,
};
use sotay_core::model::text_doc::{self, CommentKind, NewComment, NewTextDoc, ProposalStatus};
use sotay_core::model::{Document, Editor, reading_log};
use sotay_core::org::{Member, MemberStatus, Role};
use sotay_core::render::{self, RenderContext, Signatory};
use sotay_core::store::day_start_vn;
use sotay_core::store::evidence::{Category, EvidenceReport};

const DAY: i64 = 86_400;
const HOUR: i64 = 3_600;
const YEAR: i32 = 2026;

const COMMITTEE: &str = "Đảng bộ Công ty Cổ phần Cơ điện Sông Lam Xanh";

/// DOMAIN.md's 20 branches.
const BRANCHES: &[&str] = &[
    "Khối Cơ quan",
    "Phòng Kỹ thuật – Công nghệ",
    "Phòng Tài chính – Kế toán",
    "Phòng Tổ chức – Lao động",
    "Phòng Kế hoạch – Vật tư",
    "Phòng An toàn – Môi trường",
    "Phân xưởng Cơ điện",
    "Phân xưởng Khai thác số 1",
    "Phân xưởng Khai thác số 2",
    "Phân xưởng Đào lò",
    "Phân xưởng Vận tải",
    "Phân xưởng Sàng tuyển",
    "Phân xưởng Sửa chữa Ô tô",
    "Đội Xe – Máy",
    "Trạm Y tế",
    "Đời sống – Nhà ăn",
    "Bảo vệ – Quân sự",
    "Trung tâm Điều hành Sản xuất",
    "Xí nghiệp Chế tạo Thiết bị",
    "Chi nhánh Quảng Ninh",
];

const FAMILY: &[&str] = &[
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
    "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Trương", "Lương", "Quách", "Tạ", "Mạc", "Ông", "Đoàn",
    "Lưu",
];
const MIDDLE: &[&str] = &[
    "Văn",
    "Thị",
    "Quốc",
    "Đức",
    "Ngọc",
    "Minh",
    "Thanh",
    "Thị Huyền",
    "Quang",
    "Mạnh",
    "Thị Ngọc",
    "Hữu",
    "Xuân",
    "Thu",
];
const GIVEN: &[&str] = &[
    "Việt", "Trang", "Hoà", "Ứng", "Ánh", "Lượng", "Ỷ", "Cường", "Yến", "Huy", "Hằng", "Đoàn",
    "Thắng", "Ước", "Đạt", "Thuỷ", "Hùng", "Dũng", "Lan", "Mai", "Hương", "Tuấn", "Sơn", "Hải",
    "Long", "Phương", "Thảo", "Nga", "Bình", "An", "Khánh", "Linh", "Nam", "Phúc", "Quyên", "Tâm",
    "Uyên", "Vinh", "Ưu", "Đông",
];

/// Topic titles the branches draw from (DOMAIN.md's sample plan and the render bench's).
const TOPICS: &[(&str, TopicGroup)] = &[
    (
        "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh về thực hành tiết kiệm",
        TopicGroup::HoChiMinh,
    ),
    (
        "Phát huy vai trò nêu gương của đảng viên trong thực hiện công tác an toàn, vệ sinh lao động",
        TopicGroup::PartyBuilding,
    ),
    (
        "Giải pháp giảm thời gian dừng máy ngoài kế hoạch, bảo đảm hoàn thành chỉ tiêu sản lượng quý II",
        TopicGroup::ProductionTargets,
    ),
    (
        "Nâng cao trình độ chuyên môn, tay nghề cho công nhân sửa chữa thiết bị điện",
        TopicGroup::PoliticalTheory,
    ),
    (
        "Quán triệt và thực hiện Chỉ thị 50-CT/TW về đổi mới, nâng cao chất lượng sinh hoạt chi bộ",
        TopicGroup::ResolutionsAndLaws,
    ),
    (
        "Ứng dụng chuyển đổi số trong quản lý vật tư, phụ tùng thay thế",
        TopicGroup::ProductionTargets,
    ),
    (
        "Phòng, chống tham nhũng, tiêu cực trong mua sắm vật tư, thiết bị",
        TopicGroup::AntiCorruption,
    ),
    (
        "Thực hành tiết kiệm, chống lãng phí trong sử dụng điện năng và vật tư tiêu hao",
        TopicGroup::AntiCorruption,
    ),
    (
        "Nhận diện và phòng ngừa biểu hiện \"tự diễn biến\", \"tự chuyển hóa\" trên không gian mạng",
        TopicGroup::PreventingDegradation,
    ),
    (
        "Bồi dưỡng quần chúng ưu tú, tạo nguồn phát triển đảng viên trong công nhân trẻ",
        TopicGroup::PartyBuilding,
    ),
    (
        "Tổng kết, đánh giá hiệu quả các giải pháp đã hiến kế năm 2026",
        TopicGroup::ProductionTargets,
    ),
    (
        "Nâng cao chất lượng công tác kiểm tra, giám sát của chi bộ đối với đảng viên",
        TopicGroup::PartyBuilding,
    ),
];

/// The months of the 8 sessions (held on the 3rd, Chỉ thị 50-CT/TW).
const MONTHS: [u8; 8] = [2, 3, 4, 5, 6, 7, 9, 11];

/// Sentences drafts, minutes and opinions are written from.
const PROSE: &[&str] = &[
    "Thực hiện Chỉ thị số 50-CT/TW của Ban Bí thư về đổi mới, nâng cao chất lượng sinh hoạt chi bộ, chi bộ xây dựng chuyên đề này để mỗi đảng viên nhận rõ trách nhiệm của mình. ",
    "Trong năm qua, thời gian dừng máy ngoài kế hoạch của các băng tải chính vẫn chiếm tỷ lệ cao, ảnh hưởng trực tiếp đến sản lượng than nguyên khai của toàn Công ty. ",
    "Nguyên nhân chủ yếu là công tác bảo dưỡng định kỳ chưa được thực hiện nghiêm, vật tư, phụ tùng thay thế có lúc chưa cung ứng kịp thời. ",
    "Một bộ phận đảng viên còn ngại va chạm, chưa thẳng thắn góp ý khi phát hiện sai phạm về quy trình an toàn, vệ sinh lao động. ",
    "Chi bộ đề ra mục tiêu giảm ít nhất 20% thời gian dừng máy ngoài kế hoạch so với cùng kỳ năm trước, không để xảy ra tai nạn lao động nặng. ",
    "Mỗi tổ đảng phân công đảng viên theo dõi từng thiết bị trọng yếu, ghi chép nhật ký vận hành đầy đủ và báo cáo kịp thời cho chi ủy. ",
    "Ứng dụng phần mềm quản lý vật tư giúp theo dõi tồn kho theo thời gian thực, tránh tình trạng thiếu phụ tùng khi thiết bị hỏng đột xuất. ",
    "Việc học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh phải gắn với những việc làm cụ thể, thiết thực hằng ngày tại đơn vị. ",
    "Chi ủy đề nghị các đồng chí đảng viên nêu gương trong chấp hành kỷ luật lao động, đi làm đúng giờ, sử dụng đầy đủ trang bị bảo hộ. ",
    "Đối với quần chúng ưu tú, mỗi đảng viên chính thức được phân công giúp đỡ ít nhất một quần chúng, định kỳ báo cáo với chi bộ. ",
    "Các giải pháp được đề xuất phải có người phụ trách, thời hạn hoàn thành và sản phẩm cụ thể để chi bộ kiểm tra, giám sát. ",
    "Chi bộ sẽ sơ kết việc thực hiện nghị quyết chuyên đề vào kỳ sinh hoạt tháng 9 và tổng kết vào cuối năm 2026. ",
];

/// What members write in comments, proposals and opinions.
const REMARKS: &[&str] = &[
    "Đề nghị bổ sung số liệu cụ thể của quý trước để so sánh.",
    "Câu này nên viết gọn lại, tránh trùng ý với đoạn trên.",
    "Tôi đồng ý với nội dung này, nhưng cần ghi rõ người phụ trách.",
    "Nên dẫn chiếu đúng số hiệu văn bản: Hướng dẫn 42-HD/BTCTW ngày 28/10/2025.",
    "Mục tiêu 20% có khả thi không? Theo tôi nên đặt 15% cho quý II.",
    "Cần làm rõ trách nhiệm của chi ủy viên phụ trách khi chỉ tiêu không đạt.",
    "Đoạn này thiếu giải pháp về đào tạo thợ trẻ, đề nghị bổ sung.",
    "Sửa chính tả: \"phụ tùng\" chứ không phải \"phụ tung\".",
];
const PROPOSALS: &[&str] = &[
    "Hiến kế: lắp cảm biến nhiệt cho hộp giảm tốc băng tải số 3 để cảnh báo sớm.",
    "Đề xuất giao Tổ đảng số 2 theo dõi, báo cáo hằng tháng.",
    "Tôi xin nhận phụ trách kiểm tra việc thực hiện quy trình khóa liên động.",
    "Đề xuất lập sổ theo dõi vật tư tiêu hao theo từng ca, công khai hằng tuần.",
    "Hiến kế: tổ chức thi tay nghề thợ trẻ mỗi quý, có khen thưởng kịp thời.",
    "Đề xuất mỗi đảng viên đăng ký một việc làm cụ thể về tiết kiệm điện năng.",
];
const REASONS: &[&str] = &[
    "Đi công tác",
    "Ốm, có giấy của Trạm Y tế",
    "Nghỉ phép năm",
    "Trực ca sản xuất",
];

/// xorshift64*: a small seeded generator, so a run can be repeated exactly.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % (hi - lo).max(1) as u64) as i64
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

struct Config {
    quick: bool,
    branches: usize,
    runs: usize,
    seed: u64,
}

fn config() -> Config {
    let quick = std::env::args().any(|a| a == "--quick")
        || std::env::var("SOTAY_BENCH_QUICK").is_ok_and(|v| !v.is_empty() && v != "0");
    let seed = std::env::var("SOTAY_BENCH_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2026);
    Config {
        quick,
        branches: if quick { 3 } else { BRANCHES.len() },
        runs: if quick { 5 } else { 15 },
        seed,
    }
}

/// One member of the generated committee.
#[derive(Clone)]
struct Person {
    id: MemberId,
    name: String,
    role: Role,
    status: MemberStatus,
}

impl Person {
    fn active(&self) -> bool {
        self.status != MemberStatus::Exempt
    }
}

/// What was written, counted as it was written.
#[derive(Default)]
struct Written {
    comments: usize,
    replies: usize,
    proposals: usize,
    publications: usize,
    late_publications: usize,
    sessions: usize,
    attendance: usize,
    absent_excused: usize,
    absent_unexcused: usize,
    opinions: usize,
    tasks: usize,
    tasks_adopting: usize,
    updates: usize,
    tasks_done: usize,
    receipts: usize,
    receipts_after: usize,
    edits: usize,
}

fn ed(m: &MemberId, t: i64) -> Editor {
    Editor {
        member: m.clone(),
        time: t,
    }
}

/// `Store::edit` with the model's operation, written by `who` at `t`.
fn edit_at<R>(
    s: &mut Store,
    id: &DocId,
    who: &MemberId,
    t: i64,
    op: impl FnOnce(&mut Document, &Editor) -> sotay_core::Result<R>,
) -> R {
    let e = ed(who, t);
    s.edit(id, |d, _| op(d, &e)).unwrap()
}

fn day(m: u8, d: u8) -> Date {
    date::day_of_month(YEAR, m, d).unwrap()
}

fn prose(rng: &mut Rng, chars: usize) -> String {
    let mut s = String::new();
    while s.chars().count() < chars {
        s.push_str(rng.pick(PROSE));
    }
    s.trim_end().to_owned()
}

/// 600 distinct Vietnamese names.
fn names(rng: &mut Rng, n: usize) -> Vec<String> {
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let name = format!(
            "{} {} {}",
            rng.pick(FAMILY),
            rng.pick(MIDDLE),
            rng.pick(GIVEN)
        );
        if seen.insert(name.clone()) {
            out.push(name);
        }
    }
    out
}

fn build_branch(s: &mut Store, rng: &mut Rng, b: usize, people: Vec<Person>, w: &mut Written) {
    let branch = BranchId::new(format!("b-{:02}", b + 1));
    let name = BRANCHES[b];
    for p in &people {
        s.upsert_member(&Member {
            id: p.id.clone(),
            branch_id: branch.clone(),
            full_name: p.name.clone(),
            role: p.role,
            status: p.status,
        })
        .unwrap();
    }
    let secretary = people[0].id.clone();
    let deputy = people[1].id.clone();
    let execs = [people[2].id.clone(), people[3].id.clone()];
    let clerk = people[4].id.clone();
    let active: Vec<usize> = (0..people.len()).filter(|&i| people[i].active()).collect();
    // Everything typed below is written as the secretary (officer: the role rules pass).
    s.set_identity(&secretary).unwrap();

    // The plan.
    let plan = s
        .create_plan(&NewPlan {
            branch_id: branch.clone(),
            year: YEAR,
            title: format!("Kế hoạch sinh hoạt chuyên đề năm {YEAR}"),
            number: "01-KH/CB".into(),
            issue_date: Some(day(1, 15)),
            purpose: String::new(),
            implementation: String::new(),
        })
        .unwrap();
    for (n, d, t) in [
        (
            "12-HD/BTCTW",
            date::parse("2018-07-06").unwrap(),
            "Hướng dẫn một số vấn đề về nâng cao chất lượng sinh hoạt chi bộ",
        ),
        (
            "50-CT/TW",
            date::parse("2025-07-23").unwrap(),
            "Chỉ thị của Ban Bí thư về đổi mới, nâng cao chất lượng sinh hoạt chi bộ",
        ),
        (
            "42-HD/BTCTW",
            date::parse("2025-10-28").unwrap(),
            "Hướng dẫn của Ban Tổ chức Trung ương",
        ),
    ] {
        s.add_legal_basis(&plan, n, Some(d), t).unwrap();
    }
    s.replace_plan_text(&plan, PlanText::Purpose, &prose(rng, 600))
        .unwrap();
    s.replace_plan_text(&plan, PlanText::Implementation, &prose(rng, 600))
        .unwrap();
    w.edits += 6;

    let mut topics = Vec::new();
    for (k, month) in MONTHS.iter().enumerate() {
        let (title, group) = TOPICS[(b + k) % TOPICS.len()];
        let session_date = day(*month, 3);
        let preparers: Vec<MemberId> = (0..1 + rng.below(2))
            .map(|_| people[active[rng.below(active.len())]].id.clone())
            .collect();
        let presenter = preparers[0].clone();
        let t = s
            .add_topic(
                &plan,
                &NewTopic {
                    title: title.into(),
                    group,
                    month: *month,
                    scheduled_date: Some(session_date),
                    combined_with_regular_meeting: k % 3 == 1,
                    preparers: preparers.clone(),
                    presenter: Some(presenter.clone()),
                    executive: Some(execs[k % 2].clone()),
                    draft_deadline: Some(session_date - time::Duration::days(10)),
                    expected_output: "Ít nhất 5 giải pháp, mỗi giải pháp có người phụ trách".into(),
                    notes: String::new(),
                },
            )
            .unwrap();
        w.edits += 1;
        topics.push((t, title, session_date, preparers, presenter, k % 3 == 1));
    }

    // Per topic: the draft and its discussion, the session and its minutes.
    let mut published: Vec<(DocId, i64, i64)> = Vec::new(); // (draft, published_at, started_at)
    for (topic, title, session_date, preparers, presenter, combined) in topics {
        let day0 = day_start_vn(session_date);
        let start = day0 + 8 * HOUR + rng.range(0, 45) * 60;
        let minutes = if combined {
            rng.range(122, 140)
        } else {
            rng.range(92, 125)
        };
        let end = start + minutes * 60;
        let created = day0 - rng.range(25, 35) * DAY;
        let late = rng.chance(12);
        let pub_at = if late {
            day0 - rng.range(4, 20) * HOUR
        } else {
            day0 - rng.range(3, 8) * DAY - rng.range(0, 10) * HOUR
        };
        if late {
            w.late_publications += 1;
        }

        // The draft, written by its first preparer.
        let body_len = 2_500 + rng.below(1_500);
        s.set_identity(&preparers[0]).unwrap();
        let draft = s
            .create_text_doc(&NewTextDoc {
                kind: DocKind::TopicDraft,
                branch_id: branch.clone(),
                plan_id: Some(plan.clone()),
                topic_id: Some(topic.clone()),
                title: format!("Dự thảo chuyên đề: {title}"),
                description: String::new(),
                body: prose(rng, body_len),
            })
            .unwrap();
        s.set_identity(&secretary).unwrap();
        w.edits += 1;
        let len = text_doc::body_len(&s.export_document(&draft).unwrap()).unwrap();
        let when = |rng: &mut Rng, before_pct: usize| {
            if rng.chance(10) {
                rng.range(created, pub_at) // while it was drafted (preparers, officers)
            } else if rng.chance(before_pct) {
                rng.range(pub_at, start)
            } else {
                rng.range(end, end + 6 * DAY)
            }
        };
        let mut comments: Vec<(CommentId, MemberId, i64)> = Vec::new();
        let n_comments = 8 + rng.below(5);
        for i in 0..n_comments {
            let who = people[active[rng.below(active.len())]].id.clone();
            let t = when(rng, 80);
            let reply_to =
                (i >= 2 && rng.chance(20)).then(|| comments[rng.below(comments.len())].0.clone());
            let anchor = reply_to.is_none().then(|| {
                let a = rng.below(len - 80);
                (a, a + 5 + rng.below(70))
            });
            if reply_to.is_some() {
                w.replies += 1;
            }
            let c = NewComment {
                kind: CommentKind::Comment,
                body: rng.pick(REMARKS).into(),
                anchor,
                reply_to,
            };
            let id = edit_at(s, &draft, &who, t, |d, e| text_doc::add_comment(d, e, &c));
            comments.push((id, who, t));
            w.comments += 1;
            w.edits += 1;
        }
        let mut proposals: Vec<(CommentId, MemberId, i64)> = Vec::new();
        for _ in 0..2 + rng.below(3) {
            let who = people[active[rng.below(active.len())]].id.clone();
            let t = when(rng, 85);
            let a = rng.below(len - 80);
            let c = NewComment {
                kind: CommentKind::Proposal,
                body: rng.pick(PROPOSALS).into(),
                anchor: Some((a, a + 10 + rng.below(60))),
                reply_to: None,
            };
            let id = edit_at(s, &draft, &who, t, |d, e| text_doc::add_comment(d, e, &c));
            proposals.push((id, who, t));
            w.proposals += 1;
            w.edits += 1;
        }

        // The session: created by the secretary, the draft published (see the module docs).
        let sid = s
            .create_session(&NewSession {
                branch_id: branch.clone(),
                plan_id: plan.clone(),
                topic_id: topic.clone(),
                title: title.into(),
                session_date,
                combined_with_regular: combined,
            })
            .unwrap();
        let heads = s.export_document(&draft).unwrap().heads();
        edit_at(s, &sid, &secretary, pub_at, |d, e| {
            session::publish(d, e, &draft, DocKind::TopicDraft, &heads)
        });
        published.push((draft.clone(), pub_at, start));
        w.sessions += 1;
        w.publications += 1;
        w.edits += 2;

        // The minutes.
        let chair = if rng.chance(85) {
            secretary.clone()
        } else {
            deputy.clone()
        };
        for f in [
            SessionField::StartedAt(Some(start)),
            SessionField::EndedAt(Some(end)),
            SessionField::Place(format!("Hội trường {name}")),
            SessionField::Chair(Some(chair.clone())),
            SessionField::Clerk(Some(clerk.clone())),
            SessionField::Presenter(Some(presenter.clone())),
        ] {
            s.set_session_field(&sid, &f).unwrap();
            w.edits += 1;
        }
        let filled = s.fill_attendance(&sid).unwrap();
        w.edits += filled as usize;
        w.attendance += filled as usize;
        // The absent: 1–3 a session (never the chair, clerk or presenter); in every fifth
        // branch one member misses three sessions without a reason (Điều lệ, art. 8).
        let keep: HashSet<&MemberId> = [&chair, &clerk, &presenter].into_iter().collect();
        let mut absent: BTreeMap<usize, Attendance> = BTreeMap::new();
        for _ in 0..1 + rng.below(3) {
            let i = active[rng.below(active.len())];
            if keep.contains(&people[i].id) {
                continue;
            }
            let status = if rng.chance(25) {
                Attendance::AbsentUnexcused
            } else {
                Attendance::AbsentExcused
            };
            absent.insert(i, status);
        }
        if b % 5 == 0
            && [3, 5, 7].contains(&u8::from(session_date.month()))
            && !keep.contains(&people[27].id)
        {
            absent.insert(27, Attendance::AbsentUnexcused);
        }
        for (i, status) in &absent {
            let reason = if *status == Attendance::AbsentExcused {
                rng.pick(REASONS)
            } else {
                ""
            };
            s.set_attendance(&sid, &people[*i].id, *status, reason)
                .unwrap();
            w.edits += 1;
            match status {
                Attendance::AbsentExcused => w.absent_excused += 1,
                _ => w.absent_unexcused += 1,
            }
        }
        let present: Vec<usize> = active
            .iter()
            .copied()
            .filter(|i| !absent.contains_key(i))
            .collect();
        // Opinions: three picked from what was written before the session, three typed.
        let mut picked = 0;
        for (c, _, t) in comments.iter().chain(proposals.iter()) {
            if picked == 3 {
                break;
            }
            if *t < start {
                let src = SourceRef {
                    doc_id: draft.clone(),
                    comment_id: c.clone(),
                };
                s.add_opinion(&sid, None, "", Some(&src)).unwrap();
                picked += 1;
            }
        }
        for _ in picked..6 {
            let who = people[present[rng.below(present.len())]].id.clone();
            s.add_opinion(&sid, Some(&who), rng.pick(REMARKS), None)
                .unwrap();
        }
        w.opinions += 6;
        w.edits += 6;
        for (key, len) in [
            ("purpose", 300),
            ("summary", 900),
            ("conclusion", 600),
            ("resolution", 700),
        ] {
            s.replace_session_text(&sid, key, &prose(rng, len)).unwrap();
            w.edits += 1;
        }
        s.set_session_field(&sid, &SessionField::VotesFor(present.len() as u32))
            .unwrap();
        s.set_session_field(&sid, &SessionField::VotesAgainst(0))
            .unwrap();
        for (code, points) in [
            ("attendance", 23),
            ("duration", 15),
            ("preparation", 18),
            ("opinions", 22),
            ("minutes", 15),
        ] {
            s.set_session_quality(&sid, code, Some(points)).unwrap();
        }
        w.edits += 7;

        // Tasks: two adopt proposals (marked accepted), one does not; a proposal left over
        // is sometimes rejected. Updates follow, some to done (the proposal then done).
        let now = now_unix();
        let task_at = end + rng.range(1, 20) * HOUR;
        let mut tasks: Vec<(String, MemberId, Option<SourceRef>, i64)> = Vec::new();
        for (j, (c, author, _)) in proposals.iter().take(2).enumerate() {
            let src = SourceRef {
                doc_id: draft.clone(),
                comment_id: c.clone(),
            };
            let deadline = session_date + time::Duration::days(30 * (j as i64 + 1));
            let new = NewTask {
                title: format!("Thực hiện hiến kế: {}", rng.pick(PROPOSALS)),
                owner: author.clone(),
                deadline: Some(deadline),
                source: Some(src.clone()),
            };
            let id = edit_at(s, &sid, &clerk, task_at, |d, e| {
                session::add_task(d, e, &new)
            });
            edit_at(s, &draft, &secretary, task_at, |d, e| {
                text_doc::set_proposal_status(d, e, c, ProposalStatus::Accepted)
            });
            tasks.push((id, author.clone(), Some(src), task_at));
            w.tasks_adopting += 1;
            w.edits += 2;
        }
        for (c, _, _) in proposals.iter().skip(2) {
            if rng.chance(40) {
                edit_at(s, &draft, &secretary, task_at, |d, e| {
                    text_doc::set_proposal_status(d, e, c, ProposalStatus::Rejected)
                });
                w.edits += 1;
            }
        }
        let owner = people[present[rng.below(present.len())]].id.clone();
        let new = NewTask {
            title: "Rà soát, bổ sung quy trình và báo cáo chi bộ".into(),
            owner: owner.clone(),
            deadline: Some(session_date + time::Duration::days(45)),
            source: None,
        };
        let id = edit_at(s, &sid, &clerk, task_at, |d, e| {
            session::add_task(d, e, &new)
        });
        tasks.push((id, owner, None, task_at));
        w.tasks += tasks.len();
        w.edits += 1;
        for (id, owner, src, created) in &tasks {
            let t1 = created + rng.range(7, 20) * DAY;
            if t1 >= now || !rng.chance(80) {
                continue;
            }
            edit_at(s, &sid, owner, t1, |d, e| {
                session::update_task(
                    d,
                    e,
                    id,
                    TaskStatus::InProgress,
                    "Đã triển khai, đang thực hiện",
                )
            });
            w.updates += 1;
            w.edits += 1;
            let t2 = t1 + rng.range(10, 60) * DAY;
            if t2 >= now || !rng.chance(65) {
                continue;
            }
            edit_at(s, &sid, owner, t2, |d, e| {
                session::update_task(d, e, id, TaskStatus::Done, "Đã hoàn thành, báo cáo chi ủy")
            });
            w.updates += 1;
            w.tasks_done += 1;
            w.edits += 1;
            if let Some(src) = src {
                edit_at(s, &draft, &secretary, t2, |d, e| {
                    text_doc::set_proposal_status(d, e, &src.comment_id, ProposalStatus::Done)
                });
                w.edits += 1;
            }
        }
    }

    // Reading logs: each member opens most drafts, most of them before the session.
    for p in &people {
        let log = reading_log::id_for(&branch, &p.id);
        let mut opened: Vec<(DocId, i64)> = Vec::new();
        for (draft, pub_at, start) in &published {
            let opens = if p.active() {
                rng.chance(88)
            } else {
                rng.chance(30)
            };
            if !opens {
                continue;
            }
            let t = if rng.chance(82) {
                rng.range(*pub_at, *start)
            } else {
                w.receipts_after += 1;
                start + rng.range(3 * HOUR, 12 * DAY)
            };
            opened.push((draft.clone(), t));
        }
        let Some(first) = opened.iter().map(|(_, t)| *t).min() else {
            continue;
        };
        let mut doc = reading_log::create(&branch, &ed(&p.id, first)).unwrap();
        s.merge_document(&mut doc).unwrap();
        w.edits += 1;
        for (draft, t) in &opened {
            edit_at(s, &log, &p.id, *t, |d, e| {
                reading_log::mark_opened(d, e, draft)
            });
            w.receipts += 1;
            w.edits += 1;
        }
    }
    s.close_documents();
}

fn now_unix() -> i64 {
    // "Now" for the bench: 26/11/2026 noon in Vietnam, after the November sessions.
    day_start_vn(day(11, 26)) + 12 * HOUR
}

fn committee_people(rng: &mut Rng, branches: usize) -> Vec<Vec<Person>> {
    let all = names(rng, branches * 30);
    (0..branches)
        .map(|b| {
            (0..30)
                .map(|i| Person {
                    id: MemberId::new(format!("m-{:02}-{:02}", b + 1, i + 1)),
                    name: all[b * 30 + i].clone(),
                    role: match i {
                        0 => Role::Secretary,
                        1 => Role::DeputySecretary,
                        2 | 3 => Role::Executive,
                        _ => Role::Member,
                    },
                    // Two probationary members a branch; the last member of 9 branches is
                    // exempt (DOMAIN.md: 41 probationary, 9 exempt of 612).
                    status: match i {
                        29 if b < 9 => MemberStatus::Exempt,
                        25 | 26 => MemberStatus::Probationary,
                        _ => MemberStatus::Full,
                    },
                })
                .collect()
        })
        .collect()
}

// ----- measuring -----------------------------------------------------------------------

struct Timing {
    first: Duration,
    median: Duration,
    max: Duration,
}

/// Runs `f` once untimed-but-reported (warm-up), then `runs` times; median and max of those.
fn timed<R>(runs: usize, mut f: impl FnMut() -> R) -> (Timing, R) {
    let mut samples = Vec::with_capacity(runs + 1);
    let mut last = None;
    for _ in 0..=runs {
        let t = Instant::now();
        let r = f();
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

fn row(what: &str, t: &Timing, target: &str) {
    println!(
        "| {what:<58} | {:>9.2} | {:>9.2} | {:>9.2} | {target} |",
        ms(t.first),
        ms(t.median),
        ms(t.max)
    );
}

fn file_len(p: impl AsRef<Path>) -> u64 {
    std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)
}

fn mib(b: u64) -> f64 {
    b as f64 / (1024.0 * 1024.0)
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// Row counts straight from the file (a read-only connection beside the store's).
fn count(conn: &rusqlite::Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

fn total(r: &EvidenceReport, c: Category) -> u64 {
    r.members.iter().map(|m| u64::from(m.figure(c).count)).sum()
}

fn main() {
    let cfg = config();
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--measure") {
        let path = PathBuf::from(args.get(i + 1).expect("--measure <store file>"));
        println!(
            "evidence bench, measuring {} ({} timed runs each); load average {}",
            path.display(),
            cfg.runs,
            loadavg()
        );
        measure(&path, &cfg, None);
        return;
    }
    let keep = std::env::var("SOTAY_BENCH_KEEP")
        .ok()
        .filter(|v| !v.is_empty());
    let tmp = tempfile::tempdir().unwrap();
    let dir: PathBuf = match &keep {
        Some(k) => {
            std::fs::create_dir_all(k).unwrap();
            PathBuf::from(k)
        }
        None => tmp.path().to_owned(),
    };
    let path = dir.join("committee.sotay");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let mut rng = Rng(cfg.seed.max(1));
    println!(
        "evidence bench: {} branches × 30 members, seed {}, {} timed runs each{}; load average {}",
        cfg.branches,
        cfg.seed,
        cfg.runs,
        if cfg.quick { " (quick)" } else { "" },
        loadavg()
    );

    // 1. The committee's year.
    let t0 = Instant::now();
    let mut s = Store::open(&path).unwrap();
    let people = committee_people(&mut rng, cfg.branches);
    let mut w = Written::default();
    for (b, ps) in people.into_iter().enumerate() {
        build_branch(&mut s, &mut rng, b, ps, &mut w);
    }
    let gen_time = t0.elapsed();
    drop(s);
    println!(
        "generated in {:.1} s: {} durable edits ({:.0}/s); load average {}",
        gen_time.as_secs_f64(),
        w.edits,
        w.edits as f64 / gen_time.as_secs_f64(),
        loadavg()
    );
    println!(
        "written: {} comments ({} replies) + {} proposals; {} drafts published ({} later than 3 days before); {} sessions, {} attendance rows ({} excused, {} unexcused absences), {} opinions, {} tasks ({} adopting proposals, {} done, {} updates); {} receipts ({} after the session)",
        w.comments,
        w.replies,
        w.proposals,
        w.publications,
        w.late_publications,
        w.sessions,
        w.attendance,
        w.absent_excused,
        w.absent_unexcused,
        w.opinions,
        w.tasks,
        w.tasks_adopting,
        w.tasks_done,
        w.updates,
        w.receipts,
        w.receipts_after,
    );
    install_directory(&path);
    measure(&path, &cfg, Some(&w));
    if let Some(k) = keep {
        println!("store kept at {k}/committee.sotay (rerun the figures with -- --measure <file>)");
    }
}

/// What the inspector's phone holds after its first sync: enrolled with the server's key
/// pinned, and the committee's server-signed directory (every member, one device each) with
/// the committee's own evidence weights — which every evidence call reads from it (decoded and
/// verified each time), so the figures include that cost.
fn install_directory(path: &Path) {
    use sotay_core::protocol::{
        CommitteeSettings, Directory, DirectoryBranch, DirectoryDevice, DirectoryMember, RoleSpan,
    };
    use sotay_core::store::evidence::Weights;
    let server = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    let mut s = Store::open(path).unwrap();
    s.set_enrollment(&sotay_core::store::Enrollment {
        server_url: "http://127.0.0.1:9".into(),
        device_id: "dev-inspector".into(),
        member_id: MemberId::new("m-inspector"),
        committee_id: "c-song-lam-xanh".into(),
        enrolled_at: 1_767_225_600,
    })
    .unwrap();
    rusqlite::Connection::open(path)
        .unwrap()
        .execute(
            "UPDATE enrollment SET server_key = ?1 WHERE id = 1",
            [server.verifying_key().to_bytes().to_vec()],
        )
        .unwrap();
    let members = s.members().unwrap();
    let mut branches: Vec<BranchId> = members.iter().map(|m| m.branch_id.clone()).collect();
    branches.sort();
    branches.dedup();
    let mut weights = Weights::default();
    weights.weights[0].points_each = 2.5; // the committee's own
    let mut dir = Directory {
        version: 1,
        committee_id: "c-song-lam-xanh".into(),
        committee_name: "Đảng bộ Công ty Cổ phần Cơ điện Sông Lam Xanh".into(),
        members: members
            .iter()
            .enumerate()
            .map(|(i, m)| DirectoryMember {
                id: m.id.clone(),
                branch_id: Some(m.branch_id.clone()),
                full_name: m.full_name.clone(),
                role: m.role,
                status: m.status,
                active: true,
                roles: vec![RoleSpan {
                    branch_id: Some(m.branch_id.clone()),
                    role: m.role,
                    from: 0,
                    until: None,
                }],
                devices: vec![DirectoryDevice {
                    id: format!("dev-{}", m.id),
                    public_key: ed25519_dalek::SigningKey::from_bytes(&[(i % 251) as u8 + 1; 32])
                        .verifying_key()
                        .to_bytes(),
                    enrolled_at: 1_767_225_600,
                    revoked_at: None,
                }],
            })
            .collect(),
        branches: branches
            .iter()
            .enumerate()
            .map(|(i, b)| DirectoryBranch {
                id: b.clone(),
                name: format!("Chi bộ {}", BRANCHES[i.min(BRANCHES.len() - 1)]),
                plan_delegations: vec![],
            })
            .collect(),
        settings: CommitteeSettings {
            evidence_weights: Some(serde_json::to_string(&weights).unwrap()),
            quality_grid: None,
        },
        issued_at: 1_767_225_600,
        signature: vec![],
    };
    dir.sign(&server).unwrap();
    s.replace_directory(&dir).unwrap();
    assert_eq!(s.evidence_weights().unwrap(), weights);
}

/// Times the reads on the store at `path` (reopened, as the inspector's app opens it) and
/// prints the table. `written` (the generator's own counts) is checked against the file.
fn measure(path: &Path, cfg: &Config, written: Option<&Written>) {
    // Data sizes, from the file: WAL as the store left it, then checkpointed.
    let wal_bytes = file_len(format!("{}-wal", path.display()));
    {
        let conn = rusqlite::Connection::open(path).unwrap();
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .unwrap();
    }
    let db_bytes = file_len(path);
    let conn =
        rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    let kinds: Vec<(String, i64)> = conn
        .prepare("SELECT kind, count(*) FROM documents GROUP BY kind ORDER BY kind")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    let docs = count(&conn, "SELECT count(*) FROM documents");
    let chunks = count(&conn, "SELECT count(*) FROM doc_chunks");
    let doc_bytes = count(
        &conn,
        "SELECT coalesce(sum(length(snapshot)), 0) FROM documents",
    ) + count(
        &conn,
        "SELECT coalesce(sum(length(bytes)), 0) FROM doc_chunks",
    );
    let rm_comments = count(
        &conn,
        "SELECT count(*) FROM rm_comments WHERE kind = 'comment'",
    );
    let rm_proposals = count(
        &conn,
        "SELECT count(*) FROM rm_comments WHERE kind = 'proposal'",
    );
    let rm_sessions = count(&conn, "SELECT count(*) FROM rm_sessions");
    let rm_attendance = count(&conn, "SELECT count(*) FROM rm_attendance");
    let rm_receipts = count(&conn, "SELECT count(*) FROM rm_receipts");
    let rm_distribution = count(&conn, "SELECT count(*) FROM rm_distribution");
    let rm_tasks = count(&conn, "SELECT count(*) FROM rm_tasks");
    let rm_opinions = count(&conn, "SELECT count(*) FROM rm_opinions");
    let members = count(&conn, "SELECT count(*) FROM members");
    let branches = count(&conn, "SELECT count(DISTINCT branch_id) FROM members");
    drop(conn);
    if let Some(w) = written {
        assert_eq!(rm_comments as usize, w.comments);
        assert_eq!(rm_proposals as usize, w.proposals);
        assert_eq!(rm_attendance as usize, w.attendance);
        assert_eq!(rm_receipts as usize, w.receipts);
        assert_eq!(rm_tasks as usize, w.tasks);
    }

    let t = Instant::now();
    let mut s = Store::open(path).unwrap();
    let open_time = t.elapsed();
    let now = now_unix();
    let today = day(11, 26);
    // The branch timed: Phân xưởng Cơ điện (b-07) in the full run, the last one otherwise.
    let one = BranchId::new(format!("b-{:02}", (branches as usize).min(7)));
    let one_name = BRANCHES[(branches as usize).min(7) - 1];
    let plan_id = s.plan_rows(Some(&one)).unwrap()[0].doc_id.clone();
    let people: Vec<Member> = s
        .members()
        .unwrap()
        .into_iter()
        .filter(|m| m.branch_id == one)
        .collect();
    let runs = cfg.runs;

    let (t_weights, _) = timed(runs, || s.evidence_weights().unwrap());
    let (t_branch, rep_branch) = timed(runs, || {
        s.participation_evidence(Some(&one), YEAR, now).unwrap()
    });
    let (t_all, rep_all) = timed(runs, || s.participation_evidence(None, YEAR, now).unwrap());
    let (t_board, board) = timed(runs, || {
        s.proposals_board(Some(&one), Some(YEAR), today).unwrap()
    });
    let (t_board_all, board_all) =
        timed(runs, || s.proposals_board(None, Some(YEAR), today).unwrap());
    let (t_csv, csv) = timed(runs, || rep_all.to_csv());

    // The plan's exports: load it from the store, then layout + writer.
    s.close_documents();
    let t = Instant::now();
    let plan = s.plan(&plan_id).unwrap();
    let plan_load = t.elapsed();
    let secretary = people.iter().find(|m| m.role == Role::Secretary).unwrap();
    let ctx = RenderContext {
        committee_name: COMMITTEE.into(),
        branch_name: format!("Chi bộ {one_name}"),
        place: "Quảng Ninh".into(),
        signatory: Signatory::secretary(&secretary.full_name),
        names: people
            .iter()
            .map(|m| (m.id.clone(), m.full_name.clone()))
            .collect(),
        ..RenderContext::default()
    };
    let (t_docx, docx) = timed(runs, || {
        render::docx::write(&render::plan::layout(&plan, &ctx)).unwrap()
    });
    let (t_html, html) = timed(runs, || {
        render::html::write(&render::plan::layout(&plan, &ctx))
    });
    assert!(render::plan::layout(&plan, &ctx).unresolved.is_empty());

    // Sanity: the report covers everyone and counts what was written.
    assert_eq!(rep_all.members.len(), members as usize);
    assert_eq!(rep_branch.members.len(), people.len());
    let present_total = total(&rep_all, Category::Present);
    assert!(present_total > 0 && total(&rep_all, Category::MaterialOpenedBefore) > 0);
    let evidence_refs: usize = rep_all
        .members
        .iter()
        .flat_map(|m| &m.figures)
        .map(|f| f.evidence.len())
        .sum();

    // The table.
    println!();
    println!(
        "data: {} members in {} branches; {} documents ({}), {} chunks, {:.2} MiB of document bytes",
        members,
        branches,
        docs,
        kinds
            .iter()
            .map(|(k, n)| format!("{n} {k}"))
            .collect::<Vec<_>>()
            .join(", "),
        chunks,
        mib(doc_bytes as u64),
    );
    println!(
        "      read model: {} comments + {} proposals; {} sessions, {} distribution entries, {} attendance rows, {} opinions, {} tasks; {} receipts",
        rm_comments,
        rm_proposals,
        rm_sessions,
        rm_distribution,
        rm_attendance,
        rm_opinions,
        rm_tasks,
        rm_receipts,
    );
    println!(
        "      store file {:.2} MiB checkpointed (WAL as the store left it: {:.2} MiB); Store::open {:.2} ms",
        mib(db_bytes),
        mib(wal_bytes),
        ms(open_time),
    );
    println!(
        "      committee report: {} members, {} evidence items, {} absence flags; CSV {:.1} KiB; board: {} proposals in the branch, {} in the committee",
        rep_all.members.len(),
        evidence_refs,
        rep_all.flags.len(),
        csv.len() as f64 / 1024.0,
        board.len(),
        board_all.len(),
    );
    println!(
        "      the branch timed: {one} ({one_name}); its plan: {} topics, DOCX {:.1} KiB, HTML {:.1} KiB, loaded from the store in {:.2} ms",
        plan.topics.len(),
        docx.len() as f64 / 1024.0,
        html.len() as f64 / 1024.0,
        ms(plan_load),
    );
    println!();
    println!(
        "| {:<58} | {:>9} | {:>9} | {:>9} | target |",
        "ms", "first", "median", "max"
    );
    println!("|{:-<60}|{:->11}|{:->11}|{:->11}|--------|", "", "", "", "");
    row(
        "evidence_weights(): signed directory decoded + verified",
        &t_weights,
        "",
    );
    row(
        "participation_evidence(Some(branch), 2026, now)",
        &t_branch,
        "< 1,000",
    );
    row(
        "participation_evidence(None, 2026, now) — committee",
        &t_all,
        "< 1,000",
    );
    row(
        "proposals_board(Some(branch), Some(2026), today)",
        &t_board,
        "",
    );
    row(
        "proposals_board(None, Some(2026), today) — committee",
        &t_board_all,
        "",
    );
    row("EvidenceReport::to_csv, committee report", &t_csv, "");
    row(
        "plan export: layout + DOCX (render::docx::write)",
        &t_docx,
        "",
    );
    row(
        "plan export: layout + HTML (render::html::write)",
        &t_html,
        "",
    );
    println!();
    println!(
        "evidence totals (committee): present {}, excused {}, unexcused {}, comments before {}, proposals before {}, adopted {}, done {}, opened before {}, presentations {}, assignments late/not submitted {}",
        present_total,
        total(&rep_all, Category::AbsentExcused),
        total(&rep_all, Category::AbsentUnexcused),
        total(&rep_all, Category::CommentBefore),
        total(&rep_all, Category::ProposalBefore),
        total(&rep_all, Category::ProposalAdopted),
        total(&rep_all, Category::ProposalDone),
        total(&rep_all, Category::MaterialOpenedBefore),
        total(&rep_all, Category::Presentation),
        total(&rep_all, Category::AssignmentLate),
    );
    println!("load average at the end: {}", loadavg());
}
