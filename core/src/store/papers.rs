//! Official papers from the store: the annual plan, the minutes and a member's evidence sheet,
//! as DOCX or HTML ([`crate::render`]), for the CLI and the phones alike.
//!
//! Why here and not in each caller: which version a paper shows is a rule, not a display
//! choice. The plan is rendered as the approval in force signed it (its signer under "T/M CHI
//! BỘ"), the minutes as chair and clerk adopted them; with nothing in force — or when asked
//! for this device's version — the paper is marked "DỰ THẢO". Names come from the signed
//! directory, then the local member list; the branch's and the committee's names from the
//! signed directory unless given.

use std::collections::BTreeMap;

use super::Store;
use super::sessions::today_vn;
use crate::approval::{Adoption, Invalid, Signoff, SignoffId, Status};
use crate::ids::{BranchId, DocId, MemberId};
use crate::model::now_unix;
use crate::model::plan::TopicStatus;
use crate::org::{Member, MemberStatus, Role};
use crate::protocol::Directory;
use crate::render::{self, Layout, RenderContext, Signatory};
use crate::{Error, Result};

/// What a paper is written as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PaperFormat {
    /// A Word document (A4, Times New Roman), to print, sign and file.
    Docx,
    /// One self-contained HTML page that prints on A4.
    Html,
}

impl PaperFormat {
    /// "docx" / "html" (also the file extension).
    pub fn name(self) -> &'static str {
        match self {
            PaperFormat::Docx => "docx",
            PaperFormat::Html => "html",
        }
    }

    /// The media type, for the app that opens or shares it.
    pub fn mime(self) -> &'static str {
        match self {
            PaperFormat::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            PaperFormat::Html => "text/html; charset=utf-8",
        }
    }

    fn write(self, layout: &Layout) -> Result<Vec<u8>> {
        Ok(match self {
            PaperFormat::Docx => render::docx::write(layout)?,
            PaperFormat::Html => render::html::write(layout).into_bytes(),
        })
    }
}

/// How to write a paper.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaperOptions {
    /// DOCX or HTML.
    pub format: PaperFormat,
    /// This device's version even when an approval or adoption is in force (marked "DỰ
    /// THẢO" unless it is exactly the signed one).
    pub current: bool,
    /// The place in the dateline ("Quảng Ninh"); empty leaves dots to fill in by hand.
    pub place: String,
    /// The committee's name; default: the signed directory's.
    pub committee_name: Option<String>,
    /// The branch's name; default: the signed directory's.
    pub branch_name: Option<String>,
    /// The plan's signer's name, instead of the approval's signer or the branch's secretary.
    pub signer: Option<String>,
    /// Further recipients of the plan ("Các đồng chí đảng viên trong chi bộ").
    pub recipients: Vec<String>,
}

impl PaperOptions {
    /// Defaults for `format`: the signed version, names from the directory.
    pub fn new(format: PaperFormat) -> Self {
        PaperOptions {
            format,
            current: false,
            place: String::new(),
            committee_name: None,
            branch_name: None,
            signer: None,
            recipients: Vec::new(),
        }
    }
}

/// A paper, written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Paper {
    /// The file's bytes.
    pub bytes: Vec<u8>,
    /// Its format.
    pub format: PaperFormat,
    /// What it is (the plan's title, the session's title, the member's name).
    pub title: String,
    /// The version as approved (plan) or adopted (minutes); `false`: marked "DỰ THẢO". An
    /// evidence sheet is never official: it is a proposal for the branch's vote.
    pub official: bool,
    /// The approval whose signer signs the plan, if any.
    pub approval_id: Option<SignoffId>,
    /// An approval is in force but this device's version differs from it (the plan).
    pub changed_since_approval: bool,
    /// Who signs under "T/M CHI BỘ" (the plan), else empty.
    pub signer: String,
    /// Topics in the plan (not cancelled), tasks in the minutes, categories on a sheet.
    pub items: usize,
    /// Member ids shown as ids because no directory names them (sync first).
    pub unresolved_members: Vec<MemberId>,
}

impl Paper {
    /// The file name to offer: its title (never a path) and the format's extension.
    pub fn file_name(&self) -> String {
        format!(
            "{}.{}",
            crate::text::file_name_safe(self.title.trim()),
            self.format.name()
        )
    }
}

/// Names for a paper: the signed directory, then the local member list.
struct Org {
    dir: Option<Directory>,
    names: BTreeMap<MemberId, String>,
    members: Vec<Member>,
    branch_name: String,
    committee_name: String,
}

impl Store {
    fn paper_org(&self, branch: &BranchId, opts: &PaperOptions) -> Result<Org> {
        let dir = match self.directory() {
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
        let members = self.members()?;
        for m in &members {
            names.insert(m.id.clone(), m.full_name.clone());
        }
        let branch_name = match &opts.branch_name {
            Some(n) => n.clone(),
            None => dir
                .as_ref()
                .and_then(|d| d.branches.iter().find(|b| &b.id == branch))
                .map(|b| b.name.clone())
                .ok_or_else(|| {
                    Error::InvalidInput(format!(
                        "the name of branch {branch} is not known on this device (it comes with the member directory at the next sync; or give the branch's name)"
                    ))
                })?,
        };
        let committee_name = match &opts.committee_name {
            Some(n) => n.clone(),
            None => dir
                .as_ref()
                .map(|d| d.committee_name.clone())
                .filter(|n| !n.trim().is_empty())
                .ok_or_else(|| {
                    Error::InvalidInput(
                        "the committee's name is not known on this device (it comes with the member directory at the next sync; or give the committee's name)"
                            .into(),
                    )
                })?,
        };
        Ok(Org {
            dir,
            names,
            members,
            branch_name,
            committee_name,
        })
    }

    /// The annual plan as the official paper: the version the approval in force signed, with
    /// its signer; with no approval in force (or `current`), this device's version, marked
    /// "DỰ THẢO" unless it is exactly the approved one, signed by the branch's secretary as
    /// the directory names them. `InvalidInput` when the signed version is not on this device
    /// yet (sync first) or the branch's or committee's name is not known.
    pub fn plan_paper(&mut self, id: &DocId, opts: &PaperOptions) -> Result<Paper> {
        let status = self.approval_status(id)?;
        let in_force = status.approval_in_force().cloned();
        // This device's version is exactly the approved one.
        let exact = matches!(status, Status::Approved { .. });
        let approval = if opts.current { None } else { in_force.clone() };
        // Whose signature the paper carries: the approval rendered, or the one that covers
        // exactly the current version.
        let signed_by = approval.clone().or(if exact { in_force } else { None });
        let plan = match &approval {
            Some(s) => {
                if let Err(Invalid::HeadsUnknown { .. }) = self.verify_signoff(s)? {
                    return Err(Error::InvalidInput(
                        "this device does not hold the approved version yet (sync first), or write this device's version as a draft"
                            .into(),
                    ));
                }
                self.plan_at(id, &s.change_hashes())?
            }
            None => self.plan(id)?,
        };
        let o = self.paper_org(&plan.branch_id, opts)?;
        let signatory = match (&opts.signer, &signed_by) {
            (Some(name), _) => Signatory::secretary(name),
            (None, Some(s)) => signatory_of(s, &o.names),
            (None, None) => Signatory::secretary(secretary_of(&o, &plan.branch_id)),
        };
        let rctx = RenderContext {
            committee_name: o.committee_name,
            branch_name: o.branch_name,
            place: opts.place.clone(),
            signatory,
            names: o.names,
            draft: signed_by.is_none(),
            extra_recipients: opts.recipients.clone(),
        };
        let layout = render::plan::layout(&plan, &rctx);
        Ok(Paper {
            bytes: opts.format.write(&layout)?,
            format: opts.format,
            title: if plan.title.trim().is_empty() {
                format!("Kế hoạch {}", plan.number).trim().to_owned()
            } else {
                plan.title.clone()
            },
            official: signed_by.is_some(),
            approval_id: signed_by.as_ref().map(Signoff::id),
            changed_since_approval: approval.is_some() && !exact,
            signer: rctx.signatory.name.clone(),
            items: plan
                .topics
                .iter()
                .filter(|t| t.status != TopicStatus::Cancelled)
                .count(),
            unresolved_members: layout.unresolved,
        })
    }

    /// The minutes as the official paper: the version chair and clerk adopted, else (or with
    /// `current`) this device's version marked "DỰ THẢO".
    pub fn minutes_paper(&mut self, id: &DocId, opts: &PaperOptions) -> Result<Paper> {
        let adopted_heads = match self.minutes_adoption(id)? {
            Adoption::Adopted { chair, .. } | Adoption::AdoptedWithChanges { chair, .. }
                if !opts.current =>
            {
                Some(chair.change_hashes())
            }
            _ => None,
        };
        let session = match &adopted_heads {
            Some(h) => self.session_at(id, h)?,
            None => self.session(id)?,
        };
        let o = self.paper_org(&session.branch_id, opts)?;
        let of_branch = |st: MemberStatus| {
            o.members
                .iter()
                .filter(|m| m.branch_id == session.branch_id && m.status == st)
                .count() as u32
        };
        let mctx = render::minutes::MinutesContext {
            full_members: of_branch(MemberStatus::Full),
            probationary_members: of_branch(MemberStatus::Probationary),
            grid: self.quality_grid()?,
        };
        let rctx = RenderContext {
            committee_name: o.committee_name,
            branch_name: o.branch_name,
            place: opts.place.clone(),
            names: o.names,
            draft: adopted_heads.is_none(),
            ..RenderContext::default()
        };
        let layout = render::minutes::layout(&session, &rctx, &mctx);
        Ok(Paper {
            bytes: opts.format.write(&layout)?,
            format: opts.format,
            title: session.title.clone(),
            official: adopted_heads.is_some(),
            approval_id: None,
            changed_since_approval: false,
            signer: String::new(),
            items: session.tasks.len(),
            unresolved_members: layout.unresolved,
        })
    }

    /// A member's printable evidence sheet for `year` (as of now): every category with its
    /// count, suggested points and evidence, and the notice that it is a proposal for the
    /// branch's vote. `InvalidInput` for a member the directory here does not list.
    pub fn evidence_sheet(
        &mut self,
        member: &MemberId,
        year: i32,
        opts: &PaperOptions,
    ) -> Result<Paper> {
        let m = self
            .members()?
            .into_iter()
            .find(|m| &m.id == member)
            .ok_or_else(|| {
                Error::InvalidInput(format!(
                    "{member} is not in the member directory here (sync first)"
                ))
            })?;
        let r = self.participation_evidence(Some(&m.branch_id), year, now_unix())?;
        let e = r.member(&m.id).ok_or_else(|| {
            Error::InvalidInput(format!(
                "{} has no evidence in branch {}",
                m.id, m.branch_id
            ))
        })?;
        // The sheet names its committee and branch when they are known; it is not refused
        // without them (it is a working paper, not an official one).
        let o = self.paper_org(&m.branch_id, opts);
        let (committee_name, branch_name) = match &o {
            Ok(o) => (o.committee_name.clone(), o.branch_name.clone()),
            Err(_) => (
                opts.committee_name.clone().unwrap_or_default(),
                opts.branch_name.clone().unwrap_or_default(),
            ),
        };
        let rctx = RenderContext {
            committee_name,
            branch_name,
            ..RenderContext::default()
        };
        let layout = render::evidence::layout(e, year, &r.weights, &rctx, today_vn());
        Ok(Paper {
            bytes: opts.format.write(&layout)?,
            format: opts.format,
            title: e.name.clone(),
            official: false,
            approval_id: None,
            changed_since_approval: false,
            signer: String::new(),
            items: e.figures.len(),
            unresolved_members: layout.unresolved,
        })
    }
}

/// The branch's secretary, as the local list, then the directory, names them.
fn secretary_of(o: &Org, branch: &BranchId) -> String {
    o.members
        .iter()
        .find(|m| m.role == Role::Secretary && &m.branch_id == branch)
        .map(|m| m.full_name.clone())
        .or_else(|| {
            o.dir.as_ref().and_then(|d| {
                d.members
                    .iter()
                    .find(|m| {
                        m.active
                            && m.role == Role::Secretary
                            && m.branch_id.as_ref() == Some(branch)
                    })
                    .map(|m| m.full_name.clone())
            })
        })
        .unwrap_or_default()
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
