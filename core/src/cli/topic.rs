//! `topic`: the rows of the plan's table (chuyên đề), who prepares and presents them.

use std::collections::BTreeMap;

use serde::Serialize;

use super::args::{PreparerAction, TopicAdd, TopicCmd};
use super::resolve::{self, Want};
use super::{Ctx, render};
use crate::date;
use crate::ids::{DocId, MemberId, TopicId};
use crate::labels::FieldScope;
use crate::model::plan::{NewTopic, Topic, TopicField, TopicGroup};
use crate::{Error, Result};

/// `--json` of topic commands: the topic with its STT and names.
#[derive(Debug, Serialize)]
struct TopicView<'a> {
    plan_id: &'a DocId,
    /// 1-based order in the plan.
    stt: usize,
    #[serde(flatten)]
    topic: &'a Topic,
    member_names: BTreeMap<String, String>,
}

pub(super) fn topic_member_ids(t: &Topic) -> impl Iterator<Item = &str> {
    t.preparers
        .iter()
        .map(MemberId::as_str)
        .chain(t.presenter.as_ref().map(MemberId::as_str))
        .chain(t.executive.as_ref().map(MemberId::as_str))
}

/// A topic group from its code or its number 1–7 in HD 12's order.
fn parse_group(s: &str) -> Result<TopicGroup> {
    let s = s.trim();
    if let Ok(n) = s.parse::<usize>() {
        return n
            .checked_sub(1)
            .and_then(|i| TopicGroup::ALL.get(i).copied())
            .ok_or_else(|| Error::InvalidInput(format!("topic group number {n} is not 1–7")));
    }
    TopicGroup::parse(s).map_err(|_| {
        Error::InvalidInput(format!(
            "unknown topic group {s:?} ({})",
            TopicGroup::ALL.map(TopicGroup::as_str).join(", ")
        ))
    })
}

fn member_or_err(ctx: &Ctx<'_>, input: &str) -> Result<MemberId> {
    resolve::member(&ctx.store, input)?
        .ok_or_else(|| Error::InvalidInput("a member must not be empty".into()))
}

pub(super) fn topic(ctx: &mut Ctx<'_>, c: TopicCmd) -> Result<()> {
    match c {
        TopicCmd::Add(a) => add_topic(ctx, a),
        TopicCmd::Show { plan, topic } => {
            let id = resolve::doc(&ctx.store, &plan, Want::Plan)?;
            let p = ctx.store.plan(&id)?;
            let (stt, t) = resolve::topic(&p, &topic)?;
            let text = topic_details(ctx, stt, t);
            emit_topic(ctx, &id, stt, t, &text)
        }
        TopicCmd::Set {
            plan,
            topic,
            field,
            value,
        } => {
            let id = resolve::doc(&ctx.store, &plan, Want::Plan)?;
            let p = ctx.store.plan(&id)?;
            let (_, t) = resolve::topic(&p, &topic)?;
            let key = field.trim();
            let value = match key {
                "presenter" | "executive" => resolve::member(&ctx.store, &value)?
                    .map(|m| m.to_string())
                    .unwrap_or_default(),
                "group" => parse_group(&value)?.as_str().to_owned(),
                _ => value,
            };
            let f = TopicField::parse(key, &value)?;
            ctx.store.set_topic_field(&id, &t.id, &f)?;
            after_topic_edit(ctx, &id, &t.id, |ctx, stt, t| {
                format!(
                    "topic {stt}: {} = {}",
                    render::field_label(FieldScope::Topic, f.key()),
                    shown_value(ctx, t, &f)
                )
            })
        }
        TopicCmd::Preparer {
            plan,
            topic,
            action,
            member,
        } => {
            let id = resolve::doc(&ctx.store, &plan, Want::Plan)?;
            let p = ctx.store.plan(&id)?;
            let (_, t) = resolve::topic(&p, &topic)?;
            let m = member_or_err(ctx, &member)?;
            let add = action == PreparerAction::Add;
            if !add && !t.preparers.contains(&m) {
                return Err(Error::InvalidInput(format!(
                    "{} is not a preparer of this topic",
                    ctx.name_and_id(m.as_str())
                )));
            }
            ctx.store.set_preparer(&id, &t.id, &m, add)?;
            after_topic_edit(ctx, &id, &t.id, |ctx, stt, t| {
                format!(
                    "topic {stt}: người chuẩn bị = {}",
                    t.preparers
                        .iter()
                        .map(|m| ctx.name(m.as_str()))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
        }
        TopicCmd::Move { plan, topic, index } => {
            if index == 0 {
                return Err(Error::InvalidInput(
                    "positions start at 1 (the first topic)".into(),
                ));
            }
            let id = resolve::doc(&ctx.store, &plan, Want::Plan)?;
            let p = ctx.store.plan(&id)?;
            let (_, t) = resolve::topic(&p, &topic)?;
            ctx.store.move_topic(&id, &t.id, index - 1)?;
            after_topic_edit(ctx, &id, &t.id, |_, stt, t| {
                format!("topic «{}» is now number {stt}", t.title)
            })
        }
        TopicCmd::Cancel { plan, topic } => {
            let id = resolve::doc(&ctx.store, &plan, Want::Plan)?;
            let p = ctx.store.plan(&id)?;
            let (_, t) = resolve::topic(&p, &topic)?;
            ctx.store.cancel_topic(&id, &t.id)?;
            after_topic_edit(ctx, &id, &t.id, |_, stt, t| {
                format!("topic {stt} «{}» cancelled (đã hủy)", t.title)
            })
        }
    }
}

fn shown_value(ctx: &Ctx<'_>, t: &Topic, f: &TopicField) -> String {
    match f {
        TopicField::Presenter(_) => t
            .presenter
            .as_ref()
            .map(|m| ctx.name_and_id(m.as_str()))
            .unwrap_or_default(),
        TopicField::Executive(_) => t
            .executive
            .as_ref()
            .map(|m| ctx.name_and_id(m.as_str()))
            .unwrap_or_default(),
        TopicField::Title(_) => t.title.clone(),
        TopicField::Group(_) => t.group.short_label_vi().into(),
        TopicField::ScheduledDate(_) => render::date_vi(t.scheduled_date),
        TopicField::DraftDeadline(_) => render::date_vi(t.draft_deadline),
        TopicField::CombinedWithRegularMeeting(_) => t.combined_with_regular_meeting.to_string(),
        TopicField::ExpectedOutput(_) => t.expected_output.clone(),
        TopicField::Notes(_) => t.notes.clone(),
        TopicField::Status(_) => t.status.label_vi().into(),
    }
}

fn after_topic_edit(
    ctx: &mut Ctx<'_>,
    plan: &DocId,
    topic: &TopicId,
    text: impl FnOnce(&Ctx<'_>, usize, &Topic) -> String,
) -> Result<()> {
    let p = ctx.store.plan(plan)?;
    let (stt, t) = resolve::topic(&p, topic.as_str())?;
    let text = text(ctx, stt, t);
    emit_topic(ctx, plan, stt, t, &text)
}

fn emit_topic(ctx: &mut Ctx<'_>, plan: &DocId, stt: usize, t: &Topic, text: &str) -> Result<()> {
    let view = TopicView {
        plan_id: plan,
        stt,
        topic: t,
        member_names: ctx.names_of(topic_member_ids(t)),
    };
    ctx.emit(&view, text)
}

fn add_topic(ctx: &mut Ctx<'_>, a: TopicAdd) -> Result<()> {
    let id = resolve::doc(&ctx.store, &a.plan, Want::Plan)?;
    let scheduled = a.date.as_deref().map(date::parse).transpose()?;
    let month = match (a.month, scheduled) {
        (Some(m), Some(d)) if d.month() as u8 != m => {
            return Err(Error::InvalidInput(format!(
                "--date {} is not in month {m}",
                date::format_vi(d)
            )));
        }
        (Some(m), _) => m,
        (None, Some(d)) => d.month() as u8,
        (None, None) => {
            return Err(Error::InvalidInput(
                "give the month with --month M (or the date with --date)".into(),
            ));
        }
    };
    let preparers = a
        .preparer
        .iter()
        .map(|p| member_or_err(ctx, p))
        .collect::<Result<Vec<_>>>()?;
    let presenter = match &a.presenter {
        Some(p) => resolve::member(&ctx.store, p)?,
        None => None,
    };
    let executive = match &a.executive {
        Some(p) => resolve::member(&ctx.store, p)?,
        None => None,
    };
    let new = NewTopic {
        title: a.title,
        group: parse_group(&a.group)?,
        month,
        scheduled_date: scheduled,
        combined_with_regular_meeting: a.combined,
        preparers,
        presenter,
        executive,
        draft_deadline: a.deadline.as_deref().map(date::parse).transpose()?,
        expected_output: a.output,
        notes: a.notes,
    };
    let topic = ctx.store.add_topic(&id, &new)?;
    after_topic_edit(ctx, &id, &topic, |_, _, t| t.id.to_string())
}

/// Every field of a topic, one per line, in the plan table's Vietnamese terms.
fn topic_details(ctx: &Ctx<'_>, stt: usize, t: &Topic) -> String {
    let names = |ids: &[MemberId]| {
        ids.iter()
            .map(|m| ctx.name_and_id(m.as_str()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let opt = |m: &Option<MemberId>| {
        m.as_ref()
            .map(|m| ctx.name_and_id(m.as_str()))
            .unwrap_or_default()
    };
    let label = |key| FieldScope::Topic.field_label_vi(key);
    let fields = [
        ("STT", stt.to_string()),
        ("Mã", t.id.to_string()),
        (label("title"), t.title.clone()),
        (label("group"), t.group.label_vi().to_owned()),
        (label("scheduled_date"), render::date_vi(t.scheduled_date)),
        (
            "Thời lượng tối thiểu",
            format!(
                "{} phút{}",
                t.min_duration_minutes(),
                if t.combined_with_regular_meeting {
                    " (ghép với sinh hoạt thường kỳ)"
                } else {
                    ""
                }
            ),
        ),
        (label("preparers"), names(&t.preparers)),
        (label("presenter"), opt(&t.presenter)),
        (label("executive"), opt(&t.executive)),
        (label("draft_deadline"), render::date_vi(t.draft_deadline)),
        (label("expected_output"), t.expected_output.clone()),
        (label("notes"), t.notes.clone()),
        (label("status"), t.status.label_vi().to_owned()),
    ];
    fields
        .iter()
        .map(|(k, v)| format!("{k:<22}{v}\n"))
        .collect()
}
