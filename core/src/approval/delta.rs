//! What changed between two versions of a document: since an approval, or between two
//! approvals.
//!
//! Both versions are read in place with reads at heads ([`plan::get_at`] and views at heads),
//! never by replaying history into a fork. Short fields are compared as typed values; each
//! changed field says who wrote its new value (the Automerge operation that holds it names
//! its actor, whose author is the member) — cheap, one lookup per reported item.
//!
//! # Text spans: Automerge's diff, not a string diff
//!
//! Spans in the long texts (plan purpose and implementation, draft and material bodies) come
//! from Automerge's own `diff_obj(text, from, to)`: it walks the text object's operations
//! once and reports exactly the characters inserted and deleted between the two versions —
//! what members actually typed (a word deleted and retyped identically shows as such), with
//! no quadratic worst case, and each inserted span can name its author (the operation that
//! inserted its first character). A string diff of the two texts cannot name authors, only
//! guesses an alignment, and costs O((N+M)·D): measured with the `similar` crate (Myers, on
//! characters) it takes ~4 ms for a 4,700-character section with 140 edits but ~100 ms for
//! a 20,000-character draft with 700 edits — twice the 50 ms budget on its own; on words,
//! ~24 ms with coarser spans. Automerge's diff of that draft takes ~5 ms, and the whole
//! delta ~16 ms (`core/benches/approval.rs`). So no text-diff dependency.
//!
//! The patches are checked by replaying them on the old text; if that ever failed to give
//! the new text (an Automerge quirk), or the text object is missing, the span list falls
//! back to one common-prefix/suffix replacement, which is always correct if coarse.
//!
//! Comments are read with Automerge's `hydrate` of the comments map (one walk at each
//! version), not field by field: on the bench's draft (~350 comments) that took the whole
//! delta from ~33 ms to ~16 ms.
//!
//! Positions are Unicode code points (the model's unit): `old_at` in the `from` text,
//! `new_at` in the `to` text, so a screen can mark either version.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::panic::{AssertUnwindSafe, catch_unwind};

use automerge::{ChangeHash, ObjId, ObjType, PatchAction, ROOT, ReadDoc, ScalarValue, hydrate};
use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::ids::{CommentId, DocKind, LegalBasisId, MemberId, TopicId};
use crate::model::plan::{self, AnnualPlan, LegalBasis, Topic, TopicGroup, TopicStatus};
use crate::model::text_doc::{CommentKind, ProposalStatus};
use crate::model::{Document, View, panic_message};
use crate::{Error, Result};

/// How many characters of a comment an excerpt shows.
pub const EXCERPT_CHARS: usize = 80;

/// Every key [`PlanDelta::fields`] can name (the plan's header).
pub const PLAN_FIELDS: [&str; 3] = ["title", "number", "issue_date"];
/// Every key a [`LegalBasisChange::Changed`] can name.
pub const LEGAL_BASIS_FIELDS: [&str; 3] = ["number", "date", "title"];
/// Every key [`PlanDelta::topic_fields`] can name.
pub const TOPIC_FIELDS: [&str; 11] = [
    "title",
    "group",
    "scheduled_date",
    "combined_meeting",
    "preparers",
    "presenter",
    "executive",
    "draft_deadline",
    "expected_output",
    "notes",
    "status",
];
/// Every key [`TextDocDelta::fields`] can name.
pub const TEXT_DOC_FIELDS: [&str; 2] = ["title", "description"];

/// Checks, in debug builds, that an emitted key is listed: every listed key has a Vietnamese
/// label ([`crate::labels`], whose tests walk these lists), so a key added here without one
/// fails every test that reaches it.
fn listed(keys: &[&str], field: &str) {
    debug_assert!(
        keys.contains(&field),
        "the delta emits {field:?}, which its key list (and so crate::labels) lacks"
    );
}

/// The difference between two versions of one document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delta {
    /// The older version (e.g. the approved heads).
    pub from: Vec<ChangeHash>,
    /// The newer version (the current heads when none was given).
    pub to: Vec<ChangeHash>,
    /// How many changes `to` has that `from` has not.
    pub change_count: usize,
    /// The members who made those changes, sorted.
    pub editors: Vec<MemberId>,
    /// What differs.
    pub content: DeltaContent,
}

impl Delta {
    /// Whether the two versions read the same (no reported difference).
    pub fn is_empty(&self) -> bool {
        match &self.content {
            DeltaContent::Plan(p) => p.is_empty(),
            DeltaContent::Text(t) => t.is_empty(),
            DeltaContent::Session(s) => s.fields.is_empty(),
        }
    }
}

/// The kind-specific part of a [`Delta`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeltaContent {
    /// An annual plan.
    Plan(PlanDelta),
    /// A topic draft or material.
    Text(TextDocDelta),
    /// Session minutes: which parts changed.
    Session(SessionDelta),
}

/// What changed in session minutes: the parts, by key ([`SESSION_FIELDS`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionDelta {
    /// Keys of the parts that differ, in [`SESSION_FIELDS`] order.
    pub fields: Vec<String>,
}

/// Every key [`SessionDelta::fields`] can name.
pub const SESSION_FIELDS: [&str; 19] = [
    "session_date",
    "combined_with_regular",
    "distribution",
    "started_at",
    "ended_at",
    "place",
    "chair",
    "clerk",
    "presenter",
    "attendance",
    "guests",
    "opinions",
    "purpose",
    "summary",
    "conclusion",
    "resolution",
    "votes",
    "tasks",
    "quality",
];

/// A task as assigned: id, title, owner, deadline, the proposal it adopts.
type Assigned<'a> = (
    &'a str,
    &'a str,
    &'a MemberId,
    Option<Date>,
    Option<&'a crate::model::session::SourceRef>,
);

/// What a session assigned (each task's title, owner, deadline and the proposal it adopts),
/// without the progress posted on it since: a task's owner reporting it done carries the
/// minutes out, it does not change them.
fn assigned(s: &crate::model::session::Session) -> Vec<Assigned<'_>> {
    s.tasks
        .iter()
        .map(|t| {
            (
                t.id.as_str(),
                t.title.as_str(),
                &t.owner,
                t.deadline,
                t.source.as_ref(),
            )
        })
        .collect()
}

fn session_delta(doc: &Document, from: &[ChangeHash], to: &[ChangeHash]) -> Result<SessionDelta> {
    use crate::model::session;
    let a = session::get_at(doc, from)?;
    let b = session::get_at(doc, to)?;
    let differs = |k: &str| match k {
        "session_date" => a.session_date != b.session_date,
        "combined_with_regular" => a.combined_with_regular != b.combined_with_regular,
        "distribution" => a.distribution != b.distribution,
        "started_at" => a.started_at != b.started_at,
        "ended_at" => a.ended_at != b.ended_at,
        "place" => a.place != b.place,
        "chair" => a.chair != b.chair,
        "clerk" => a.clerk != b.clerk,
        "presenter" => a.presenter != b.presenter,
        "attendance" => a.attendance != b.attendance,
        "guests" => a.guests != b.guests,
        "opinions" => a.opinions != b.opinions,
        "purpose" => a.purpose != b.purpose,
        "summary" => a.summary != b.summary,
        "conclusion" => a.conclusion != b.conclusion,
        "resolution" => a.resolution != b.resolution,
        "votes" => (a.votes_for, a.votes_against) != (b.votes_for, b.votes_against),
        "tasks" => assigned(&a) != assigned(&b),
        _ => a.quality != b.quality,
    };
    Ok(SessionDelta {
        fields: SESSION_FIELDS
            .iter()
            .filter(|k| differs(k))
            .map(|k| (*k).to_owned())
            .collect(),
    })
}

/// A field's value, typed so a screen can render names and labels.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldValue {
    /// Text.
    Text(String),
    /// A date, or none.
    Date(#[serde(with = "iso_date_opt")] Option<Date>),
    /// Yes / no.
    Bool(bool),
    /// One member, or none.
    Member(Option<MemberId>),
    /// A set of members (sorted).
    Members(Vec<MemberId>),
    /// A topic group.
    Group(TopicGroup),
    /// A topic status.
    Status(TopicStatus),
}

/// One short field changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    /// The document key ("title", "scheduled_date", "preparers", …).
    pub field: String,
    /// The value at `from`.
    pub from: FieldValue,
    /// The value at `to`.
    pub to: FieldValue,
    /// Who wrote the new value, when known.
    pub by: Option<MemberId>,
}

/// Inserted or deleted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextEditKind {
    /// Text present at `to` only.
    Inserted,
    /// Text present at `from` only.
    Deleted,
}

/// One span of a long text that differs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextEdit {
    /// Inserted or deleted.
    pub kind: TextEditKind,
    /// Where, in the `from` text (code points).
    pub old_at: usize,
    /// Where, in the `to` text (code points).
    pub new_at: usize,
    /// The span.
    pub text: String,
    /// Who typed it (insertions, when known; a deletion's author is not recorded cheaply).
    pub by: Option<MemberId>,
}

/// A topic, named.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicRef {
    /// The topic.
    pub id: TopicId,
    /// Its title (at `to`, or at `from` if gone).
    pub title: String,
    /// Who did it, when known.
    pub by: Option<MemberId>,
}

/// A topic added since `from`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicAdded {
    /// The topic.
    pub id: TopicId,
    /// Its title at `to`.
    pub title: String,
    /// Its session date at `to`.
    #[serde(with = "iso_date_opt")]
    pub scheduled_date: Option<Date>,
    /// Its index in the plan at `to`.
    pub index: usize,
    /// Who added it.
    pub by: Option<MemberId>,
}

/// A topic moved (its position was rewritten).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicMoved {
    /// The topic.
    pub id: TopicId,
    /// Its title.
    pub title: String,
    /// Index at `from`.
    pub from_index: usize,
    /// Index at `to`.
    pub to_index: usize,
    /// Who moved it.
    pub by: Option<MemberId>,
}

/// One field of one topic changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicFieldChange {
    /// The topic.
    pub topic_id: TopicId,
    /// Its title at `to`.
    pub topic_title: String,
    /// The change.
    pub change: FieldChange,
}

/// A legal basis (căn cứ), as shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegalBasisRef {
    /// The basis.
    pub id: LegalBasisId,
    /// "12-HD/BTCTW".
    pub number: String,
    /// Its date.
    #[serde(with = "iso_date_opt")]
    pub date: Option<Date>,
    /// What it is.
    pub title: String,
}

impl From<&LegalBasis> for LegalBasisRef {
    fn from(l: &LegalBasis) -> Self {
        LegalBasisRef {
            id: l.id.clone(),
            number: l.number.clone(),
            date: l.date,
            title: l.title.clone(),
        }
    }
}

/// A legal basis (căn cứ) added, removed or edited.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LegalBasisChange {
    /// New at `to`.
    Added {
        /// The basis.
        basis: LegalBasisRef,
        /// Who added it.
        by: Option<MemberId>,
    },
    /// Present at `from`, removed at `to`.
    Removed {
        /// The basis as it was.
        basis: LegalBasisRef,
        /// Who removed it.
        by: Option<MemberId>,
    },
    /// A field of it changed.
    Changed {
        /// The basis.
        id: LegalBasisId,
        /// Its number at `to`.
        number: String,
        /// The change.
        change: FieldChange,
    },
}

/// What differs in an annual plan.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanDelta {
    /// Plan header fields (title, number, issue date).
    pub fields: Vec<FieldChange>,
    /// Căn cứ.
    pub legal_bases: Vec<LegalBasisChange>,
    /// New topics, in plan order.
    pub topics_added: Vec<TopicAdded>,
    /// Topics cancelled since.
    pub topics_cancelled: Vec<TopicRef>,
    /// Topics gone from the document (only a crafted change can do that).
    pub topics_removed: Vec<TopicRef>,
    /// Topics moved.
    pub topics_moved: Vec<TopicMoved>,
    /// Field edits of topics present in both versions.
    pub topic_fields: Vec<TopicFieldChange>,
    /// I. Mục đích, yêu cầu.
    pub purpose: Vec<TextEdit>,
    /// III. Tổ chức thực hiện.
    pub implementation: Vec<TextEdit>,
}

impl PlanDelta {
    /// No difference.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
            && self.legal_bases.is_empty()
            && self.topics_added.is_empty()
            && self.topics_cancelled.is_empty()
            && self.topics_removed.is_empty()
            && self.topics_moved.is_empty()
            && self.topic_fields.is_empty()
            && self.purpose.is_empty()
            && self.implementation.is_empty()
    }
}

/// A comment, summarised.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommentNote {
    /// The comment.
    pub id: CommentId,
    /// Its author.
    pub author: MemberId,
    /// Comment or proposal.
    pub kind: CommentKind,
    /// The first [`EXCERPT_CHARS`] characters of its text.
    pub excerpt: String,
    /// The comment it replies to.
    pub reply_to: Option<CommentId>,
    /// Who did what is reported (added: the author; resolved: who resolved it; …).
    pub by: Option<MemberId>,
}

/// A proposal's status changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposalChange {
    /// The proposal.
    pub comment: CommentNote,
    /// Status at `from`.
    pub from: ProposalStatus,
    /// Status at `to`.
    pub to: ProposalStatus,
}

/// What differs in a topic draft or material.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextDocDelta {
    /// Title and description.
    pub fields: Vec<FieldChange>,
    /// The body's spans.
    pub body: Vec<TextEdit>,
    /// Comments, proposals and replies added (and not deleted again).
    pub comments_added: Vec<CommentNote>,
    /// Threads resolved.
    pub comments_resolved: Vec<CommentNote>,
    /// Threads reopened.
    pub comments_reopened: Vec<CommentNote>,
    /// Comments deleted by their authors.
    pub comments_deleted: Vec<CommentNote>,
    /// Proposals accepted, rejected, done or reopened.
    pub proposals: Vec<ProposalChange>,
    /// Files attached (attachments are never removed, so there is no list of removals).
    pub attachments_added: Vec<crate::model::text_doc::Attachment>,
}

impl TextDocDelta {
    /// No difference.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
            && self.body.is_empty()
            && self.comments_added.is_empty()
            && self.comments_resolved.is_empty()
            && self.comments_reopened.is_empty()
            && self.comments_deleted.is_empty()
            && self.proposals.is_empty()
            && self.attachments_added.is_empty()
    }
}

/// What changed in `doc` from version `from` to version `to` (`None`: the current version).
/// Works for any two versions the document holds, so it also gives the difference between
/// two approvals; errors if either version is not in the document.
pub fn delta(doc: &mut Document, from: &[ChangeHash], to: Option<&[ChangeHash]>) -> Result<Delta> {
    let from = sorted(from);
    let to = match to {
        Some(t) => sorted(t),
        None => doc.heads(),
    };
    if from.is_empty() {
        return Err(Error::InvalidInput(
            "a version needs at least one head".into(),
        ));
    }
    for heads in [&from, &to] {
        if !doc.has_all(heads) {
            return Err(Error::InvalidInput(format!(
                "this document does not contain version {}",
                heads
                    .iter()
                    .map(|h| h.to_string())
                    .collect::<Vec<_>>()
                    .join(",")
            )));
        }
    }
    let (change_count, editors) = changes_between(doc, &from, &to)?;
    let content = match doc.kind() {
        DocKind::AnnualPlan => DeltaContent::Plan(plan_delta(doc, &from, &to)?),
        DocKind::TopicDraft | DocKind::Material => {
            DeltaContent::Text(text_doc_delta(doc, &from, &to)?)
        }
        DocKind::Session => DeltaContent::Session(session_delta(doc, &from, &to)?),
        DocKind::ReadingLog => {
            return Err(Error::InvalidInput(
                "a reading log has no versions to compare".into(),
            ));
        }
    };
    Ok(Delta {
        from,
        to,
        change_count,
        editors,
        content,
    })
}

fn sorted(heads: &[ChangeHash]) -> Vec<ChangeHash> {
    let mut h = heads.to_vec();
    h.sort_unstable();
    h.dedup();
    h
}

/// Changes in `to`'s history that are not in `from`'s: all changes after `from`, minus those
/// after `to`.
fn changes_between(
    doc: &mut Document,
    from: &[ChangeHash],
    to: &[ChangeHash],
) -> Result<(usize, Vec<MemberId>)> {
    let after_from = doc.changes_after(from)?;
    let current = doc.heads();
    let after_to: HashSet<ChangeHash> = if to == current.as_slice() {
        HashSet::new()
    } else {
        doc.changes_after(to)?.into_iter().map(|(h, _)| h).collect()
    };
    let mut count = 0;
    let mut editors = Vec::new();
    for (hash, member) in after_from {
        if !after_to.contains(&hash) {
            count += 1;
            editors.extend(member);
        }
    }
    editors.sort();
    editors.dedup();
    Ok((count, editors))
}

/// The member whose operation holds the current value of `key` in `obj`.
fn setter(doc: &Document, view: View<'_>, obj: &ObjId, key: &str) -> Option<MemberId> {
    match view.get(obj, key)? {
        (_, ObjId::Id(_, actor, _)) => doc.member_of_actor(&actor),
        (_, ObjId::Root) => None,
    }
}

/// The member who created object `obj`.
fn creator(doc: &Document, obj: &ObjId) -> Option<MemberId> {
    match obj {
        ObjId::Id(_, actor, _) => doc.member_of_actor(actor),
        ObjId::Root => None,
    }
}

fn map_obj(view: View<'_>, parent: &ObjId, key: &str) -> Option<ObjId> {
    view.obj(parent, key, ObjType::Map)
}

fn plan_delta(doc: &mut Document, from: &[ChangeHash], to: &[ChangeHash]) -> Result<PlanDelta> {
    let (old, new) = (plan::get_at(doc, from)?, plan::get_at(doc, to)?);
    let mut out = PlanDelta::default();
    let purpose = text_edits(doc, "purpose", from, to, &old.purpose, &new.purpose)?;
    let implementation = text_edits(
        doc,
        "implementation",
        from,
        to,
        &old.implementation,
        &new.implementation,
    )?;
    out.purpose = purpose;
    out.implementation = implementation;
    let d: &Document = doc;
    let view = d.view_at(to)?;
    plan_fields(d, view, &old, &new, &mut out);
    legal_basis_changes(d, view, &old, &new, &mut out);
    topic_changes(d, view, &old, &new, &mut out);
    Ok(out)
}

fn plan_fields(
    d: &Document,
    view: View<'_>,
    old: &AnnualPlan,
    new: &AnnualPlan,
    out: &mut PlanDelta,
) {
    let mut push = |field: &str, from: FieldValue, to: FieldValue| {
        listed(&PLAN_FIELDS, field);
        if from != to {
            out.fields.push(FieldChange {
                field: field.into(),
                from,
                to,
                by: setter(d, view, &ROOT, field),
            });
        }
    };
    push(
        "title",
        FieldValue::Text(old.title.clone()),
        FieldValue::Text(new.title.clone()),
    );
    push(
        "number",
        FieldValue::Text(old.number.clone()),
        FieldValue::Text(new.number.clone()),
    );
    push(
        "issue_date",
        FieldValue::Date(old.issue_date),
        FieldValue::Date(new.issue_date),
    );
}

fn legal_basis_changes(
    d: &Document,
    view: View<'_>,
    old: &AnnualPlan,
    new: &AnnualPlan,
    out: &mut PlanDelta,
) {
    let section = map_obj(view, &ROOT, "legal_bases");
    let obj_of = |id: &LegalBasisId| section.as_ref().and_then(|s| map_obj(view, s, id.as_str()));
    let old_by_id: HashMap<&LegalBasisId, &LegalBasis> =
        old.legal_bases.iter().map(|l| (&l.id, l)).collect();
    let new_ids: HashSet<&LegalBasisId> = new.legal_bases.iter().map(|l| &l.id).collect();
    for l in &new.legal_bases {
        let o = obj_of(&l.id);
        match old_by_id.get(&l.id) {
            None => out.legal_bases.push(LegalBasisChange::Added {
                basis: l.into(),
                by: o.as_ref().and_then(|o| creator(d, o)),
            }),
            Some(before) => {
                let by = |key: &str| o.as_ref().and_then(|o| setter(d, view, o, key));
                let fields = [
                    (
                        "number",
                        FieldValue::Text(before.number.clone()),
                        FieldValue::Text(l.number.clone()),
                    ),
                    (
                        "date",
                        FieldValue::Date(before.date),
                        FieldValue::Date(l.date),
                    ),
                    (
                        "title",
                        FieldValue::Text(before.title.clone()),
                        FieldValue::Text(l.title.clone()),
                    ),
                ];
                for (field, from, to) in fields {
                    listed(&LEGAL_BASIS_FIELDS, field);
                    if from != to {
                        out.legal_bases.push(LegalBasisChange::Changed {
                            id: l.id.clone(),
                            number: l.number.clone(),
                            change: FieldChange {
                                field: field.into(),
                                from,
                                to,
                                by: by(field),
                            },
                        });
                    }
                }
            }
        }
    }
    for l in &old.legal_bases {
        if !new_ids.contains(&l.id) {
            let by = obj_of(&l.id).and_then(|o| setter(d, view, &o, "removed"));
            out.legal_bases.push(LegalBasisChange::Removed {
                basis: l.into(),
                by,
            });
        }
    }
}

fn topic_changes(
    d: &Document,
    view: View<'_>,
    old: &AnnualPlan,
    new: &AnnualPlan,
    out: &mut PlanDelta,
) {
    let topics = map_obj(view, &ROOT, "topics");
    let obj_of = |id: &TopicId| topics.as_ref().and_then(|t| map_obj(view, t, id.as_str()));
    let old_index: HashMap<&TopicId, (usize, &Topic)> = old
        .topics
        .iter()
        .enumerate()
        .map(|(i, t)| (&t.id, (i, t)))
        .collect();
    let new_ids: HashSet<&TopicId> = new.topics.iter().map(|t| &t.id).collect();
    for (index, t) in new.topics.iter().enumerate() {
        let o = obj_of(&t.id);
        let by = |key: &str| o.as_ref().and_then(|o| setter(d, view, o, key));
        let Some((old_i, before)) = old_index.get(&t.id).copied() else {
            out.topics_added.push(TopicAdded {
                id: t.id.clone(),
                title: t.title.clone(),
                scheduled_date: t.scheduled_date,
                index,
                by: o.as_ref().and_then(|o| creator(d, o)),
            });
            continue;
        };
        if before.position != t.position {
            out.topics_moved.push(TopicMoved {
                id: t.id.clone(),
                title: t.title.clone(),
                from_index: old_i,
                to_index: index,
                by: by("position"),
            });
        }
        if t.status == TopicStatus::Cancelled && before.status != TopicStatus::Cancelled {
            out.topics_cancelled.push(TopicRef {
                id: t.id.clone(),
                title: t.title.clone(),
                by: by("status"),
            });
        }
        let mut push = |field: &str, from: FieldValue, to: FieldValue, who: Option<MemberId>| {
            listed(&TOPIC_FIELDS, field);
            if from != to {
                out.topic_fields.push(TopicFieldChange {
                    topic_id: t.id.clone(),
                    topic_title: t.title.clone(),
                    change: FieldChange {
                        field: field.into(),
                        from,
                        to,
                        by: who,
                    },
                });
            }
        };
        let text = |s: &String| FieldValue::Text(s.clone());
        push("title", text(&before.title), text(&t.title), by("title"));
        push(
            "group",
            FieldValue::Group(before.group),
            FieldValue::Group(t.group),
            by("group"),
        );
        push(
            "scheduled_date",
            FieldValue::Date(before.scheduled_date),
            FieldValue::Date(t.scheduled_date),
            by("scheduled_date"),
        );
        push(
            "combined_meeting",
            FieldValue::Bool(before.combined_with_regular_meeting),
            FieldValue::Bool(t.combined_with_regular_meeting),
            by("combined_meeting"),
        );
        if before.preparers != t.preparers {
            // Who added the first new preparer (a removal leaves no operation to ask).
            let who = t
                .preparers
                .iter()
                .find(|m| !before.preparers.contains(m))
                .and_then(|m| {
                    let p = map_obj(view, o.as_ref()?, "preparers")?;
                    setter(d, view, &p, m.as_str())
                });
            push(
                "preparers",
                FieldValue::Members(before.preparers.clone()),
                FieldValue::Members(t.preparers.clone()),
                who,
            );
        }
        push(
            "presenter",
            FieldValue::Member(before.presenter.clone()),
            FieldValue::Member(t.presenter.clone()),
            by("presenter"),
        );
        push(
            "executive",
            FieldValue::Member(before.executive.clone()),
            FieldValue::Member(t.executive.clone()),
            by("executive"),
        );
        push(
            "draft_deadline",
            FieldValue::Date(before.draft_deadline),
            FieldValue::Date(t.draft_deadline),
            by("draft_deadline"),
        );
        push(
            "expected_output",
            text(&before.expected_output),
            text(&t.expected_output),
            by("expected_output"),
        );
        push("notes", text(&before.notes), text(&t.notes), by("notes"));
        // A cancellation is reported once, above; any other status change is a field edit.
        if t.status != TopicStatus::Cancelled || before.status == TopicStatus::Cancelled {
            push(
                "status",
                FieldValue::Status(before.status),
                FieldValue::Status(t.status),
                by("status"),
            );
        }
    }
    for t in &old.topics {
        if !new_ids.contains(&t.id) {
            out.topics_removed.push(TopicRef {
                id: t.id.clone(),
                title: t.title.clone(),
                by: None,
            });
        }
    }
}

/// A comment's fields needed for the delta (no anchor: resolving cursors is the costly part
/// of reading comments, and the delta does not show where they sit).
#[derive(Clone, Debug)]
struct CommentState {
    author: MemberId,
    kind: CommentKind,
    body: String,
    reply_to: Option<CommentId>,
    deleted: bool,
    resolved: bool,
    resolved_by: Option<MemberId>,
    status: Option<ProposalStatus>,
}

struct TextDocState {
    title: String,
    description: String,
    body: String,
    comments: BTreeMap<String, CommentState>,
    attachments: Vec<crate::model::text_doc::Attachment>,
}

fn read_text_doc(view: View<'_>) -> Result<TextDocState> {
    let body = view
        .obj(&ROOT, "body", ObjType::Text)
        .ok_or_else(|| Error::InvalidDocument("the document has no body text".into()))?;
    Ok(TextDocState {
        title: view.str(&ROOT, "title").unwrap_or_default(),
        description: view.str(&ROOT, "description").unwrap_or_default(),
        body: view.text(&body),
        comments: read_comments(view)?,
        attachments: crate::model::text_doc::read_attachments(view),
    })
}

/// Every comment at the view's version, read in one pass with Automerge's `hydrate` (one
/// walk of the comments map instead of nine `get`s a comment; see the module docs).
fn read_comments(view: View<'_>) -> Result<BTreeMap<String, CommentState>> {
    let mut comments = BTreeMap::new();
    let Some(cs) = map_obj(view, &ROOT, "comments") else {
        return Ok(comments);
    };
    let (doc, heads) = (view.doc(), view.heads());
    let hydrated = catch_unwind(AssertUnwindSafe(|| doc.hydrate(&cs, heads))).map_err(|p| {
        Error::InvalidDocument(format!(
            "reading the comments panicked: {}",
            panic_message(&p)
        ))
    })??;
    let hydrate::Value::Map(map) = hydrated else {
        return Ok(comments);
    };
    for (key, entry) in map.iter() {
        let hydrate::Value::Map(c) = &entry.value else {
            continue;
        };
        let text = |k: &str| match c.get(k) {
            Some(hydrate::Value::Scalar(ScalarValue::Str(s))) => Some(s.to_string()),
            _ => None,
        };
        let non_empty = |k: &str| text(k).filter(|s| !s.is_empty());
        let flag = |k: &str| {
            matches!(
                c.get(k),
                Some(hydrate::Value::Scalar(ScalarValue::Boolean(true)))
            )
        };
        let kind = match text("kind").as_deref() {
            Some("proposal") => CommentKind::Proposal,
            _ => CommentKind::Comment,
        };
        let state = CommentState {
            author: MemberId::new(text("author").unwrap_or_default()),
            kind,
            body: text("body").unwrap_or_default(),
            reply_to: non_empty("reply_to").map(CommentId::new),
            deleted: flag("deleted"),
            resolved: flag("resolved"),
            resolved_by: non_empty("resolved_by").map(MemberId::new),
            status: (kind == CommentKind::Proposal).then(|| {
                text("status")
                    .and_then(|s| ProposalStatus::parse(&s).ok())
                    .unwrap_or(ProposalStatus::Open)
            }),
        };
        comments.insert(key.clone(), state);
    }
    Ok(comments)
}

fn excerpt(s: &str) -> String {
    let mut out: String = s.chars().take(EXCERPT_CHARS).collect();
    if s.chars().nth(EXCERPT_CHARS).is_some() {
        out.push('…');
    }
    out
}

fn note(id: &str, c: &CommentState, text: &str, by: Option<MemberId>) -> CommentNote {
    CommentNote {
        id: CommentId::new(id),
        author: c.author.clone(),
        kind: c.kind,
        excerpt: excerpt(text),
        reply_to: c.reply_to.clone(),
        by,
    }
}

fn text_doc_delta(
    doc: &mut Document,
    from: &[ChangeHash],
    to: &[ChangeHash],
) -> Result<TextDocDelta> {
    let old = read_text_doc(doc.view_at(from)?)?;
    let new = read_text_doc(doc.view_at(to)?)?;
    let mut out = TextDocDelta {
        body: text_edits(doc, "body", from, to, &old.body, &new.body)?,
        attachments_added: new
            .attachments
            .iter()
            .filter(|a| !old.attachments.iter().any(|o| o.sha256 == a.sha256))
            .cloned()
            .collect(),
        ..TextDocDelta::default()
    };
    let d: &Document = doc;
    let view = d.view_at(to)?;
    for (field, a, b) in [
        ("title", &old.title, &new.title),
        ("description", &old.description, &new.description),
    ] {
        listed(&TEXT_DOC_FIELDS, field);
        if a != b {
            out.fields.push(FieldChange {
                field: field.into(),
                from: FieldValue::Text(a.clone()),
                to: FieldValue::Text(b.clone()),
                by: setter(d, view, &ROOT, field),
            });
        }
    }
    for (id, c) in &new.comments {
        match old.comments.get(id) {
            None => {
                if !c.deleted {
                    out.comments_added
                        .push(note(id, c, &c.body, Some(c.author.clone())));
                    if c.resolved {
                        out.comments_resolved
                            .push(note(id, c, &c.body, c.resolved_by.clone()));
                    }
                }
            }
            Some(before) => {
                if c.deleted && !before.deleted {
                    out.comments_deleted.push(note(
                        id,
                        before,
                        &before.body,
                        Some(c.author.clone()),
                    ));
                    continue;
                }
                if c.resolved && !before.resolved {
                    out.comments_resolved
                        .push(note(id, c, &c.body, c.resolved_by.clone()));
                }
                if !c.resolved && before.resolved {
                    out.comments_reopened.push(note(id, c, &c.body, None));
                }
                if let (Some(a), Some(b)) = (before.status, c.status) {
                    if a != b {
                        out.proposals.push(ProposalChange {
                            comment: note(id, c, &c.body, None),
                            from: a,
                            to: b,
                        });
                    }
                }
            }
        }
    }
    for (id, before) in &old.comments {
        if !before.deleted && !new.comments.contains_key(id) {
            out.comments_deleted
                .push(note(id, before, &before.body, None));
        }
    }
    Ok(out)
}

/// The spans that differ in text object `key` of the root between `from` and `to`; `old`
/// and `new` are its contents at those versions.
fn text_edits(
    doc: &mut Document,
    key: &str,
    from: &[ChangeHash],
    to: &[ChangeHash],
    old: &str,
    new: &str,
) -> Result<Vec<TextEdit>> {
    if old == new {
        return Ok(Vec::new());
    }
    let Some(obj) = doc.view().obj(&ROOT, key, ObjType::Text) else {
        return Ok(coarse_edits(old, new));
    };
    let patches = doc.object_patches(&obj, from, to)?;
    let old_chars: Vec<char> = old.chars().collect();
    let Some(mut edits) = edits_from_patches(&obj, &patches, &old_chars, new) else {
        return Ok(coarse_edits(old, new));
    };
    // Who typed each inserted span: the operation that inserted its first character.
    let d: &Document = doc;
    let view = d.view_at(to)?;
    for e in edits
        .iter_mut()
        .filter(|e| e.kind == TextEditKind::Inserted)
    {
        let op = match view.heads() {
            Some(h) => view.doc().get_at(&obj, e.new_at, h),
            None => view.doc().get(&obj, e.new_at),
        };
        if let Ok(Some((_, ObjId::Id(_, actor, _)))) = op {
            e.by = d.member_of_actor(&actor);
        }
    }
    Ok(edits)
}

/// Turns Automerge's patches (each at an index of the text as already patched) into spans
/// with positions in both versions. `None` if they do not turn `old` into `new` exactly or
/// are not in left-to-right order: the caller then falls back to [`coarse_edits`].
fn edits_from_patches(
    obj: &ObjId,
    patches: &[automerge::Patch],
    old: &[char],
    new: &str,
) -> Option<Vec<TextEdit>> {
    let mut edits = Vec::new();
    // The text as patched so far: new[..cursor] followed by old[old_pos..], tracked without
    // copying: `shift` = new index − old index past the last patch.
    let mut shift: isize = 0;
    let mut rebuilt = String::with_capacity(new.len());
    let mut old_pos = 0usize; // old chars consumed into `rebuilt`
    let mut last_new = 0usize;
    for p in patches {
        if &p.obj != obj {
            return None;
        }
        match &p.action {
            PatchAction::SpliceText { index, value, .. } => {
                let text = value.make_string();
                let n = text.chars().count();
                let old_at = index.checked_add_signed(-shift)?;
                if *index < last_new || old_at < old_pos || old_at > old.len() {
                    return None;
                }
                rebuilt.extend(old.get(old_pos..old_at)?);
                rebuilt.push_str(&text);
                old_pos = old_at;
                last_new = index + n;
                shift += isize::try_from(n).ok()?;
                edits.push(TextEdit {
                    kind: TextEditKind::Inserted,
                    old_at,
                    new_at: *index,
                    text,
                    by: None,
                });
            }
            PatchAction::DeleteSeq { index, length } => {
                let old_at = index.checked_add_signed(-shift)?;
                if *index < last_new || old_at < old_pos {
                    return None;
                }
                let end = old_at.checked_add(*length)?;
                rebuilt.extend(old.get(old_pos..old_at)?);
                let text: String = old.get(old_at..end)?.iter().collect();
                old_pos = end;
                last_new = *index;
                shift -= isize::try_from(*length).ok()?;
                edits.push(TextEdit {
                    kind: TextEditKind::Deleted,
                    old_at,
                    new_at: *index,
                    text,
                    by: None,
                });
            }
            _ => return None,
        }
    }
    rebuilt.extend(old.get(old_pos..)?);
    (rebuilt == new).then_some(edits)
}

/// One deletion and/or one insertion covering everything between the common prefix and the
/// common suffix of the two texts. Always correct, never fine-grained.
fn coarse_edits(old: &str, new: &str) -> Vec<TextEdit> {
    let a: Vec<char> = old.chars().collect();
    let b: Vec<char> = new.chars().collect();
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let mut out = Vec::new();
    if a.len() - suffix > prefix {
        out.push(TextEdit {
            kind: TextEditKind::Deleted,
            old_at: prefix,
            new_at: prefix,
            text: a[prefix..a.len() - suffix].iter().collect(),
            by: None,
        });
    }
    if b.len() - suffix > prefix {
        out.push(TextEdit {
            kind: TextEditKind::Inserted,
            old_at: a.len() - suffix,
            new_at: prefix,
            text: b[prefix..b.len() - suffix].iter().collect(),
            by: None,
        });
    }
    out
}

/// `Option<Date>` as an ISO string or none, through `serialize_some` so that formats that
/// are not self-describing (postcard) can read it back. (`crate::date::serde_opt` writes a
/// bare string for `Some`, which JSON accepts but postcard cannot decode.)
mod iso_date_opt {
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::date::{self, Date};

    pub fn serialize<S: Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_some(&date::format(*d)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|s| date::parse(&s).map_err(serde::de::Error::custom))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// Applies spans (insertions at `new_at`, deletions at `old_at`) and checks they turn
    /// `old` into `new`.
    fn apply(old: &str, edits: &[TextEdit]) -> String {
        let a: Vec<char> = old.chars().collect();
        let mut out = String::new();
        let mut pos = 0;
        for e in edits {
            out.extend(&a[pos..e.old_at]);
            pos = e.old_at;
            match e.kind {
                TextEditKind::Inserted => out.push_str(&e.text),
                TextEditKind::Deleted => pos += e.text.chars().count(),
            }
        }
        out.extend(&a[pos..]);
        out
    }

    #[test]
    fn test_coarse_edits_cover_the_middle() {
        let e = coarse_edits("Nâng cao chất lượng", "Nâng cao hiệu quả chất lượng");
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].kind, TextEditKind::Inserted);
        assert_eq!(e[0].text, "hiệu quả ");
        assert_eq!(
            apply("Nâng cao chất lượng", &e),
            "Nâng cao hiệu quả chất lượng"
        );
        let e = coarse_edits("abcXYZdef", "abcQdef");
        assert_eq!(e.len(), 2);
        assert_eq!(
            (e[0].kind, e[0].text.as_str(), e[0].old_at),
            (TextEditKind::Deleted, "XYZ", 3)
        );
        assert_eq!(
            (e[1].kind, e[1].text.as_str(), e[1].new_at),
            (TextEditKind::Inserted, "Q", 3)
        );
        assert_eq!(apply("abcXYZdef", &e), "abcQdef");
        assert!(coarse_edits("same", "same").is_empty());
        let e = coarse_edits("", "mới");
        assert_eq!(apply("", &e), "mới");
        let e = coarse_edits("aaa", "aa");
        assert_eq!(apply("aaa", &e), "aa");
    }

    #[test]
    fn test_patches_that_do_not_rebuild_the_text_are_refused() {
        use crate::ids::{BranchId, DocKind, MemberId, TopicId};
        use crate::model::Editor;
        use crate::model::text_doc::{self, NewTextDoc};
        let e = Editor {
            member: MemberId::new("m-ung"),
            time: 1,
        };
        let mut doc = text_doc::create(
            &NewTextDoc {
                kind: DocKind::TopicDraft,
                branch_id: BranchId::new("b"),
                plan_id: None,
                topic_id: Some(TopicId::new("t")),
                title: "Dự thảo".into(),
                description: String::new(),
                body: "Chi bộ họp định kỳ.".into(),
            },
            &e,
        )
        .unwrap();
        let from = doc.heads();
        text_doc::splice_body(&mut doc, &e, 0, 0, "Hằng tháng, ").unwrap();
        text_doc::splice_body(&mut doc, &e, 20, 0, " đúng hạn").unwrap();
        let to = doc.heads();
        let obj = doc.view().obj(&ROOT, "body", ObjType::Text).unwrap();
        let patches = doc.object_patches(&obj, &from, &to).unwrap();
        let old: Vec<char> = "Chi bộ họp định kỳ.".chars().collect();
        let new = text_doc::get(&doc).unwrap().body;
        let edits = edits_from_patches(&obj, &patches, &old, &new).unwrap();
        assert_eq!(edits.len(), 2, "{edits:?}");
        assert_eq!(apply("Chi bộ họp định kỳ.", &edits), new);
        // Another old text, another new text, another object: refused, never a panic.
        let wrong: Vec<char> = "ngắn".chars().collect();
        assert!(edits_from_patches(&obj, &patches, &wrong, &new).is_none());
        assert!(edits_from_patches(&obj, &patches, &old, "khác").is_none());
        assert!(edits_from_patches(&ObjId::Root, &patches, &old, &new).is_none());
        // …and text_edits falls back to the coarse form when given a mismatching pair.
        let coarse = text_edits(&mut doc, "body", &from, &to, "ngắn", &new).unwrap();
        assert_eq!(apply("ngắn", &coarse), new);
        assert!(coarse.len() <= 2);
    }

    #[test]
    fn test_excerpt_cuts_on_characters() {
        let long = "ệ".repeat(EXCERPT_CHARS + 5);
        let e = excerpt(&long);
        assert_eq!(e.chars().count(), EXCERPT_CHARS + 1);
        assert!(e.ends_with('…'));
        assert_eq!(excerpt("ngắn"), "ngắn");
    }
}
