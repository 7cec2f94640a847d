//! Turning what a person types into ids and edits: unique id prefixes, STT numbers, member
//! names, the words a comment is anchored on, text edits and text files.

use std::io::Read;
use std::path::Path;

use super::args::TextEdit;
use crate::ids::{DocId, DocKind, MemberId};
use crate::model::plan::{AnnualPlan, LegalBasis, Topic};
use crate::model::text_doc::{Comment, TextDocument};
use crate::text;
use crate::{Error, Result, Store};

/// Which documents an argument may name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Want {
    Plan,
    Text,
    Session,
    Any,
}

impl Want {
    fn accepts(self, kind: DocKind) -> bool {
        match self {
            Want::Plan => kind == DocKind::AnnualPlan,
            Want::Text => kind.is_text(),
            Want::Session => kind == DocKind::Session,
            Want::Any => true,
        }
    }

    fn expected(self) -> &'static str {
        match self {
            Want::Plan => "annual_plan",
            Want::Text => "topic_draft or material",
            Want::Session => "session",
            Want::Any => "document",
        }
    }
}

/// A document id from a full id or a unique prefix of one.
pub(super) fn doc(store: &Store, input: &str, want: Want) -> Result<DocId> {
    let input = text::nfc(input.trim());
    if input.is_empty() {
        return Err(Error::InvalidInput(
            "a document id must not be empty".into(),
        ));
    }
    let check = |id: DocId, kind: DocKind| {
        if want.accepts(kind) {
            Ok(id)
        } else {
            Err(Error::WrongKind {
                id: id.to_string(),
                expected: want.expected(),
                actual: kind.to_string(),
            })
        }
    };
    let exact = DocId::new(&input);
    match store.kind_of(&exact) {
        Ok(kind) => return check(exact, kind),
        Err(Error::DocumentNotFound(_)) => {}
        Err(e) => return Err(e),
    }
    let mut all: Vec<(DocId, DocKind)> = store
        .plan_rows(None)?
        .into_iter()
        .map(|p| (p.doc_id, DocKind::AnnualPlan))
        .collect();
    all.extend(
        store
            .text_doc_rows(None)?
            .into_iter()
            .map(|d| (d.doc_id, d.kind)),
    );
    all.extend(
        store
            .session_rows(None)?
            .into_iter()
            .map(|s| (s.doc_id, DocKind::Session)),
    );
    let hits: Vec<(DocId, DocKind)> = all
        .into_iter()
        .filter(|(id, _)| id.as_str().starts_with(&input))
        .collect();
    let wanted: Vec<&(DocId, DocKind)> = hits.iter().filter(|(_, k)| want.accepts(*k)).collect();
    match (wanted.as_slice(), hits.as_slice()) {
        ([(id, kind)], _) => check(id.clone(), *kind),
        ([], [(id, kind)]) => check(id.clone(), *kind),
        ([], []) => Err(Error::DocumentNotFound(input)),
        ([], _) => Err(Error::InvalidInput(format!(
            "no {} has an id starting with {input:?}",
            want.expected()
        ))),
        (many, _) => Err(ambiguous(
            &input,
            many.iter().map(|(id, _)| id.as_str().to_owned()),
        )),
    }
}

fn ambiguous(input: &str, ids: impl Iterator<Item = String>) -> Error {
    let ids: Vec<String> = ids.collect();
    Error::InvalidInput(format!(
        "{input:?} matches {} ids ({}); type more of the id",
        ids.len(),
        ids.join(", ")
    ))
}

/// A topic of `plan` from its STT number (1-based, as `plan show` lists them) or a unique
/// prefix of its id. Returns the STT and the topic.
pub(super) fn topic<'p>(plan: &'p AnnualPlan, input: &str) -> Result<(usize, &'p Topic)> {
    let input = text::nfc(input.trim());
    if input.is_empty() {
        return Err(Error::InvalidInput("a topic must not be empty".into()));
    }
    if input.bytes().all(|b| b.is_ascii_digit()) {
        return match input.parse::<usize>() {
            Ok(n) if n >= 1 && n <= plan.topics.len() => Ok((n, &plan.topics[n - 1])),
            _ => Err(Error::TopicNotFound(format!(
                "number {input} (the plan has {} topics)",
                plan.topics.len()
            ))),
        };
    }
    let hits: Vec<(usize, &Topic)> = plan
        .topics
        .iter()
        .enumerate()
        .filter(|(_, t)| t.id.as_str().starts_with(&input))
        .map(|(i, t)| (i + 1, t))
        .collect();
    match hits.as_slice() {
        [one] => Ok(*one),
        [] => Err(Error::TopicNotFound(input)),
        many => Err(ambiguous(
            &input,
            many.iter().map(|(_, t)| t.id.to_string()),
        )),
    }
}

/// A legal basis of `plan` from its number in the list (1-based) or a unique id prefix.
pub(super) fn legal_basis<'p>(plan: &'p AnnualPlan, input: &str) -> Result<&'p LegalBasis> {
    let input = text::nfc(input.trim());
    if !input.is_empty() && input.bytes().all(|b| b.is_ascii_digit()) {
        if let Some(b) = input
            .parse::<usize>()
            .ok()
            .and_then(|n| n.checked_sub(1))
            .and_then(|i| plan.legal_bases.get(i))
        {
            return Ok(b);
        }
    }
    let hits: Vec<&LegalBasis> = plan
        .legal_bases
        .iter()
        .filter(|b| !input.is_empty() && b.id.as_str().starts_with(&input))
        .collect();
    match hits.as_slice() {
        [one] => Ok(one),
        [] => Err(Error::LegalBasisNotFound(input)),
        many => Err(ambiguous(&input, many.iter().map(|b| b.id.to_string()))),
    }
}

/// A comment of `doc` from a unique prefix of its id.
pub(super) fn comment<'d>(doc: &'d TextDocument, input: &str) -> Result<&'d Comment> {
    let input = text::nfc(input.trim());
    if input.is_empty() {
        return Err(Error::InvalidInput("a comment id must not be empty".into()));
    }
    if let Some(c) = doc.comments.iter().find(|c| c.id.as_str() == input) {
        return Ok(c);
    }
    let hits: Vec<&Comment> = doc
        .comments
        .iter()
        .filter(|c| c.id.as_str().starts_with(&input))
        .collect();
    match hits.as_slice() {
        [one] => Ok(one),
        [] => Err(Error::CommentNotFound(input)),
        many => Err(ambiguous(&input, many.iter().map(|c| c.id.to_string()))),
    }
}

/// A member id from an id or a name. Names match ignoring accents and tone placement
/// ([`Store::find_member`]); when that is ambiguous the exact spelling (accents kept) decides.
/// A value that matches nobody is taken as a member id as given. Empty → `None` (clears).
pub(super) fn member(store: &Store, input: &str) -> Result<Option<MemberId>> {
    let input = text::nfc(input.trim());
    if input.is_empty() {
        return Ok(None);
    }
    let Some(found) = store.find_member(&input)? else {
        return Ok(Some(MemberId::new(&input)));
    };
    if found.id.as_str() == input {
        return Ok(Some(found.id));
    }
    // `find_member` returns the first name that matches without accents; two members can
    // share that form ("Lê Văn An", "Lê Văn Ân"): prefer the exact spelling, else refuse.
    let key = text::search_key(&text::canonical_name(&input));
    let same: Vec<_> = store
        .members()?
        .into_iter()
        .filter(|m| text::search_key(&text::canonical_name(&m.full_name)) == key)
        .collect();
    if same.len() <= 1 {
        return Ok(Some(found.id));
    }
    let canon = text::canonical_name(&input);
    let exact: Vec<_> = same
        .iter()
        .filter(|m| text::canonical_name(&m.full_name) == canon)
        .collect();
    match exact.as_slice() {
        [one] => Ok(Some(one.id.clone())),
        _ => Err(Error::InvalidInput(format!(
            "{input:?} could be {}; give the member id",
            same.iter()
                .map(|m| format!("{} ({})", m.full_name, m.id))
                .collect::<Vec<_>>()
                .join(" or ")
        ))),
    }
}

/// The character range (code points, end exclusive) of the first occurrence of `words` in
/// `body`, both compared in NFC.
pub(super) fn words(body: &str, words: &str) -> Result<(usize, usize)> {
    let words = text::nfc(words.trim());
    if words.is_empty() {
        return Err(Error::InvalidInput("--on needs some words".into()));
    }
    let body = text::nfc(body);
    let byte = body.find(&words).ok_or_else(|| {
        Error::InvalidInput(format!(
            "the words {words:?} are not in the text (they must match exactly, accents and case included)"
        ))
    })?;
    let start = body[..byte].chars().count();
    Ok((start, start + words.chars().count()))
}

/// One edit of a collaborative text, as the options asked for it.
pub(super) enum Edit {
    Replace(String),
    Splice {
        pos: usize,
        delete: usize,
        insert: String,
    },
}

/// Reads the edit a [`TextEdit`] asks for (`None` when no option was given).
pub(super) fn text_edit(e: TextEdit) -> Result<Option<Edit>> {
    if let Some(t) = e.set {
        return Ok(Some(Edit::Replace(t)));
    }
    if let Some(path) = e.set_file {
        return Ok(Some(Edit::Replace(read_text_file(&path)?)));
    }
    if let Some(v) = e.insert {
        let [pos, text] = v.as_slice() else {
            return Err(Error::InvalidInput("--insert takes POS TEXT".into()));
        };
        let pos = pos.trim().parse::<usize>().map_err(|_| {
            Error::InvalidInput(format!("--insert: {pos:?} is not a character position"))
        })?;
        return Ok(Some(Edit::Splice {
            pos,
            delete: 0,
            insert: text.clone(),
        }));
    }
    if let Some(v) = e.delete {
        let [pos, len] = v.as_slice() else {
            return Err(Error::InvalidInput("--delete takes POS LEN".into()));
        };
        return Ok(Some(Edit::Splice {
            pos: *pos,
            delete: *len,
            insert: String::new(),
        }));
    }
    Ok(None)
}

/// Reads a UTF-8 text file ("-" = stdin).
pub(super) fn read_text_file(path: &Path) -> Result<String> {
    let bytes = if path.as_os_str() == "-" {
        let mut b = Vec::new();
        std::io::stdin().read_to_end(&mut b)?;
        b
    } else {
        std::fs::read(path)?
    };
    String::from_utf8(bytes)
        .map_err(|_| Error::InvalidInput(format!("{} is not UTF-8 text", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_words_counts_characters_not_bytes_and_matches_nfd() {
        let body = "Giải pháp giảm thời gian dừng máy";
        assert_eq!(words(body, "dừng máy").expect("found"), (25, 33));
        let nfd = "d\u{0075}\u{031B}\u{0300}ng";
        assert_eq!(words(body, nfd).expect("found NFD"), (25, 29));
        assert!(words(body, "dung may").is_err());
    }
}
