//! `evidence`: participation evidence for the year-end review (QĐ 366-QĐ/TW), computed by
//! the core from the record ([`crate::store::evidence`]) — the branch's table (and CSV), one
//! member's printable sheet ([`crate::render::evidence`]), the committee's weights.
//!
//! Every output carries the notice that this is a proposal for the branch's vote, never a
//! rating.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use serde::Serialize;

use super::args::{EvidenceArgs, EvidenceCmd, ExportFormat};
use super::member::default_branch;
use super::{Ctx, render as text_render, resolve};
use crate::ids::{BranchId, MemberId};
use crate::model::now_unix;
use crate::render;
use crate::store::PaperOptions;
use crate::store::evidence::{Category, EvidenceReport, Frame, NOTICE_VI};
use crate::store::today_vn;
use crate::{Error, Result};

/// `--json` of `evidence`: the report, and the CSV file written, if any.
#[derive(Debug, Serialize)]
struct ReportView<'a> {
    #[serde(flatten)]
    report: &'a EvidenceReport,
    csv: Option<&'a Path>,
}

/// `--json` of `evidence sheet`.
#[derive(Debug, Serialize)]
struct SheetView<'a> {
    member_id: &'a MemberId,
    name: &'a str,
    year: i32,
    path: &'a Path,
    format: &'static str,
    bytes: usize,
    general_points: f64,
    task_points: f64,
    notice: &'static str,
}

pub(super) fn evidence(ctx: &mut Ctx<'_>, a: EvidenceArgs) -> Result<()> {
    match a.action {
        None => report(ctx, a.year, a.branch.as_deref(), a.csv.as_deref()),
        Some(EvidenceCmd::Sheet {
            member,
            year,
            out,
            format,
            committee,
            branch_name,
        }) => sheet(
            ctx,
            &member,
            year,
            &out,
            format,
            committee.as_deref(),
            branch_name.as_deref(),
        ),
        Some(EvidenceCmd::Weights) => weights(ctx),
    }
}

/// The branch asked for, else this device's member's, else every branch held here.
fn branch_of(ctx: &Ctx<'_>, branch: Option<&str>) -> Option<BranchId> {
    match branch {
        Some(b) => Some(BranchId::new(b.trim())),
        None => default_branch(ctx).ok(),
    }
}

/// The branch's name in the synced directory, if this device has one.
fn branch_name(ctx: &Ctx<'_>, branch: &BranchId) -> Result<Option<String>> {
    let dir = match ctx.store.directory() {
        Ok(d) => d,
        Err(Error::NotEnrolled) => None,
        Err(e) => return Err(e),
    };
    Ok(dir.and_then(|d| {
        d.branches
            .into_iter()
            .find(|b| &b.id == branch)
            .map(|b| b.name)
    }))
}

fn report(
    ctx: &mut Ctx<'_>,
    year: Option<i32>,
    branch: Option<&str>,
    csv: Option<&Path>,
) -> Result<()> {
    let year = year.unwrap_or_else(|| today_vn().year());
    let branch = branch_of(ctx, branch);
    let r = ctx
        .store
        .participation_evidence(branch.as_ref(), year, now_unix())?;
    if let Some(path) = csv {
        std::fs::write(path, r.to_csv())?;
    }
    let mut t = format!(
        "Minh chứng tham gia sinh hoạt chuyên đề năm {year} — {}\n! {NOTICE_VI}\n",
        match &branch {
            Some(b) => match branch_name(ctx, b)? {
                Some(n) => format!("{n} ({b})"),
                None => format!("chi bộ {b}"),
            },
            None => "mọi chi bộ trên máy này".to_owned(),
        }
    );
    let count = |m: &crate::store::evidence::MemberEvidence, c: Category| m.figure(c).count;
    let rows: Vec<Vec<String>> = r
        .members
        .iter()
        .map(|m| {
            vec![
                m.name.clone(),
                format!(
                    "{} / {} / {}",
                    count(m, Category::Present),
                    count(m, Category::AbsentExcused),
                    count(m, Category::AbsentUnexcused)
                ),
                count(m, Category::MaterialOpenedBefore).to_string(),
                format!(
                    "{} / {}",
                    count(m, Category::CommentBefore),
                    count(m, Category::ProposalBefore)
                ),
                format!(
                    "{} / {}",
                    count(m, Category::ProposalAdopted),
                    count(m, Category::ProposalDone)
                ),
                format!(
                    "{} / {}",
                    count(m, Category::AssignmentOnTime),
                    count(m, Category::AssignmentLate)
                ),
                count(m, Category::Presentation).to_string(),
                format!(
                    "{} / {}",
                    render::evidence::points_vi(m.general_points),
                    render::evidence::points_vi(m.task_points)
                ),
            ]
        })
        .collect();
    t.push_str(&text_render::table(
        &[
            "Họ và tên",
            "Dự / vắng có LD / không LD",
            "Đọc trước",
            "Góp ý / hiến kế trước",
            "Hiến kế tiếp thu / xong",
            "Dự thảo đúng hạn / chậm",
            "Trình bày",
            "Điểm gợi ý chung / nhiệm vụ",
        ],
        &[24, 14, 6, 10, 10, 10, 9, 12],
        &rows,
    ));
    if r.flags.is_empty() {
        t.push_str("Không có đảng viên vắng không lý do từ 3 tháng trở lên trong năm.\n");
    } else {
        for f in &r.flags {
            let _ = writeln!(
                t,
                "! {} vắng sinh hoạt không lý do trong {} tháng ({}): báo bí thư xem xét (Điều lệ Đảng, Điều 8)",
                f.name,
                f.months.len(),
                f.months
                    .iter()
                    .map(|m| format!("tháng {m}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    let _ = write!(
        t,
        "Mỗi con số có minh chứng: `sotay evidence --json`, hoặc phiếu của từng đảng viên: `sotay evidence sheet <đảng viên> --out phieu.html`"
    );
    if let Some(path) = csv {
        let _ = write!(
            t,
            "\nwrote {} ({} đảng viên, CSV UTF-8)",
            path.display(),
            r.members.len()
        );
    }
    ctx.emit(&ReportView { report: &r, csv }, &t)
}

#[allow(clippy::too_many_arguments)]
fn sheet(
    ctx: &mut Ctx<'_>,
    member: &str,
    year: Option<i32>,
    out: &Path,
    format: Option<ExportFormat>,
    committee: Option<&str>,
    branch_name_arg: Option<&str>,
) -> Result<()> {
    let id = resolve::member(&ctx.store, member)?
        .ok_or_else(|| Error::InvalidInput("a member must not be empty".into()))?;
    let m = ctx
        .store
        .members()?
        .into_iter()
        .find(|m| m.id == id)
        .ok_or_else(|| {
            Error::InvalidInput(format!(
                "{id} is not in the member directory here (sync first, or `sotay member add`)"
            ))
        })?;
    let format = match format {
        Some(f) => f,
        None => super::export::format_from_path(out)?,
    };
    let year = year.unwrap_or_else(|| today_vn().year());
    let opts = PaperOptions {
        committee_name: committee.map(str::to_owned),
        branch_name: branch_name_arg.map(str::to_owned),
        ..PaperOptions::new(format.into())
    };
    let paper = ctx.store.evidence_sheet(&m.id, year, &opts)?;
    let bytes = paper.bytes;
    let name = paper.format.name();
    std::fs::write(out, &bytes)?;
    let r = ctx
        .store
        .participation_evidence(Some(&m.branch_id), year, now_unix())?;
    let e = r.member(&m.id).ok_or_else(|| {
        Error::InvalidInput(format!(
            "{} has no evidence in branch {}",
            m.id, m.branch_id
        ))
    })?;
    let text = format!(
        "wrote {} ({name}, {} bytes): phiếu minh chứng năm {year} của {} — điểm gợi ý: kết quả thực hiện nhiệm vụ {}, tiêu chí chung {}\n! {NOTICE_VI}",
        out.display(),
        bytes.len(),
        e.name,
        render::evidence::points_vi(e.task_points),
        render::evidence::points_vi(e.general_points)
    );
    let v = SheetView {
        member_id: &e.member,
        name: &e.name,
        year,
        path: out,
        format: name,
        bytes: bytes.len(),
        general_points: e.general_points,
        task_points: e.task_points,
        notice: NOTICE_VI,
    };
    ctx.emit(&v, &text)
}

fn weights(ctx: &mut Ctx<'_>) -> Result<()> {
    let mut t = String::new();
    let own = ctx.store.committee_settings()?.evidence_weights.is_some();
    let _ = writeln!(
        t,
        "{}",
        if own {
            "Bộ trọng số của đảng bộ (the committee's weights)"
        } else {
            "Bộ trọng số mặc định — đảng bộ chưa đặt riêng (default weights)"
        }
    );
    let w = ctx.store.evidence_weights()?;
    let by: BTreeMap<Category, &crate::store::evidence::Weight> =
        w.weights.iter().map(|x| (x.category, x)).collect();
    let rows: Vec<Vec<String>> = Category::ALL
        .iter()
        .map(|c| match by.get(c) {
            Some(x) => vec![
                c.as_str().to_owned(),
                c.label_vi().to_owned(),
                match x.frame {
                    Frame::General => "Tiêu chí chung".to_owned(),
                    Frame::TaskResults => "Kết quả thực hiện nhiệm vụ".to_owned(),
                },
                render::evidence::points_vi(x.points_each),
                render::evidence::points_vi(x.cap),
            ],
            None => vec![
                c.as_str().to_owned(),
                c.label_vi().to_owned(),
                "(không tính điểm)".to_owned(),
                String::new(),
                String::new(),
            ],
        })
        .collect();
    t.push_str(&text_render::table(
        &["Mã", "Nội dung", "Thuộc", "Điểm mỗi lần", "Tối đa"],
        &[22, 36, 26, 12, 7],
        &rows,
    ));
    let _ = write!(
        t,
        "Tối đa gợi ý: {} trong {}; {} trong {}",
        render::evidence::points_vi(w.general_cap),
        Frame::General.label_vi(),
        render::evidence::points_vi(w.task_cap),
        Frame::TaskResults.label_vi()
    );
    ctx.emit(&w, &t)
}
