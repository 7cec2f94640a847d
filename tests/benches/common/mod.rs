//! Shared by the `sync` and `load` benchmarks: a seeded generator, Vietnamese prose, documents
//! with a realistic history built in memory through the typed model (no disk, so generating a
//! branch's year takes seconds), compression sizes and process statistics.
#![allow(dead_code)]

use std::time::Duration;

use sotay_core::date;
use sotay_core::ids::{BranchId, CommentId, DocId, DocKind, MemberId, TopicId};
use sotay_core::model::plan::{self, NewPlan, NewTopic, PlanText, TopicField, TopicGroup};
use sotay_core::model::text_doc::{self, CommentKind, NewComment, NewTextDoc, ProposalStatus};
use sotay_core::model::{Document, Editor};
use sotay_core::text::nfc;

/// The demo branch every scenario works in.
pub const BRANCH: &str = "b-co-dien";

/// A member's prose about the branch's topics (drafts are typed from it).
pub const PROSE: &[&str] = &[
    "Thực hiện Chỉ thị số 50-CT/TW của Ban Bí thư về đổi mới, nâng cao chất lượng sinh hoạt chi bộ, Chi bộ Phân xưởng Cơ điện xây dựng chuyên đề này để mỗi đảng viên nhận rõ trách nhiệm của mình. ",
    "Trong năm qua, thời gian dừng máy ngoài kế hoạch của các băng tải chính vẫn chiếm tỷ lệ cao, ảnh hưởng trực tiếp đến sản lượng than nguyên khai của toàn Công ty. ",
    "Nguyên nhân chủ yếu là công tác bảo dưỡng định kỳ chưa được thực hiện nghiêm, vật tư, phụ tùng thay thế có lúc chưa cung ứng kịp thời. ",
    "Một bộ phận đảng viên còn ngại va chạm, chưa thẳng thắn góp ý khi phát hiện sai phạm về quy trình an toàn, vệ sinh lao động. ",
    "Chi bộ đề ra mục tiêu giảm ít nhất 20% thời gian dừng máy ngoài kế hoạch so với cùng kỳ năm trước, không để xảy ra tai nạn lao động nặng. ",
    "Mỗi tổ đảng phân công đảng viên theo dõi từng thiết bị trọng yếu, ghi chép nhật ký vận hành đầy đủ và báo cáo kịp thời cho chi ủy. ",
    "Đồng chí tổ trưởng tổ sửa chữa chịu trách nhiệm lập kế hoạch kiểm tra, thay thế con lăn, tang trống và hộp giảm tốc theo đúng chu kỳ. ",
    "Ứng dụng phần mềm quản lý vật tư giúp theo dõi tồn kho theo thời gian thực, tránh tình trạng thiếu phụ tùng khi thiết bị hỏng đột xuất. ",
    "Đảng viên trẻ được giao nhiệm vụ hướng dẫn công nhân sử dụng máy tính bảng để cập nhật tình trạng thiết bị ngay tại hiện trường. ",
    "Qua thảo luận, chi bộ thống nhất đưa nội dung tiết kiệm điện năng vào tiêu chí đánh giá, xếp loại đảng viên cuối năm. ",
    "Việc học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh phải gắn với những việc làm cụ thể, thiết thực hằng ngày tại phân xưởng. ",
    "Chi ủy đề nghị các đồng chí đảng viên nêu gương trong chấp hành kỷ luật lao động, đi làm đúng giờ, sử dụng đầy đủ trang bị bảo hộ. ",
    "Kết quả kiểm tra quý I cho thấy còn 3 trường hợp vi phạm quy định về khóa liên động khi sửa chữa thiết bị điện, cần rút kinh nghiệm sâu sắc. ",
    "Chi bộ giao Tổ đảng số 1 phối hợp với Phòng Kỹ thuật – Công nghệ xây dựng quy trình xử lý sự cố mất điện trạm 6 kV. ",
    "Đối với quần chúng ưu tú, mỗi đảng viên chính thức được phân công giúp đỡ ít nhất một quần chúng, định kỳ báo cáo với chi bộ. ",
    "Đảng viên không chia sẻ, bình luận những thông tin chưa được kiểm chứng, xuyên tạc chủ trương của Đảng, chính sách, pháp luật của Nhà nước. ",
    "Các giải pháp được đề xuất phải có người phụ trách, thời hạn hoàn thành và sản phẩm cụ thể để chi bộ kiểm tra, giám sát. ",
    "Chi bộ sẽ sơ kết việc thực hiện nghị quyết chuyên đề vào kỳ sinh hoạt tháng 9 và tổng kết vào cuối năm 2026. ",
    "Ý kiến của đảng viên tại buổi sinh hoạt được thư ký ghi đầy đủ vào biên bản, làm căn cứ ra nghị quyết của chi bộ. ",
    "Đồng chí Bí thư chi bộ nhấn mạnh: chất lượng sinh hoạt chuyên đề thể hiện ở việc sau sinh hoạt có chuyển biến thực chất trong công việc. ",
];

/// What members write in comments and proposals.
pub const REMARKS: &[&str] = &[
    "Đề nghị bổ sung số liệu cụ thể của quý trước để so sánh.",
    "Câu này nên viết gọn lại, tránh trùng ý với đoạn trên.",
    "Tôi đồng ý với nội dung này, nhưng cần ghi rõ người phụ trách.",
    "Đề xuất giao Tổ đảng số 2 theo dõi, báo cáo hằng tháng.",
    "Nên dẫn chiếu đúng số hiệu văn bản: Hướng dẫn 42-HD/BTCTW ngày 28/10/2025.",
    "Mục tiêu 20% có khả thi không? Theo tôi nên đặt 15% cho quý II.",
    "Cần làm rõ trách nhiệm của chi ủy viên phụ trách khi chỉ tiêu không đạt.",
    "Hiến kế: lắp cảm biến nhiệt cho hộp giảm tốc băng tải số 3 để cảnh báo sớm.",
    "Đoạn này thiếu giải pháp về đào tạo thợ trẻ, đề nghị bổ sung.",
    "Tôi xin nhận phụ trách kiểm tra việc thực hiện quy trình khóa liên động.",
    "Sửa chính tả: \"phụ tùng\" chứ không phải \"phụ tung\".",
    "Nên tách thành hai ý: tiết kiệm điện năng và tiết kiệm vật tư tiêu hao.",
];

/// xorshift64*: small and seeded, so every run generates the same data.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// One element.
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }

    /// One of some strings.
    pub fn pick_str(&mut self, xs: &[&'static str]) -> &'static str {
        xs[self.below(xs.len())]
    }

    /// 32 random bytes (bench keys; not for real secrets).
    pub fn bytes32(&mut self) -> [u8; 32] {
        let mut out = [0u8; 32];
        for chunk in out.chunks_mut(8) {
            chunk.copy_from_slice(&self.next_u64().to_le_bytes());
        }
        out
    }
}

/// An endless stream of prose, handed out a few characters at a time (as typed).
#[derive(Debug, Default)]
pub struct Prose {
    buf: Vec<char>,
    at: usize,
}

impl Prose {
    /// The next `n` characters.
    pub fn take(&mut self, rng: &mut Rng, n: usize) -> String {
        while self.buf.len() - self.at < n {
            self.buf.drain(..self.at);
            self.at = 0;
            self.buf.extend(nfc(rng.pick_str(PROSE)).chars());
        }
        let s: String = self.buf[self.at..self.at + n].iter().collect();
        self.at += n;
        s
    }
}

/// A remark of 1–3 sentences.
pub fn remark(rng: &mut Rng) -> String {
    let mut body = String::new();
    for _ in 0..1 + rng.below(3) {
        if !body.is_empty() {
            body.push(' ');
        }
        body.push_str(rng.pick_str(REMARKS));
    }
    body
}

/// An editor at a given time.
pub fn editor(member: &MemberId, time: i64) -> Editor {
    Editor {
        member: member.clone(),
        time,
    }
}

/// The demo branch's members (from the shared fixture).
pub fn members() -> Vec<MemberId> {
    sotay_tests::sample()
        .demo_branch
        .members
        .iter()
        .map(|m| MemberId::new(&m.id))
        .collect()
}

/// A deterministic clock for generated edits: a few seconds to a few minutes apart.
#[derive(Debug)]
pub struct Clock(pub i64);

impl Clock {
    /// The next commit's time.
    pub fn tick(&mut self, rng: &mut Rng) -> i64 {
        self.0 += 3 + rng.below(120) as i64;
        self.0
    }
}

/// The sample 2026 plan (fixture topics and legal bases, two paragraphs typed a sentence at a
/// time). Returns the document and its topics.
pub fn sample_plan(rng: &mut Rng, clock: &mut Clock) -> (Document, Vec<TopicId>) {
    let s = sotay_tests::sample();
    let p = &s.plan;
    let secretary = MemberId::new("m-viet");
    let mut doc = plan::create(
        &NewPlan {
            branch_id: BranchId::new(&p.branch_id),
            year: p.year,
            title: p.title.clone(),
            number: p.number.clone(),
            issue_date: date::parse(&p.issue_date).ok(),
            purpose: String::new(),
            implementation: String::new(),
        },
        &editor(&secretary, clock.tick(rng)),
    )
    .unwrap();
    for b in &p.legal_bases {
        plan::add_legal_basis(
            &mut doc,
            &editor(&secretary, clock.tick(rng)),
            &b.number,
            date::parse(&b.date).ok(),
            &b.title,
        )
        .unwrap();
    }
    let mut topics = Vec::new();
    for t in &p.topics {
        let id = plan::add_topic(
            &mut doc,
            &editor(&secretary, clock.tick(rng)),
            &NewTopic {
                title: t.title.clone(),
                group: TopicGroup::parse(&t.topic_group).unwrap(),
                month: t.month,
                scheduled_date: date::parse(&t.scheduled_date).ok(),
                combined_with_regular_meeting: t.combined_with_regular_meeting,
                preparers: t.preparers.iter().map(MemberId::new).collect(),
                presenter: Some(MemberId::new(&t.presenter)),
                executive: Some(MemberId::new("m-trang")),
                draft_deadline: date::parse(&t.draft_deadline).ok(),
                expected_output: t.expected_output.clone(),
                notes: String::new(),
            },
        )
        .unwrap();
        topics.push(id);
    }
    for which in [PlanText::Purpose, PlanText::Implementation] {
        let mut len = 0;
        for _ in 0..8 {
            let sentence = nfc(rng.pick_str(PROSE));
            plan::splice_text(
                &mut doc,
                &editor(&secretary, clock.tick(rng)),
                which,
                len,
                0,
                &sentence,
            )
            .unwrap();
            len += sentence.chars().count();
        }
    }
    (doc, topics)
}

/// How a generated draft grows.
#[derive(Debug, Clone, Copy)]
pub struct DraftShape {
    /// Characters typed (net).
    pub chars: usize,
    /// Comments, proposals and replies.
    pub comments: usize,
}

/// Types a draft as people do: small commits (80 % appends of 4–18 characters, some inserts
/// and deletions), in sessions of 50–400 commits after each of which the document is saved and
/// reloaded (a fresh actor, as when the app reopens), sometimes by another member; comments,
/// replies, resolutions and proposal decisions among the revisions of the last 20 %.
#[allow(clippy::too_many_arguments)]
pub fn typed_draft(
    rng: &mut Rng,
    clock: &mut Clock,
    prose: &mut Prose,
    plan_id: &DocId,
    topic: &TopicId,
    title: &str,
    shape: DraftShape,
    members: &[MemberId],
) -> Document {
    let typist = members[rng.below(members.len())].clone();
    let mut doc = text_doc::create(
        &NewTextDoc {
            kind: DocKind::TopicDraft,
            branch_id: BranchId::new(BRANCH),
            plan_id: Some(plan_id.clone()),
            topic_id: Some(topic.clone()),
            title: format!("Dự thảo chuyên đề: {title}"),
            description: String::new(),
            body: String::new(),
        },
        &editor(&typist, clock.tick(rng)),
    )
    .unwrap();
    let mut len = 0usize;
    let mut roots: Vec<CommentId> = Vec::new();
    let mut proposals: Vec<CommentId> = Vec::new();
    let mut comments_left = shape.comments;
    let mut session_left = 0usize;
    let mut who = typist.clone();
    loop {
        let revising = len >= shape.chars * 8 / 10;
        if revising && comments_left == 0 && len >= shape.chars {
            break;
        }
        if session_left == 0 {
            doc = Document::load(&doc.save(), &[]).unwrap();
            session_left = 50 + rng.below(350);
            who = if revising && rng.below(3) > 0 {
                members[rng.below(members.len())].clone()
            } else {
                typist.clone()
            };
        }
        session_left -= 1;
        let ed = editor(&who, clock.tick(rng));
        let comment_now =
            revising && comments_left > 0 && (len >= shape.chars || rng.below(100) < 70);
        if comment_now {
            let roll = rng.below(100);
            let (kind, anchor, reply_to) = if roll < 20 && !roots.is_empty() {
                (CommentKind::Comment, None, Some(rng.pick(&roots).clone()))
            } else if roll < 28 || len < 10 {
                (CommentKind::Comment, None, None)
            } else {
                let start = rng.below(len);
                let end = (start + 5 + rng.below(76)).min(len);
                let kind = if roll < 43 {
                    CommentKind::Proposal
                } else {
                    CommentKind::Comment
                };
                (kind, Some((start, end)), None)
            };
            let is_root = reply_to.is_none();
            let id = text_doc::add_comment(
                &mut doc,
                &ed,
                &NewComment {
                    kind,
                    body: remark(rng),
                    anchor,
                    reply_to,
                },
            )
            .unwrap();
            if is_root {
                roots.push(id.clone());
            }
            if kind == CommentKind::Proposal {
                proposals.push(id);
            }
            comments_left -= 1;
            if rng.below(100) < 8 && !roots.is_empty() {
                let r = rng.pick(&roots).clone();
                text_doc::resolve_comment(&mut doc, &ed, &r, true).unwrap();
            }
            if rng.below(100) < 5 && !proposals.is_empty() {
                let p = rng.pick(&proposals).clone();
                let st = *rng.pick(&[ProposalStatus::Accepted, ProposalStatus::Rejected]);
                text_doc::set_proposal_status(&mut doc, &ed, &p, st).unwrap();
            }
            continue;
        }
        let roll = rng.below(100);
        let chunk = 4 + rng.below(15);
        let (pos, del, ins) = if roll < 80 || len < 200 {
            (len, 0, prose.take(rng, chunk))
        } else if roll < 90 {
            (rng.below(len + 1), 0, prose.take(rng, chunk))
        } else if roll < 96 {
            let pos = rng.below(len);
            (pos, (1 + rng.below(15)).min(len - pos), String::new())
        } else {
            let del = (1 + rng.below(5)).min(len);
            (len - del, del, String::new())
        };
        text_doc::splice_body(&mut doc, &ed, pos, del, &ins).unwrap();
        len = len - del + ins.chars().count();
    }
    Document::load(&doc.save(), &[]).unwrap()
}

/// A branch's documents: the plan and `drafts` drafts of the given shape (one per topic,
/// cycling), each topic moved to "drafting" by the secretary as its draft starts.
///
/// Every change is authored by the secretary (`m-viet`), whose phone uploads them: the server
/// accepts only changes that name the pushing member as their author. Sessions still change
/// actors as on a phone; the author costs a few bytes per actor, so sizes are unaffected.
pub fn branch_docs(seed: u64, drafts: usize, shape: DraftShape) -> Vec<Document> {
    let mut rng = Rng::new(seed);
    let mut clock = Clock(1_767_225_600); // 2026-01-01
    let mut prose = Prose::default();
    let members = vec![MemberId::new("m-viet")];
    let (mut plan_doc, topics) = sample_plan(&mut rng, &mut clock);
    let plan_id = plan_doc.id().clone();
    let titles: Vec<String> = sotay_tests::sample()
        .plan
        .topics
        .iter()
        .map(|t| t.title.clone())
        .collect();
    let mut out = Vec::new();
    for i in 0..drafts {
        let topic = &topics[i % topics.len()];
        plan::set_topic_field(
            &mut plan_doc,
            &editor(&MemberId::new("m-viet"), clock.tick(&mut rng)),
            topic,
            &TopicField::Status(plan::TopicStatus::Drafting),
        )
        .unwrap();
        out.push(typed_draft(
            &mut rng,
            &mut clock,
            &mut prose,
            &plan_id,
            topic,
            &titles[i % titles.len()],
            shape,
            &members,
        ));
    }
    let mut all = vec![Document::load(&plan_doc.save(), &[]).unwrap()];
    all.extend(out);
    all
}

/// zstd at level 3, as `sotay_core::protocol::encode` compresses sync bodies.
pub fn zlen(bytes: &[u8]) -> usize {
    if bytes.is_empty() {
        return 0;
    }
    zstd::bulk::compress(bytes, 3).unwrap().len()
}

/// Nearest-rank percentile of a sorted sample.
pub fn pct(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// A `/proc/<pid>/status` field in KiB (`VmHWM`, `VmRSS`); `None` = this process.
pub fn status_kib(pid: Option<u32>, key: &str) -> u64 {
    let path = match pid {
        Some(p) => format!("/proc/{p}/status"),
        None => "/proc/self/status".to_owned(),
    };
    std::fs::read_to_string(path)
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// CPU time (user + system) a process has used, in seconds; `None` = this process.
pub fn cpu_secs(pid: Option<u32>) -> f64 {
    let path = match pid {
        Some(p) => format!("/proc/{p}/stat"),
        None => "/proc/self/stat".to_owned(),
    };
    let Ok(stat) = std::fs::read_to_string(path) else {
        return 0.0;
    };
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 of stat; after ')' they are at indexes 11 and 12.
    (ticks(11) + ticks(12)) / 100.0
}

/// "2 × Intel(R) Xeon(R) Processor" — the machine line of the report.
pub fn machine() -> String {
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    format!("{cpus} × {model}")
}

/// Formats bytes as "1,234 B" or "12.3 KiB".
pub fn bytes(n: usize) -> String {
    if n < 10 * 1024 {
        format!("{n} B")
    } else if n < 10 * 1024 * 1024 {
        format!("{:.1} KiB", n as f64 / 1024.0)
    } else {
        format!("{:.1} MiB", n as f64 / (1024.0 * 1024.0))
    }
}

/// Milliseconds with one decimal.
pub fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1e3)
}
