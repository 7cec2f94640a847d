//! Server load: many simulated devices doing small syncs against one `sotay-server` over
//! loopback (issue 3, part 9: ≥ 500 concurrent devices, target ≥ 2,000 small syncs/s on this
//! 2-core machine).
//!
//! ```text
//! cargo bench -p sotay-tests --bench load
//! cargo bench -p sotay-tests --bench load -- --devices 600 --secs 10 --inflight 600,64
//! ```
//!
//! - **The server** is a separate process: this bench re-executes itself with
//!   `--serve <db>` (the `sotay-server` binary's path is not known to another crate's bench),
//!   which runs the library's `run(listener, AppState)` on a multi-threaded tokio runtime
//!   (one worker per core) over the SQLite store (WAL, `synchronous=FULL`) in a temp dir, on
//!   127.0.0.1:0. Its peak RSS (`VmHWM`) and CPU time are read from `/proc/<pid>`. The
//!   load generator shares the same 2 cores, so the figures are a lower bound for a server
//!   with the machine to itself; the CPU split is reported.
//! - **Devices** are enrolled through `admin::enroll` (the enroll endpoint's own function)
//!   on the store before the server starts: 30 members with one device each in each of the
//!   demo committee's 20 branches. Each branch's first device pushes the branch's plan and
//!   two drafts; every device then does its first sync (compacted documents, cursor,
//!   directory). A simulated device is what the real client does on the wire and no more:
//!   a signed request (ed25519, fresh nonce), `zstd(postcard(SyncRequest))`, decoding the
//!   response and keeping the cursor; it does not apply what it pulls (a phone's cost, not
//!   the server's). One `reqwest::Client` is shared by every 50 devices.
//! - **Phases**, each for a fixed time, closed loop (a device syncs again as soon as its
//!   answer arrives), at most `inflight` requests in flight (a semaphore):
//!   *idle* — empty push, nothing to pull; *push* — each sync pushes one new comment (one
//!   Automerge change, made on the device's copy of a branch draft shared with ~15 other
//!   devices) and pulls the comments the branch's other devices pushed meanwhile.
//!   Latency is from sending the request to having decoded the answer (client-side
//!   scheduling included; waiting for a semaphore permit excluded).
//! - **Where the time goes**: after the load, the same store is driven in process, one
//!   request at a time, timing each step a sync request goes through.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use automerge::ChangeHash;
use common::{Prose, Rng, cpu_secs, editor, machine, ms, pct, remark, status_kib};
use ed25519_dalek::{Signer, SigningKey, Verifier, VerifyingKey};
use sotay_core::ids::{BranchId, DocId, DocKind, MemberId};
use sotay_core::model::plan::{self, NewPlan, NewTopic, TopicGroup};
use sotay_core::model::text_doc::{self, CommentKind, NewComment, NewTextDoc};
use sotay_core::model::{Document, now_unix};
use sotay_core::org::{MemberStatus, Role};
use sotay_core::protocol::{
    self, AUTH_HEADER, AuthHeader, Cursor, EnrollRequest, PROTOCOL_VERSION, PushDoc, SyncRequest,
    SyncResponse, paths, signing_payload,
};
use sotay_server::admin::{self, NewMember};
use sotay_server::server::{AppState, run};
use sotay_server::store::ServerStore;
use sotay_server::store::sqlite::SqliteStore;
use sotay_server::sync::{Caller, DocLocks};
use tokio::sync::Semaphore;

struct Config {
    /// Where the server's database lives (default: a temp dir on the disk; `--db-dir /dev/shm`
    /// is the diagnostic "no fsync cost" run).
    db_dir: Option<String>,
    devices: usize,
    secs: u64,
    inflight: Vec<usize>,
    per_client: usize,
}

fn arg<T: std::str::FromStr>(name: &str) -> Option<T> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
}

fn config() -> Config {
    let devices = arg("--devices").unwrap_or(600);
    Config {
        db_dir: arg("--db-dir"),
        devices,
        secs: arg("--secs").unwrap_or(10),
        inflight: arg::<String>("--inflight")
            .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
            .unwrap_or_else(|| vec![devices, 64]),
        per_client: 50,
    }
}

// ----- the server process ----------------------------------------------------------------------

/// `--serve <db>`: serve the store until stdin closes (or 15 minutes pass), then print the
/// peak RSS.
fn serve(db: &str) {
    // The server's own errors (a 500's cause) go to stderr; nothing below `warn`, so logging
    // costs nothing under load.
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("warn"))
        .with_writer(std::io::stderr)
        .init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let store: Arc<dyn ServerStore> = Arc::new(SqliteStore::open(db).unwrap());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut out = std::io::stdout();
        let _ = writeln!(out, "ADDR {}", listener.local_addr().unwrap());
        let _ = out.flush();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        std::thread::spawn(move || {
            let mut sink = Vec::new();
            let _ = std::io::stdin().read_to_end(&mut sink);
            let _ = tx.send(());
        });
        let shutdown = async move {
            let _ = tokio::time::timeout(Duration::from_secs(900), rx).await;
        };
        run(listener, AppState::new(store), shutdown).await.unwrap();
    });
    let _ = writeln!(std::io::stdout(), "VMHWM {}", status_kib(None, "VmHWM"));
}

struct ServerProcess {
    child: Child,
    url: String,
    out: BufReader<std::process::ChildStdout>,
}

impl ServerProcess {
    fn start(db: &Path) -> ServerProcess {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .arg("--serve")
            .arg(db)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        let addr = line.trim().strip_prefix("ADDR ").unwrap().to_owned();
        ServerProcess {
            child,
            url: format!("http://{addr}"),
            out,
        }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Closes the server's stdin (graceful shutdown) and returns its peak RSS in KiB.
    fn stop(mut self) -> u64 {
        let peak = status_kib(Some(self.pid()), "VmHWM");
        drop(self.child.stdin.take());
        let mut rest = String::new();
        let _ = self.out.read_to_string(&mut rest);
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            match self.child.try_wait() {
                Ok(Some(_)) => break,
                _ if Instant::now() > deadline => {
                    let _ = self.child.kill();
                    let _ = self.child.wait();
                    break;
                }
                _ => std::thread::sleep(Duration::from_millis(50)),
            }
        }
        rest.lines()
            .find_map(|l| l.strip_prefix("VMHWM ").and_then(|v| v.trim().parse().ok()))
            .unwrap_or(peak)
            .max(peak)
    }
}

// ----- simulated devices ---------------------------------------------------------------------------

struct Dev {
    id: String,
    member: MemberId,
    key: SigningKey,
    client: reqwest::Client,
    url: String,
    cursor: Cursor,
    dir_version: u64,
    /// This device's copy of one of its branch's drafts, and the heads the server has.
    draft: Option<(Document, Vec<ChangeHash>)>,
    rng: Rng,
}

#[derive(Debug, Default, Clone, Copy)]
struct Moved {
    up: usize,
    down: usize,
    pulled_changes: usize,
}

impl Dev {
    fn request(&self, push: Vec<PushDoc>) -> SyncRequest {
        SyncRequest {
            version: PROTOCOL_VERSION,
            cursor: self.cursor,
            push,
            budget: 0,
            directory_version: self.dir_version,
            heads: None,
            resume: None,
            signoffs: Vec::new(),
            signoff_cursor: 0,
        }
    }

    fn sign(&mut self, body: &[u8]) -> String {
        let ts = now_unix();
        let mut n = [0u8; 16];
        n.copy_from_slice(&self.rng.bytes32()[..16]);
        let nonce = hex::encode(n);
        let sig = self
            .key
            .sign(&signing_payload("POST", paths::SYNC, ts, &nonce, body));
        AuthHeader {
            device_id: self.id.clone(),
            ts,
            nonce,
            signature: hex::encode(sig.to_bytes()),
        }
        .to_header_value()
    }

    /// One sync over HTTP; keeps the cursor and directory version.
    async fn sync(&mut self, push: Vec<PushDoc>) -> Result<(SyncResponse, Moved), String> {
        let body = protocol::encode(&self.request(push)).map_err(|e| e.to_string())?;
        let auth = self.sign(&body);
        let up = body.len();
        let resp = self
            .client
            .post(&self.url)
            .header(AUTH_HEADER, auth)
            .header(reqwest::header::CONTENT_TYPE, "application/x-sotay-sync")
            .body(body)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = resp.status();
        let bytes = resp.bytes().await.map_err(|e| e.to_string())?;
        if !status.is_success() {
            return Err(format!("{status}: {}", String::from_utf8_lossy(&bytes)));
        }
        let r: SyncResponse = protocol::decode(&bytes).map_err(|e| e.to_string())?;
        if !r.rejected.is_empty() || r.reconcile || !r.need.is_empty() {
            return Err(format!(
                "unexpected answer: rejected {:?}, reconcile {}, need {:?}",
                r.rejected, r.reconcile, r.need
            ));
        }
        self.cursor = r.cursor;
        if let Some(d) = &r.directory {
            self.dir_version = d.version;
        }
        let pulled_changes = r
            .docs
            .iter()
            .map(|d| match &d.data {
                protocol::PullData::Changes(c) => c.len(),
                protocol::PullData::Snapshot(_) => 1,
            })
            .sum();
        Ok((
            r,
            Moved {
                up,
                down: bytes.len(),
                pulled_changes,
            },
        ))
    }

    /// Writes one comment on the device's draft; returns the push (every change the server
    /// has not acknowledged) and the heads it brings the server to.
    fn comment(&mut self) -> (PushDoc, Vec<ChangeHash>) {
        let (doc, acked) = self.draft.as_mut().unwrap();
        let body = remark(&mut self.rng);
        text_doc::add_comment(
            doc,
            &editor(&self.member, now_unix()),
            &NewComment {
                kind: CommentKind::Comment,
                body,
                anchor: Some((10, 40)),
                reply_to: None,
            },
        )
        .unwrap();
        let push = PushDoc {
            doc_id: doc.id().clone(),
            kind: DocKind::TopicDraft,
            changes: doc.changes_since(acked),
        };
        (push, doc.heads())
    }

    async fn push_sync(&mut self) -> Result<Moved, String> {
        let (push, heads) = self.comment();
        let (r, moved) = self.sync(vec![push]).await?;
        if r.acks.len() != 1 {
            return Err(format!("expected one ack, got {}", r.acks.len()));
        }
        if let Some((_, acked)) = self.draft.as_mut() {
            *acked = heads;
        }
        Ok(moved)
    }
}

// ----- setup -------------------------------------------------------------------------------------

const PER_BRANCH: usize = 30;

struct Enrolled {
    id: String,
    member: MemberId,
    branch: BranchId,
    key: SigningKey,
}

/// Seeds the demo committee and enrolls `n` devices (30 per branch, one member each).
fn enroll_all(store: &dyn ServerStore, n: usize) -> Vec<Enrolled> {
    let now = now_unix();
    sotay_server::demo::seed_demo(store, now).unwrap();
    let committee = sotay_server::demo::committee_id().unwrap();
    let branches = store.branches(&committee).unwrap();
    let mut rng = Rng::new(600);
    let mut out = Vec::new();
    for i in 0..n {
        let branch = &branches[(i / PER_BRANCH) % branches.len()];
        let member = admin::add_member(
            store,
            &NewMember {
                id: format!("m-load-{i:04}"),
                committee_id: committee.clone(),
                branch_id: Some(branch.id.to_string()),
                full_name: format!("Đảng viên Thử Tải {i}"),
                role: if i % PER_BRANCH == 0 {
                    Role::Secretary
                } else {
                    Role::Member
                },
                status: MemberStatus::Full,
            },
            now,
        )
        .unwrap();
        let code = admin::issue_code(store, &member.id, now, 3600).unwrap();
        let key = SigningKey::from_bytes(&rng.bytes32());
        let resp = admin::enroll(
            store,
            &EnrollRequest {
                code: code.code,
                public_key: hex::encode(key.verifying_key().to_bytes()),
                device_name: format!("Điện thoại {i}"),
            },
            now,
        )
        .unwrap();
        out.push(Enrolled {
            id: resp.device_id,
            member: member.id,
            branch: branch.id.clone(),
            key,
        });
    }
    out
}

/// A branch's plan and two drafts, as its secretary writes them.
fn branch_docs(branch: &BranchId, secretary: &MemberId, rng: &mut Rng) -> Vec<Document> {
    let mut prose = Prose::default();
    let ed = editor(secretary, now_unix());
    let mut plan_doc = plan::create(
        &NewPlan {
            branch_id: branch.clone(),
            year: 2026,
            title: String::new(),
            number: "01-KH/CB".into(),
            issue_date: None,
            purpose: prose.take(rng, 600),
            implementation: prose.take(rng, 400),
        },
        &ed,
    )
    .unwrap();
    let plan_id = plan_doc.id().clone();
    let mut topics = Vec::new();
    for (k, title) in [
        "Nâng cao chất lượng sinh hoạt chi bộ",
        "Giảm thời gian dừng máy ngoài kế hoạch",
    ]
    .iter()
    .enumerate()
    {
        topics.push(
            plan::add_topic(
                &mut plan_doc,
                &ed,
                &NewTopic {
                    title: (*title).into(),
                    group: TopicGroup::PartyBuilding,
                    month: 3 + k as u8 * 4,
                    scheduled_date: None,
                    combined_with_regular_meeting: false,
                    preparers: vec![secretary.clone()],
                    presenter: Some(secretary.clone()),
                    executive: None,
                    draft_deadline: None,
                    expected_output: String::new(),
                    notes: String::new(),
                },
            )
            .unwrap(),
        );
    }
    let mut docs = vec![plan_doc];
    for (k, topic) in topics.into_iter().enumerate() {
        docs.push(
            text_doc::create(
                &NewTextDoc {
                    kind: DocKind::TopicDraft,
                    branch_id: branch.clone(),
                    plan_id: Some(plan_id.clone()),
                    topic_id: Some(topic),
                    title: format!("Dự thảo chuyên đề {}", k + 1),
                    description: String::new(),
                    body: prose.take(rng, 3_000),
                },
                &ed,
            )
            .unwrap(),
        );
    }
    docs
}

// ----- phases ------------------------------------------------------------------------------------

#[derive(Debug, Default)]
struct PhaseStats {
    name: String,
    inflight: usize,
    syncs: usize,
    errors: usize,
    first_error: Option<String>,
    wall: Duration,
    lat: Vec<Duration>,
    up: usize,
    down: usize,
    pulled_changes: usize,
    server_cpu: f64,
    client_cpu: f64,
    server_rss_kib: u64,
}

impl PhaseStats {
    fn rate(&self) -> f64 {
        self.syncs as f64 / self.wall.as_secs_f64()
    }
}

async fn phase(
    devs: Vec<Dev>,
    name: &str,
    secs: u64,
    inflight: usize,
    push: bool,
    server_pid: u32,
) -> (Vec<Dev>, PhaseStats) {
    let sem = Arc::new(Semaphore::new(inflight));
    let cpu0 = (cpu_secs(Some(server_pid)), cpu_secs(None));
    let started = Instant::now();
    let deadline = started + Duration::from_secs(secs);
    let tasks: Vec<_> = devs
        .into_iter()
        .map(|mut d| {
            let sem = sem.clone();
            tokio::spawn(async move {
                let mut lat = Vec::new();
                let mut errors = 0usize;
                let mut first_error = None;
                let mut moved = Moved::default();
                while Instant::now() < deadline {
                    let _permit = sem.acquire().await.unwrap();
                    if Instant::now() >= deadline {
                        break;
                    }
                    let t = Instant::now();
                    let r = if push {
                        d.push_sync().await
                    } else {
                        d.sync(Vec::new()).await.map(|(_, m)| m)
                    };
                    match r {
                        Ok(m) => {
                            lat.push(t.elapsed());
                            moved.up += m.up;
                            moved.down += m.down;
                            moved.pulled_changes += m.pulled_changes;
                        }
                        Err(e) => {
                            errors += 1;
                            first_error.get_or_insert(e);
                            tokio::time::sleep(Duration::from_millis(50)).await;
                        }
                    }
                }
                (d, lat, errors, first_error, moved)
            })
        })
        .collect();
    let mut devs = Vec::new();
    let mut st = PhaseStats {
        name: name.into(),
        inflight,
        ..Default::default()
    };
    for t in tasks {
        let (d, lat, errors, first_error, moved) = t.await.unwrap();
        devs.push(d);
        st.lat.extend(lat);
        st.errors += errors;
        if st.first_error.is_none() {
            st.first_error = first_error;
        }
        st.up += moved.up;
        st.down += moved.down;
        st.pulled_changes += moved.pulled_changes;
    }
    st.wall = started.elapsed();
    st.syncs = st.lat.len();
    st.lat.sort();
    st.server_cpu = cpu_secs(Some(server_pid)) - cpu0.0;
    st.client_cpu = cpu_secs(None) - cpu0.1;
    st.server_rss_kib = status_kib(Some(server_pid), "VmRSS");
    (devs, st)
}

// ----- where the time goes ------------------------------------------------------------------------

/// Mean time of `f` over `n` runs, in µs.
fn time_us(n: usize, mut f: impl FnMut()) -> f64 {
    let t = Instant::now();
    for _ in 0..n {
        f();
    }
    t.elapsed().as_secs_f64() * 1e6 / n as f64
}

/// Drives the store in process, one request at a time, and times each step of a sync.
fn breakdown(db: &Path, dev: &mut Dev) -> Vec<(String, f64)> {
    let store = SqliteStore::open(db).unwrap();
    let store: &dyn ServerStore = &store;
    let locks = DocLocks::default();
    let n = 300;
    let mut out = Vec::new();
    let idle_req = dev.request(Vec::new());
    let body = protocol::encode(&idle_req).unwrap();
    out.push((
        "client: encode an idle request (postcard + zstd)".into(),
        time_us(n, || {
            protocol::encode(&idle_req).unwrap();
        }),
    ));
    out.push((
        "client: sign it (ed25519)".into(),
        time_us(n, || {
            dev.sign(&body);
        }),
    ));
    out.push((
        "server: decode the request (zstd + postcard)".into(),
        time_us(n, || {
            protocol::decode::<SyncRequest>(&body).unwrap();
        }),
    ));
    let device = store.device(&dev.id).unwrap().unwrap();
    let member = store.member(&device.member_id).unwrap().unwrap();
    out.push((
        "server: read the device (SQLite)".into(),
        time_us(n, || {
            store.device(&dev.id).unwrap();
        }),
    ));
    let header = dev.sign(&body);
    let auth = AuthHeader::parse(&header).unwrap();
    let vk = VerifyingKey::from_bytes(&device.public_key).unwrap();
    let sig_bytes: [u8; 64] = hex::decode(&auth.signature).unwrap().try_into().unwrap();
    let sig = ed25519_dalek::Signature::from_bytes(&sig_bytes);
    let payload = signing_payload("POST", paths::SYNC, auth.ts, &auth.nonce, &body);
    out.push((
        "server: verify the signature (ed25519 verify_strict)".into(),
        time_us(n, || {
            vk.verify_strict(&payload, &sig).unwrap();
        }),
    ));
    out.push((
        "server:   (for comparison: ed25519 verify, not strict)".into(),
        time_us(n, || {
            vk.verify(&payload, &sig).unwrap();
        }),
    ));
    out.push((
        "server: read the member (SQLite)".into(),
        time_us(n, || {
            store.member(&device.member_id).unwrap();
        }),
    ));
    let now = now_unix();
    let mut k = 0u64;
    out.push((
        "server: remember the nonce (SQLite write transaction, synchronous=FULL)".into(),
        time_us(n, || {
            k += 1;
            store
                .remember_nonce(&dev.id, &format!("{k:032x}"), now, now - 600)
                .unwrap();
        }),
    ));
    out.push((
        "server: authenticate, whole (the five steps above)".into(),
        time_us(n, || {
            let h = dev.sign(&body);
            sotay_server::identity::authenticate(
                store,
                Some(&h),
                "POST",
                paths::SYNC,
                &body,
                now_unix(),
            )
            .unwrap();
        }),
    ));
    let ctx = sotay_server::identity::authenticate(
        store,
        Some(&dev.sign(&body)),
        "POST",
        paths::SYNC,
        &body,
        now_unix(),
    )
    .unwrap();
    let read = ctx.read_scopes(store).unwrap();
    let write = ctx.write_scopes();
    let caller = Caller {
        device: &device,
        member: &member,
        read_scopes: &read,
        write_scopes: &write,
    };
    out.push((
        "server: read scopes".into(),
        time_us(n, || {
            ctx.read_scopes(store).unwrap();
        }),
    ));
    let mut resp = SyncResponse::default();
    out.push((
        "server: sync::handle, idle (epoch, log end, log page, directory version)".into(),
        time_us(n, || {
            resp = sotay_server::sync::handle(store, &locks, &caller, &idle_req, now).unwrap();
        }),
    ));
    out.push((
        "server: encode the idle response (postcard + zstd)".into(),
        time_us(n, || {
            protocol::encode(&resp).unwrap();
        }),
    ));
    out.push((
        "zstd::bulk::compress of 30 bytes (a new compression context each call)".into(),
        time_us(n, || {
            zstd::bulk::compress(&[7u8; 30], 3).unwrap();
        }),
    ));
    // A push: one comment on a shared draft.
    let draft_id: DocId = dev.draft.as_ref().unwrap().0.id().clone();
    let (snapshot, logged) = store.doc_data(&draft_id).unwrap();
    out.push((
        format!(
            "server: read the draft (snapshot + {} logged changes) from SQLite",
            logged.len()
        ),
        time_us(50, || {
            store.doc_data(&draft_id).unwrap();
        }),
    ));
    let snap = snapshot.map(|(b, _)| b).unwrap_or_default();
    out.push((
        format!(
            "server: load the draft ({} KiB snapshot) and apply the {} logged changes",
            snap.len() / 1024,
            logged.len()
        ),
        time_us(50, || {
            let mut d = if snap.is_empty() {
                Document::from_untrusted_changes(&logged).unwrap()
            } else {
                Document::load(&snap, &[]).unwrap()
            };
            if !snap.is_empty() && !logged.is_empty() {
                d.apply_untrusted_changes(&logged).unwrap();
            }
        }),
    ));
    out.push((
        format!(
            "server:   of which decoding the {} logged changes (`decode_changes`)",
            logged.len()
        ),
        time_us(50, || {
            sotay_core::model::decode_changes(&logged).unwrap();
        }),
    ));
    if logged.len() > 1 {
        out.push((
            format!(
                "server:     of which the first logged change ({} KiB)",
                logged[0].len() / 1024
            ),
            time_us(50, || {
                sotay_core::model::decode_changes(&logged[..1]).unwrap();
            }),
        ));
    }
    let mut whole = if snap.is_empty() {
        Document::from_untrusted_changes(&logged).unwrap()
    } else {
        let mut d = Document::load(&snap, &[]).unwrap();
        d.apply_untrusted_changes(&logged).unwrap();
        d
    };
    let compact = whole.save();
    out.push((
        format!(
            "server:   (for comparison: load the same draft from one compacted save(), {} KiB)",
            compact.len() / 1024
        ),
        time_us(50, || {
            Document::load(&compact, &[]).unwrap();
        }),
    ));
    out.push((
        "server: sync::handle with a 1-comment push (validate on a scratch copy, append, pull)"
            .into(),
        time_us(50, || {
            let (push, heads) = dev.comment();
            let req = dev.request(vec![push]);
            let r = sotay_server::sync::handle(store, &locks, &caller, &req, now_unix()).unwrap();
            assert_eq!(r.acks.len(), 1);
            if let Some((_, acked)) = dev.draft.as_mut() {
                *acked = heads;
            }
            dev.cursor = r.cursor;
        }),
    ));
    out
}

// ----- main ---------------------------------------------------------------------------------------

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--serve") {
        serve(&args[i + 1]);
        return;
    }
    let cfg = config();
    let started = Instant::now();
    let dir = match &cfg.db_dir {
        Some(d) => tempfile::tempdir_in(d).unwrap(),
        None => tempfile::tempdir().unwrap(),
    };
    let db = dir.path().join("server.db");

    eprintln!("load bench: enrolling {} devices…", cfg.devices);
    let t = Instant::now();
    let enrolled = {
        let store = SqliteStore::open(&db).unwrap();
        enroll_all(&store, cfg.devices)
    };
    let enroll_time = t.elapsed();

    let server = ServerProcess::start(&db);
    let pid = server.pid();
    let url = format!("{}{}", server.url, paths::SYNC);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();

    let (results, setup_time, mut devs) = runtime.block_on(async {
        let t = Instant::now();
        let clients: Vec<reqwest::Client> = (0..cfg.devices.div_ceil(cfg.per_client))
            .map(|_| {
                reqwest::Client::builder()
                    .timeout(Duration::from_secs(60))
                    .build()
                    .unwrap()
            })
            .collect();
        let branches: Vec<BranchId> = enrolled.iter().map(|e| e.branch.clone()).collect();
        let mut devs: Vec<Dev> = enrolled
            .into_iter()
            .enumerate()
            .map(|(i, e)| Dev {
                id: e.id,
                member: e.member,
                key: e.key,
                client: clients[i / cfg.per_client].clone(),
                url: url.clone(),
                cursor: Cursor::default(),
                dir_version: 0,
                draft: None,
                rng: Rng::new(10_000 + i as u64),
            })
            .collect();
        // Each branch's secretary pushes the plan and two drafts.
        let mut rng = Rng::new(77);
        let mut drafts: Vec<Vec<Vec<u8>>> = Vec::new();
        for b in 0..cfg.devices.div_ceil(PER_BRANCH) {
            let first = b * PER_BRANCH;
            let branch_id = branches[first].clone();
            let mut docs = branch_docs(&branch_id, &devs[first].member, &mut rng);
            let push: Vec<PushDoc> = docs
                .iter_mut()
                .map(|d| PushDoc {
                    doc_id: d.id().clone(),
                    kind: d.kind(),
                    changes: d.changes_since(&[]),
                })
                .collect();
            let (r, _) = devs[first].sync(push).await.unwrap();
            assert_eq!(r.acks.len(), 3);
            drafts.push(docs[1..].iter_mut().map(|d| d.save()).collect());
        }
        // Every device: its copy of a draft (a fresh actor), then its first sync.
        for (i, d) in devs.iter_mut().enumerate() {
            let bytes = &drafts[i / PER_BRANCH][i % 2];
            let mut doc = Document::load(bytes, &[]).unwrap();
            let heads = doc.heads();
            d.draft = Some((doc, heads));
        }
        let sem = Arc::new(Semaphore::new(32));
        let tasks: Vec<_> = devs
            .into_iter()
            .map(|mut d| {
                let sem = sem.clone();
                tokio::spawn(async move {
                    let _p = sem.acquire().await.unwrap();
                    d.cursor = Cursor::default();
                    // The first download, continued while the server says more is waiting;
                    // a failed request is retried twice before the bench gives up.
                    let mut failures = 0;
                    for _ in 0..8 {
                        match d.sync(Vec::new()).await {
                            Ok((r, _)) if !r.more => break,
                            Ok(_) => {}
                            Err(e) => {
                                failures += 1;
                                assert!(failures < 3, "first sync of device {}: {e}", d.id);
                            }
                        }
                    }
                    d
                })
            })
            .collect();
        let mut devs = Vec::new();
        for t in tasks {
            devs.push(t.await.unwrap());
        }
        let setup_time = t.elapsed();
        eprintln!(
            "  setup done in {:.1} s (enrollment {:.1} s); server pid {pid}",
            setup_time.as_secs_f64() + enroll_time.as_secs_f64(),
            enroll_time.as_secs_f64()
        );
        let mut results = Vec::new();
        for (name, push) in [("idle", false), ("1-comment push", true)] {
            for &inflight in &cfg.inflight {
                let (d, st) = phase(devs, name, cfg.secs, inflight, push, pid).await;
                devs = d;
                eprintln!(
                    "  {name} at {inflight} in flight: {:.0} syncs/s, p50 {} ms, p99 {} ms, {} errors",
                    st.rate(),
                    ms(pct(&st.lat, 50.0)),
                    ms(pct(&st.lat, 99.0)),
                    st.errors
                );
                results.push(st);
            }
        }
        drop(clients);
        (results, setup_time + enroll_time, devs)
    });
    drop(runtime);
    let server_peak = server.stop();
    let client_peak = status_kib(None, "VmHWM");
    let steps = breakdown(&db, &mut devs[1]);

    println!();
    println!(
        "## Server load — {} simulated devices over loopback",
        cfg.devices
    );
    println!();
    println!(
        "database: {}; machine: {}; {} devices in {} branches ({} per branch, 2 shared drafts each), one \
         reqwest client per {} devices; {} s per phase; setup {:.0} s; run took {:.0} s",
        cfg.db_dir
            .as_deref()
            .unwrap_or("temp dir on the disk (ext4, virtio)"),
        machine(),
        cfg.devices,
        cfg.devices.div_ceil(PER_BRANCH),
        PER_BRANCH,
        cfg.per_client,
        cfg.secs,
        setup_time.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    println!();
    println!(
        "| phase | in flight | syncs | syncs/s | p50 ms | p99 ms | max ms | errors | mean up | mean down | changes pulled / sync | server CPU per sync | server CPU (of 2 cores) | load-generator CPU | server RSS after |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for s in &results {
        let n = s.syncs.max(1) as f64;
        println!(
            "| {} | {} | {} | {:.0} | {} | {} | {} | {} | {:.0} B | {:.0} B | {:.1} | {:.0} µs | {:.0} % | {:.0} % | {:.0} MiB |",
            s.name,
            s.inflight,
            s.syncs,
            s.rate(),
            ms(pct(&s.lat, 50.0)),
            ms(pct(&s.lat, 99.0)),
            ms(s.lat.last().copied().unwrap_or_default()),
            s.errors,
            s.up as f64 / n,
            s.down as f64 / n,
            s.pulled_changes as f64 / n,
            s.server_cpu * 1e6 / n,
            100.0 * s.server_cpu / s.wall.as_secs_f64(),
            100.0 * s.client_cpu / s.wall.as_secs_f64(),
            s.server_rss_kib as f64 / 1024.0,
        );
    }
    println!();
    println!(
        "Peak RSS (VmHWM): server process {:.1} MiB; load-generator process {:.1} MiB.",
        server_peak as f64 / 1024.0,
        client_peak as f64 / 1024.0
    );
    for s in &results {
        if let Some(e) = &s.first_error {
            println!("First error in {} at {}: {e}", s.name, s.inflight);
        }
    }
    println!();
    println!("### Where the time of one sync goes (in process, one request at a time)");
    println!();
    println!("| step | mean µs |");
    println!("|---|---:|");
    for (step, us) in &steps {
        println!("| {step} | {us:.0} |");
    }
    println!();
    let best_idle = results
        .iter()
        .filter(|s| s.name == "idle")
        .map(PhaseStats::rate)
        .fold(0.0, f64::max);
    let best_push = results
        .iter()
        .filter(|s| s.name != "idle")
        .map(PhaseStats::rate)
        .fold(0.0, f64::max);
    println!(
        "Target ≥ 2,000 small syncs/s with ≥ 500 concurrent devices: idle {best_idle:.0}/s ({}), \
         1-comment push {best_push:.0}/s ({}).",
        if best_idle >= 2000.0 { "pass" } else { "FAIL" },
        if best_push >= 2000.0 { "pass" } else { "FAIL" },
    );
}
