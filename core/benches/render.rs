//! Rendering the official plan paper: what a phone or the CLI pays to export a 12-topic
//! annual plan as DOCX (and HTML), from the typed plan to the file's bytes.
//!
//! The plan is DOMAIN.md's sample (the 8 topics of Chi bộ Phân xưởng Cơ điện's 2026 plan)
//! plus 4 more, every field filled (two preparers, presenter, executive, deadline, expected
//! output, notes), 4 legal bases and purpose and implementation texts of a few paragraphs,
//! built through the model API. Timed separately: the layout alone
//! (`render::plan::layout`), the DOCX writer on that layout (`render::docx::write`), the
//! whole export (layout + DOCX), and the HTML writer. Each timing runs `runs` times after one
//! untimed-but-reported first run (cold code paths, allocator growth).
//!
//! ```text
//! cargo bench -p sotay-core --bench render              # 200 timed runs each
//! cargo bench -p sotay-core --bench render -- --quick   # 20
//! ```
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use sotay_core::date;
use sotay_core::ids::{BranchId, MemberId};
use sotay_core::model::Editor;
use sotay_core::model::plan::{self, AnnualPlan, NewPlan, NewTopic, PlanText, TopicGroup};
use sotay_core::render::{self, Block, RenderContext, Signatory};

const MEMBERS: &[(&str, &str)] = &[
    ("m-viet", "Đặng Quốc Việt"),
    ("m-trang", "Nguyễn Thị Huyền Trang"),
    ("m-hoa", "Vũ Thị Hoà"),
    ("m-ung", "Lê Văn Ứng"),
    ("m-anh", "Phạm Ngọc Ánh"),
    ("m-luong", "Hoàng Đức Lượng"),
    ("m-y", "Quách Thị Ỷ"),
    ("m-cuong", "Đỗ Mạnh Cường"),
    ("m-yen", "Bùi Thị Yến"),
    ("m-thang", "Tạ Quang Thắng"),
    ("m-uoc", "Ông Thị Ngọc Ước"),
    ("m-dat", "Mạc Văn Đạt"),
];

const TOPICS: &[(u8, &str, TopicGroup)] = &[
    (
        2,
        "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh về thực hành tiết kiệm",
        TopicGroup::HoChiMinh,
    ),
    (
        3,
        "Phát huy vai trò nêu gương của đảng viên trong thực hiện công tác an toàn, vệ sinh lao động tại Phân xưởng Cơ điện",
        TopicGroup::PartyBuilding,
    ),
    (
        4,
        "Giải pháp giảm thời gian dừng máy ngoài kế hoạch, bảo đảm hoàn thành chỉ tiêu sản lượng quý II",
        TopicGroup::ProductionTargets,
    ),
    (
        5,
        "Nâng cao trình độ chuyên môn, tay nghề cho công nhân sửa chữa thiết bị điện",
        TopicGroup::PoliticalTheory,
    ),
    (
        6,
        "Quán triệt và thực hiện Chỉ thị 50-CT/TW về đổi mới, nâng cao chất lượng sinh hoạt chi bộ",
        TopicGroup::ResolutionsAndLaws,
    ),
    (
        7,
        "Ứng dụng chuyển đổi số trong quản lý vật tư, phụ tùng thay thế",
        TopicGroup::ProductionTargets,
    ),
    (
        8,
        "Phòng, chống tham nhũng, tiêu cực trong mua sắm vật tư, thiết bị",
        TopicGroup::AntiCorruption,
    ),
    (
        9,
        "Thực hành tiết kiệm, chống lãng phí trong sử dụng điện năng và vật tư tiêu hao",
        TopicGroup::AntiCorruption,
    ),
    (
        10,
        "Nhận diện và phòng ngừa biểu hiện \"tự diễn biến\", \"tự chuyển hóa\" trên không gian mạng",
        TopicGroup::PreventingDegradation,
    ),
    (
        11,
        "Bồi dưỡng quần chúng ưu tú, tạo nguồn phát triển đảng viên trong công nhân trẻ",
        TopicGroup::PartyBuilding,
    ),
    (
        12,
        "Tổng kết, đánh giá hiệu quả các giải pháp đã hiến kế năm 2026",
        TopicGroup::ProductionTargets,
    ),
    (
        12,
        "Kiểm điểm việc thực hiện nghị quyết chuyên đề và phương hướng năm 2027",
        TopicGroup::PartyBuilding,
    ),
];

const PARAGRAPH: &str = "Nâng cao chất lượng sinh hoạt chi bộ theo Chỉ thị 50-CT/TW của Ban Bí thư; gắn nội dung sinh hoạt chuyên đề với việc thực hiện nhiệm vụ sản xuất, bảo đảm an toàn, vệ sinh lao động của Phân xưởng; mỗi đảng viên tham gia xây dựng kế hoạch, nghiên cứu dự thảo, góp ý và hiến kế trước buổi sinh hoạt.";

fn plan_of_12() -> AnnualPlan {
    let ed = |m: &str| Editor {
        member: MemberId::new(m),
        time: 1_767_225_600,
    };
    let mut doc = plan::create(
        &NewPlan {
            branch_id: BranchId::new("b-co-dien"),
            year: 2026,
            title: String::new(),
            number: "01-KH/CB".into(),
            issue_date: Some(date::parse("2026-01-15").unwrap()),
            purpose: String::new(),
            implementation: String::new(),
        },
        &ed("m-viet"),
    )
    .unwrap();
    let texts = [PARAGRAPH; 4].join("\n");
    plan::replace_text(&mut doc, &ed("m-viet"), PlanText::Purpose, &texts).unwrap();
    plan::replace_text(&mut doc, &ed("m-viet"), PlanText::Implementation, &texts).unwrap();
    for (n, d, t) in [
        (
            "12-HD/BTCTW",
            "2018-07-06",
            "Hướng dẫn về một số vấn đề nâng cao chất lượng sinh hoạt chi bộ",
        ),
        (
            "50-CT/TW",
            "2025-07-23",
            "Chỉ thị của Ban Bí thư về đổi mới, nâng cao chất lượng sinh hoạt chi bộ",
        ),
        (
            "42-HD/BTCTW",
            "2025-10-28",
            "Hướng dẫn của Ban Tổ chức Trung ương",
        ),
        (
            "01-NQ/ĐU",
            "2026-01-05",
            "Nghị quyết của Đảng ủy Công ty về nhiệm vụ năm 2026",
        ),
    ] {
        plan::add_legal_basis(&mut doc, &ed("m-viet"), n, Some(date::parse(d).unwrap()), t)
            .unwrap();
    }
    for (i, (month, title, group)) in TOPICS.iter().enumerate() {
        let m = |k: usize| MemberId::new(MEMBERS[(i + k) % MEMBERS.len()].0);
        plan::add_topic(
            &mut doc,
            &ed("m-viet"),
            &NewTopic {
                title: (*title).into(),
                group: *group,
                month: *month,
                scheduled_date: None,
                combined_with_regular_meeting: i % 3 == 1,
                preparers: vec![m(0), m(1)],
                presenter: Some(m(0)),
                executive: Some(m(2)),
                draft_deadline: Some(date::day_of_month(2026, *month - 1, 21).unwrap()),
                expected_output: "Ít nhất 5 giải pháp, mỗi giải pháp có người phụ trách".into(),
                notes: "Tổ đảng số 1 cùng chuẩn bị".into(),
            },
        )
        .unwrap();
    }
    plan::get(&doc).unwrap()
}

struct Timing {
    first: Duration,
    median: Duration,
    max: Duration,
}

fn time<R>(runs: usize, mut f: impl FnMut() -> R) -> (Timing, R) {
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

fn row(what: &str, t: &Timing) {
    println!(
        "| {what:<34} | {:>8.3} | {:>8.3} | {:>8.3} |",
        ms(t.first),
        ms(t.median),
        ms(t.max)
    );
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let runs = if quick { 20 } else { 200 };
    let plan = plan_of_12();
    let ctx = RenderContext {
        committee_name: "Đảng bộ Công ty Cổ phần Cơ điện Sông Lam Xanh".into(),
        branch_name: "Chi bộ Phân xưởng Cơ điện".into(),
        place: "Quảng Ninh".into(),
        signatory: Signatory::secretary("Đặng Quốc Việt"),
        names: MEMBERS
            .iter()
            .map(|(id, n)| (MemberId::new(id), (*n).to_owned()))
            .collect::<BTreeMap<_, _>>(),
        ..RenderContext::default()
    };

    let (t_layout, layout) = time(runs, || render::plan::layout(&plan, &ctx));
    let rows = layout
        .blocks
        .iter()
        .find_map(|b| match b {
            Block::Table(t) => Some(t.rows.len()),
            _ => None,
        })
        .unwrap();
    assert_eq!(rows, 12);
    assert!(layout.unresolved.is_empty());
    let (t_write, docx) = time(runs, || render::docx::write(&layout).unwrap());
    let (t_export, docx2) = time(runs, || {
        render::docx::write(&render::plan::layout(&plan, &ctx)).unwrap()
    });
    assert_eq!(docx, docx2, "deterministic");
    let (t_html, html) = time(runs, || render::html::write(&layout));

    println!(
        "render bench: a {}-topic plan, {} legal bases, purpose {} + implementation {} chars; {runs} timed runs each",
        plan.topics.len(),
        plan.legal_bases.len(),
        plan.purpose.chars().count(),
        plan.implementation.chars().count(),
    );
    println!(
        "output: DOCX {:.1} KiB, HTML {:.1} KiB",
        docx.len() as f64 / 1024.0,
        html.len() as f64 / 1024.0
    );
    println!();
    println!(
        "| {:<34} | {:>8} | {:>8} | {:>8} |",
        "ms", "first", "median", "max"
    );
    println!("|{:-<36}|{:->10}|{:->10}|{:->10}|", "", "", "", "");
    row("layout (render::plan::layout)", &t_layout);
    row("DOCX writer (render::docx::write)", &t_write);
    row("export: layout + DOCX", &t_export);
    row("HTML writer (render::html::write)", &t_html);
}
