//! The annual thematic plan (kế hoạch sinh hoạt chuyên đề năm …).
//!
//! Document layout (root map):
//! ```text
//! doc_id, kind = "annual_plan", schema_version
//! branch_id, year (int), title, number ("01-KH/CB"), issue_date ("YYYY-MM-DD" | "")
//! purpose: Text            — I. Mục đích, yêu cầu (collaborative)
//! implementation: Text     — III. Tổ chức thực hiện (collaborative)
//! legal_bases: { <id>: { number, date, title, position, removed } }
//! topics: { <id>: { title, group, scheduled_date, combined_meeting, preparers: { <member>: true },
//!                   presenter, executive, draft_deadline, expected_output, notes, status,
//!                   position, created_by } }
//! ```
//! Topics are never deleted (cancelling sets `status`), so a concurrent edit to a topic can
//! never be lost to a delete.

use automerge::{AutoCommit, ObjId, ObjType, ROOT, transaction::Transactable};

use super::{Document, Editor, View, position, put_map, put_str, put_text, splice_nfc};
use crate::date::{self, Date};
use crate::ids::{BranchId, DocId, DocKind, LegalBasisId, MemberId, TopicId};
use crate::text::nfc;
use crate::{Error, Result};

mod types;

pub use types::*;

/// Creates a new plan document.
pub fn create(new: &NewPlan, editor: &Editor) -> Result<Document> {
    if new.year < 2000 || new.year > 2200 {
        return Err(Error::InvalidInput(format!(
            "{} is not a plan year",
            new.year
        )));
    }
    if new.branch_id.as_str().is_empty() {
        return Err(Error::InvalidInput("a plan needs a branch".into()));
    }
    let title = if new.title.trim().is_empty() {
        format!("Kế hoạch sinh hoạt chuyên đề năm {}", new.year)
    } else {
        new.title.clone()
    };
    Document::create(DocId::random(), DocKind::AnnualPlan, editor, |doc| {
        put_str(doc, &ROOT, "branch_id", new.branch_id.as_str())?;
        doc.put(ROOT, "year", new.year as i64)?;
        put_str(doc, &ROOT, "title", title.trim())?;
        put_str(doc, &ROOT, "number", new.number.trim())?;
        put_str(
            doc,
            &ROOT,
            "issue_date",
            &new.issue_date.map(date::format).unwrap_or_default(),
        )?;
        put_text(doc, &ROOT, "purpose", &new.purpose)?;
        put_text(doc, &ROOT, "implementation", &new.implementation)?;
        put_map(doc, &ROOT, "legal_bases")?;
        put_map(doc, &ROOT, "topics")?;
        Ok(())
    })
}

fn expect_plan(doc: &Document) -> Result<()> {
    if doc.kind() != DocKind::AnnualPlan {
        return Err(Error::WrongKind {
            id: doc.id().to_string(),
            expected: "annual_plan",
            actual: doc.kind().to_string(),
        });
    }
    Ok(())
}

fn section(doc: &AutoCommit, key: &str) -> Result<ObjId> {
    View::new(doc, None)
        .obj(
            &ROOT,
            key,
            if matches!(key, "purpose" | "implementation") {
                ObjType::Text
            } else {
                ObjType::Map
            },
        )
        .ok_or_else(|| Error::InvalidDocument(format!("the plan has no {key}")))
}

fn topic_obj(doc: &AutoCommit, topic: &TopicId) -> Result<ObjId> {
    let topics = section(doc, "topics")?;
    View::new(doc, None)
        .obj(&topics, topic.as_str(), ObjType::Map)
        .ok_or_else(|| Error::TopicNotFound(topic.to_string()))
}

fn non_empty(what: &str, s: &str) -> Result<String> {
    let s = nfc(s.trim());
    if s.is_empty() {
        return Err(Error::InvalidInput(format!("{what} must not be empty")));
    }
    Ok(s)
}

/// Reads the whole plan (at the view's version).
pub(crate) fn read(doc: &Document, view: View<'_>) -> Result<AnnualPlan> {
    expect_plan(doc)?;
    let text_of = |key: &str| {
        view.obj(&ROOT, key, ObjType::Text)
            .map(|o| view.text(&o))
            .unwrap_or_default()
    };
    let mut legal_bases = Vec::new();
    if let Some(lb) = view.obj(&ROOT, "legal_bases", ObjType::Map) {
        for key in view.keys(&lb) {
            let Some(o) = view.obj(&lb, &key, ObjType::Map) else {
                continue;
            };
            if view.bool(&o, "removed").unwrap_or(false) {
                continue;
            }
            let pos = view.str(&o, "position").unwrap_or_default();
            legal_bases.push((
                pos,
                LegalBasis {
                    id: LegalBasisId::new(&key),
                    number: view.str(&o, "number").unwrap_or_default(),
                    date: view.opt_str(&o, "date").and_then(|d| date::parse(&d).ok()),
                    title: view.str(&o, "title").unwrap_or_default(),
                },
            ));
        }
    }
    legal_bases.sort_by(|a, b| (&a.0, &a.1.id).cmp(&(&b.0, &b.1.id)));
    let mut topics = Vec::new();
    if let Some(t) = view.obj(&ROOT, "topics", ObjType::Map) {
        for key in view.keys(&t) {
            if let Some(o) = view.obj(&t, &key, ObjType::Map) {
                topics.push(read_topic(view, &o, TopicId::new(&key)));
            }
        }
    }
    topics.sort_by(|a, b| (&a.position, &a.id).cmp(&(&b.position, &b.id)));
    Ok(AnnualPlan {
        id: doc.id().clone(),
        branch_id: BranchId::new(view.str(&ROOT, "branch_id").unwrap_or_default()),
        year: view.i64(&ROOT, "year").unwrap_or_default() as i32,
        title: view.str(&ROOT, "title").unwrap_or_default(),
        number: view.str(&ROOT, "number").unwrap_or_default(),
        issue_date: view
            .opt_str(&ROOT, "issue_date")
            .and_then(|d| date::parse(&d).ok()),
        legal_bases: legal_bases.into_iter().map(|(_, l)| l).collect(),
        purpose: text_of("purpose"),
        implementation: text_of("implementation"),
        topics,
    })
}

fn read_topic(view: View<'_>, o: &ObjId, id: TopicId) -> Topic {
    let opt_date = |k: &str| view.opt_str(o, k).and_then(|d| date::parse(&d).ok());
    let mut preparers: Vec<MemberId> = view
        .obj(o, "preparers", ObjType::Map)
        .map(|p| view.keys(&p).into_iter().map(MemberId::new).collect())
        .unwrap_or_default();
    preparers.sort();
    Topic {
        id,
        title: view.str(o, "title").unwrap_or_default(),
        group: view
            .str(o, "group")
            .and_then(|g| TopicGroup::parse(&g).ok())
            .unwrap_or(TopicGroup::PartyBuilding),
        scheduled_date: opt_date("scheduled_date"),
        combined_with_regular_meeting: view.bool(o, "combined_meeting").unwrap_or(false),
        preparers,
        presenter: view.opt_str(o, "presenter").map(MemberId::new),
        executive: view.opt_str(o, "executive").map(MemberId::new),
        draft_deadline: opt_date("draft_deadline"),
        expected_output: view.str(o, "expected_output").unwrap_or_default(),
        notes: view.str(o, "notes").unwrap_or_default(),
        status: view
            .str(o, "status")
            .and_then(|s| TopicStatus::parse(&s).ok())
            .unwrap_or(TopicStatus::Planned),
        position: view.str(o, "position").unwrap_or_default(),
    }
}

/// Reads the plan at its current version.
pub fn get(doc: &Document) -> Result<AnnualPlan> {
    read(doc, doc.view())
}

/// Reads the plan exactly as it was at `heads`.
pub fn get_at(doc: &Document, heads: &[automerge::ChangeHash]) -> Result<AnnualPlan> {
    read(doc, doc.view_at(heads)?)
}

fn ordered_positions(doc: &AutoCommit, except: Option<&TopicId>) -> Result<Vec<String>> {
    let topics = section(doc, "topics")?;
    let view = View::new(doc, None);
    let mut all: Vec<(String, String)> = view
        .keys(&topics)
        .into_iter()
        .filter(|k| except.is_none_or(|e| e.as_str() != k))
        .filter_map(|k| {
            let o = view.obj(&topics, &k, ObjType::Map)?;
            Some((view.str(&o, "position").unwrap_or_default(), k))
        })
        .collect();
    all.sort();
    Ok(all.into_iter().map(|(p, _)| p).collect())
}

fn position_at(positions: &[String], index: usize) -> String {
    let index = index.min(positions.len());
    let lo = index.checked_sub(1).map(|i| positions[i].as_str());
    // Two phones may have given topics the same position: the upper neighbour is the first
    // position after `index` that is strictly greater than `lo`.
    let hi = positions[index..]
        .iter()
        .map(String::as_str)
        .find(|p| lo.is_none_or(|lo| *p > lo));
    position::between(lo, hi)
        .or_else(|| position::between(lo, None))
        .unwrap_or_else(|| "z".into())
}

/// Adds a topic at the end of the plan.
pub fn add_topic(doc: &mut Document, editor: &Editor, new: &NewTopic) -> Result<TopicId> {
    expect_plan(doc)?;
    let title = non_empty("the topic title", &new.title)?;
    let year = get(doc)?.year;
    let scheduled = match new.scheduled_date {
        Some(d) => d,
        None => date::day_of_month(year, new.month, 3)?,
    };
    let id = TopicId::random();
    doc.transact(editor, "topic.add", |d| {
        let topics = section(d, "topics")?;
        let positions = ordered_positions(d, None)?;
        let pos = position_at(&positions, positions.len());
        let t = put_map(d, &topics, id.as_str())?;
        put_str(d, &t, "title", &title)?;
        put_str(d, &t, "group", new.group.as_str())?;
        put_str(d, &t, "scheduled_date", &date::format(scheduled))?;
        d.put(&t, "combined_meeting", new.combined_with_regular_meeting)?;
        let p = put_map(d, &t, "preparers")?;
        for m in &new.preparers {
            d.put(&p, m.as_str(), true)?;
        }
        put_str(
            d,
            &t,
            "presenter",
            new.presenter.as_ref().map_or("", |m| m.as_str()),
        )?;
        put_str(
            d,
            &t,
            "executive",
            new.executive.as_ref().map_or("", |m| m.as_str()),
        )?;
        put_str(
            d,
            &t,
            "draft_deadline",
            &new.draft_deadline.map(date::format).unwrap_or_default(),
        )?;
        put_str(d, &t, "expected_output", new.expected_output.trim())?;
        put_str(d, &t, "notes", new.notes.trim())?;
        put_str(d, &t, "status", TopicStatus::Planned.as_str())?;
        put_str(d, &t, "position", &pos)?;
        put_str(d, &t, "created_by", editor.member.as_str())?;
        Ok(())
    })?;
    Ok(id)
}

/// Sets one field of a topic.
pub fn set_topic_field(
    doc: &mut Document,
    editor: &Editor,
    topic: &TopicId,
    field: &TopicField,
) -> Result<()> {
    expect_plan(doc)?;
    let value = match field {
        TopicField::Title(s) => non_empty("the topic title", s)?,
        TopicField::Group(g) => g.as_str().to_owned(),
        TopicField::ScheduledDate(d) | TopicField::DraftDeadline(d) => {
            d.map(date::format).unwrap_or_default()
        }
        TopicField::CombinedWithRegularMeeting(_) => String::new(),
        TopicField::Presenter(m) | TopicField::Executive(m) => {
            m.as_ref().map(|m| m.to_string()).unwrap_or_default()
        }
        TopicField::ExpectedOutput(s) | TopicField::Notes(s) => nfc(s.trim()),
        TopicField::Status(s) => s.as_str().to_owned(),
    };
    doc.transact(editor, &format!("topic.set.{}", field.key()), |d| {
        let t = topic_obj(d, topic)?;
        match field {
            TopicField::CombinedWithRegularMeeting(b) => d.put(&t, field.key(), *b)?,
            _ => put_str(d, &t, field.key(), &value)?,
        }
        Ok(())
    })
}

/// Adds or removes a preparer of a topic (a set: concurrent additions never collide).
pub fn set_preparer(
    doc: &mut Document,
    editor: &Editor,
    topic: &TopicId,
    member: &MemberId,
    present: bool,
) -> Result<()> {
    expect_plan(doc)?;
    doc.transact(
        editor,
        if present {
            "topic.preparer.add"
        } else {
            "topic.preparer.remove"
        },
        |d| {
            let t = topic_obj(d, topic)?;
            let p = View::new(d, None)
                .obj(&t, "preparers", ObjType::Map)
                .ok_or_else(|| Error::InvalidDocument("topic without preparers".into()))?;
            if present {
                d.put(&p, member.as_str(), true)?;
            } else {
                d.delete(&p, member.as_str())?;
            }
            Ok(())
        },
    )
}

/// Moves a topic so that it becomes the `index`-th (0-based) of the plan.
pub fn move_topic(
    doc: &mut Document,
    editor: &Editor,
    topic: &TopicId,
    index: usize,
) -> Result<()> {
    expect_plan(doc)?;
    doc.transact(editor, "topic.move", |d| {
        let t = topic_obj(d, topic)?;
        let positions = ordered_positions(d, Some(topic))?;
        let pos = position_at(&positions, index);
        put_str(d, &t, "position", &pos)
    })
}

/// Cancels a topic (it stays in the plan, marked cancelled).
pub fn cancel_topic(doc: &mut Document, editor: &Editor, topic: &TopicId) -> Result<()> {
    set_topic_field(
        doc,
        editor,
        topic,
        &TopicField::Status(TopicStatus::Cancelled),
    )
}

/// Sets one header field of the plan.
pub fn set_plan_field(doc: &mut Document, editor: &Editor, field: &PlanField) -> Result<()> {
    expect_plan(doc)?;
    let (key, value) = match field {
        PlanField::Title(s) => ("title", non_empty("the plan title", s)?),
        PlanField::Number(s) => ("number", nfc(s.trim())),
        PlanField::IssueDate(d) => ("issue_date", d.map(date::format).unwrap_or_default()),
    };
    doc.transact(editor, &format!("plan.set.{key}"), |d| {
        put_str(d, &ROOT, key, &value)
    })
}

/// The default lead time for distributing session materials: HD 42-HD/BTCTW (28/10/2025)
/// posts meeting documents at least one day before.
pub const DEFAULT_DISTRIBUTION_LEAD_DAYS: u32 = 1;

/// How many days before a session its materials must reach members in this branch: the
/// plan's `distribution_lead_days` (a branch may be stricter than HD 42), else 1.
pub fn distribution_lead_days(doc: &Document) -> u32 {
    doc.view()
        .u64(&ROOT, "distribution_lead_days")
        .map(|d| d as u32)
        .unwrap_or(DEFAULT_DISTRIBUTION_LEAD_DAYS)
}

/// Sets the branch's distribution lead time (at least HD 42's one day, at most 30).
pub fn set_distribution_lead_days(doc: &mut Document, editor: &Editor, days: u32) -> Result<()> {
    expect_plan(doc)?;
    if !(DEFAULT_DISTRIBUTION_LEAD_DAYS..=30).contains(&days) {
        return Err(Error::InvalidInput(format!(
            "materials go out between 1 (HD 42) and 30 days before a session, not {days}"
        )));
    }
    doc.transact(editor, "plan.set.distribution_lead_days", |d| {
        d.put(ROOT, "distribution_lead_days", days as i64)?;
        Ok(())
    })
}

/// Edits a collaborative text section: delete `delete` characters at `pos` (Unicode code
/// points) and insert `insert` there.
pub fn splice_text(
    doc: &mut Document,
    editor: &Editor,
    which: PlanText,
    pos: usize,
    delete: usize,
    insert: &str,
) -> Result<()> {
    expect_plan(doc)?;
    doc.transact(editor, &format!("plan.text.{}", which.key()), |d| {
        let obj = section(d, which.key())?;
        splice_nfc(d, &obj, pos, delete, insert)
    })
}

/// Replaces a whole text section, expressed as the smallest edits (merges better than a
/// wholesale replacement when others edit concurrently).
pub fn replace_text(
    doc: &mut Document,
    editor: &Editor,
    which: PlanText,
    text: &str,
) -> Result<()> {
    expect_plan(doc)?;
    let text = nfc(text);
    doc.transact(editor, &format!("plan.text.{}", which.key()), |d| {
        let obj = section(d, which.key())?;
        d.update_text(&obj, &text)?;
        Ok(())
    })
}

/// Adds a legal basis at the end of the list.
pub fn add_legal_basis(
    doc: &mut Document,
    editor: &Editor,
    number: &str,
    date: Option<Date>,
    title: &str,
) -> Result<LegalBasisId> {
    expect_plan(doc)?;
    let number = non_empty("the legal basis number", number)?;
    let id = LegalBasisId::random();
    doc.transact(editor, "plan.legal_basis.add", |d| {
        let lb = section(d, "legal_bases")?;
        let view = View::new(d, None);
        let mut positions: Vec<String> = view
            .keys(&lb)
            .into_iter()
            .filter_map(|k| view.obj(&lb, &k, ObjType::Map))
            .map(|o| view.str(&o, "position").unwrap_or_default())
            .collect();
        positions.sort();
        let pos = position_at(&positions, positions.len());
        let o = put_map(d, &lb, id.as_str())?;
        put_str(d, &o, "number", &number)?;
        put_str(d, &o, "date", &date.map(date::format).unwrap_or_default())?;
        put_str(d, &o, "title", title.trim())?;
        put_str(d, &o, "position", &pos)?;
        d.put(&o, "removed", false)?;
        Ok(())
    })?;
    Ok(id)
}

/// Removes a legal basis (a tombstone flag, so a concurrent edit is not lost silently).
pub fn remove_legal_basis(doc: &mut Document, editor: &Editor, id: &LegalBasisId) -> Result<()> {
    expect_plan(doc)?;
    doc.transact(editor, "plan.legal_basis.remove", |d| {
        let lb = section(d, "legal_bases")?;
        let o = View::new(d, None)
            .obj(&lb, id.as_str(), ObjType::Map)
            .ok_or_else(|| Error::LegalBasisNotFound(id.to_string()))?;
        d.put(&o, "removed", true)?;
        Ok(())
    })
}
