//! Files attached to a material (tài liệu đính kèm): PDFs, scans, slides.
//!
//! The bytes are a content-addressed blob ([`crate::blob`]), uploaded and fetched apart from
//! sync; the document only lists them. Each attachment is a map under its own root key,
//! `attachment/<sha256>` = `{ name, mime, size, added_by, added_at }`, so two members adding
//! different files offline never write the same key, and no shared container has to exist
//! first (a container created by two replicas concurrently would hide one of them — here
//! there is none). Two members attaching the *same* file concurrently both write
//! `attachment/<sha256>`: Automerge keeps both maps and shows one, which describes the same
//! bytes, so nothing is lost; [`crate::model::Document::check_structure`] accepts exactly
//! that (several maps under an `attachment/` key) and nothing else twice.
//!
//! An entry is written once, by the member who attaches the file, and never changed: the
//! server refuses an entry whose `added_by` is not the author of the change that made it, and
//! any later write into an entry by someone else ([`check_attachments`]).

use automerge::{ObjId, ObjType, ROOT, Value, transaction::Transactable};
use serde::{Deserialize, Serialize};

use super::super::{Document, Editor, View, put_map, put_str};
use crate::blob::BlobHash;
use crate::ids::{DocKind, MemberId};
use crate::text::nfc;
use crate::{Error, Result};

/// The root keys of attachment entries start with this, followed by the blob's SHA-256.
pub(crate) const KEY_PREFIX: &str = "attachment/";

/// Longest file name kept (characters).
const MAX_NAME_CHARS: usize = 255;

/// Longest media type kept (bytes).
const MAX_MIME_LEN: usize = 127;

/// A file attached to a material.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// The SHA-256 of its bytes: the blob to fetch ([`crate::Store::blob`]).
    pub sha256: BlobHash,
    /// The file name shown ("Nghị quyết 21-NQ/TW.pdf"), NFC.
    pub name: String,
    /// Its media type ("application/pdf").
    pub mime: String,
    /// Its size in bytes.
    pub size: u64,
    /// The member who attached it.
    pub added_by: MemberId,
    /// When (Unix seconds, the attaching phone's clock).
    pub added_at: i64,
}

/// What attaching a file writes into the document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAttachment {
    /// The SHA-256 of the bytes.
    pub sha256: BlobHash,
    /// The file name shown.
    pub name: String,
    /// The media type.
    pub mime: String,
    /// The size in bytes.
    pub size: u64,
}

pub(crate) fn expect_material(doc: &Document) -> Result<()> {
    if doc.kind() != DocKind::Material {
        return Err(Error::WrongKind {
            id: doc.id().to_string(),
            expected: "material",
            actual: doc.kind().to_string(),
        });
    }
    Ok(())
}

/// A file name fit to show and to save under: NFC, trimmed, no path, no control characters.
fn clean_name(name: &str) -> Result<String> {
    // A name is shown and offered as a file name on another phone: never a path.
    let name = crate::text::file_name_safe(&nfc(name.trim()));
    if name.is_empty() || name == "." || name == ".." {
        return Err(Error::InvalidInput(
            "an attachment needs a file name".into(),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(Error::InvalidInput(
            "an attachment's file name must not contain control characters".into(),
        ));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(Error::InvalidInput(format!(
            "an attachment's file name may be at most {MAX_NAME_CHARS} characters"
        )));
    }
    Ok(name)
}

fn clean_mime(mime: &str) -> Result<String> {
    let mime = mime.trim().to_ascii_lowercase();
    let valid = mime.len() <= MAX_MIME_LEN
        && mime.split_once('/').is_some_and(|(t, s)| {
            let part = |p: &str| {
                !p.is_empty()
                    && p.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b))
            };
            part(t) && part(s)
        });
    if !valid {
        return Err(Error::InvalidInput(format!(
            "{mime:?} is not a media type (such as application/pdf)"
        )));
    }
    Ok(mime)
}

/// The media type of a file name's extension, for the common kinds a branch attaches;
/// `application/octet-stream` for anything else.
pub fn guess_mime(name: &str) -> &'static str {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "pdf" => "application/pdf",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "ppt" => "application/vnd.ms-powerpoint",
        "pptx" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "odt" => "application/vnd.oasis.opendocument.text",
        "txt" => "text/plain",
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "mp3" => "audio/mpeg",
        "mp4" => "video/mp4",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

/// `new` with its name and media type checked and normalised (what [`add_attachment`] writes):
/// the store checks this before it keeps a file's bytes.
pub(crate) fn checked(new: &NewAttachment) -> Result<NewAttachment> {
    i64::try_from(new.size)
        .map_err(|_| Error::InvalidInput(format!("{} bytes is not a file size", new.size)))?;
    Ok(NewAttachment {
        sha256: new.sha256,
        name: clean_name(&new.name)?,
        mime: clean_mime(&new.mime)?,
        size: new.size,
    })
}

/// Lists a file in a material. Returns `false` when the same bytes are listed already (the
/// entry stays as its first writer made it; nothing is written).
pub fn add_attachment(doc: &mut Document, editor: &Editor, new: &NewAttachment) -> Result<bool> {
    expect_material(doc)?;
    let NewAttachment {
        name, mime, size, ..
    } = checked(new)?;
    let key = format!("{KEY_PREFIX}{}", new.sha256);
    if View::new(&doc.doc, None).get(&ROOT, &key).is_some() {
        return Ok(false);
    }
    let size = i64::try_from(size).unwrap_or(i64::MAX); // checked above
    doc.transact(editor, "attachment.add", |d| {
        let o = put_map(d, &ROOT, &key)?;
        put_str(d, &o, "name", &name)?;
        put_str(d, &o, "mime", &mime)?;
        d.put(&o, "size", size)?;
        put_str(d, &o, "added_by", editor.member.as_str())?;
        d.put(&o, "added_at", editor.time)?;
        Ok(())
    })?;
    Ok(true)
}

/// The attachments at the view's version, oldest first (then by name). Entries whose key is
/// not a hash are skipped (the server refuses them; a phone shows what it can).
pub(crate) fn read(view: View<'_>) -> Vec<Attachment> {
    let mut out = Vec::new();
    for key in view.keys(&ROOT) {
        let Some(hex) = key.strip_prefix(KEY_PREFIX) else {
            continue;
        };
        let (Ok(sha256), Some(o)) = (BlobHash::parse(hex), view.obj(&ROOT, &key, ObjType::Map))
        else {
            continue;
        };
        out.push(Attachment {
            sha256,
            name: view.str(&o, "name").unwrap_or_default(),
            mime: view.str(&o, "mime").unwrap_or_default(),
            size: view.u64(&o, "size").unwrap_or_default(),
            added_by: MemberId::new(view.str(&o, "added_by").unwrap_or_default()),
            added_at: view.i64(&o, "added_at").unwrap_or_default(),
        });
    }
    out.sort_by(|a, b| (a.added_at, &a.name, a.sha256).cmp(&(b.added_at, &b.name, b.sha256)));
    out
}

/// A material's attachments at its current version (empty for a draft).
pub fn attachments(doc: &Document) -> Result<Vec<Attachment>> {
    super::expect_text(doc)?;
    Ok(read(doc.view()))
}

/// The attachment listed under `sha256`, if any.
pub fn attachment(doc: &Document, sha256: &BlobHash) -> Result<Option<Attachment>> {
    Ok(attachments(doc)?.into_iter().find(|a| &a.sha256 == sha256))
}

/// The server's check of every attachment entry (the rule of `docs/roles.md`): its key names
/// a hash; every value under it is a map; `added_by` names the member whose change created
/// the map; and every field in it was written by that member only. So nobody attaches a file
/// in another member's name, and nobody rewrites what someone else attached.
pub fn check_attachments(doc: &Document) -> Result<()> {
    let view = doc.view();
    for key in view.keys(&ROOT) {
        let Some(hex) = key.strip_prefix(KEY_PREFIX) else {
            continue;
        };
        if BlobHash::parse(hex).is_err() {
            return Err(Error::InvalidDocument(format!(
                "{key:?} is not an attachment key (attachment/ and a SHA-256)"
            )));
        }
        for (value, obj) in view.get_all(&ROOT, &key) {
            if !matches!(value, Value::Object(ObjType::Map)) {
                return Err(Error::InvalidDocument(format!(
                    "{key:?} is not an attachment entry"
                )));
            }
            check_entry(doc, view, &key, &obj)?;
        }
    }
    Ok(())
}

fn writer(doc: &Document, id: &ObjId) -> Option<MemberId> {
    match id {
        ObjId::Id(_, actor, _) => doc.member_of_actor(actor),
        ObjId::Root => None,
    }
}

fn check_entry(doc: &Document, view: View<'_>, key: &str, entry: &ObjId) -> Result<()> {
    let creator = writer(doc, entry);
    let added_by = view.get_all(entry, "added_by");
    let names_creator = !added_by.is_empty()
        && added_by.iter().all(|(v, _)| {
            v.as_str().map(MemberId::new).as_ref() == creator.as_ref() && creator.is_some()
        });
    if !names_creator {
        return Err(Error::NotPermitted(format!(
            "{key} must name the member who attached it"
        )));
    }
    for field in view.keys(entry) {
        let by_creator = view
            .get_all(entry, &field)
            .iter()
            .all(|(_, op)| writer(doc, op) == creator);
        if !by_creator {
            return Err(Error::NotPermitted(format!(
                "{key} may be written only by the member who attached it"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use automerge::transaction::Transactable;
    use automerge::{ActorId, Author, ReadDoc};

    use super::*;
    use crate::ids::BranchId;
    use crate::model::text_doc::{self, NewTextDoc};

    fn editor(member: &str) -> Editor {
        Editor {
            member: MemberId::new(member),
            time: 1_767_225_600,
        }
    }

    fn material() -> Document {
        text_doc::create(
            &NewTextDoc {
                kind: DocKind::Material,
                branch_id: BranchId::new("b-co-dien"),
                plan_id: None,
                topic_id: None,
                title: "Nghị quyết Đại hội".into(),
                description: String::new(),
                body: "Toàn văn.".into(),
            },
            &editor("m-viet"),
        )
        .expect("material")
    }

    fn pdf(name: &str, bytes: &[u8]) -> NewAttachment {
        NewAttachment {
            sha256: BlobHash::of(bytes),
            name: name.into(),
            mime: guess_mime(name).into(),
            size: bytes.len() as u64,
        }
    }

    fn copy(doc: &mut Document) -> Document {
        Document::load(&doc.save(), &[]).expect("copy")
    }

    /// A change written straight into the Automerge document as `member` (its author), the
    /// way a modified phone could.
    fn raw_edit(doc: &mut Document, member: &str, f: impl FnOnce(&mut automerge::AutoCommit)) {
        doc.doc.set_actor(ActorId::random());
        doc.doc
            .set_author(Some(Author::from(member.as_bytes().to_vec())));
        f(&mut doc.doc);
        doc.doc.commit();
    }

    #[test]
    fn test_attachment_is_listed_once_with_who_added_it() {
        let mut doc = material();
        let new = pdf("Nghị quyết 21-NQ/TW.pdf", b"%PDF-1.7 a");
        assert!(add_attachment(&mut doc, &editor("m-luong"), &new).expect("adds"));
        let listed = attachments(&doc).expect("lists");
        assert_eq!(listed.len(), 1);
        let a = &listed[0];
        assert_eq!(a.sha256, new.sha256);
        assert_eq!(
            a.name, "Nghị quyết 21-NQ∕TW.pdf",
            "the slash kept as a look-alike that is never a path separator"
        );
        assert_eq!(a.mime, "application/pdf");
        assert_eq!(a.size, 10);
        assert_eq!(a.added_by, MemberId::new("m-luong"));
        assert_eq!(a.added_at, 1_767_225_600);
        // The same bytes again: nothing is written, the first entry stays.
        let heads = doc.heads();
        assert!(
            !add_attachment(&mut doc, &editor("m-viet"), &pdf("khac.pdf", b"%PDF-1.7 a")).unwrap()
        );
        assert_eq!(doc.heads(), heads);
        assert_eq!(text_doc::get(&doc).unwrap().attachments, listed);
        check_attachments(&doc).expect("well formed");
    }

    #[test]
    fn test_bad_names_types_and_kinds_are_refused_and_write_nothing() {
        let mut doc = material();
        let heads = doc.heads();
        for (name, mime) in [
            ("", "application/pdf"),
            (" ", "application/pdf"),
            ("..", "application/pdf"),
            ("a\u{7}.pdf", "application/pdf"),
            ("ok.pdf", "pdf"),
            ("ok.pdf", "application/"),
            ("ok.pdf", "text/plain; charset=utf-8"),
        ] {
            let mut new = pdf(name, b"x");
            new.mime = mime.into();
            let e = add_attachment(&mut doc, &editor("m-viet"), &new)
                .expect_err(&format!("{name:?} {mime:?}"));
            assert!(matches!(e, Error::InvalidInput(_)), "{e}");
        }
        assert_eq!(doc.heads(), heads, "nothing written");
        // Never a path on the phone that saves it: "../../x" is a plain name there.
        let mut sneaky = pdf("../../etc/x.pdf", b"y");
        sneaky.mime = "application/pdf".into();
        assert!(add_attachment(&mut doc, &editor("m-viet"), &sneaky).unwrap());
        let listed = attachments(&doc).unwrap();
        assert_eq!(listed[0].name, "..∕..∕etc∕x.pdf");
        assert!(!listed[0].name.contains(['/', '\\']));
        let mut doc = material();
        let heads = doc.heads();
        let long = "ả".repeat(MAX_NAME_CHARS + 1);
        assert!(add_attachment(&mut doc, &editor("m-viet"), &pdf(&long, b"x")).is_err());
        assert_eq!(doc.heads(), heads);
        assert!(attachments(&doc).unwrap().is_empty());
        let mut draft = text_doc::create(
            &NewTextDoc {
                kind: DocKind::TopicDraft,
                branch_id: BranchId::new("b-co-dien"),
                plan_id: None,
                topic_id: Some(crate::ids::TopicId::new("t1")),
                title: "Dự thảo".into(),
                description: String::new(),
                body: String::new(),
            },
            &editor("m-viet"),
        )
        .unwrap();
        let e = add_attachment(&mut draft, &editor("m-viet"), &pdf("a.pdf", b"x")).unwrap_err();
        assert!(matches!(e, Error::WrongKind { .. }), "{e}");
    }

    #[test]
    fn test_two_members_attaching_offline_merge_without_loss() {
        let mut a = material();
        let mut b = copy(&mut a);
        let same = pdf("Nghị quyết.pdf", b"%PDF same");
        add_attachment(&mut a, &editor("m-viet"), &same).unwrap();
        add_attachment(&mut a, &editor("m-viet"), &pdf("Viet.pdf", b"%PDF viet")).unwrap();
        add_attachment(
            &mut b,
            &editor("m-luong"),
            &pdf("Nghị quyết (bản chụp).pdf", b"%PDF same"),
        )
        .unwrap();
        add_attachment(&mut b, &editor("m-luong"), &pdf("Luong.pdf", b"%PDF luong")).unwrap();
        a.merge(&mut b).unwrap();
        b.merge(&mut a).unwrap();
        let (la, lb) = (attachments(&a).unwrap(), attachments(&b).unwrap());
        assert_eq!(la, lb, "both replicas show the same list");
        let mut hashes: Vec<BlobHash> = la.iter().map(|x| x.sha256).collect();
        hashes.sort();
        let mut want = vec![
            same.sha256,
            BlobHash::of(b"%PDF viet"),
            BlobHash::of(b"%PDF luong"),
        ];
        want.sort();
        assert_eq!(hashes, want, "every file is listed, the shared one once");
        // The same file attached twice concurrently is the one shape the server accepts twice.
        let key = format!("{KEY_PREFIX}{}", same.sha256);
        assert_eq!(
            a.view().get_all(&ROOT, &key).len(),
            2,
            "two entries, one shown"
        );
        a.check_structure()
            .expect("two entries for one file are allowed");
        check_attachments(&a).expect("each entry names its own writer");
        assert!(
            crate::model::conflict::list(&a).is_empty(),
            "no conflict to resolve"
        );
    }

    #[test]
    fn test_forged_and_rewritten_entries_are_refused() {
        let mut base = material();
        add_attachment(&mut base, &editor("m-viet"), &pdf("a.pdf", b"%PDF a")).unwrap();
        let key = format!("{KEY_PREFIX}{}", BlobHash::of(b"%PDF a"));

        // Luong lists a file in Việt's name.
        let mut forged = copy(&mut base);
        raw_edit(&mut forged, "m-luong", |d| {
            let k = format!("{KEY_PREFIX}{}", BlobHash::of(b"%PDF b"));
            let o = d.put_object(ROOT, k.as_str(), ObjType::Map).unwrap();
            d.put(&o, "name", "b.pdf").unwrap();
            d.put(&o, "added_by", "m-viet").unwrap();
        });
        let e = check_attachments(&forged).unwrap_err();
        assert!(matches!(e, Error::NotPermitted(_)), "{e}");

        // Luong renames Việt's attachment.
        let mut rewritten = copy(&mut base);
        raw_edit(&mut rewritten, "m-luong", |d| {
            let (_, o) = d.get(ROOT, key.as_str()).unwrap().unwrap();
            d.put(&o, "name", "virus.exe").unwrap();
        });
        let e = check_attachments(&rewritten).unwrap_err();
        assert!(
            e.to_string().contains("only by the member who attached it"),
            "{e}"
        );

        // Not an entry: a scalar, or a key that is no hash.
        let mut scalar = copy(&mut base);
        raw_edit(&mut scalar, "m-luong", |d| {
            let k = format!("{KEY_PREFIX}{}", BlobHash::of(b"c"));
            d.put(ROOT, k.as_str(), "c.pdf").unwrap();
        });
        assert!(matches!(
            check_attachments(&scalar),
            Err(Error::InvalidDocument(_))
        ));
        let mut not_hash = copy(&mut base);
        raw_edit(&mut not_hash, "m-luong", |d| {
            d.put_object(ROOT, "attachment/../../x", ObjType::Map)
                .unwrap();
        });
        assert!(matches!(
            check_attachments(&not_hash),
            Err(Error::InvalidDocument(_))
        ));
        assert!(
            attachments(&not_hash).unwrap().len() == 1,
            "a phone shows what it can"
        );

        // The rightful entry still passes, and a second map under a non-attachment key does not.
        check_attachments(&base).expect("Việt's own entry");
        let mut twice = copy(&mut base);
        let mut other = copy(&mut base);
        raw_edit(&mut twice, "m-viet", |d| {
            d.put_object(ROOT, "comments", ObjType::Map).unwrap();
        });
        raw_edit(&mut other, "m-luong", |d| {
            d.put_object(ROOT, "comments", ObjType::Map).unwrap();
        });
        twice.merge(&mut other).unwrap();
        assert!(twice.check_structure().is_err());
    }
}
