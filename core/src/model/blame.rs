//! Attributable history: who wrote what is in a document now, and who did what when.
//!
//! - [`blame`] / [`blame_at`]: for every short field of a plan (header, each topic, each
//!   legal basis) or of a draft/material, the member who wrote the value shown and when;
//!   for every collaborative text, the text cut into spans of consecutive characters typed by
//!   the same member.
//! - [`group_history`]: a document's change list grouped by member, then by session.
//!
//! # How an author is found
//!
//! Every value Automerge shows is held by one operation, and `get`/`list_range` return its id
//! (`counter@actor`). A change is a run of consecutive counters of one actor
//! (`start_op..=max_op`), and every change records its member (the Automerge 0.12 author)
//! and time. So one pass over the change *metadata* (`get_changes_meta`, read from the
//! change graph, no operation decoded) builds, per actor, the sorted counter ranges of its
//! changes; an operation's change is then a binary search. A whole plan's blame costs one
//! read of the plan plus one lookup per field; a text's costs one `list_range` walk of its
//! characters (each character is one operation, so its inserter is exact), with the last
//! lookup cached because neighbouring characters usually come from the same change.
//!
//! Alternatives weighed: `hash_for_opid` + `get_change_meta_by_hash` per operation gives the
//! same answer through two lookups per item and builds metadata each time; text marks or
//! `spans` carry formatting, not authors; a diff of every change against its parent (replay)
//! costs the whole history. A value written by a resolution of a conflict is a new operation
//! of the resolver, so the resolver is its last writer, as members expect.
//!
//! Everything that touches Automerge runs inside `catch_unwind`: a document that makes it
//! panic gives an error, never a crash.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};

use automerge::{ActorId, AutoCommit, ChangeHash, ObjId, ObjType, ROOT, ReadDoc, Value, ValueRef};
use serde::{Deserialize, Serialize};

use super::{ChangeInfo, Document, View, panic_message, plan, text_doc};
use crate::ids::{DocKind, LegalBasisId, MemberId, TopicId};
use crate::{Error, Result};

/// Who wrote the value a field shows, and when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldBlame {
    /// The document key ("title", "presenter", "scheduled_date", …).
    pub field: String,
    /// The value as stored ("m-viet", "2026-03-03", "true"; "" when unset).
    pub value: String,
    /// The member whose change holds the value, when recorded.
    pub by: Option<MemberId>,
    /// That change's time (device clock, Unix seconds).
    pub at: Option<i64>,
    /// That change's hash (hex).
    pub change: Option<String>,
    /// The field holds concurrent values (a conflict waiting for a choice); `by` wrote the
    /// one shown.
    pub conflict: bool,
}

/// One topic's fields, attributed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicBlame {
    /// The topic.
    pub id: TopicId,
    /// Its index in the plan (STT − 1).
    pub index: usize,
    /// Its title.
    pub title: String,
    /// Who added the topic.
    pub created_by: Option<MemberId>,
    /// When.
    pub created_at: Option<i64>,
    /// The change that added it (hex): a field whose `change` is this one still holds the
    /// value it was created with.
    pub created_change: Option<String>,
    /// Its short fields, in a fixed order.
    pub fields: Vec<FieldBlame>,
    /// Who added each current preparer (`field` is the member id).
    pub preparers: Vec<FieldBlame>,
}

/// One legal basis (căn cứ), attributed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegalBasisBlame {
    /// The basis.
    pub id: LegalBasisId,
    /// Its number now.
    pub number: String,
    /// Who added it.
    pub created_by: Option<MemberId>,
    /// When.
    pub created_at: Option<i64>,
    /// The change that added it (hex).
    pub created_change: Option<String>,
    /// Number, date, title and position.
    pub fields: Vec<FieldBlame>,
}

/// Consecutive characters of a text typed by one member.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextSpan {
    /// Where the span starts (code points).
    pub start: usize,
    /// The characters.
    pub text: String,
    /// Who typed them, when recorded.
    pub by: Option<MemberId>,
    /// The earliest change among them (Unix seconds).
    pub first_at: i64,
    /// The latest.
    pub last_at: i64,
}

/// An annual plan, attributed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanBlame {
    /// Title, number, issue date.
    pub fields: Vec<FieldBlame>,
    /// Căn cứ, in plan order (removed ones left out).
    pub legal_bases: Vec<LegalBasisBlame>,
    /// Topics, in plan order.
    pub topics: Vec<TopicBlame>,
    /// I. Mục đích, yêu cầu.
    pub purpose: Vec<TextSpan>,
    /// III. Tổ chức thực hiện.
    pub implementation: Vec<TextSpan>,
}

/// A draft or material, attributed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextDocBlame {
    /// Title and description.
    pub fields: Vec<FieldBlame>,
    /// The body.
    pub body: Vec<TextSpan>,
}

/// A document, attributed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Blame {
    /// An annual plan.
    Plan(PlanBlame),
    /// A topic draft or material.
    Text(TextDocBlame),
}

/// The plan's short header fields.
const PLAN_FIELDS: [&str; 3] = ["title", "number", "issue_date"];
/// A topic's short fields (preparers are reported one by one).
const TOPIC_FIELDS: [&str; 11] = [
    "title",
    "group",
    "scheduled_date",
    "combined_meeting",
    "presenter",
    "executive",
    "draft_deadline",
    "expected_output",
    "notes",
    "status",
    "position",
];
/// A legal basis's fields.
const BASIS_FIELDS: [&str; 4] = ["number", "date", "title", "position"];
/// A draft's or material's short fields.
const TEXT_DOC_FIELDS: [&str; 2] = ["title", "description"];

/// Who wrote what in `doc` as it is now.
pub fn blame(doc: &mut Document) -> Result<Blame> {
    guarded(doc, None)
}

/// Who wrote what in `doc` as it was at `heads` (the version an approval names, say): the
/// writers of the values shown then.
pub fn blame_at(doc: &mut Document, heads: &[ChangeHash]) -> Result<Blame> {
    if !doc.has_all(heads) {
        return Err(Error::InvalidInput(
            "this document does not contain the given version".into(),
        ));
    }
    guarded(doc, Some(heads))
}

fn guarded(doc: &mut Document, heads: Option<&[ChangeHash]>) -> Result<Blame> {
    match catch_unwind(AssertUnwindSafe(|| compute(doc, heads))) {
        Ok(r) => r,
        Err(p) => Err(Error::InvalidDocument(format!(
            "reading who wrote what panicked: {}",
            panic_message(&p)
        ))),
    }
}

fn compute(doc: &mut Document, heads: Option<&[ChangeHash]>) -> Result<Blame> {
    let changes = ChangeIndex::new(&mut doc.doc);
    let d: &Document = doc;
    let view = match heads {
        Some(h) => d.view_at(h)?,
        None => d.view(),
    };
    match d.kind() {
        DocKind::AnnualPlan => plan_blame(d, view, &changes).map(Blame::Plan),
        DocKind::TopicDraft | DocKind::Material => {
            text_doc_blame(d, view, &changes).map(Blame::Text)
        }
        DocKind::Session | DocKind::ReadingLog => Err(Error::InvalidInput(
            "field-by-field authorship is kept for plans, drafts and materials; use the history"
                .into(),
        )),
    }
}

fn plan_blame(d: &Document, view: View<'_>, changes: &ChangeIndex) -> Result<PlanBlame> {
    let p = plan::read(d, view)?;
    let fields = PLAN_FIELDS
        .iter()
        .map(|f| field(view, changes, &ROOT, f))
        .collect();
    let section = |key: &str| view.obj(&ROOT, key, ObjType::Map);
    let mut legal_bases = Vec::new();
    if let Some(lbs) = section("legal_bases") {
        for l in &p.legal_bases {
            let Some(o) = view.obj(&lbs, l.id.as_str(), ObjType::Map) else {
                continue;
            };
            let created = changes.of(&o);
            legal_bases.push(LegalBasisBlame {
                id: l.id.clone(),
                number: l.number.clone(),
                created_by: created.and_then(|c| c.member.clone()),
                created_at: created.map(|c| c.time),
                created_change: created.map(|c| c.hash.to_string()),
                fields: BASIS_FIELDS
                    .iter()
                    .map(|f| field(view, changes, &o, f))
                    .collect(),
            });
        }
    }
    let mut topics = Vec::new();
    if let Some(ts) = section("topics") {
        for (index, t) in p.topics.iter().enumerate() {
            let Some(o) = view.obj(&ts, t.id.as_str(), ObjType::Map) else {
                continue;
            };
            let created = changes.of(&o);
            let preparers = view
                .obj(&o, "preparers", ObjType::Map)
                .map(|pm| {
                    t.preparers
                        .iter()
                        .map(|m| field(view, changes, &pm, m.as_str()))
                        .collect()
                })
                .unwrap_or_default();
            topics.push(TopicBlame {
                id: t.id.clone(),
                index,
                title: t.title.clone(),
                created_by: created.and_then(|c| c.member.clone()),
                created_at: created.map(|c| c.time),
                created_change: created.map(|c| c.hash.to_string()),
                fields: TOPIC_FIELDS
                    .iter()
                    .map(|f| field(view, changes, &o, f))
                    .collect(),
                preparers,
            });
        }
    }
    Ok(PlanBlame {
        fields,
        legal_bases,
        topics,
        purpose: text_spans(view, changes, "purpose"),
        implementation: text_spans(view, changes, "implementation"),
    })
}

fn text_doc_blame(d: &Document, view: View<'_>, changes: &ChangeIndex) -> Result<TextDocBlame> {
    // Reads the document as its kind first, so a damaged one is refused like everywhere.
    text_doc::read(d, view)?;
    Ok(TextDocBlame {
        fields: TEXT_DOC_FIELDS
            .iter()
            .map(|f| field(view, changes, &ROOT, f))
            .collect(),
        body: text_spans(view, changes, "body"),
    })
}

/// The writer of `key` of `obj` at the view's version.
fn field(view: View<'_>, changes: &ChangeIndex, obj: &ObjId, key: &str) -> FieldBlame {
    let all = view.get_all(obj, key);
    let shown = view.get(obj, key);
    let (value, change) = match &shown {
        Some((v, id)) => (value_text(v), changes.of(id)),
        None => (String::new(), None),
    };
    let mut distinct: Vec<String> = all.iter().map(|(v, _)| value_text(v)).collect();
    distinct.sort_unstable();
    distinct.dedup();
    FieldBlame {
        field: key.to_owned(),
        value,
        by: change.and_then(|c| c.member.clone()),
        at: change.map(|c| c.time),
        change: change.map(|c| c.hash.to_string()),
        conflict: distinct.len() > 1,
    }
}

fn value_text(v: &Value<'_>) -> String {
    use automerge::ScalarValue as S;
    match v {
        Value::Scalar(s) => match s.as_ref() {
            S::Str(s) => s.to_string(),
            S::Boolean(b) => b.to_string(),
            S::Int(i) => i.to_string(),
            S::Uint(u) => u.to_string(),
            S::F64(f) => f.to_string(),
            S::Timestamp(t) => t.to_string(),
            S::Null => String::new(),
            other => format!("{other:?}"),
        },
        Value::Object(t) => format!("<{t:?}>"),
    }
}

/// The text at `key` of the root, cut into spans of consecutive characters by one member.
fn text_spans(view: View<'_>, changes: &ChangeIndex, key: &str) -> Vec<TextSpan> {
    let Some(obj) = view.obj(&ROOT, key, ObjType::Text) else {
        return Vec::new();
    };
    let doc = view.doc();
    let items = match view.heads() {
        Some(h) => doc.list_range_at(&obj, .., h),
        None => doc.list_range(&obj, ..),
    };
    let mut spans: Vec<TextSpan> = Vec::new();
    let mut pos = 0usize;
    // (actor, counter range) of the last change found: neighbours usually share it.
    let mut cached: Option<&Entry> = None;
    for item in items {
        let ValueRef::Scalar(automerge::ScalarValueRef::Str(s)) = &item.value else {
            continue;
        };
        let id = item.id();
        let entry = match (&id, cached) {
            (ObjId::Id(counter, actor, _), Some(e)) if e.covers(actor, *counter) => Some(e),
            _ => changes.of(&id),
        };
        if entry.is_some() {
            cached = entry;
        }
        let by = entry.and_then(|e| e.member.clone());
        let time = entry.map_or(0, |e| e.time);
        let n = s.chars().count();
        match spans.last_mut() {
            Some(last) if last.by == by => {
                last.text.push_str(s);
                last.first_at = last.first_at.min(time);
                last.last_at = last.last_at.max(time);
            }
            _ => spans.push(TextSpan {
                start: pos,
                text: s.to_string(),
                by,
                first_at: time,
                last_at: time,
            }),
        }
        pos += n;
    }
    spans
}

/// One change's operation counters and who made it.
#[derive(Debug)]
struct Entry {
    actor: ActorId,
    start_op: u64,
    max_op: u64,
    member: Option<MemberId>,
    time: i64,
    hash: ChangeHash,
}

impl Entry {
    fn covers(&self, actor: &ActorId, counter: u64) -> bool {
        &self.actor == actor && self.start_op <= counter && counter <= self.max_op
    }
}

/// Per actor, its changes sorted by first operation counter.
struct ChangeIndex {
    by_actor: HashMap<ActorId, Vec<Entry>>,
}

impl ChangeIndex {
    fn new(doc: &mut AutoCommit) -> Self {
        let mut by_actor: HashMap<ActorId, Vec<Entry>> = HashMap::new();
        for m in doc.get_changes_meta(&[]) {
            let actor = m.actor.into_owned();
            let member = m
                .author
                .as_ref()
                .and_then(|a| std::str::from_utf8(a.as_bytes()).ok().map(MemberId::new));
            by_actor.entry(actor.clone()).or_default().push(Entry {
                actor,
                start_op: m.start_op,
                max_op: m.max_op,
                member,
                time: m.timestamp,
                hash: m.hash,
            });
        }
        for v in by_actor.values_mut() {
            v.sort_by_key(|e| e.start_op);
        }
        Self { by_actor }
    }

    /// The change holding operation (or object) `id`.
    fn of(&self, id: &ObjId) -> Option<&Entry> {
        let ObjId::Id(counter, actor, _) = id else {
            return None;
        };
        let list = self.by_actor.get(actor)?;
        let i = list.partition_point(|e| e.start_op <= *counter);
        let e = list.get(i.checked_sub(1)?)?;
        (*counter <= e.max_op).then_some(e)
    }
}

// ----- history by member and session ---------------------------------------------------------

/// Changes of one member further apart than this (seconds), from different actors, start a
/// new session.
pub const SESSION_GAP_SECS: i64 = 30 * 60;

/// How many changes of one kind (their message, "topic.add").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Touch {
    /// The change message.
    pub message: String,
    /// How many.
    pub count: usize,
}

/// Consecutive changes of one member from one sitting.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// The actors (device sessions) that wrote them, in order of appearance.
    pub actors: Vec<String>,
    /// How many changes.
    pub change_count: usize,
    /// The first change's time.
    pub first_time: i64,
    /// The last change's time.
    pub last_time: i64,
    /// The first change (hex hash).
    pub first_change: String,
    /// The last change.
    pub last_change: String,
    /// What they did, by kind, in order of first appearance.
    pub touched: Vec<Touch>,
}

/// Everything one member did to a document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberHistory {
    /// The member (`None`: changes with no recorded author).
    pub member: Option<MemberId>,
    /// How many changes.
    pub change_count: usize,
    /// The earliest change's time.
    pub first_time: i64,
    /// The latest.
    pub last_time: i64,
    /// Their sessions, in history order.
    pub sessions: Vec<Session>,
}

/// Groups a document's history ([`Document::history`], causal order) by member, then by
/// session. A session is a run of consecutive changes of one member in which each change
/// comes from the same actor as the one before — one device's editing session, merged in
/// one sync — or from another actor at most `gap` seconds later (every load of a document
/// gets a fresh actor, so a person making several edits in a row on one phone, or through
/// the CLI, is one session). Another member's change in between ends the session.
/// Members come in order of their first change.
pub fn group_history(changes: &[ChangeInfo], gap: i64) -> Vec<MemberHistory> {
    let mut members: Vec<MemberHistory> = Vec::new();
    let mut prev: Option<&ChangeInfo> = None;
    for c in changes {
        let continues = prev.is_some_and(|p| {
            p.member == c.member
                && (p.actor == c.actor || c.time.abs_diff(p.time) <= gap.max(0).unsigned_abs())
        });
        let m = match members.iter().position(|m| m.member == c.member) {
            Some(i) => &mut members[i],
            None => {
                members.push(MemberHistory {
                    member: c.member.clone(),
                    change_count: 0,
                    first_time: c.time,
                    last_time: c.time,
                    sessions: Vec::new(),
                });
                let last = members.len() - 1;
                &mut members[last]
            }
        };
        m.change_count += 1;
        m.first_time = m.first_time.min(c.time);
        m.last_time = m.last_time.max(c.time);
        match m.sessions.last_mut() {
            Some(s) if continues => {
                s.change_count += 1;
                s.first_time = s.first_time.min(c.time);
                s.last_time = s.last_time.max(c.time);
                s.last_change = c.hash.clone();
                if !s.actors.contains(&c.actor) {
                    s.actors.push(c.actor.clone());
                }
                match s.touched.iter_mut().find(|t| t.message == c.message) {
                    Some(t) => t.count += 1,
                    None => s.touched.push(Touch {
                        message: c.message.clone(),
                        count: 1,
                    }),
                }
            }
            _ => m.sessions.push(Session {
                actors: vec![c.actor.clone()],
                change_count: 1,
                first_time: c.time,
                last_time: c.time,
                first_change: c.hash.clone(),
                last_change: c.hash.clone(),
                touched: vec![Touch {
                    message: c.message.clone(),
                    count: 1,
                }],
            }),
        }
        prev = Some(c);
    }
    members
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::ids::{BranchId, TopicId};
    use crate::model::Editor;
    use crate::model::conflict;
    use crate::model::plan::{NewPlan, NewTopic, PlanField, PlanText, TopicField, TopicGroup};
    use crate::model::text_doc::NewTextDoc;

    fn ed(member: &str, time: i64) -> Editor {
        Editor {
            member: MemberId::new(member),
            time,
        }
    }

    fn new_plan(e: &Editor) -> Document {
        plan::create(
            &NewPlan {
                branch_id: BranchId::new("b-co-dien"),
                year: 2026,
                title: String::new(),
                number: "01-KH/CB".into(),
                issue_date: None,
                purpose: "Nâng cao chất lượng.".into(),
                implementation: String::new(),
            },
            e,
        )
        .unwrap()
    }

    fn topic(title: &str) -> NewTopic {
        NewTopic {
            title: title.into(),
            group: TopicGroup::PartyBuilding,
            month: 3,
            scheduled_date: None,
            combined_with_regular_meeting: false,
            preparers: vec![],
            presenter: None,
            executive: None,
            draft_deadline: None,
            expected_output: String::new(),
            notes: String::new(),
        }
    }

    /// A replica of `doc` (what another phone holds after a sync).
    fn replica(doc: &mut Document) -> Document {
        Document::load(&doc.save(), &[]).unwrap()
    }

    fn plan_of(b: Blame) -> PlanBlame {
        match b {
            Blame::Plan(p) => p,
            Blame::Text(_) => panic!("not a plan"),
        }
    }

    fn get<'a>(fields: &'a [FieldBlame], key: &str) -> &'a FieldBlame {
        fields.iter().find(|f| f.field == key).unwrap()
    }

    fn who(f: &FieldBlame) -> &str {
        f.by.as_ref().map(|m| m.as_str()).unwrap_or("?")
    }

    #[test]
    fn test_concurrent_field_and_text_edits_are_attributed_after_merge() {
        let viet = ed("m-viet", 1_000);
        let mut a = new_plan(&viet);
        let t1 = plan::add_topic(&mut a, &viet, &topic("An toàn lao động")).unwrap();
        let mut b = replica(&mut a);

        // Offline: Việt edits the number and topic 1's title and types at the start;
        // Trang sets the presenter, adds a preparer and types at the end.
        let viet2 = ed("m-viet", 2_000);
        plan::set_plan_field(&mut a, &viet2, &PlanField::Number("02-KH/CB".into())).unwrap();
        plan::set_topic_field(
            &mut a,
            &viet2,
            &t1,
            &TopicField::Title("An toàn, vệ sinh lao động".into()),
        )
        .unwrap();
        plan::splice_text(&mut a, &viet2, PlanText::Purpose, 0, 0, "Mục tiêu: ").unwrap();
        let trang = ed("m-trang", 3_000);
        plan::set_topic_field(
            &mut b,
            &trang,
            &t1,
            &TopicField::Presenter(Some(MemberId::new("m-luong"))),
        )
        .unwrap();
        plan::set_preparer(&mut b, &trang, &t1, &MemberId::new("m-ung"), true).unwrap();
        let len = plan::get(&b).unwrap().purpose.chars().count();
        plan::splice_text(&mut b, &trang, PlanText::Purpose, len, 0, " Đúng hạn.").unwrap();

        a.merge(&mut b).unwrap();
        let p = plan_of(blame(&mut a).unwrap());
        let number = get(&p.fields, "number");
        assert_eq!((number.value.as_str(), who(number)), ("02-KH/CB", "m-viet"));
        assert_eq!(number.at, Some(2_000));
        assert!(!number.conflict);
        // Untouched since creation: the creator.
        let title = get(&p.fields, "title");
        assert_eq!((who(title), title.at), ("m-viet", Some(1_000)));

        let t = &p.topics[0];
        assert_eq!(
            (t.index, t.created_by.as_ref().unwrap().as_str()),
            (0, "m-viet")
        );
        assert_eq!(who(get(&t.fields, "title")), "m-viet");
        let presenter = get(&t.fields, "presenter");
        assert_eq!(
            (presenter.value.as_str(), who(presenter)),
            ("m-luong", "m-trang")
        );
        assert_eq!(presenter.at, Some(3_000));
        assert_eq!(t.preparers.len(), 1);
        assert_eq!(
            (t.preparers[0].field.as_str(), who(&t.preparers[0])),
            ("m-ung", "m-trang")
        );

        // Text: "Mục tiêu: " by Việt (t=2000), the original by Việt (t=1000), " Đúng hạn."
        // by Trang. Việt's two runs are adjacent, so they are one span.
        let spans = &p.purpose;
        let joined: String = spans.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(joined, "Mục tiêu: Nâng cao chất lượng. Đúng hạn.");
        assert_eq!(spans.len(), 2, "{spans:?}");
        assert_eq!(spans[0].by.as_ref().unwrap().as_str(), "m-viet");
        assert_eq!(spans[0].text, "Mục tiêu: Nâng cao chất lượng.");
        assert_eq!((spans[0].first_at, spans[0].last_at), (1_000, 2_000));
        assert_eq!(spans[1].by.as_ref().unwrap().as_str(), "m-trang");
        assert_eq!(spans[1].text, " Đúng hạn.");
        assert_eq!(
            spans[1].start,
            "Mục tiêu: Nâng cao chất lượng.".chars().count()
        );
        assert_eq!(spans[1].last_at, 3_000);
    }

    #[test]
    fn test_the_resolver_of_a_conflict_is_the_last_writer() {
        // Choosing the value shown (Automerge would only delete the others) and choosing
        // the other one: either way the resolver wrote the value last.
        for choice in [0, 1] {
            let viet = ed("m-viet", 1_000);
            let mut a = new_plan(&viet);
            let t1 = plan::add_topic(&mut a, &viet, &topic("Chỉ thị 50")).unwrap();
            let mut b = replica(&mut a);
            plan::set_topic_field(
                &mut a,
                &ed("m-anh", 2_000),
                &t1,
                &TopicField::Presenter(Some(MemberId::new("m-anh"))),
            )
            .unwrap();
            plan::set_topic_field(
                &mut b,
                &ed("m-trang", 2_500),
                &t1,
                &TopicField::Presenter(Some(MemberId::new("m-trang"))),
            )
            .unwrap();
            a.merge(&mut b).unwrap();
            let p = plan_of(blame(&mut a).unwrap());
            let presenter = get(&p.topics[0].fields, "presenter");
            assert!(presenter.conflict);
            // Whoever wrote the value shown (each set themselves).
            let shown = presenter.value.clone();
            assert_eq!(who(presenter), shown.as_str());

            let c = conflict::list(&a).remove(0);
            // values[0] is the one shown.
            assert_eq!(c.values[0].value, shown);
            let keep = c.values[choice].clone();
            conflict::resolve(&mut a, &ed("m-viet", 4_000), &c.path, &keep.op).unwrap();
            let p = plan_of(blame(&mut a).unwrap());
            let presenter = get(&p.topics[0].fields, "presenter");
            assert_eq!(presenter.value, keep.value);
            assert_eq!((who(presenter), presenter.at), ("m-viet", Some(4_000)));
            assert!(!presenter.conflict);
            // The resolution reaches the other replica the same way.
            b.merge(&mut a).unwrap();
            let p = plan_of(blame(&mut b).unwrap());
            let presenter = get(&p.topics[0].fields, "presenter");
            assert_eq!(
                (presenter.value.as_str(), who(presenter)),
                (keep.value.as_str(), "m-viet")
            );
            assert!(conflict::list(&b).is_empty());
        }
    }

    #[test]
    fn test_blame_at_reads_the_old_version_and_legal_bases() {
        let viet = ed("m-viet", 1_000);
        let mut a = new_plan(&viet);
        let lb = plan::add_legal_basis(&mut a, &viet, "12-HD/BTCTW", None, "Hướng dẫn").unwrap();
        let old = a.heads();
        plan::set_plan_field(
            &mut a,
            &ed("m-trang", 2_000),
            &PlanField::Title("Kế hoạch mới".into()),
        )
        .unwrap();
        let p = plan_of(blame_at(&mut a, &old).unwrap());
        assert_eq!(who(get(&p.fields, "title")), "m-viet");
        assert_eq!(p.legal_bases.len(), 1);
        assert_eq!(p.legal_bases[0].id, lb);
        assert_eq!(who(get(&p.legal_bases[0].fields, "number")), "m-viet");
        let p = plan_of(blame(&mut a).unwrap());
        assert_eq!(who(get(&p.fields, "title")), "m-trang");
        let unknown = [ChangeHash([9; 32])];
        assert!(blame_at(&mut a, &unknown).is_err());
    }

    #[test]
    fn test_text_doc_body_spans_and_fields() {
        let viet = ed("m-viet", 1_000);
        let mut a = text_doc::create(
            &NewTextDoc {
                kind: DocKind::TopicDraft,
                branch_id: BranchId::new("b"),
                plan_id: None,
                topic_id: Some(TopicId::new("t")),
                title: "Dự thảo".into(),
                description: String::new(),
                body: "Chi bộ họp.".into(),
            },
            &viet,
        )
        .unwrap();
        let mut b = replica(&mut a);
        text_doc::splice_body(&mut b, &ed("m-ung", 2_000), 6, 0, " Cơ điện").unwrap();
        text_doc::set_title(&mut a, &ed("m-anh", 3_000), "Dự thảo chuyên đề").unwrap();
        a.merge(&mut b).unwrap();
        let Blame::Text(t) = blame(&mut a).unwrap() else {
            panic!("not a text doc")
        };
        assert_eq!(who(get(&t.fields, "title")), "m-anh");
        let parts: Vec<(&str, &str)> = t
            .body
            .iter()
            .map(|s| (s.text.as_str(), s.by.as_ref().unwrap().as_str()))
            .collect();
        assert_eq!(
            parts,
            [
                ("Chi bộ", "m-viet"),
                (" Cơ điện", "m-ung"),
                (" họp.", "m-viet")
            ]
        );
        assert_eq!(t.body[2].start, 14);
    }

    #[test]
    fn test_odd_shapes_give_partial_blame_not_a_panic() {
        use automerge::transaction::Transactable;
        let e = ed("m-viet", 1_000);
        let mut a = new_plan(&e);
        plan::add_topic(&mut a, &e, &topic("Chuyên đề")).unwrap();
        // A crafted change: the purpose becomes a map, a topic's preparers a string, a
        // stray scalar among the topics.
        a.transact(&ed("m-x", 2_000), "crafted", |d| {
            d.put_object(ROOT, "purpose", ObjType::Map)?;
            let view = View::new(d, None);
            let topics = view.obj(&ROOT, "topics", ObjType::Map).unwrap();
            let t = view.keys(&topics).remove(0);
            let t = view.obj(&topics, &t, ObjType::Map).unwrap();
            d.put(&t, "preparers", "m-viet")?;
            d.put(&topics, "stray", 7)?;
            Ok(())
        })
        .unwrap();
        let p = plan_of(blame(&mut a).unwrap());
        assert!(p.purpose.is_empty());
        assert_eq!(p.topics.len(), 1);
        assert!(p.topics[0].preparers.is_empty());
        assert_eq!(who(get(&p.topics[0].fields, "title")), "m-viet");
    }

    fn change(member: &str, actor: &str, time: i64, message: &str) -> ChangeInfo {
        ChangeInfo {
            hash: format!("h{time}"),
            member: Some(MemberId::new(member)),
            actor: actor.into(),
            time,
            message: message.into(),
        }
    }

    #[test]
    fn test_history_groups_by_member_then_session() {
        let h = [
            change("m-viet", "a1", 100, "create annual_plan"),
            change("m-viet", "a2", 160, "topic.add"),
            change("m-viet", "a3", 200, "topic.add"),
            change("m-trang", "b1", 300, "topic.set.presenter"),
            // Việt again, after Trang: a new session.
            change("m-viet", "a3", 5_000, "topic.move"),
            // Same actor after a long pause: still the same session.
            change("m-viet", "a3", 50_000, "topic.add"),
            // Another actor after a long pause: a new session.
            change("m-viet", "a9", 90_000, "plan.text.purpose"),
        ];
        let g = group_history(&h, SESSION_GAP_SECS);
        assert_eq!(g.len(), 2);
        let viet = &g[0];
        assert_eq!(viet.member.as_ref().unwrap().as_str(), "m-viet");
        assert_eq!(
            (viet.change_count, viet.first_time, viet.last_time),
            (6, 100, 90_000)
        );
        let counts: Vec<usize> = viet.sessions.iter().map(|s| s.change_count).collect();
        assert_eq!(counts, [3, 2, 1]);
        let s = &viet.sessions[0];
        assert_eq!(s.actors, ["a1", "a2", "a3"]);
        assert_eq!((s.first_time, s.last_time), (100, 200));
        assert_eq!(
            (s.first_change.as_str(), s.last_change.as_str()),
            ("h100", "h200")
        );
        assert_eq!(
            s.touched,
            [
                Touch {
                    message: "create annual_plan".into(),
                    count: 1
                },
                Touch {
                    message: "topic.add".into(),
                    count: 2
                }
            ]
        );
        assert_eq!(g[1].sessions.len(), 1);
        assert_eq!(g[1].sessions[0].touched[0].message, "topic.set.presenter");
        assert!(group_history(&[], SESSION_GAP_SECS).is_empty());
        // Crafted clocks cannot overflow the gap arithmetic.
        let odd = [
            change("m-x", "a", i64::MIN, "x"),
            change("m-x", "b", i64::MAX, "x"),
        ];
        assert_eq!(group_history(&odd, SESSION_GAP_SECS)[0].sessions.len(), 2);
    }
}
