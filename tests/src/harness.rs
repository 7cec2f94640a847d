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
        Self::serve(store, codes).await
    }

    /// Serves an existing store (e.g. after a restart).
    pub async fn serve(store: Arc<SqliteStore>, codes: HashMap<String, String>) -> TestServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let (tx, rx) = oneshot::channel();
        let dyn_store: Arc<dyn ServerStore> = store.clone();
        let task = tokio::spawn(run(listener, AppState::new(dyn_store), async move {
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
