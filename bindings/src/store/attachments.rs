//! Attachments: files attached to a material, listed with where their bytes stand on this
//! phone, opened from the phone's cache or fetched lazily from the server.
//!
//! Attaching keeps the bytes on the phone and queues them; `sync` sends them after the
//! documents. A file another member attached is listed as soon as its material syncs, and
//! its bytes are downloaded the first time it is opened (`fetch_attachment`), checked
//! against its SHA-256 before anything is kept. The fetch runs on the bindings' runtime like
//! `sync` and locks the store only to begin (cache, sources, enrollment) and to keep the
//! bytes — never while it waits on the network.

use std::sync::{Arc, Mutex};

use sotay_core::Store;
use sotay_core::blob::BlobHash;
use sotay_core::sync::{BlobFetch, ClientConfig, FetchStart};
use tokio::runtime::Handle;

use super::{SotayStore, lock_store};
use crate::error::{ApiError, Result};
use crate::listeners::Hub;
use crate::records::{Attachment, BlobRefusal, hash_in};
use crate::runtime::runtime;

#[uniffi::export]
impl SotayStore {
    /// Attaches a file to a material: keeps `bytes` on this phone, queues them for the next
    /// sync and lists them in the material as `file_name` (media type `mime`, else guessed
    /// from the name). Attaching a file the material lists already returns its entry.
    /// `InvalidInput` for a file over 20 MiB, an empty or unusable name, a bad media type,
    /// or a draft instead of a material — nothing is stored then.
    pub fn attach(
        &self,
        doc_id: String,
        bytes: Vec<u8>,
        file_name: String,
        mime: Option<String>,
    ) -> Result<Attachment> {
        self.write(&doc_id, |s, id| {
            let a = s.attach(id, &bytes, &file_name, mime.as_deref())?;
            s.attachment_state(id, &a.sha256)?
                .map(Into::into)
                .ok_or_else(|| {
                    sotay_core::Error::InvalidDocument("the attachment was not recorded".into())
                })
        })
    }

    /// A draft's or material's attachments, oldest first, each saying whether its bytes
    /// are on this phone and whether they wait to be sent (or were refused).
    pub fn attachments(&self, doc_id: String) -> Result<Vec<Attachment>> {
        self.read(|s| {
            Ok(s.attachment_states(&sotay_core::ids::DocId::new(&doc_id))?
                .into_iter()
                .map(Into::into)
                .collect())
        })
    }

    /// An attachment's bytes if this phone holds them, else `None` (fetch them with
    /// `fetch_attachment`). `InvalidInput` unless `sha256` is 64 lowercase hex digits.
    pub fn attachment_bytes(&self, sha256: String) -> Result<Option<Vec<u8>>> {
        let sha = hash_in(&sha256)?;
        self.read(|s| s.blob(&sha))
    }

    /// An attachment's bytes: from this phone if it holds them, else downloaded from the
    /// server, checked against the SHA-256 and kept (the next call needs no network; the
    /// document-change listeners hear of the materials listing it). `AttachmentDamaged` when the download does not match (nothing kept: try again);
    /// `NotFound` when the server does not have the file yet (its sender has not synced);
    /// `InvalidInput` when no material on this phone lists it (sync first) or the hash is
    /// malformed; `Offline` when the server cannot be reached. Local calls made while it
    /// downloads do not wait for it.
    pub async fn fetch_attachment(&self, sha256: String) -> Result<Vec<u8>> {
        let sha = hash_in(&sha256)?;
        let store = Arc::clone(&self.store);
        let hub = Arc::clone(&self.hub);
        runtime()?
            .spawn_blocking(move || fetch_blocking(&store, &hub, &sha))
            .await
            .map_err(|e| ApiError::Internal(format!("the download stopped: {e}")))?
    }

    /// Files attached here that the server refused for good, with its reasons (they stay
    /// on this phone; attaching one again queues it again).
    pub fn blob_refusals(&self) -> Result<Vec<BlobRefusal>> {
        self.read(|s| Ok(s.blob_refusals()?.into_iter().map(Into::into).collect()))
    }
}

/// Core's fetch steps: the store is locked to begin and to keep, and released while the
/// download is on the network. Once the bytes are kept, the document-change listeners hear
/// of the materials listing them (their files now open offline), so every screen showing
/// one refreshes, not only the one that asked.
fn fetch_blocking(store: &Mutex<Store>, hub: &Hub, sha256: &BlobHash) -> Result<Vec<u8>> {
    let begun = BlobFetch::begin(&mut lock_store(store), &ClientConfig::default(), sha256)?;
    let fetch = match begun {
        FetchStart::Cached(bytes) => return Ok(bytes),
        FetchStart::Download(fetch) => fetch,
    };
    let bytes = Handle::current().block_on(fetch.download())?;
    let listing = {
        let mut s = lock_store(store);
        fetch.keep(&mut s, &bytes)?;
        s.attachment_sources(sha256)?
    };
    let mut docs: Vec<String> = listing.iter().map(|a| a.doc_id.to_string()).collect();
    docs.dedup();
    hub.documents_changed(docs);
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::TcpStream;
    use std::sync::mpsc;
    use std::time::Duration;

    use super::super::sync::tests::enroll_at;
    use super::super::tests::{new_plan, new_topic, viet_store};
    use super::*;
    use crate::listeners::tests::{Probe, WAIT};
    use crate::records::{AttachmentUpload, DocKind, Member, MemberStatus, NewTextDoc, Role};

    /// PDF-like bytes.
    fn pdf(seed: u8, len: usize) -> Vec<u8> {
        let mut v = b"%PDF-1.7\n".to_vec();
        v.extend((0..len).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)));
        v
    }

    fn material(store: &SotayStore) -> String {
        store
            .create_text_doc(NewTextDoc {
                kind: DocKind::Material,
                branch_id: "b-co-dien".into(),
                plan_id: None,
                topic_id: None,
                title: "Nghị quyết Hội nghị Trung ương 4".into(),
                description: String::new(),
                body: "Tóm tắt.".into(),
            })
            .expect("material")
    }

    /// Member Lượng's phone, holding a copy of `doc` from `from` (as a sync would bring it).
    fn luong_with(dir: &tempfile::TempDir, from: &SotayStore, doc: &str) -> Arc<SotayStore> {
        let path = dir.path().join("luong.sotay").display().to_string();
        let luong = SotayStore::open(path).expect("opens");
        luong.set_identity("m-luong".into()).expect("identity");
        luong
            .upsert_member(Member {
                id: "m-luong".into(),
                branch_id: "b-co-dien".into(),
                full_name: "Hoàng Đức Lượng".into(),
                role: Role::Member,
                status: MemberStatus::Full,
            })
            .expect("member");
        let id = sotay_core::ids::DocId::new(doc);
        let mut copy = lock_store(&from.store)
            .export_document(&id)
            .expect("export");
        lock_store(&luong.store)
            .merge_document(&mut copy)
            .expect("merge");
        luong
    }

    /// One request as the fake server saw it.
    #[derive(Debug)]
    struct Seen {
        method: String,
        path: String,
        body_len: usize,
    }

    /// What the fake server answers: status and body (JSON error or bytes).
    type Answer = (u16, Vec<u8>);

    /// A blob server on 127.0.0.1:0 answering by `answer(method, path)`; requests of
    /// `hold` method wait until released (or 20 s, so a failing test never hangs).
    struct BlobServer {
        url: String,
        seen: mpsc::Receiver<Seen>,
        release: mpsc::Sender<()>,
    }

    impl BlobServer {
        fn start(
            hold: Option<&'static str>,
            answer: impl Fn(&str, &str) -> Answer + Send + 'static,
        ) -> BlobServer {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
            let url = format!("http://{}", listener.local_addr().expect("addr"));
            let (seen_tx, seen) = mpsc::channel();
            let (release, released) = mpsc::channel::<()>();
            std::thread::spawn(move || {
                for conn in listener.incoming() {
                    let Ok(mut conn) = conn else { return };
                    let Some(req) = read(&mut conn) else { continue };
                    let held = hold == Some(req.method.as_str());
                    let (status, body) = answer(&req.method, &req.path);
                    let is_head = req.method == "HEAD";
                    let _ = seen_tx.send(req);
                    if held {
                        let _ = released.recv_timeout(Duration::from_secs(20));
                    }
                    let reason = match status {
                        200 => "OK",
                        201 => "Created",
                        404 => "Not Found",
                        413 => "Payload Too Large",
                        _ => "Other",
                    };
                    let _ = write!(
                        conn,
                        "HTTP/1.1 {status} {reason}\r\ncontent-type: application/octet-stream\r\n\
                         content-length: {}\r\nconnection: close\r\n\r\n",
                        if is_head { 0 } else { body.len() }
                    );
                    if !is_head {
                        let _ = conn.write_all(&body);
                    }
                }
            });
            BlobServer { url, seen, release }
        }
    }

    fn error(code: &str) -> Vec<u8> {
        format!(r#"{{"code":"{code}","message":"fake blob server: {code}"}}"#).into_bytes()
    }

    /// Reads one HTTP request: its method, path and body length.
    fn read(conn: &mut TcpStream) -> Option<Seen> {
        let _ = conn.set_read_timeout(Some(Duration::from_secs(5)));
        let mut buf = Vec::new();
        let mut chunk = [0u8; 65536];
        loop {
            let n = conn.read(&mut chunk).ok()?;
            if n == 0 {
                return None;
            }
            buf.extend_from_slice(&chunk[..n]);
            let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
                continue;
            };
            let head = String::from_utf8_lossy(&buf[..end]).into_owned();
            let length = head
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            if buf.len() >= end + 4 + length {
                let mut first = head.lines().next()?.split(' ');
                return Some(Seen {
                    method: first.next()?.to_owned(),
                    path: first.next()?.to_owned(),
                    body_len: length,
                });
            }
        }
    }

    #[test]
    fn test_an_attached_file_is_listed_kept_and_queued_and_listeners_hear_of_it() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = viet_store(&dir);
        let m = material(&store);
        let (probe, rx) = Probe::<Vec<String>>::new();
        let _h = store.subscribe_document_changes(probe);
        let bytes = pdf(1, 40_000);
        let a = store
            .attach(m.clone(), bytes.clone(), "Nghị quyết 21.pdf".into(), None)
            .expect("attached");
        assert_eq!(rx.recv_timeout(WAIT).expect("told"), vec![m.clone()]);
        assert_eq!(a.sha256, BlobHash::of(&bytes).to_hex());
        assert_eq!(
            (a.name.as_str(), a.mime.as_str(), a.size),
            ("Nghị quyết 21.pdf", "application/pdf", bytes.len() as u64)
        );
        assert_eq!(a.size_label, "39.1 KiB");
        assert_eq!(a.added_by, "m-viet");
        assert!(a.on_device);
        assert_eq!(a.upload, AttachmentUpload::Pending);
        assert_eq!(
            store.attachments(m.clone()).expect("listed"),
            vec![a.clone()]
        );
        assert_eq!(
            store.attachment_bytes(a.sha256.clone()).expect("read"),
            Some(bytes.clone())
        );
        // The material now has an edit to send.
        assert_eq!(store.sync_state().expect("state").unsent_documents, 1);
        // Attaching the same bytes again lists them once.
        store
            .attach(
                m.clone(),
                bytes,
                "bản sao.pdf".into(),
                Some("application/pdf".into()),
            )
            .expect("again");
        assert_eq!(store.attachments(m).expect("listed").len(), 1);
        assert!(store.blob_refusals().expect("refusals").is_empty());
        // A hash nobody attached is not on the phone.
        assert_eq!(
            store
                .attachment_bytes(BlobHash::of(b"other").to_hex())
                .expect("read"),
            None
        );
    }

    #[test]
    fn test_attach_refuses_bad_input_and_stores_nothing() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = viet_store(&dir);
        let m = material(&store);
        let plan = store.create_plan(new_plan()).expect("plan");
        let topic = store
            .add_topic(plan.clone(), new_topic("Chuyên đề", 4))
            .expect("topic");
        let draft = store
            .create_text_doc(NewTextDoc {
                kind: DocKind::TopicDraft,
                branch_id: "b-co-dien".into(),
                plan_id: Some(plan),
                topic_id: Some(topic),
                title: "Dự thảo".into(),
                description: String::new(),
                body: String::new(),
            })
            .expect("draft");
        let over = vec![0u8; 20 * 1024 * 1024 + 1];
        let e = store
            .attach(m.clone(), over, "quá lớn.pdf".into(), None)
            .expect_err("too large");
        assert!(
            matches!(&e, ApiError::InvalidInput(msg) if msg.contains("20.0 MiB")),
            "{e:?}"
        );
        for (doc, name, mime) in [
            (draft.clone(), "a.pdf", None),
            (m.clone(), "  ", None),
            (m.clone(), "a.pdf", Some("not a type".to_owned())),
        ] {
            let e = store
                .attach(doc, pdf(2, 10), name.into(), mime)
                .expect_err(name);
            assert!(matches!(e, ApiError::InvalidInput(_)), "{name:?}: {e:?}");
        }
        assert!(matches!(
            store.attach("no-such-doc".into(), pdf(2, 10), "a.pdf".into(), None),
            Err(ApiError::NotFound(_))
        ));
        assert!(store.attachments(m).expect("listed").is_empty());
        assert!(store.attachments(draft).expect("listed").is_empty());
        assert_eq!(
            store
                .attachment_bytes(BlobHash::of(&pdf(2, 10)).to_hex())
                .expect("read"),
            None,
            "nothing kept"
        );
        for bad in ["", "xyz", "../../etc/passwd"] {
            assert!(matches!(
                store.attachment_bytes(bad.into()),
                Err(ApiError::InvalidInput(_))
            ));
            assert!(matches!(
                runtime()
                    .expect("runtime")
                    .block_on(store.fetch_attachment(bad.into())),
                Err(ApiError::InvalidInput(_))
            ));
        }
    }

    #[test]
    fn test_another_phone_fetches_lazily_checks_the_hash_and_keeps_the_bytes() {
        let dir = tempfile::tempdir().expect("tmp");
        let viet = viet_store(&dir);
        let m = material(&viet);
        let bytes = pdf(3, 30_000);
        let a = viet
            .attach(m.clone(), bytes.clone(), "Nghị quyết.pdf".into(), None)
            .expect("attached");
        let luong = luong_with(&dir, &viet, &m);
        let listed = luong.attachments(m.clone()).expect("listed");
        assert_eq!(listed.len(), 1);
        assert!(!listed[0].on_device, "listed, not fetched");
        assert_eq!(listed[0].upload, AttachmentUpload::NotQueued);
        assert_eq!(
            luong.attachment_bytes(a.sha256.clone()).expect("read"),
            None
        );

        // The server sends damaged bytes first, then the right ones.
        let damaged = {
            let mut d = bytes.clone();
            d[1000] ^= 4;
            d
        };
        let calls = Arc::new(Mutex::new(0));
        let served = bytes.clone();
        let path = format!("/v1/blobs/b-co-dien/{}", a.sha256);
        let server = {
            let calls = Arc::clone(&calls);
            BlobServer::start(None, move |method, p| {
                let mut n = calls.lock().expect("calls");
                *n += 1;
                match (method, p == path) {
                    ("GET", true) if *n == 1 => (200, damaged.clone()),
                    ("GET", true) => (200, served.clone()),
                    _ => (404, error("not_found")),
                }
            })
        };
        enroll_at(&luong, &server.url);
        let rt = runtime().expect("runtime");
        let e = rt
            .block_on(luong.fetch_attachment(a.sha256.clone()))
            .expect_err("damaged");
        assert!(matches!(e, ApiError::AttachmentDamaged(_)), "{e:?}");
        assert!(!luong.attachments(m.clone()).expect("listed")[0].on_device);
        assert_eq!(
            luong.attachment_bytes(a.sha256.clone()).expect("read"),
            None
        );

        let (probe, rx) = Probe::<Vec<String>>::new();
        let _h = luong.subscribe_document_changes(probe);
        let got = rt
            .block_on(luong.fetch_attachment(a.sha256.clone()))
            .expect("fetched");
        assert_eq!(got, bytes);
        // Every screen showing the material hears that its file is on the phone now.
        assert_eq!(rx.recv_timeout(WAIT).expect("told"), vec![m.clone()]);
        assert!(luong.attachments(m.clone()).expect("listed")[0].on_device);
        assert_eq!(
            luong.attachment_bytes(a.sha256.clone()).expect("read"),
            Some(bytes.clone())
        );
        // Kept: the next open needs no server.
        let requests = *calls.lock().expect("calls");
        assert_eq!(
            rt.block_on(luong.fetch_attachment(a.sha256))
                .expect("cached"),
            bytes
        );
        assert_eq!(*calls.lock().expect("calls"), requests, "no request made");
        assert!(
            rx.recv_timeout(Duration::from_millis(200)).is_err(),
            "nothing new to tell"
        );
        let paths: Vec<String> = server.seen.try_iter().map(|s| s.path).collect();
        assert_eq!(paths.len(), 2, "{paths:?}");
    }

    #[test]
    fn test_fetching_a_file_not_sent_or_not_listed_says_so() {
        let dir = tempfile::tempdir().expect("tmp");
        let viet = viet_store(&dir);
        let m = material(&viet);
        let a = viet
            .attach(m.clone(), pdf(4, 100), "Phụ lục.pdf".into(), None)
            .expect("attached");
        let luong = luong_with(&dir, &viet, &m);
        let rt = runtime().expect("runtime");
        // Not enrolled: nothing to fetch from.
        assert!(matches!(
            rt.block_on(luong.fetch_attachment(a.sha256.clone())),
            Err(ApiError::NotEnrolled(_))
        ));
        let server = BlobServer::start(None, |_, _| (404, error("not_found")));
        enroll_at(&luong, &server.url);
        // Việt has not synced since attaching it: the server has no such file yet.
        let e = rt
            .block_on(luong.fetch_attachment(a.sha256.clone()))
            .expect_err("not on the server");
        assert!(matches!(&e, ApiError::NotFound(_)), "{e:?}");
        assert_eq!(luong.attachment_bytes(a.sha256).expect("read"), None);
        // A file no material on this phone lists: sync first.
        let e = rt
            .block_on(luong.fetch_attachment(BlobHash::of(b"nobody").to_hex()))
            .expect_err("not listed");
        assert!(
            matches!(&e, ApiError::InvalidInput(msg) if msg.contains("sync first")),
            "{e:?}"
        );
    }

    #[test]
    fn test_a_local_edit_goes_through_while_a_fetch_waits_on_the_network() {
        let dir = tempfile::tempdir().expect("tmp");
        let viet = viet_store(&dir);
        let m = material(&viet);
        let bytes = pdf(5, 5000);
        let a = viet
            .attach(m.clone(), bytes.clone(), "Báo cáo.pdf".into(), None)
            .expect("attached");
        let luong = luong_with(&dir, &viet, &m);
        let served = bytes.clone();
        let server = BlobServer::start(Some("GET"), move |_, _| (200, served.clone()));
        enroll_at(&luong, &server.url);
        let fetching = {
            let (l, sha) = (Arc::clone(&luong), a.sha256.clone());
            runtime()
                .expect("runtime")
                .spawn(async move { l.fetch_attachment(sha).await })
        };
        let seen = server
            .seen
            .recv_timeout(WAIT)
            .expect("the download started");
        assert_eq!(seen.method, "GET");
        let (done_tx, done) = mpsc::channel();
        {
            let (l, m) = (Arc::clone(&luong), m.clone());
            std::thread::spawn(move || {
                let _ = done_tx.send(l.replace_body(m, "Lượng sửa khi đang tải".into()).is_ok());
            });
        }
        let edited = done.recv_timeout(WAIT);
        let _ = server.release.send(());
        assert_eq!(edited, Ok(true), "the edit waited for the download");
        let got = runtime()
            .expect("runtime")
            .block_on(fetching)
            .expect("the fetch task ends")
            .expect("fetched");
        assert_eq!(got, bytes);
        assert_eq!(
            luong.text_doc(m).expect("doc").body,
            "Lượng sửa khi đang tải"
        );
    }

    #[test]
    fn test_the_upload_pass_sends_queued_files_unlocked_and_records_refusals() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = viet_store(&dir);
        let m = material(&store);
        let small = store
            .attach(m.clone(), pdf(6, 2000), "Nhỏ.pdf".into(), None)
            .expect("attached");
        let refused = store
            .attach(m.clone(), pdf(7, 3000), "Bị từ chối.pdf".into(), None)
            .expect("attached");
        let refused_path = format!("/v1/blobs/b-co-dien/{}", refused.sha256);
        let server = BlobServer::start(Some("PUT"), move |method, path| match method {
            "PUT" if path == refused_path => (413, error("too_large")),
            "PUT" => (201, Vec::new()),
            _ => (404, error("not_found")),
        });
        enroll_at(&store, &server.url);
        let uploading = {
            let s = Arc::clone(&store.store);
            runtime()
                .expect("runtime")
                .spawn_blocking(move || upload_blobs_for_test(&s))
        };
        // HEAD, then the held PUT: the store is free meanwhile.
        let put = loop {
            let seen = server.seen.recv_timeout(WAIT).expect("a request");
            if seen.method == "PUT" {
                break seen;
            }
        };
        assert!(put.body_len > 0);
        let (done_tx, done) = mpsc::channel();
        {
            let (s, m) = (Arc::clone(&store), m.clone());
            std::thread::spawn(move || {
                let _ = done_tx.send(s.replace_body(m, "Sửa khi đang gửi tệp".into()).is_ok());
            });
        }
        let edited = done.recv_timeout(WAIT);
        // Release both PUTs.
        let _ = server.release.send(());
        let _ = server.release.send(());
        assert_eq!(edited, Ok(true), "the edit waited for the upload");
        let report = runtime()
            .expect("runtime")
            .block_on(uploading)
            .expect("the pass ends")
            .expect("uploaded");
        assert_eq!(report.uploaded, 1, "{report:?}");
        assert_eq!(report.refused.len(), 1, "{report:?}");
        let listed = store.attachments(m).expect("listed");
        let by_name = |n: &str| listed.iter().find(|a| a.name == n).expect(n).clone();
        assert_eq!(by_name("Nhỏ.pdf").upload, AttachmentUpload::NotQueued);
        assert!(matches!(
            by_name("Bị từ chối.pdf").upload,
            AttachmentUpload::Refused { ref code, .. } if code == "too_large"
        ));
        let refusals = store.blob_refusals().expect("refusals");
        assert_eq!(refusals.len(), 1);
        assert_eq!(
            (refusals[0].sha256.as_str(), refusals[0].code.as_str()),
            (refused.sha256.as_str(), "too_large")
        );
        assert_ne!(small.sha256, refused.sha256);
    }

    /// The sync's upload pass on its own (the document rounds need a real server).
    fn upload_blobs_for_test(
        store: &Mutex<Store>,
    ) -> sotay_core::Result<sotay_core::sync::BlobReport> {
        super::super::sync::upload_blobs(store, &ClientConfig::default())
    }
}
