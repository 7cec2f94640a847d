//! `export-plan` and `export-minutes`: the official papers (DOCX or HTML), written by the
//! core (`Store::plan_paper`, `Store::minutes_paper`, which hold the rules: which version,
//! who signs, names from the directory); here only the file and what is said about it.

use std::path::PathBuf;

use serde::Serialize;

use super::args::{ExportFormat, ExportMinutesArgs, ExportPlanArgs};
use super::resolve::{self, Want};
use super::{Ctx, render as text_render};
use crate::approval::SignoffId;
use crate::ids::{DocId, MemberId};
use crate::store::{PaperFormat, PaperOptions};
use crate::{Error, Result};

/// `--json` output of `export-plan`.
#[derive(Debug, Serialize)]
struct Exported {
    plan_id: DocId,
    path: PathBuf,
    format: &'static str,
    bytes: usize,
    /// `approved` (the approval in force, as signed) or `draft` (this device's version).
    version: &'static str,
    approval_id: Option<SignoffId>,
    topics: usize,
    signer: String,
    /// Member ids shown as ids because the directory does not name them.
    unresolved_members: Vec<MemberId>,
}

pub(super) fn export_plan(ctx: &mut Ctx<'_>, a: &ExportPlanArgs) -> Result<()> {
    let id = resolve::doc(&ctx.store, &a.plan, Want::Plan)?;
    let format = match a.format {
        Some(f) => f,
        None => format_from_path(&a.out)?,
    };
    let opts = PaperOptions {
        current: a.current,
        place: a.place.clone().unwrap_or_default(),
        committee_name: a.committee.clone(),
        branch_name: a.branch_name.clone(),
        signer: a.signer.clone(),
        recipients: a.recipient.clone(),
        ..PaperOptions::new(format.into())
    };
    let paper = ctx.store.plan_paper(&id, &opts).map_err(hint)?;
    std::fs::write(&a.out, &paper.bytes)?;

    let mut text = format!(
        "wrote {} ({}, {} bytes): {}, {} chuyên đề",
        a.out.display(),
        format.name(),
        paper.bytes.len(),
        match (&paper.approval_id, a.current) {
            (Some(s), false) => format!(
                "bản đã duyệt [{}] (approved version)",
                text_render::short(s.as_str())
            ),
            (Some(s), true) => format!(
                "bản đã duyệt [{}] (this device's version is the approved one)",
                text_render::short(s.as_str())
            ),
            (None, true) => "DỰ THẢO (this device's version)".into(),
            (None, false) => "DỰ THẢO (no approval in force: this device's version)".into(),
        },
        paper.items
    );
    if paper.changed_since_approval {
        text.push_str(&format!(
            "\n! the plan has changed since this approval; `sotay diff {}` shows what, --current exports the changed version as DỰ THẢO",
            text_render::short(id.as_str())
        ));
    }
    unresolved_note(&mut text, &paper.unresolved_members);
    let view = Exported {
        plan_id: id,
        path: a.out.clone(),
        format: format.name(),
        bytes: paper.bytes.len(),
        version: if paper.official { "approved" } else { "draft" },
        approval_id: paper.approval_id,
        topics: paper.items,
        signer: paper.signer,
        unresolved_members: paper.unresolved_members,
    };
    ctx.emit(&view, &text)
}

/// Member ids a paper shows as ids: said after what was written.
fn unresolved_note(text: &mut String, unresolved: &[MemberId]) {
    if !unresolved.is_empty() {
        let ids: Vec<&str> = unresolved.iter().map(MemberId::as_str).collect();
        text.push_str(&format!(
            "\n! shown as ids, not names (not in the member directory; sync first): {}",
            ids.join(", ")
        ));
    }
}

/// The core's refusals, with the flags that answer them here.
pub(super) fn hint(e: Error) -> Error {
    match e {
        Error::InvalidInput(m) if m.contains("name of branch") => {
            Error::InvalidInput(format!("{m}: pass --branch-name \"Chi bộ …\""))
        }
        Error::InvalidInput(m) if m.contains("committee's name") => {
            Error::InvalidInput(format!("{m}: pass --committee \"Đảng bộ …\""))
        }
        Error::InvalidInput(m) if m.contains("approved version yet") => {
            Error::InvalidInput(format!("{m} (`sotay sync`, or --current)"))
        }
        other => other,
    }
}

/// `--json` output of `export-minutes`.
#[derive(Debug, Serialize)]
struct ExportedMinutes {
    session_id: DocId,
    path: PathBuf,
    format: &'static str,
    bytes: usize,
    /// `adopted` (both signatures on this version) or `draft` (this device's version).
    version: &'static str,
    unresolved_members: Vec<MemberId>,
}

pub(super) fn export_minutes(ctx: &mut Ctx<'_>, a: &ExportMinutesArgs) -> Result<()> {
    let id = resolve::doc(&ctx.store, &a.session, Want::Session)?;
    let format = match a.format {
        Some(f) => f,
        None => format_from_path(&a.out)?,
    };
    let opts = PaperOptions {
        current: a.current,
        place: a.place.clone().unwrap_or_default(),
        committee_name: a.committee.clone(),
        branch_name: a.branch_name.clone(),
        ..PaperOptions::new(format.into())
    };
    let paper = ctx.store.minutes_paper(&id, &opts).map_err(hint)?;
    std::fs::write(&a.out, &paper.bytes)?;
    let mut text = format!(
        "wrote {} ({}, {} bytes): biên bản «{}», {}",
        a.out.display(),
        format.name(),
        paper.bytes.len(),
        paper.title,
        if paper.official {
            "bản đã thông qua (adopted version)"
        } else {
            "DỰ THẢO (not adopted, or --current)"
        }
    );
    unresolved_note(&mut text, &paper.unresolved_members);
    let view = ExportedMinutes {
        session_id: id,
        path: a.out.clone(),
        format: format.name(),
        bytes: paper.bytes.len(),
        version: if paper.official { "adopted" } else { "draft" },
        unresolved_members: paper.unresolved_members,
    };
    ctx.emit(&view, &text)
}

pub(super) fn format_from_path(path: &std::path::Path) -> Result<ExportFormat> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("docx") => Ok(ExportFormat::Docx),
        Some("html" | "htm") => Ok(ExportFormat::Html),
        _ => Err(Error::InvalidInput(format!(
            "cannot tell the format from {}: pass --format docx or --format html",
            path.display()
        ))),
    }
}

impl ExportFormat {
    fn name(self) -> &'static str {
        PaperFormat::from(self).name()
    }
}

impl From<ExportFormat> for PaperFormat {
    fn from(f: ExportFormat) -> Self {
        match f {
            ExportFormat::Docx => PaperFormat::Docx,
            ExportFormat::Html => PaperFormat::Html,
        }
    }
}
