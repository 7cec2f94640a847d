//! The case no mid-sync kill can force: the server stores a push and only its reply is lost
//! (the connection drops on the way back). A TCP proxy on 127.0.0.1:0 forwards the phone's
//! request to the real server and, in "swallow" mode, closes the phone's connection as soon as
//! the server starts answering — after the server made the push durable (it answers only
//! then). The phone must see a failed sync, keep its edits queued, resend them, and every
//! other phone must receive each edit exactly once.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use sotay_core::ids::{BranchId, DocKind};
use sotay_core::model::text_doc::{CommentKind, NewComment, NewTextDoc};
use sotay_tests::harness::{Phone, TestServer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A proxy to `upstream`; while `swallow` is set, the first bytes of any answer close the
/// client's connection instead of reaching it. `swallowed` counts such answers.
async fn proxy(upstream: String, swallow: Arc<AtomicBool>, swallowed: Arc<AtomicUsize>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let upstream = upstream.trim_start_matches("http://").to_owned();
    tokio::spawn(async move {
        loop {
            let Ok((client, _)) = listener.accept().await else {
                return;
            };
            let upstream = upstream.clone();
            let swallow = swallow.clone();
            let swallowed = swallowed.clone();
            tokio::spawn(async move {
                let Ok(server) = TcpStream::connect(&upstream).await else {
                    return;
                };
                let (mut cr, mut cw) = client.into_split();
                let (mut sr, mut sw) = server.into_split();
                let up = tokio::spawn(async move {
                    let _ = tokio::io::copy(&mut cr, &mut sw).await;
                });
                let mut buf = vec![0u8; 64 * 1024];
                loop {
                    match sr.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => {
                            if swallow.load(Ordering::SeqCst) {
                                swallowed.fetch_add(1, Ordering::SeqCst);
                                break; // drops both halves: the reply never arrives
                            }
                            if cw.write_all(&buf[..n]).await.is_err() {
                                break;
                            }
                        }
                    }
                }
                up.abort();
            });
        }
    });
    url
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_a_push_stored_whose_reply_is_lost_is_resent_and_received_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    let mut viet = Phone::enroll(&dir.path().join("viet.sotay"), &server, "m-viet")
        .await
        .unwrap();
    let mut luong = Phone::enroll(&dir.path().join("luong.sotay"), &server, "m-luong")
        .await
        .unwrap();
    let draft = viet
        .store
        .create_text_doc(&NewTextDoc {
            kind: DocKind::Material,
            branch_id: BranchId::new("b-co-dien"),
            plan_id: None,
            topic_id: None,
            title: "Tài liệu an toàn hầm lò".into(),
            description: String::new(),
            body: "Nội dung tài liệu.".into(),
        })
        .unwrap();
    viet.sync().await.unwrap();
    luong.sync().await.unwrap();

    // Lượng's phone now talks through the proxy, which loses the replies.
    let swallow = Arc::new(AtomicBool::new(true));
    let swallowed = Arc::new(AtomicUsize::new(0));
    let via = proxy(server.url.clone(), swallow.clone(), swallowed.clone()).await;
    luong.store.set_server_url(&via).unwrap();
    for i in 0..3 {
        luong
            .store
            .add_comment(
                &draft,
                &NewComment {
                    kind: CommentKind::Comment,
                    body: format!("Góp ý số {i}"),
                    anchor: None,
                    reply_to: None,
                },
            )
            .unwrap();
    }
    let lost = luong.sync().await;
    assert!(
        lost.is_err(),
        "the reply was lost: the sync must fail, {lost:?}"
    );
    assert!(swallowed.load(Ordering::SeqCst) >= 1, "the server answered");
    // The server stored the push although the phone never heard so.
    viet.sync().await.unwrap();
    let on_viet = viet.store.text_doc(&draft).unwrap().comments.len();
    assert_eq!(on_viet, 3, "the server stored the push before answering");
    // The phone still holds its edits as unsent.
    assert_eq!(
        luong.store.documents_with_unsent().unwrap(),
        vec![draft.clone()],
        "nothing is acknowledged without a reply"
    );

    // The connection comes back: the phone resends; nothing is duplicated anywhere.
    swallow.store(false, Ordering::SeqCst);
    let r = luong.sync().await.unwrap();
    assert!(r.rejected.is_empty(), "{r:?}");
    assert!(luong.store.documents_with_unsent().unwrap().is_empty());
    let r = viet.sync().await.unwrap();
    assert!(r.rejected.is_empty(), "{r:?}");
    let comments = viet.store.text_doc(&draft).unwrap().comments;
    let mut bodies: Vec<String> = comments.iter().map(|c| c.body.clone()).collect();
    bodies.sort();
    assert_eq!(
        bodies,
        ["Góp ý số 0", "Góp ý số 1", "Góp ý số 2"],
        "each exactly once"
    );
    // A third phone downloading from scratch sees the same.
    let mut trang = Phone::enroll(&dir.path().join("trang.sotay"), &server, "m-trang")
        .await
        .unwrap();
    trang.sync().await.unwrap();
    assert_eq!(trang.store.text_doc(&draft).unwrap().comments.len(), 3);
}
