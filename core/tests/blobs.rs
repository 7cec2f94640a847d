//! Attachments on the phone: the blob cache, the upload queue and materials' lists.
#![allow(clippy::unwrap_used)]

use sotay_core::blob::{BlobHash, DEFAULT_MAX_BLOB_BYTES};
use sotay_core::ids::{BranchId, DocId, DocKind, MemberId, TopicId};
use sotay_core::model::text_doc::NewTextDoc;
use sotay_core::{Error, Store};

const BRANCH: &str = "b-co-dien";

fn open(dir: &tempfile::TempDir) -> Store {
    let mut s = Store::open(dir.path().join("phone.sotay")).unwrap();
    s.set_identity(&MemberId::new("m-viet")).unwrap();
    s
}

fn text_doc(s: &mut Store, kind: DocKind) -> DocId {
    s.create_text_doc(&NewTextDoc {
        kind,
        branch_id: BranchId::new(BRANCH),
        plan_id: None,
        topic_id: Some(TopicId::new("t1")),
        title: "Nghị quyết 21-NQ/TW".into(),
        description: String::new(),
        body: "Tóm tắt.".into(),
    })
    .unwrap()
}

/// PDF-like bytes: a header and enough varied content to be a real file's size.
fn pdf(seed: u8, len: usize) -> Vec<u8> {
    let mut v = b"%PDF-1.7\n".to_vec();
    v.extend((0..len).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)));
    v
}

#[test]
fn test_attach_keeps_the_bytes_lists_them_and_queues_them_across_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = pdf(1, 300_000);
    let (material, sha) = {
        let mut s = open(&dir);
        let material = text_doc(&mut s, DocKind::Material);
        let a = s
            .attach(&material, &bytes, "Nghị quyết 21.pdf", None)
            .unwrap();
        assert_eq!(a.sha256, BlobHash::of(&bytes));
        assert_eq!(a.mime, "application/pdf");
        assert_eq!(a.size, bytes.len() as u64);
        assert_eq!(a.added_by, MemberId::new("m-viet"));
        (material, a.sha256)
    };
    let mut s = Store::open(dir.path().join("phone.sotay")).unwrap();
    assert_eq!(s.blob(&sha).unwrap().as_deref(), Some(bytes.as_slice()));
    assert!(s.has_blob(&sha).unwrap());
    let listed = s.attachments(&material).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].name, "Nghị quyết 21.pdf");
    assert_eq!(s.text_doc(&material).unwrap().attachments, listed);
    let queue = s.pending_blob_uploads().unwrap();
    assert_eq!(queue.len(), 1);
    assert_eq!(
        (queue[0].sha256, queue[0].branch_id.as_str(), queue[0].size),
        (sha, BRANCH, bytes.len() as u64)
    );
    // Attaching the same file again lists it once and queues it once.
    s.attach(&material, &bytes, "bản sao.pdf", None).unwrap();
    assert_eq!(s.attachments(&material).unwrap(), listed);
    assert_eq!(s.pending_blob_uploads().unwrap().len(), 1);
    let sources = s.attachment_sources(&sha).unwrap();
    assert_eq!(sources.len(), 1);
    assert_eq!(
        (&sources[0].doc_id, sources[0].branch_id.as_str()),
        (&material, BRANCH)
    );
    assert!(
        s.attachment_sources(&BlobHash::of(b"other"))
            .unwrap()
            .is_empty()
    );
    assert_eq!(s.integrity_check().unwrap(), ["ok"]);
}

#[test]
fn test_a_file_over_the_limit_is_refused_with_a_clear_error_and_nothing_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(&dir);
    let material = text_doc(&mut s, DocKind::Material);
    let heads = s.export_document(&material).unwrap().heads();
    let big = vec![7u8; DEFAULT_MAX_BLOB_BYTES as usize + 1];
    let e = s.attach(&material, &big, "big.pdf", None).unwrap_err();
    assert!(matches!(e, Error::InvalidInput(_)), "{e}");
    let msg = e.to_string();
    assert!(
        msg.contains("20.0 MiB") && msg.contains("20971521"),
        "{msg}"
    );
    // A file on disk over the limit is refused before it is read (a sparse 20 MiB + 1 file).
    let path = dir.path().join("Báo cáo.pdf");
    std::fs::File::create(&path)
        .unwrap()
        .set_len(DEFAULT_MAX_BLOB_BYTES + 1)
        .unwrap();
    let e = s.attach_file(&material, &path, None, None).unwrap_err();
    assert!(e.to_string().contains("at most 20.0 MiB"), "{e}");
    assert!(!s.has_blob(&BlobHash::of(&big)).unwrap());
    assert!(s.pending_blob_uploads().unwrap().is_empty());
    assert!(s.attachments(&material).unwrap().is_empty());
    assert_eq!(s.export_document(&material).unwrap().heads(), heads);
    // Exactly the limit is accepted.
    let max = vec![8u8; DEFAULT_MAX_BLOB_BYTES as usize];
    s.attach(&material, &max, "max.pdf", None).unwrap();
    assert_eq!(
        s.blob(&BlobHash::of(&max)).unwrap().map(|b| b.len()),
        Some(max.len())
    );
}

#[test]
fn test_attach_file_takes_the_files_name_and_refuses_what_it_cannot_read() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(&dir);
    let material = text_doc(&mut s, DocKind::Material);
    let path = dir.path().join("Kế hoạch.docx");
    std::fs::write(&path, pdf(2, 1000)).unwrap();
    let a = s.attach_file(&material, &path, None, None).unwrap();
    assert_eq!(a.name, "Kế hoạch.docx");
    assert!(a.mime.contains("wordprocessingml"), "{}", a.mime);
    // The same bytes under another name: listed already, the first entry stays.
    let again = s
        .attach_file(
            &material,
            &path,
            Some("Khác.bin"),
            Some("application/x-sotay"),
        )
        .unwrap();
    assert_eq!(again, a);
    let missing = s
        .attach_file(&material, &dir.path().join("không có.pdf"), None, None)
        .unwrap_err();
    assert!(
        matches!(&missing, Error::InvalidInput(m) if m.contains("không có.pdf")),
        "{missing}"
    );
    let folder = s
        .attach_file(&material, dir.path(), None, None)
        .unwrap_err();
    assert!(matches!(folder, Error::InvalidInput(_)), "{folder}");
    assert_eq!(s.attachments(&material).unwrap().len(), 1);
}

#[test]
fn test_nothing_is_stored_for_a_draft_or_without_an_identity() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(&dir);
    let draft = text_doc(&mut s, DocKind::TopicDraft);
    let bytes = pdf(3, 100);
    let e = s.attach(&draft, &bytes, "a.pdf", None).unwrap_err();
    assert!(matches!(e, Error::WrongKind { .. }), "{e}");
    let e = s
        .attach(&draft, &bytes, "a.pdf", Some("not a type"))
        .unwrap_err();
    assert!(
        matches!(e, Error::WrongKind { .. } | Error::InvalidInput(_)),
        "{e}"
    );
    let material = text_doc(&mut s, DocKind::Material);
    let e = s
        .attach(&material, &bytes, "a.pdf", Some("pdf"))
        .unwrap_err();
    assert!(matches!(e, Error::InvalidInput(_)), "{e}");
    assert!(!s.has_blob(&BlobHash::of(&bytes)).unwrap());
    assert!(s.pending_blob_uploads().unwrap().is_empty());

    let other = tempfile::tempdir().unwrap();
    let mut anon = Store::open(other.path().join("anon.sotay")).unwrap();
    let e = anon
        .attach(&DocId::new("nothing"), &bytes, "a.pdf", None)
        .unwrap_err();
    assert!(matches!(e, Error::NoIdentity), "{e}");
    assert!(!anon.has_blob(&BlobHash::of(&bytes)).unwrap());
}

#[test]
fn test_fetched_bytes_are_kept_only_when_they_match_their_hash() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(&dir);
    let bytes = pdf(4, 5000);
    let sha = BlobHash::of(&bytes);
    assert_eq!(s.blob(&sha).unwrap(), None, "not fetched yet: None");
    let mut damaged = bytes.clone();
    damaged[100] ^= 1;
    let e = s.put_fetched_blob(&sha, &damaged).unwrap_err();
    assert!(matches!(e, Error::BlobDamaged { .. }), "{e}");
    assert!(e.to_string().contains("nothing was stored"), "{e}");
    assert!(!s.has_blob(&sha).unwrap());
    s.put_fetched_blob(&sha, &bytes).unwrap();
    assert_eq!(s.blob(&sha).unwrap(), Some(bytes));
    // Fetched blobs are not this phone's to send.
    assert!(s.pending_blob_uploads().unwrap().is_empty());
}

#[test]
fn test_a_refused_upload_leaves_the_queue_until_the_file_is_added_again() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(&dir);
    let bytes = pdf(5, 10);
    let sha = s.add_blob(&BranchId::new(BRANCH), &bytes).unwrap();
    let up = s.pending_blob_uploads().unwrap().remove(0);
    s.mark_blob_refused(&up, "too_large", "quá lớn").unwrap();
    assert!(s.pending_blob_uploads().unwrap().is_empty());
    let refused = s.blob_refusals().unwrap();
    assert_eq!(refused.len(), 1);
    assert_eq!(
        (
            refused[0].sha256,
            refused[0].code.as_str(),
            refused[0].message.as_str()
        ),
        (sha, "too_large", "quá lớn")
    );
    assert!(s.has_blob(&sha).unwrap(), "the bytes stay on the phone");
    s.add_blob(&BranchId::new(BRANCH), &bytes).unwrap();
    assert_eq!(s.pending_blob_uploads().unwrap().len(), 1);
    assert!(s.blob_refusals().unwrap().is_empty());
    let up = s.pending_blob_uploads().unwrap().remove(0);
    s.mark_blob_uploaded(&up).unwrap();
    assert!(s.pending_blob_uploads().unwrap().is_empty());
    assert!(s.blob_refusals().unwrap().is_empty());
}

/// What a screen shows next to each file: on this phone or not, and whether it waits to be
/// sent from here — pending, refused with the server's reason, or nothing (sent, or another
/// phone's file).
#[test]
fn test_attachment_states_say_whether_the_bytes_are_here_and_wait_to_be_sent() {
    use sotay_core::store::AttachmentUpload;
    let dir = tempfile::tempdir().unwrap();
    let mut viet = open(&dir);
    let material = text_doc(&mut viet, DocKind::Material);
    let first = pdf(6, 2000);
    let second = pdf(7, 3000);
    viet.attach(&material, &first, "Nghị quyết.pdf", None)
        .unwrap();
    viet.attach(&material, &second, "Phụ lục.docx", None)
        .unwrap();
    let states = viet.attachment_states(&material).unwrap();
    assert_eq!(
        states
            .iter()
            .map(|s| s.attachment.name.as_str())
            .collect::<Vec<_>>(),
        ["Nghị quyết.pdf", "Phụ lục.docx"]
    );
    assert!(states.iter().all(|s| s.on_device));
    assert!(
        states.iter().all(|s| s.upload == AttachmentUpload::Pending),
        "{states:?}"
    );
    assert_eq!(
        states.iter().map(|s| &s.attachment).collect::<Vec<_>>(),
        viet.attachments(&material)
            .unwrap()
            .iter()
            .collect::<Vec<_>>()
    );

    // The server took the first and refused the second.
    let queue = viet.pending_blob_uploads().unwrap();
    let up = |sha: BlobHash| queue.iter().find(|u| u.sha256 == sha).unwrap().clone();
    viet.mark_blob_uploaded(&up(BlobHash::of(&first))).unwrap();
    viet.mark_blob_refused(&up(BlobHash::of(&second)), "too_large", "quá lớn")
        .unwrap();
    let states = viet.attachment_states(&material).unwrap();
    assert_eq!(states[0].upload, AttachmentUpload::NotQueued);
    assert_eq!(
        states[1].upload,
        AttachmentUpload::Refused {
            code: "too_large".into(),
            message: "quá lớn".into()
        }
    );

    // Another phone receives the material: listed, not on it, nothing of its own to send.
    let other_dir = tempfile::tempdir().unwrap();
    let mut luong = Store::open(other_dir.path().join("luong.sotay")).unwrap();
    luong.set_identity(&MemberId::new("m-luong")).unwrap();
    let mut copy = viet.export_document(&material).unwrap();
    luong.merge_document(&mut copy).unwrap();
    let states = luong.attachment_states(&material).unwrap();
    assert_eq!(states.len(), 2);
    assert!(states.iter().all(|s| !s.on_device), "{states:?}");
    assert!(
        states
            .iter()
            .all(|s| s.upload == AttachmentUpload::NotQueued)
    );
    // Fetched: on the phone now.
    luong
        .put_fetched_blob(&BlobHash::of(&first), &first)
        .unwrap();
    let states = luong.attachment_states(&material).unwrap();
    assert_eq!(
        states.iter().map(|s| s.on_device).collect::<Vec<_>>(),
        [true, false]
    );
    let one = luong
        .attachment_state(&material, &BlobHash::of(&second))
        .unwrap()
        .expect("listed");
    assert_eq!(one, states[1]);
    assert_eq!(
        luong
            .attachment_state(&material, &BlobHash::of(b"not listed"))
            .unwrap(),
        None
    );
    assert!(matches!(
        luong.attachment_states(&DocId::new("no-such-doc")),
        Err(Error::DocumentNotFound(_))
    ));
}

/// "Changes since" a version name the files attached after it, with who attached them.
#[test]
fn test_the_delta_of_a_material_lists_the_files_attached_since() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(&dir);
    let m = text_doc(&mut s, DocKind::Material);
    let before = s.export_document(&m).unwrap().heads();
    let a = s
        .attach(&m, &pdf(4, 2_000), "Nghị quyết.pdf", None)
        .unwrap();
    let mut doc = s.export_document(&m).unwrap();
    let d = sotay_core::approval::delta(&mut doc, &before, None).unwrap();
    let sotay_core::approval::DeltaContent::Text(t) = &d.content else {
        panic!("{d:?}")
    };
    assert_eq!(t.attachments_added.len(), 1);
    assert_eq!(t.attachments_added[0].sha256, a.sha256);
    assert_eq!(t.attachments_added[0].name, "Nghị quyết.pdf");
    assert_eq!(t.attachments_added[0].added_by, MemberId::new("m-viet"));
    assert!(!d.is_empty());
    // From the version that already holds it: nothing new.
    let now = doc.heads();
    let d = sotay_core::approval::delta(&mut doc, &now, None).unwrap();
    assert!(d.is_empty(), "{d:?}");
}
