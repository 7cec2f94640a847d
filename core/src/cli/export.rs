//! `export-plan`: the annual plan as the official paper (DOCX or HTML), through
//! [`crate::render`].
//!
//! Which version: the approval in force, exactly as signed (what the branch adopted), and
//! its signer under "T/M CHI BỘ"; with no approval in force — or with `--current` — the
//! version on this device, marked "DỰ THẢO" unless it is exactly the approved one, and signed
//! by the branch's secretary as the directory names them. Names come from the member
//! directory (synced, plus `member add`), the branch's name from the signed directory; the
//! committee's name is not in the directory, so it is asked for (`--committee`).

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Serialize;

use super::args::{ExportFormat, ExportMinutesArgs, ExportPlanArgs};
use super::resolve::{self, Want};
use super::{Ctx, render as text_render};
use crate::approval::{Invalid, Signoff, SignoffId, Status};
use crate::ids::{DocId, MemberId};
use crate::org::Role;
use crate::render::{self, RenderContext, Signatory};
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
    let status = ctx.store.approval_status(&id)?;
    let in_force = status.approval_in_force().cloned();
    // This device's version is exactly the approved one.
    let exact = matches!(status, Status::Approved { .. });
    let approval = if a.current { None } else { in_force.clone() };
    // Whose signature the paper carries: the approval rendered, or the one that covers
    // exactly the current version.
    let signed_by = approval.clone().or(if exact { in_force } else { None });
    let plan = match &approval {
        Some(s) => {
            if let Err(Invalid::HeadsUnknown { .. }) = ctx.store.verify_signoff(s)? {
                return Err(Error::InvalidInput(format!(
                    "máy này chưa có phiên bản đã ký [{}] — hãy đồng bộ (sync first: `sotay sync`), or export this device's version with --current",
                    text_render::short(s.id().as_str())
                )));
            }
            ctx.store.plan_at(&id, &s.change_hashes())?
        }
        None => ctx.store.plan(&id)?,
    };
    let draft = signed_by.is_none();

    let Org {
        dir,
        names,
        members,
        branch_name,
        committee_name,
    } = org(ctx, &plan.branch_id, &a.branch_name, &a.committee)?;

    let signatory = match (&a.signer, &signed_by) {
        (Some(name), _) => Signatory::secretary(name),
        (None, Some(s)) => signatory_of(s, &names),
        (None, None) => {
            let secretary = members
                .iter()
                .find(|m| m.role == Role::Secretary && m.branch_id == plan.branch_id)
                .map(|m| m.full_name.clone())
                .or_else(|| {
                    dir.as_ref().and_then(|d| {
                        d.members
                            .iter()
                            .find(|m| {
                                m.active
                                    && m.role == Role::Secretary
                                    && m.branch_id.as_ref() == Some(&plan.branch_id)
                            })
                            .map(|m| m.full_name.clone())
                    })
                })
                .unwrap_or_default();
            Signatory::secretary(secretary)
        }
    };

    let rctx = RenderContext {
        committee_name,
        branch_name,
        place: a.place.clone().unwrap_or_default(),
        signatory,
        names,
        draft,
        extra_recipients: a.recipient.clone(),
    };
    let layout = render::plan::layout(&plan, &rctx);
    let bytes = match format {
        ExportFormat::Docx => render::docx::write(&layout)?,
        ExportFormat::Html => render::html::write(&layout).into_bytes(),
    };
    std::fs::write(&a.out, &bytes)?;

    let topics = plan
        .topics
        .iter()
        .filter(|t| t.status != crate::model::plan::TopicStatus::Cancelled)
        .count();
    let version = if draft { "draft" } else { "approved" };
    let mut text = format!(
        "wrote {} ({}, {} bytes): {}, {topics} chuyên đề",
        a.out.display(),
        format.name(),
        bytes.len(),
        match (&signed_by, &approval) {
            (Some(s), Some(_)) => format!(
                "bản đã duyệt [{}] (approved version)",
                text_render::short(s.id().as_str())
            ),
            (Some(s), None) => format!(
                "bản đã duyệt [{}] (this device's version is the approved one)",
                text_render::short(s.id().as_str())
            ),
            (None, _) if a.current => "DỰ THẢO (this device's version)".into(),
            (None, _) => "DỰ THẢO (no approval in force: this device's version)".into(),
        }
    );
    if approval.is_some() && !exact {
        text.push_str(&format!(
            "\n! the plan has changed since this approval; `sotay diff {}` shows what, --current exports the changed version as DỰ THẢO",
            text_render::short(id.as_str())
        ));
    }
    if !layout.unresolved.is_empty() {
        let ids: Vec<&str> = layout.unresolved.iter().map(MemberId::as_str).collect();
        text.push_str(&format!(
            "\n! shown as ids, not names (not in the member directory; sync first): {}",
            ids.join(", ")
        ));
    }
    let view = Exported {
        plan_id: id,
        path: a.out.clone(),
        format: format.name(),
        bytes: bytes.len(),
        version,
        approval_id: signed_by.as_ref().map(Signoff::id),
        topics,
        signer: rctx.signatory.name.clone(),
        unresolved_members: layout.unresolved.clone(),
    };
    ctx.emit(&view, &text)
}

/// What a paper needs of the organisation: names for member ids (the signed directory,
/// then the local member list), the branch's and the committee's names.
struct Org {
    dir: Option<crate::protocol::Directory>,
    names: BTreeMap<MemberId, String>,
    members: Vec<crate::org::Member>,
    branch_name: String,
    committee_name: String,
}

fn org(
    ctx: &mut Ctx<'_>,
    branch: &crate::ids::BranchId,
    branch_name: &Option<String>,
    committee: &Option<String>,
) -> Result<Org> {
    let dir = match ctx.store.directory() {
        Ok(d) => d,
        // An unenrolled device has no directory; its local member list still names people.
        Err(Error::NotEnrolled) => None,
        Err(e) => return Err(e),
    };
    let mut names: BTreeMap<MemberId, String> = BTreeMap::new();
    if let Some(d) = &dir {
        for m in &d.members {
            names.insert(m.id.clone(), m.full_name.clone());
        }
    }
    let members = ctx.store.members()?;
    for m in &members {
        names.insert(m.id.clone(), m.full_name.clone());
    }
    let branch_name = match branch_name {
        Some(n) => n.clone(),
        None => dir
            .as_ref()
            .and_then(|d| d.branches.iter().find(|b| &b.id == branch))
            .map(|b| b.name.clone())
            .ok_or_else(|| {
                Error::InvalidInput(format!(
                    "the name of branch {branch} is not known on this device (it comes with `sotay sync`); pass --branch-name \"Chi bộ …\""
                ))
            })?,
    };
    let committee_name = committee.clone().ok_or_else(|| {
        Error::InvalidInput(
            "pass the committee's name: --committee \"Đảng bộ …\" (the member directory does not carry it)"
                .into(),
        )
    })?;
    Ok(Org {
        dir,
        names,
        members,
        branch_name,
        committee_name,
    })
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
    use crate::approval::Adoption;
    use crate::org::MemberStatus;
    let id = resolve::doc(&ctx.store, &a.session, Want::Session)?;
    let format = match a.format {
        Some(f) => f,
        None => format_from_path(&a.out)?,
    };
    let adopted_heads = match ctx.store.minutes_adoption(&id)? {
        Adoption::Adopted { chair, .. } | Adoption::AdoptedWithChanges { chair, .. }
            if !a.current =>
        {
            Some(chair.change_hashes())
        }
        _ => None,
    };
    let session = match &adopted_heads {
        Some(h) => ctx.store.session_at(&id, h)?,
        None => ctx.store.session(&id)?,
    };
    let o = org(ctx, &session.branch_id, &a.branch_name, &a.committee)?;
    let of_branch = |st: MemberStatus| {
        o.members
            .iter()
            .filter(|m| m.branch_id == session.branch_id && m.status == st)
            .count() as u32
    };
    let mctx = render::minutes::MinutesContext {
        full_members: of_branch(MemberStatus::Full),
        probationary_members: of_branch(MemberStatus::Probationary),
        grid: ctx.store.quality_grid()?,
    };
    let rctx = RenderContext {
        committee_name: o.committee_name,
        branch_name: o.branch_name,
        place: a.place.clone().unwrap_or_default(),
        names: o.names,
        draft: adopted_heads.is_none(),
        ..RenderContext::default()
    };
    let layout = render::minutes::layout(&session, &rctx, &mctx);
    let bytes = match format {
        ExportFormat::Docx => render::docx::write(&layout)?,
        ExportFormat::Html => render::html::write(&layout).into_bytes(),
    };
    std::fs::write(&a.out, &bytes)?;
    let version = if adopted_heads.is_some() {
        "adopted"
    } else {
        "draft"
    };
    let text = format!(
        "wrote {} ({}, {} bytes): biên bản «{}», {}",
        a.out.display(),
        format.name(),
        bytes.len(),
        session.title,
        if adopted_heads.is_some() {
            "bản đã thông qua (adopted version)"
        } else {
            "DỰ THẢO (not adopted, or --current)"
        }
    );
    let view = ExportedMinutes {
        session_id: id,
        path: a.out.clone(),
        format: format.name(),
        bytes: bytes.len(),
        version,
        unresolved_members: layout.unresolved.clone(),
    };
    ctx.emit(&view, &text)
}

/// The approval's signer under "T/M CHI BỘ": "BÍ THƯ", or "PHÓ BÍ THƯ" for a deputy signing
/// under a delegation.
fn signatory_of(s: &Signoff, names: &BTreeMap<MemberId, String>) -> Signatory {
    let name = names
        .get(&s.signer)
        .cloned()
        .unwrap_or_else(|| s.signer.to_string());
    match s.role {
        Role::DeputySecretary => Signatory::deputy_secretary(name),
        _ => Signatory::secretary(name),
    }
}

fn format_from_path(path: &std::path::Path) -> Result<ExportFormat> {
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
        match self {
            ExportFormat::Docx => "docx",
            ExportFormat::Html => "html",
        }
    }
}
