//! A real `sotay-server` on 127.0.0.1:0 over a real SQLite file, and phones (real stores on
//! temp files) enrolled with it.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use sotay_core::ids::MemberId;
use sotay_core::sync::{self, ClientConfig, SyncReport};
use sotay_core::{Result, Store};
use sotay_server::server::{AppState, run};
use sotay_server::store::ServerStore;
use sotay_server::store::sqlite::SqliteStore;
use tokio::sync::oneshot;

/// A running server.
#[derive(Debug)]
pub struct TestServer {
    /// Base URL.
    pub url: String,
    /// The storage, for inspecting what was stored.
    pub store: Arc<SqliteStore>,
    /// Enrollment codes of the demo committee, by member id.
    pub codes: HashMap<String, String>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl TestServer {
    /// Starts a server with the demo committee seeded, its database in `dir`.
    pub async fn start(dir: &Path) -> TestServer {
        Self::start_configured(dir, |s| s).await
    }

    /// [`TestServer::start`] with another attachment size limit (bytes).
    pub async fn start_with_blob_limit(dir: &Path, max_blob_bytes: u64) -> TestServer {
        Self::start_configured(dir, |s| s.with_max_blob_bytes(max_blob_bytes)).await
    }

    async fn start_configured(
        dir: &Path,
        configure: impl FnOnce(AppState) -> AppState,
    ) -> TestServer {
        // Server logs (warnings and errors) show in a failing test's output.
        let _ = tracing_subscriber::fmt()
            .with_test_writer()
            .with_env_filter(tracing_subscriber::EnvFilter::new("warn"))
            .try_init();
        let store = Arc::new(SqliteStore::open(dir.join("server.db")).expect("open server store"));
        let seeded = sotay_server::demo::seed_demo(store.as_ref(), sotay_core::model::now_unix())
            .expect("seed demo");
        let codes = seeded
            .into_iter()
            .map(|(m, code)| (m.id.to_string(), code))
            .collect();
        Self::serve_state(store, codes, configure).await
    }

    /// Serves an existing store (e.g. after a restart).
    pub async fn serve(store: Arc<SqliteStore>, codes: HashMap<String, String>) -> TestServer {
        Self::serve_state(store, codes, |s| s).await
    }

    /// Serves an existing store with its state adjusted by `configure`.
    async fn serve_state(
        store: Arc<SqliteStore>,
        codes: HashMap<String, String>,
        configure: impl FnOnce(AppState) -> AppState,
    ) -> TestServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let (tx, rx) = oneshot::channel();
        let dyn_store: Arc<dyn ServerStore> = store.clone();
        let state = configure(AppState::new(dyn_store));
        let task = tokio::spawn(run(listener, state, async move {
            let _ = rx.await;
        }));
        TestServer {
            url,
            store,
            codes,
            shutdown: Some(tx),
            task: Some(task),
        }
    }

    /// Stops the server (graceful) and waits for it.
    pub async fn stop(mut self) -> Arc<SqliteStore> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.task.take() {
            let _ = t.await;
        }
        self.store.clone()
    }

    /// A fresh enrollment code for a member.
    pub fn code_for(&self, member: &str) -> String {
        sotay_server::admin::issue_code(
            self.store.as_ref(),
            &MemberId::new(member),
            sotay_core::model::now_unix(),
            3600,
        )
        .expect("issue code")
        .code
    }
}

/// A phone: a store on its own file, enrolled as a member.
#[derive(Debug)]
pub struct Phone {
    /// The store.
    pub store: Store,
    /// The member.
    pub member: MemberId,
}

impl Phone {
    /// Opens a store at `path` and enrolls it with `code`.
    pub async fn enroll(path: &Path, server: &TestServer, member: &str) -> Result<Phone> {
        let mut store = Store::open(path)?;
        let code = server.code_for(member);
        sync::enroll(
            &mut store,
            &server.url,
            &code,
            &format!("Điện thoại của {member}"),
        )
        .await?;
        Ok(Phone {
            store,
            member: MemberId::new(member),
        })
    }

    /// Syncs with default settings.
    pub async fn sync(&mut self) -> Result<SyncReport> {
        sync::sync(&mut self.store, &ClientConfig::default(), &mut |_| {}).await
    }
}

/// A server on its own tokio runtime — a stand-in for a separate server process — that can be
/// killed abruptly with [`KillableServer::kill`]: the listener and every open connection are
/// dropped at once and in-flight responses are never sent (unlike [`TestServer::stop`], which
/// is graceful). Storage work already running on a blocking thread finishes by itself; SQLite
/// commits it whole or not at all, as if the process had been killed just after or just before
/// the commit.
#[derive(Debug)]
pub struct KillableServer {
    /// Base URL.
    pub url: String,
    /// The address it listens on (a restart can bind it again).
    pub addr: std::net::SocketAddr,
    /// The storage.
    pub store: Arc<SqliteStore>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl KillableServer {
    /// Serves `store` on `addr` (`127.0.0.1:0` for any port). Binding retries for a few
    /// seconds, so a restart can take over the port of a server just killed.
    pub fn serve(store: Arc<SqliteStore>, addr: std::net::SocketAddr) -> KillableServer {
        let mut tries = 0;
        let listener = loop {
            match std::net::TcpListener::bind(addr) {
                Ok(l) => break l,
                Err(e) if tries < 100 => {
                    tries += 1;
                    let _ = e;
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
                Err(e) => panic!("binding {addr}: {e}"),
            }
        };
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let addr = listener.local_addr().expect("addr");
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("server runtime");
        let dyn_store: Arc<dyn ServerStore> = store.clone();
        runtime.spawn(async move {
            let listener = tokio::net::TcpListener::from_std(listener)?;
            run(
                listener,
                AppState::new(dyn_store),
                std::future::pending::<()>(),
            )
            .await
        });
        KillableServer {
            url: format!("http://{addr}"),
            addr,
            store,
            runtime: Some(runtime),
        }
    }

    /// Kills the server abruptly (callable from async code and from sync callbacks).
    pub fn kill(mut self) -> Arc<SqliteStore> {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
        self.store.clone()
    }

    /// A fresh enrollment code for a member.
    pub fn code_for(&self, member: &str) -> String {
        sotay_server::admin::issue_code(
            self.store.as_ref(),
            &MemberId::new(member),
            sotay_core::model::now_unix(),
            3600,
        )
        .expect("issue code")
        .code
    }
}

impl Drop for KillableServer {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

impl Phone {
    /// Opens a store at `path` and enrolls it with a server at `url` using `code`.
    pub async fn enroll_with_code(
        path: &Path,
        url: &str,
        code: &str,
        member: &str,
    ) -> Result<Phone> {
        let mut store = Store::open(path)?;
        sync::enroll(&mut store, url, code, &format!("Điện thoại của {member}")).await?;
        Ok(Phone {
            store,
            member: MemberId::new(member),
        })
    }

    /// Syncs with the given client settings.
    pub async fn sync_with(&mut self, cfg: &ClientConfig) -> Result<SyncReport> {
        sync::sync(&mut self.store, cfg, &mut |_| {}).await
    }
}

/// A response as received by [`raw_http`].
#[derive(Debug)]
pub struct RawReply {
    /// The status code.
    pub status: u16,
    /// The headers, names lowercased.
    pub headers: Vec<(String, String)>,
    /// The body (empty for `HEAD`).
    pub body: Vec<u8>,
}

/// Sends one HTTP/1.1 request by hand over loopback, writing the body and reading the answer
/// at once: a server may answer (413) before it has read the whole body and then close, which
/// a client that writes everything first never sees. For requests no real client would send.
pub async fn raw_http(
    base: &str,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
    body: &[u8],
) -> RawReply {
    use tokio::io::Interest;
    let addr = base.trim_start_matches("http://").to_owned();
    let mut out = format!(
        "{method} {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\ncontent-length: {}\r\n",
        body.len()
    )
    .into_bytes();
    for (k, v) in headers {
        out.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
    let exchange = async {
        let stream = tokio::net::TcpStream::connect(&addr)
            .await
            .expect("connect");
        let (mut written, mut received) = (0usize, Vec::new());
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let interest = if written < out.len() {
                Interest::READABLE | Interest::WRITABLE
            } else {
                Interest::READABLE
            };
            let ready = stream.ready(interest).await.expect("ready");
            if ready.is_readable() {
                match stream.try_read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => received.extend_from_slice(&buf[..n]),
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                    Err(_) => break, // reset once the server answered and closed
                }
            }
            if ready.is_writable() && written < out.len() {
                match stream.try_write(&out[written..]) {
                    Ok(n) => written += n,
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                    Err(_) => written = out.len(), // the server stopped reading
                }
            }
        }
        received
    };
    let raw = tokio::time::timeout(std::time::Duration::from_secs(120), exchange)
        .await
        .expect("the server did not answer within 120 s");
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no complete response head in {} bytes", raw.len()));
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let rest = &raw[end + 4..];
    let chunked = headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v.eq_ignore_ascii_case("chunked"));
    let length = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok());
    let body = if method == "HEAD" {
        Vec::new()
    } else if chunked {
        let (mut body, mut rest) = (Vec::new(), rest);
        loop {
            let eol = rest
                .windows(2)
                .position(|w| w == b"\r\n")
                .expect("chunk size");
            let size = String::from_utf8_lossy(&rest[..eol]).into_owned();
            let size = usize::from_str_radix(size.split(';').next().unwrap_or("").trim(), 16)
                .expect("hex chunk size");
            rest = &rest[eol + 2..];
            if size == 0 {
                break body;
            }
            body.extend_from_slice(&rest[..size]);
            rest = &rest[size + 2..];
        }
    } else {
        rest[..length.unwrap_or(rest.len()).min(rest.len())].to_vec()
    };
    RawReply {
        status,
        headers,
        body,
    }
}
