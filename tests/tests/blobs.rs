//! Attachments end to end (issue 6): a real server on 127.0.0.1:0 over SQLite, real phone
//! stores. A material's file travels as a content-addressed blob, apart from sync, is fetched
//! only when a phone asks for it, and is checked against its hash on both sides. Every rule of
//! `docs/roles.md` for attachments is tried from the wrong side with raw signed requests.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use sotay_core::blob::{BlobHash, DEFAULT_MAX_BLOB_BYTES};
use sotay_core::ids::{BranchId, DocId, DocKind};
use sotay_core::model::now_unix;
use sotay_core::model::text_doc::NewTextDoc;
use sotay_core::org::{MemberStatus, Role};
use sotay_core::protocol::{
    self, AUTH_HEADER, ErrorBody, PROTOCOL_VERSION, PushDoc, SyncRequest, SyncResponse, paths,
};
use sotay_core::sync::{BlobClient, ClientConfig, fetch_blob};
use sotay_core::{Error, Store};
use sotay_server::admin::{self, NewMember};
use sotay_server::demo;
use sotay_server::store::{ServerStore, StoredBlob};
use sotay_tests::harness::{Phone, RawReply, TestServer, raw_http};

/// The demo branch.
const BRANCH: &str = "b-co-dien";
/// Another branch of the demo committee, and a member the tests add to it.
const BRANCH_B: &str = "b-khoi-co-quan";
const MEMBER_B: &str = "m-khac";

async fn start() -> (tempfile::TempDir, TestServer) {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    (dir, server)
}

/// A phone enrolled as `member` that has synced once (it knows its branch's directory).
async fn phone(dir: &Path, server: &TestServer, member: &str) -> Phone {
    let mut p = Phone::enroll(&dir.join(format!("{member}.sotay")), server, member)
        .await
        .unwrap();
    p.sync().await.unwrap();
    p
}

fn add_member_b(server: &TestServer) {
    admin::add_member(
        server.store.as_ref(),
        &NewMember {
            id: MEMBER_B.into(),
            committee_id: demo::committee_id().unwrap(),
            branch_id: Some(BRANCH_B.into()),
            full_name: "Lò Văn Khác".into(),
            role: Role::Secretary,
            status: MemberStatus::Full,
        },
        now_unix(),
    )
    .unwrap();
}

fn material(p: &mut Phone) -> DocId {
    p.store
        .create_text_doc(&NewTextDoc {
            kind: DocKind::Material,
            branch_id: BranchId::new(BRANCH),
            plan_id: None,
            topic_id: None,
            title: "Nghị quyết Hội nghị Trung ương 4".into(),
            description: "Văn bản gốc".into(),
            body: "Tóm tắt nội dung chính.".into(),
        })
        .unwrap()
}

/// PDF-like bytes: a header and `len` bytes of varied content.
fn pdf(seed: u8, len: usize) -> Vec<u8> {
    let mut v = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    v.extend((0..len).map(|i| ((i * 7919) % 251) as u8 ^ seed));
    v.extend_from_slice(b"\n%%EOF\n");
    v
}

fn on_server(server: &TestServer, branch: &str, sha: &BlobHash) -> Option<StoredBlob> {
    server
        .store
        .blob(&BranchId::new(branch), sha.as_bytes())
        .unwrap()
}

/// One request signed with `p`'s device key, sent raw.
async fn signed(
    server: &TestServer,
    p: &mut Phone,
    method: &str,
    path: &str,
    body: &[u8],
) -> RawReply {
    let auth = p
        .store
        .sign_request(method, path, body, now_unix())
        .unwrap();
    raw_http(
        &server.url,
        method,
        path,
        &[(AUTH_HEADER, auth.to_header_value())],
        body,
    )
    .await
}

fn error_of(r: &RawReply) -> ErrorBody {
    serde_json::from_slice(&r.body).unwrap_or_else(|e| {
        panic!(
            "status {}: not a JSON error ({e}): {:?}",
            r.status,
            String::from_utf8_lossy(&r.body)
        )
    })
}

fn expect_error(r: &RawReply, status: u16, code: &str) -> ErrorBody {
    let e = error_of(r);
    assert_eq!((r.status, e.code.as_str()), (status, code), "{e:?}");
    e
}

fn blob_path(branch: &str, sha: &BlobHash) -> String {
    paths::blob(&BranchId::new(branch), sha)
}

/// Việt attaches `bytes` to a new material and syncs (the document, then the file).
async fn viet_attaches(viet: &mut Phone, bytes: &[u8]) -> (DocId, BlobHash) {
    let m = material(viet);
    let a = viet
        .store
        .attach(&m, bytes, "Nghị quyết 21.pdf", None)
        .unwrap();
    let r = viet.sync().await.unwrap();
    assert_eq!(r.blobs_uploaded, 1, "{r:?}");
    assert!(r.blobs_refused.is_empty(), "{r:?}");
    (m, a.sha256)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_an_attached_pdf_reaches_another_phone_which_fetches_it_lazily_with_identical_bytes() {
    let (dir, server) = start().await;
    let mut viet = phone(dir.path(), &server, "m-viet").await;
    let mut luong = phone(dir.path(), &server, "m-luong").await;
    let bytes = pdf(1, 700_000);
    let (m, sha) = viet_attaches(&mut viet, &bytes).await;
    assert!(viet.store.pending_blob_uploads().unwrap().is_empty());
    let stored = on_server(&server, BRANCH, &sha).expect("the server has the file");
    assert_eq!(stored.bytes, bytes);
    let viet_device = viet.store.enrollment().unwrap().unwrap().device_id;
    assert_eq!(stored.meta.device_id, viet_device);
    assert_eq!(stored.meta.member_id.as_str(), "m-viet");
    // An idle sync sends nothing more.
    assert_eq!(viet.sync().await.unwrap().blobs_uploaded, 0);

    let r = luong.sync().await.unwrap();
    assert!(r.changed.contains(&m), "{r:?}");
    let listed = luong.store.text_doc(&m).unwrap().attachments;
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (
            listed[0].sha256,
            listed[0].name.as_str(),
            listed[0].mime.as_str()
        ),
        (sha, "Nghị quyết 21.pdf", "application/pdf")
    );
    assert_eq!(listed[0].size, bytes.len() as u64);
    assert_eq!(listed[0].added_by.as_str(), "m-viet");
    // Lazy: the sync brought the listing, not the file.
    assert_eq!(luong.store.blob(&sha).unwrap(), None);
    let fetched = fetch_blob(&mut luong.store, &ClientConfig::default(), &sha)
        .await
        .unwrap();
    assert_eq!(fetched, bytes);
    assert_eq!(luong.store.blob(&sha).unwrap(), Some(bytes.clone()));
    // Kept: readable with the server gone.
    server.stop().await;
    let again = fetch_blob(&mut luong.store, &ClientConfig::default(), &sha)
        .await
        .unwrap();
    assert_eq!(again, bytes);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_the_same_file_sent_twice_is_stored_once() {
    let (dir, server) = start().await;
    let mut viet = phone(dir.path(), &server, "m-viet").await;
    let mut luong = phone(dir.path(), &server, "m-luong").await;
    let bytes = pdf(2, 50_000);
    let (_, sha) = viet_attaches(&mut viet, &bytes).await;
    let first = on_server(&server, BRANCH, &sha).unwrap().meta;
    // A repeated upload (a reply lost on the way back) is answered 200 and stores nothing.
    let path = blob_path(BRANCH, &sha);
    let r = signed(&server, &mut viet, "PUT", &path, &bytes).await;
    assert_eq!(r.status, 200, "{:?}", String::from_utf8_lossy(&r.body));
    // Another member attaches the same file to another material: nothing is sent twice.
    let other = material(&mut luong);
    luong
        .store
        .attach(&other, &bytes, "bản chụp.pdf", None)
        .unwrap();
    let r = luong.sync().await.unwrap();
    assert_eq!(r.blobs_uploaded, 1, "counted as on the server: {r:?}");
    assert!(luong.store.pending_blob_uploads().unwrap().is_empty());
    assert_eq!(on_server(&server, BRANCH, &sha).unwrap().meta, first);
    // HEAD says it is there, with its size.
    let r = signed(&server, &mut luong, "HEAD", &path, b"").await;
    assert_eq!(r.status, 200);
    let length = r.headers.iter().find(|(k, _)| k == "content-length");
    assert_eq!(
        length.map(|(_, v)| v.as_str()),
        Some(bytes.len().to_string().as_str())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_two_members_attaching_the_same_file_offline_both_sync_without_refusal() {
    let (dir, server) = start().await;
    let mut viet = phone(dir.path(), &server, "m-viet").await;
    let mut luong = phone(dir.path(), &server, "m-luong").await;
    let m = material(&mut viet);
    viet.sync().await.unwrap();
    luong.sync().await.unwrap();
    let bytes = pdf(3, 10_000);
    // Both offline: each lists the file (same hash) and another of their own.
    viet.store
        .attach(&m, &bytes, "Nghị quyết.pdf", None)
        .unwrap();
    viet.store
        .attach(&m, &pdf(4, 100), "Việt.pdf", None)
        .unwrap();
    luong
        .store
        .attach(&m, &bytes, "NQ (bản chụp).pdf", None)
        .unwrap();
    luong
        .store
        .attach(&m, &pdf(5, 100), "Lượng.pdf", None)
        .unwrap();
    for who in ["viet", "luong", "viet"] {
        let p = if who == "viet" { &mut viet } else { &mut luong };
        let r = p.sync().await.unwrap();
        assert!(
            r.rejected.is_empty() && r.blobs_refused.is_empty(),
            "{who}: {r:?}"
        );
        assert!(r.deferred.is_empty(), "{who}: {r:?}");
    }
    let (a, b) = (
        viet.store.attachments(&m).unwrap(),
        luong.store.attachments(&m).unwrap(),
    );
    assert_eq!(a, b, "both phones list the same files");
    assert_eq!(a.len(), 3, "{a:?}");
    assert!(viet.store.conflicts(Some(&m)).unwrap().is_empty());
    for x in &a {
        assert!(on_server(&server, BRANCH, &x.sha256).is_some(), "{x:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_an_upload_whose_bytes_do_not_match_its_hash_is_refused_and_nothing_is_stored() {
    let (dir, server) = start().await;
    let mut viet = phone(dir.path(), &server, "m-viet").await;
    let bytes = pdf(6, 1000);
    let claimed = BlobHash::of(b"a different file");
    let r = signed(
        &server,
        &mut viet,
        "PUT",
        &blob_path(BRANCH, &claimed),
        &bytes,
    )
    .await;
    let e = expect_error(&r, 400, "hash_mismatch");
    assert!(e.message.contains("nothing was stored"), "{e:?}");
    assert!(on_server(&server, BRANCH, &claimed).is_none());
    assert!(on_server(&server, BRANCH, &BlobHash::of(&bytes)).is_none());
    // A path that names no hash at all.
    let r = signed(&server, &mut viet, "PUT", "/v1/blobs/b-co-dien/ABC", &bytes).await;
    expect_error(&r, 400, "bad_request");
    // A body tampered with after signing fails the signature before anything else.
    let path = blob_path(BRANCH, &BlobHash::of(&bytes));
    let auth = viet
        .store
        .sign_request("PUT", &path, &bytes, now_unix())
        .unwrap();
    let mut tampered = bytes.clone();
    tampered[10] ^= 1;
    let r = raw_http(
        &server.url,
        "PUT",
        &path,
        &[(AUTH_HEADER, auth.to_header_value())],
        &tampered,
    )
    .await;
    expect_error(&r, 401, "bad_signature");
    assert!(on_server(&server, BRANCH, &BlobHash::of(&tampered)).is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_an_upload_over_the_limit_is_refused_with_a_clear_error_before_it_is_read() {
    let (dir, server) = start().await;
    let mut viet = phone(dir.path(), &server, "m-viet").await;
    let big = vec![0x25u8; DEFAULT_MAX_BLOB_BYTES as usize + 1];
    let sha = BlobHash::of(&big);
    let r = signed(&server, &mut viet, "PUT", &blob_path(BRANCH, &sha), &big).await;
    let e = expect_error(&r, 413, "too_large");
    assert!(
        e.message.contains("20.0 MiB") && e.message.contains("20971521 bytes"),
        "{e:?}"
    );
    assert!(on_server(&server, BRANCH, &sha).is_none());
    // The phone refuses it first, with the same limit.
    let m = material(&mut viet);
    let e = viet.store.attach(&m, &big, "lớn.pdf", None).unwrap_err();
    assert!(e.to_string().contains("at most 20.0 MiB"), "{e}");
    assert!(viet.store.pending_blob_uploads().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_a_server_with_a_lower_limit_refuses_a_phones_file_for_good() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start_with_blob_limit(dir.path(), 1024 * 1024).await;
    let mut viet = phone(dir.path(), &server, "m-viet").await;
    let mut luong = phone(dir.path(), &server, "m-luong").await;
    let m = material(&mut viet);
    let bytes = pdf(7, 4 * 1024 * 1024);
    let a = viet.store.attach(&m, &bytes, "Báo cáo.pdf", None).unwrap();
    // What the phone asks first: the server does not have it, and takes at most 1 MiB — so
    // the phone never starts sending 4 MiB the server would cut off.
    let head = signed(
        &server,
        &mut viet,
        "HEAD",
        &blob_path(BRANCH, &a.sha256),
        b"",
    )
    .await;
    assert_eq!(head.status, 404);
    let limit = head
        .headers
        .iter()
        .find(|(k, _)| k == "x-sotay-max-blob-bytes");
    assert_eq!(limit.map(|(_, v)| v.as_str()), Some("1048576"), "{head:?}");
    let r = viet.sync().await.unwrap();
    assert_eq!(r.docs_pushed, 1, "the text went: {r:?}");
    assert_eq!(r.blobs_uploaded, 0);
    assert_eq!(r.blobs_refused.len(), 1, "{r:?}");
    assert_eq!(r.blobs_refused[0].code, "too_large");
    assert!(
        r.blobs_refused[0].message.contains("1.0 MiB"),
        "{:?}",
        r.blobs_refused[0]
    );
    assert_eq!(viet.store.blob_refusals().unwrap(), r.blobs_refused);
    assert!(viet.store.pending_blob_uploads().unwrap().is_empty());
    assert!(on_server(&server, BRANCH, &a.sha256).is_none());
    // Not sent again.
    let r = viet.sync().await.unwrap();
    assert!(r.blobs_refused.is_empty() && r.blobs_uploaded == 0, "{r:?}");
    // The other phone sees the listing; the file is not on the server: a clear 404.
    luong.sync().await.unwrap();
    assert_eq!(luong.store.attachments(&m).unwrap().len(), 1);
    match fetch_blob(&mut luong.store, &ClientConfig::default(), &a.sha256).await {
        Err(Error::Server {
            status,
            code,
            message,
        }) => {
            assert_eq!((status, code.as_str()), (404, "not_found"));
            assert!(message.contains("no such attachment"), "{message}");
        }
        other => panic!("expected 404, got {other:?}"),
    }
    assert!(!luong.store.has_blob(&a.sha256).unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_a_device_of_another_branch_can_neither_fetch_nor_upload() {
    let (dir, server) = start().await;
    let mut viet = phone(dir.path(), &server, "m-viet").await;
    add_member_b(&server);
    let mut khac = phone(dir.path(), &server, MEMBER_B).await;
    let bytes = pdf(8, 20_000);
    let (m, sha) = viet_attaches(&mut viet, &bytes).await;
    let path = blob_path(BRANCH, &sha);
    // Fetching branch A's file, raw and through the client.
    for method in ["GET", "HEAD"] {
        let r = signed(&server, &mut khac, method, &path, b"").await;
        assert_eq!(r.status, 403, "{method}");
    }
    let r = signed(&server, &mut khac, "GET", &path, b"").await;
    let e = expect_error(&r, 403, "forbidden");
    assert!(
        !e.message.contains(BRANCH) && !e.message.contains(&sha.to_hex()),
        "{e:?}"
    );
    let client = BlobClient::begin(&mut khac.store, &ClientConfig::default()).unwrap();
    match client.download(&BranchId::new(BRANCH), &sha, 0).await {
        Err(Error::Server { status: 403, .. }) => {}
        other => panic!("expected 403, got {other:?}"),
    }
    // Its phone never received the material, so it cannot even name the branch.
    assert!(!khac.store.has_document(&m).unwrap());
    let e = fetch_blob(&mut khac.store, &ClientConfig::default(), &sha)
        .await
        .unwrap_err();
    assert!(matches!(e, Error::InvalidInput(_)), "{e}");
    assert!(!khac.store.has_blob(&sha).unwrap());
    // A file that does not exist answers the same 403: nothing is learnt about branch A.
    let r = signed(
        &server,
        &mut khac,
        "GET",
        &blob_path(BRANCH, &BlobHash::of(b"no")),
        b"",
    )
    .await;
    expect_error(&r, 403, "forbidden");
    // Uploading into branch A.
    let own = pdf(9, 100);
    let own_sha = BlobHash::of(&own);
    let r = signed(
        &server,
        &mut khac,
        "PUT",
        &blob_path(BRANCH, &own_sha),
        &own,
    )
    .await;
    expect_error(&r, 403, "forbidden");
    assert!(on_server(&server, BRANCH, &own_sha).is_none());
    // Into its own branch it may; branch A's members cannot read that one either.
    let r = signed(
        &server,
        &mut khac,
        "PUT",
        &blob_path(BRANCH_B, &own_sha),
        &own,
    )
    .await;
    assert_eq!(r.status, 201);
    let r = signed(
        &server,
        &mut viet,
        "GET",
        &blob_path(BRANCH_B, &own_sha),
        b"",
    )
    .await;
    expect_error(&r, 403, "forbidden");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_the_committees_inspector_fetches_every_branchs_files_and_uploads_none() {
    let (dir, server) = start().await;
    let mut viet = phone(dir.path(), &server, "m-viet").await;
    let mut kiem = phone(dir.path(), &server, demo::INSPECTOR_ID).await;
    let bytes = pdf(10, 30_000);
    let (m, sha) = viet_attaches(&mut viet, &bytes).await;
    kiem.sync().await.unwrap();
    assert_eq!(kiem.store.attachments(&m).unwrap().len(), 1);
    let got = fetch_blob(&mut kiem.store, &ClientConfig::default(), &sha)
        .await
        .unwrap();
    assert_eq!(got, bytes);
    let own = pdf(11, 100);
    let r = signed(
        &server,
        &mut kiem,
        "PUT",
        &blob_path(BRANCH, &BlobHash::of(&own)),
        &own,
    )
    .await;
    expect_error(&r, 403, "forbidden");
    assert!(on_server(&server, BRANCH, &BlobHash::of(&own)).is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_a_revoked_device_can_neither_fetch_nor_upload() {
    let (dir, server) = start().await;
    let mut viet = phone(dir.path(), &server, "m-viet").await;
    let mut luong = phone(dir.path(), &server, "m-luong").await;
    let bytes = pdf(12, 10_000);
    let (_, sha) = viet_attaches(&mut viet, &bytes).await;
    luong.sync().await.unwrap();
    let device = luong.store.enrollment().unwrap().unwrap().device_id;
    assert!(admin::revoke_device(server.store.as_ref(), &device, now_unix()).unwrap());
    match fetch_blob(&mut luong.store, &ClientConfig::default(), &sha).await {
        Err(Error::Server { status, code, .. }) => {
            assert_eq!((status, code.as_str()), (401, "device_revoked"));
        }
        other => panic!("a revoked device fetched: {other:?}"),
    }
    assert!(!luong.store.has_blob(&sha).unwrap());
    let own = pdf(13, 100);
    let own_sha = BlobHash::of(&own);
    let r = signed(
        &server,
        &mut luong,
        "PUT",
        &blob_path(BRANCH, &own_sha),
        &own,
    )
    .await;
    expect_error(&r, 401, "device_revoked");
    let r = signed(&server, &mut luong, "HEAD", &blob_path(BRANCH, &sha), b"").await;
    assert_eq!(r.status, 401);
    assert!(on_server(&server, BRANCH, &own_sha).is_none());
    // Its queued file stays queued on the phone (nothing is lost), and the sync says why.
    let m = material(&mut luong);
    luong.store.attach(&m, &own, "a.pdf", None).unwrap();
    assert!(luong.sync().await.is_err());
    assert_eq!(luong.store.pending_blob_uploads().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_unsigned_and_replayed_blob_requests_are_refused() {
    let (dir, server) = start().await;
    let mut viet = phone(dir.path(), &server, "m-viet").await;
    let bytes = pdf(14, 1000);
    let (_, sha) = viet_attaches(&mut viet, &bytes).await;
    let path = blob_path(BRANCH, &sha);
    let r = raw_http(&server.url, "GET", &path, &[], b"").await;
    expect_error(&r, 401, "auth_malformed");
    let auth = viet
        .store
        .sign_request("GET", &path, b"", now_unix())
        .unwrap()
        .to_header_value();
    let first = raw_http(
        &server.url,
        "GET",
        &path,
        &[(AUTH_HEADER, auth.clone())],
        b"",
    )
    .await;
    assert_eq!(first.status, 200);
    assert_eq!(first.body, bytes);
    let again = raw_http(&server.url, "GET", &path, &[(AUTH_HEADER, auth)], b"").await;
    expect_error(&again, 401, "replay");
    // A signature for another path does not open this one.
    let other = blob_path(BRANCH, &BlobHash::of(b"x"));
    let auth = viet
        .store
        .sign_request("GET", &other, b"", now_unix())
        .unwrap();
    let r = raw_http(
        &server.url,
        "GET",
        &path,
        &[(AUTH_HEADER, auth.to_header_value())],
        b"",
    )
    .await;
    expect_error(&r, 401, "bad_signature");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_a_corrupted_download_is_refused_on_the_phone_and_nothing_is_stored() {
    let (dir, server) = start().await;
    let mut viet = phone(dir.path(), &server, "m-viet").await;
    let mut luong = phone(dir.path(), &server, "m-luong").await;
    let bytes = pdf(15, 100_000);
    let (_, sha) = viet_attaches(&mut viet, &bytes).await;
    luong.sync().await.unwrap();
    // The server's copy is damaged on disk (a bad sector, an operator's mistake): one bit.
    let mut damaged = bytes.clone();
    damaged[50_000] ^= 0x04;
    let db = rusqlite::Connection::open(dir.path().join("server.db")).unwrap();
    let set = |b: &[u8]| {
        let n = db
            .execute(
                "UPDATE blobs SET bytes = ?1 WHERE branch_id = ?2 AND sha256 = ?3",
                rusqlite::params![b, BRANCH, sha.as_bytes()],
            )
            .unwrap();
        assert_eq!(n, 1);
    };
    set(&damaged);
    let e = fetch_blob(&mut luong.store, &ClientConfig::default(), &sha)
        .await
        .unwrap_err();
    match &e {
        Error::BlobDamaged { sha256, reason } => {
            assert_eq!(sha256, &sha.to_hex());
            assert!(
                reason.contains(&BlobHash::of(&damaged).to_hex()),
                "{reason}"
            );
        }
        other => panic!("expected BlobDamaged, got {other:?}"),
    }
    assert!(e.to_string().contains("nothing was stored"), "{e}");
    assert!(!luong.store.has_blob(&sha).unwrap());
    assert_eq!(luong.store.blob(&sha).unwrap(), None);
    // Repaired on the server: the next fetch succeeds.
    set(&bytes);
    let got = fetch_blob(&mut luong.store, &ClientConfig::default(), &sha)
        .await
        .unwrap();
    assert_eq!(got, bytes);
}

/// A modified phone lists a file in another member's name, or renames another member's
/// attachment: the server refuses the document and stores nothing of it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_forged_attachment_entries_are_refused_by_the_server() {
    use automerge::transaction::Transactable;
    use automerge::{ActorId, AutoCommit, ObjType, ROOT, ReadDoc};
    let (dir, server) = start().await;
    let mut viet = phone(dir.path(), &server, "m-viet").await;
    let mut luong = phone(dir.path(), &server, "m-luong").await;
    let (m, sha) = viet_attaches(&mut viet, &pdf(16, 100)).await;
    luong.sync().await.unwrap();
    let forge = |luong: &mut Phone, edit: &dyn Fn(&mut AutoCommit)| -> Vec<u8> {
        let bytes = luong.store.export_document(&m).unwrap().save();
        let mut am = AutoCommit::load(&bytes)
            .unwrap()
            .with_actor(ActorId::random());
        am.set_author(Some(automerge::Author::from(b"m-luong".to_vec())));
        edit(&mut am);
        am.commit();
        am.get_last_local_change().unwrap().raw_bytes().to_vec()
    };
    let in_viets_name = forge(&mut luong, &|am| {
        let key = format!("attachment/{}", BlobHash::of(b"planted"));
        let o = am.put_object(ROOT, key.as_str(), ObjType::Map).unwrap();
        am.put(&o, "name", "Quyết định.pdf").unwrap();
        am.put(&o, "added_by", "m-viet").unwrap();
    });
    let renamed = forge(&mut luong, &|am| {
        let (_, o) = am
            .get(ROOT, format!("attachment/{sha}").as_str())
            .unwrap()
            .unwrap();
        am.put(&o, "name", "Đã sửa.pdf").unwrap();
    });
    for change in [in_viets_name, renamed] {
        let before = server.store.max_seq().unwrap();
        let req = SyncRequest {
            version: PROTOCOL_VERSION,
            push: vec![PushDoc {
                doc_id: m.clone(),
                kind: DocKind::Material,
                changes: vec![change],
            }],
            ..Default::default()
        };
        let body = protocol::encode(&req).unwrap();
        let r = signed(&server, &mut luong, "POST", paths::SYNC, &body).await;
        assert_eq!(r.status, 200);
        let resp: SyncResponse = protocol::decode(&r.body).unwrap();
        let rej = resp
            .rejected
            .iter()
            .find(|x| x.doc_id == m)
            .unwrap_or_else(|| panic!("{resp:?}"));
        assert_eq!(rej.code, "forbidden", "{rej:?}");
        assert_eq!(server.store.max_seq().unwrap(), before, "nothing stored");
    }
    viet.sync().await.unwrap();
    let listed = viet.store.attachments(&m).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].name, "Nghị quyết 21.pdf");
    // The honest path still works for Lượng.
    luong
        .store
        .attach(&m, &pdf(17, 10), "Lượng.pdf", None)
        .unwrap();
    let r = luong.sync().await.unwrap();
    assert!(r.rejected.is_empty(), "{r:?}");
}

/// The client itself refuses a store that is not enrolled.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_fetch_without_enrollment_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(dir.path().join("x.sotay")).unwrap();
    let sha = BlobHash::of(b"x");
    assert!(matches!(
        BlobClient::begin(&mut s, &ClientConfig::default()),
        Err(Error::NotEnrolled)
    ));
    assert!(matches!(
        fetch_blob(&mut s, &ClientConfig::default(), &sha).await,
        Err(Error::InvalidInput(_))
    ));
}
