//! The sync client's error paths, against mock HTTP servers (STYLE: client error paths use a
//! mock server): offline, server errors with retries, garbage responses. In every case the
//! local edits stay queued, the cursor does not move, and the status says what happened.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::post;
use sotay_core::Error;
use sotay_core::Store;
use sotay_core::ids::{BranchId, MemberId};
use sotay_core::model::plan::NewPlan;
use sotay_core::store::Enrollment;
use sotay_core::sync::{self, ClientConfig};

fn offline_phone(dir: &tempfile::TempDir, url: &str) -> Store {
    let mut s = Store::open(dir.path().join("phone.sotay")).unwrap();
    s.set_enrollment(&Enrollment {
        server_url: url.to_owned(),
        device_id: "d-test".into(),
        member_id: MemberId::new("m-viet"),
        committee_id: "c".into(),
        enrolled_at: 0,
    })
    .unwrap();
    s.create_plan(&NewPlan {
        branch_id: BranchId::new("b-co-dien"),
        year: 2026,
        title: String::new(),
        number: "01-KH/CB".into(),
        issue_date: None,
        purpose: String::new(),
        implementation: String::new(),
    })
    .unwrap();
    s
}

async fn mock(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    url
}

fn fast() -> ClientConfig {
    ClientConfig {
        timeout: Duration::from_secs(5),
        attempts: 3,
        backoff: Duration::from_millis(10),
        budget: 0,
    }
}

#[tokio::test]
async fn test_offline_is_a_clear_error_and_edits_stay_queued() {
    let dir = tempfile::tempdir().unwrap();
    // A port nobody listens on.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let mut s = offline_phone(&dir, &url);
    let err = sync::sync(&mut s, &fast(), &mut |_| {}).await.unwrap_err();
    assert!(matches!(err, Error::Offline(_)), "{err:?}");
    assert_eq!(s.documents_with_unsent().unwrap().len(), 1);
    let state = s.sync_state().unwrap();
    assert!(state.last_error.unwrap().contains("could not be reached"));
    assert_eq!(state.cursor.epoch, 0);
    assert_eq!(state.last_sync_at, None);
}

#[tokio::test]
async fn test_server_errors_are_retried_then_reported() {
    let dir = tempfile::tempdir().unwrap();
    let hits = Arc::new(AtomicU32::new(0));
    let h = hits.clone();
    let url = mock(Router::new().route(
        "/v1/sync",
        post(move || {
            let h = h.clone();
            async move {
                h.fetch_add(1, Ordering::SeqCst);
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    r#"{"code":"internal","message":"busy"}"#,
                )
            }
        }),
    ))
    .await;
    let mut s = offline_phone(&dir, &url);
    let err = sync::sync(&mut s, &fast(), &mut |_| {}).await.unwrap_err();
    assert_eq!(hits.load(Ordering::SeqCst), 3, "three attempts");
    match err {
        Error::Server {
            status,
            code,
            message,
        } => {
            assert_eq!(
                (status, code.as_str(), message.as_str()),
                (503, "internal", "busy")
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(s.documents_with_unsent().unwrap().len(), 1);
}

#[tokio::test]
async fn test_a_refusal_is_not_retried() {
    let dir = tempfile::tempdir().unwrap();
    let hits = Arc::new(AtomicU32::new(0));
    let h = hits.clone();
    let url = mock(Router::new().route(
        "/v1/sync",
        post(move || {
            let h = h.clone();
            async move {
                h.fetch_add(1, Ordering::SeqCst);
                (
                    StatusCode::UNAUTHORIZED,
                    r#"{"code":"device_revoked","message":"re-enroll"}"#,
                )
            }
        }),
    ))
    .await;
    let mut s = offline_phone(&dir, &url);
    let err = sync::sync(&mut s, &fast(), &mut |_| {}).await.unwrap_err();
    assert_eq!(hits.load(Ordering::SeqCst), 1);
    assert!(matches!(err, Error::Server { status: 401, .. }), "{err:?}");
}

#[tokio::test]
async fn test_garbage_response_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let url = mock(Router::new().route(
        "/v1/sync",
        post(|| async { (StatusCode::OK, vec![0x28u8, 0xb5, 0x2f, 0xfd, 1, 2, 3]) }),
    ))
    .await;
    let mut s = offline_phone(&dir, &url);
    let before = s.sync_state().unwrap();
    let err = sync::sync(&mut s, &fast(), &mut |_| {}).await.unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    let after = s.sync_state().unwrap();
    assert_eq!(after.cursor, before.cursor);
    assert_eq!(
        s.documents_with_unsent().unwrap().len(),
        1,
        "nothing counted as sent"
    );
}
