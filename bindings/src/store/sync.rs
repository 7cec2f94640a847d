//! Enrollment and sync: the two network calls, `async` for the apps, and the server address.
//!
//! Each runs on the bindings' runtime in a blocking-pool thread. A sync drives core's
//! [`SyncSession`] step by step and locks the store only for the local steps — building a
//! round from the store, applying the reply to it — never while a request is on the network
//! (`Handle::block_on` with the lock released), so local edits made meanwhile go through at
//! once and are pushed by the next round or the next sync. Syncs run one at a time (a gate
//! apart from the store lock). The status listeners follow a sync (`Syncing` with progress,
//! then idle / offline / failed), and the document-change listeners hear exactly the
//! documents it changed (core's `SyncReport::changed`). After the rounds it sends the files
//! attached here (core's `BlobClient` steps), again with the store locked only to read the
//! next file and to record the server's answer. Enrollment is short and holds the store
//! throughout.

use std::sync::{Arc, Mutex, MutexGuard};

use sotay_core::Store;
use sotay_core::sync::{self as core_sync, BlobClient, BlobReport, ClientConfig, SyncSession};
use tokio::runtime::Handle;

use super::{SotayStore, lock_store, unsent_count};
use crate::error::{ApiError, Result};
use crate::listeners::Hub;
use crate::records::{Enrollment, SyncProgress, SyncReport, SyncStatus};
use crate::runtime::runtime;

#[uniffi::export]
impl SotayStore {
    /// Enrolls this device with a server using a one-time code from the committee's admin
    /// (`InvalidCode` if it is wrong, used or expired; `Offline` if unreachable).
    pub async fn enroll(
        &self,
        server_url: String,
        code: String,
        device_name: String,
    ) -> Result<Enrollment> {
        let store = Arc::clone(&self.store);
        let hub = Arc::clone(&self.hub);
        runtime()?
            .spawn_blocking(move || enroll_blocking(&store, &hub, &server_url, &code, &device_name))
            .await
            .map_err(|e| ApiError::Internal(format!("enrollment stopped: {e}")))?
    }

    /// Syncs every document and sign-off with the server in one round trip (more only for
    /// large downloads), then sends the files attached here (one request each). Offline is a
    /// normal outcome (`Offline`): every edit and file stays queued. Local calls made while
    /// it waits on the network do not wait for it.
    pub async fn sync(&self) -> Result<SyncReport> {
        let store = Arc::clone(&self.store);
        let hub = Arc::clone(&self.hub);
        let gate = Arc::clone(&self.sync_gate);
        runtime()?
            .spawn_blocking(move || sync_blocking(&store, &gate, &hub))
            .await
            .map_err(|e| ApiError::Internal(format!("sync stopped: {e}")))?
    }

    /// Points this device at the server's new address (the same server, moved to a new host
    /// name or port): enrollment, device key, cursors and queued edits are kept; the next
    /// sync goes there. `InvalidInput` unless it is an `http://` or `https://` address;
    /// `NotEnrolled` before enrollment (enroll with the address instead).
    pub fn set_server_url(&self, server_url: String) -> Result<()> {
        self.read(|s| s.set_server_url(&server_url))
    }
}

fn enroll_blocking(
    store: &Mutex<Store>,
    hub: &Hub,
    server_url: &str,
    code: &str,
    device_name: &str,
) -> Result<Enrollment> {
    let mut s = lock_store(store);
    Handle::current().block_on(core_sync::enroll(&mut s, server_url, code, device_name))?;
    let enrollment = s
        .enrollment()?
        .ok_or_else(|| ApiError::Internal("the enrollment was not recorded".into()))?;
    let status = SyncStatus::at_rest(&s.sync_state()?, unsent_count(&s)?);
    drop(s);
    hub.set_status(status);
    Ok(enrollment.into())
}

fn sync_blocking(store: &Mutex<Store>, gate: &Mutex<()>, hub: &Hub) -> Result<SyncReport> {
    // One sync at a time; the gate guards nothing but that, so a poisoned one is fine.
    let _running: MutexGuard<'_, ()> = gate.lock().unwrap_or_else(|p| p.into_inner());
    let cfg = ClientConfig::default();
    let begun = SyncSession::begin(&mut lock_store(store), &cfg);
    let mut session = match begun {
        Ok(session) => session,
        Err(e) => {
            let e = ApiError::from(e);
            let (last, unsent) = {
                let s = lock_store(store);
                let last = s.sync_state().ok().and_then(|st| st.last_sync_at);
                (last, unsent_count(&s).unwrap_or(0))
            };
            hub.set_status(SyncStatus::after(Err(&e), last, unsent));
            return Err(e);
        }
    };
    hub.set_status(SyncStatus::Syncing {
        progress: SyncProgress::default(),
    });
    let outcome = run_rounds(store, hub, &mut session).and_then(|()| {
        let blobs = upload_blobs(store, &cfg)?;
        session.add_blob_report(&blobs);
        Ok(())
    });
    // A sync cut off midway kept what its finished rounds applied: name those documents too.
    let changed_so_far = session.report().changed.clone();
    let mut s = lock_store(store);
    let result = session.finish(&mut s, outcome).map_err(ApiError::from);
    // What the listeners are told; a failure to read it must not hide the sync's outcome.
    let last = s.sync_state().ok().and_then(|st| st.last_sync_at);
    let unsent = unsent_count(&s).unwrap_or(0);
    drop(s);
    let changed = match &result {
        Ok(r) => &r.changed,
        Err(_) => &changed_so_far,
    };
    let changed: Vec<String> = changed.iter().map(ToString::to_string).collect();
    hub.set_status(SyncStatus::after(result.as_ref().map(|_| ()), last, unsent));
    hub.documents_changed(changed.clone());
    result.map(|r| SyncReport::new(r, changed))
}

/// The session's rounds: the store is locked to build a round and to apply its reply, and
/// released while the round is on the network.
fn run_rounds(
    store: &Mutex<Store>,
    hub: &Hub,
    session: &mut SyncSession,
) -> sotay_core::Result<()> {
    loop {
        let round = session.next_round(&mut lock_store(store))?;
        let Some(round) = round else {
            return Ok(());
        };
        let reply = Handle::current().block_on(session.exchange(&round))?;
        let progress = session.apply(&mut lock_store(store), round, reply)?;
        hub.set_status(SyncStatus::Syncing {
            progress: (&progress).into(),
        });
    }
}

/// Sends the files attached here that the server lacks, after the rounds (text first, so a
/// large file never holds an edit back), as core's `sync` does: the store is locked to read
/// the next file and to record the server's answer, and released while the file is on the
/// network. A network failure ends the pass with its error; what was not sent stays queued.
pub(super) fn upload_blobs(
    store: &Mutex<Store>,
    cfg: &ClientConfig,
) -> sotay_core::Result<BlobReport> {
    if lock_store(store).pending_blob_uploads()?.is_empty() {
        return Ok(BlobReport::default());
    }
    let mut client = BlobClient::begin(&mut lock_store(store), cfg)?;
    loop {
        let next = client.next_upload(&lock_store(store))?;
        let Some(blob) = next else {
            return Ok(client.report().clone());
        };
        let outcome = Handle::current().block_on(client.upload(&blob))?;
        client.record_upload(&mut lock_store(store), &blob, &outcome)?;
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::listeners::tests::WAIT;
    use std::io::{Read, Write};
    use std::sync::mpsc;
    use std::time::Duration;

    /// A server that accepts a request, reads it, then answers only when released (or
    /// after 20 s, so a failing test never hangs): a network that is slow.
    struct SlowServer {
        url: String,
        accepted: mpsc::Receiver<()>,
        release: mpsc::Sender<()>,
    }

    impl SlowServer {
        /// Answers every request with `status` (e.g. "401 Unauthorized") and error `code`.
        fn start(status: &'static str, code: &'static str) -> SlowServer {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
            let url = format!("http://{}", listener.local_addr().expect("addr"));
            let (accepted_tx, accepted) = mpsc::channel();
            let (release, released) = mpsc::channel::<()>();
            std::thread::spawn(move || {
                let mut released_once = false;
                for conn in listener.incoming() {
                    let Ok(mut conn) = conn else { return };
                    let _ = accepted_tx.send(());
                    read_request(&mut conn);
                    if !released_once {
                        released_once = released.recv_timeout(Duration::from_secs(20)).is_ok();
                    }
                    let body = format!(r#"{{"code":"{code}","message":"slow test server"}}"#);
                    let _ = write!(
                        conn,
                        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\n\
                         content-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                }
            });
            SlowServer {
                url,
                accepted,
                release,
            }
        }
    }

    /// Reads one HTTP request (headers, then `content-length` bytes of body).
    fn read_request(conn: &mut std::net::TcpStream) {
        let _ = conn.set_read_timeout(Some(Duration::from_secs(5)));
        let mut buf = Vec::new();
        let mut chunk = [0u8; 8192];
        loop {
            let Ok(n) = conn.read(&mut chunk) else { return };
            if n == 0 {
                return;
            }
            buf.extend_from_slice(&chunk[..n]);
            let text = String::from_utf8_lossy(&buf);
            if let Some(end) = text.find("\r\n\r\n") {
                let length = text[..end]
                    .lines()
                    .find_map(|l| {
                        let (k, v) = l.split_once(':')?;
                        k.eq_ignore_ascii_case("content-length")
                            .then(|| v.trim().parse::<usize>().ok())?
                    })
                    .unwrap_or(0);
                if buf.len() >= end + 4 + length {
                    return;
                }
            }
        }
    }

    /// Enrolls `store` with a server at `url` directly (no enrollment exchange).
    pub(crate) fn enroll_at(store: &SotayStore, url: &str) {
        lock_store(&store.store)
            .set_enrollment(&sotay_core::store::Enrollment {
                server_url: url.to_owned(),
                device_id: "d-test".into(),
                member_id: sotay_core::ids::MemberId::new("m-viet"),
                committee_id: "c".into(),
                enrolled_at: 0,
            })
            .expect("enrollment");
    }

    #[test]
    fn test_a_local_edit_goes_through_while_a_sync_waits_on_a_slow_server() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = super::super::tests::viet_store(&dir);
        let plan = store
            .create_plan(super::super::tests::new_plan())
            .expect("plan");
        let server = SlowServer::start("400 Bad Request", "bad_request");
        enroll_at(&store, &server.url);

        let syncing = {
            let s = Arc::clone(&store);
            runtime()
                .expect("runtime")
                .spawn(async move { s.sync().await })
        };
        server
            .accepted
            .recv_timeout(WAIT)
            .expect("the sync's request reached the server");
        assert!(matches!(store.sync_status(), SyncStatus::Syncing { .. }));

        // The request is waiting on the network: a local edit must not wait for it.
        let (done_tx, done) = mpsc::channel();
        {
            let (s, plan) = (Arc::clone(&store), plan.clone());
            std::thread::spawn(move || {
                let topic = super::super::tests::new_topic("Chuyên đề giữa lúc đồng bộ", 5);
                let _ = done_tx.send(s.add_topic(plan, topic).is_ok());
            });
        }
        let edited = done.recv_timeout(WAIT);
        let _ = server.release.send(());
        assert_eq!(edited, Ok(true), "the edit waited for the network");

        let result = runtime()
            .expect("runtime")
            .block_on(syncing)
            .expect("the sync task ends");
        assert!(
            matches!(result, Err(ApiError::ServerRefused(_))),
            "{result:?}"
        );
        // The edit is kept and waits for the next sync.
        assert_eq!(store.topic_rows(plan).expect("rows").len(), 1);
        assert_eq!(store.sync_state().expect("state").unsent_documents, 1);
        assert!(matches!(
            store.sync_status(),
            SyncStatus::Failed {
                needs_enrollment: false,
                unsent_documents: 1,
                ..
            }
        ));
    }

    #[test]
    fn test_a_restarted_app_shows_how_the_last_sync_ended() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("viet.sotay").display().to_string();
        let store = super::super::tests::viet_store(&dir);
        store
            .create_plan(super::super::tests::new_plan())
            .expect("plan");
        let rt = runtime().expect("runtime");

        // Offline: nothing listens on the port.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        enroll_at(&store, &format!("http://127.0.0.1:{port}"));
        assert!(matches!(
            rt.block_on(store.sync()),
            Err(ApiError::Offline(_))
        ));
        drop(store);
        let reopened = SotayStore::open(path.clone()).expect("reopens");
        assert!(
            matches!(
                reopened.sync_status(),
                SyncStatus::Offline {
                    unsent_documents: 1,
                    ..
                }
            ),
            "{:?}",
            reopened.sync_status()
        );

        // A revoked device: failed, and the app must enroll again.
        let server = SlowServer::start("401 Unauthorized", "device_revoked");
        let _ = server.release.send(());
        reopened
            .set_server_url(server.url.clone())
            .expect("moved server");
        assert!(matches!(
            rt.block_on(reopened.sync()),
            Err(ApiError::DeviceRejected(_))
        ));
        drop(reopened);
        let reopened = SotayStore::open(path).expect("reopens");
        assert!(
            matches!(
                reopened.sync_status(),
                SyncStatus::Failed {
                    needs_enrollment: true,
                    ..
                }
            ),
            "{:?}",
            reopened.sync_status()
        );
        assert!(reopened.sync_state().expect("state").last_error.is_some());
    }

    #[test]
    fn test_set_server_url_needs_an_enrollment_and_an_address() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = super::super::tests::viet_store(&dir);
        assert!(matches!(
            store.set_server_url("https://sotay.example.vn".into()),
            Err(ApiError::NotEnrolled(_))
        ));
        enroll_at(&store, "http://127.0.0.1:9");
        assert!(matches!(
            store.set_server_url("sotay.example.vn".into()),
            Err(ApiError::InvalidInput(_))
        ));
        store
            .set_server_url("https://sotay.example.vn/".into())
            .expect("set");
        let e = store.enrollment().expect("read").expect("enrolled");
        assert_eq!(e.server_url, "https://sotay.example.vn");
        assert_eq!(e.device_id, "d-test");
    }

    #[test]
    fn test_sync_without_enrollment_fails_and_says_so() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = super::super::tests::viet_store(&dir);
        let err = runtime()
            .expect("runtime")
            .block_on(store.sync())
            .expect_err("not enrolled");
        assert!(matches!(err, ApiError::NotEnrolled(_)));
        assert_eq!(store.sync_status(), SyncStatus::NotEnrolled);
    }

    #[test]
    fn test_unreachable_server_is_offline() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = super::super::tests::viet_store(&dir);
        // A port that was just free: nothing listens, the connection is refused.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let err = runtime()
            .expect("runtime")
            .block_on(store.enroll(
                format!("http://127.0.0.1:{port}"),
                "AAAA-BBBB-CCCC".into(),
                "test".into(),
            ))
            .expect_err("offline");
        assert!(matches!(err, ApiError::Offline(_)));
    }
}
