//! Group commit for the SQLite writer: every write waiting for the writer connection goes
//! into the same transaction, so one fsync makes a whole batch durable.
//!
//! Why: with `synchronous=FULL` every commit waits for the disk, and SQLite has one writer.
//! Under load each push queued for the writer and paid its own fsync, so pushes per second
//! were bounded by fsyncs per second whatever the CPU could do. Here a writer that finds the
//! connection busy leaves its job in a queue and waits; the thread holding the connection
//! (the *leader*) takes every queued job, runs each inside its own `SAVEPOINT` (a job that
//! fails rolls back alone, the others are kept), commits once, and only then answers each
//! job. No job is answered before the commit that holds it is durable, so an acknowledged
//! write survives a crash exactly as before.
//!
//! Leader/follower rather than a writer thread: when nothing else is writing, the caller
//! runs its own job on its own thread, with no hand-off.
//!
//! A batch is committed with `synchronous=FULL` if any of its jobs asked for durability and
//! with `NORMAL` otherwise (nonces: see `SqliteStore::remember_nonce`).

use std::collections::VecDeque;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc::sync_channel;
use std::sync::{Mutex, MutexGuard, PoisonError};

use rusqlite::{Connection, Transaction, TransactionBehavior};

use crate::{Error, Result};

/// At most this many jobs share one transaction (bounds how long a batch holds the lock).
const MAX_BATCH: usize = 256;

/// A job run (`Some(tx)`) or refused unrun (`None`); returns whether its writes are to be
/// kept and how to answer its caller once the batch's fate is known.
type Run = Box<dyn FnOnce(Option<&Transaction<'_>>) -> Ran + Send>;

/// Answers a job's caller, given the commit's error if any.
type Answer = Box<dyn FnOnce(Option<&str>) + Send>;

struct Ran {
    ok: bool,
    answer: Answer,
}

struct Job {
    durable: bool,
    run: Run,
}

struct Queue {
    jobs: VecDeque<Job>,
    leading: bool,
}

/// The writer connection and the queue of writes waiting for it.
pub(super) struct GroupCommit {
    conn: Mutex<Connection>,
    queue: Mutex<Queue>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic in a job is caught inside it; one elsewhere unwinds through a `Transaction`,
    // which rolls back, so a poisoned connection is still consistent.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl GroupCommit {
    pub(super) fn new(conn: Connection) -> Self {
        Self {
            conn: Mutex::new(conn),
            queue: Mutex::new(Queue {
                jobs: VecDeque::new(),
                leading: false,
            }),
        }
    }

    /// The connection, for exclusive use outside any batch (`mark_restored`).
    pub(super) fn get_mut(&mut self) -> &mut Connection {
        self.conn.get_mut().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `f` inside the next batch and returns its result once that batch is committed
    /// (durably on disk when `durable`). An `Err` or a panic from `f` rolls back `f`'s writes
    /// only; a failed commit fails every job of the batch.
    pub(super) fn write<R: Send + 'static>(
        &self,
        durable: bool,
        f: impl FnOnce(&Transaction<'_>) -> Result<R> + Send + 'static,
    ) -> Result<R> {
        let (sender, receiver) = sync_channel::<Result<R>>(1);
        let run: Run = Box::new(move |tx| {
            let result = match tx {
                Some(tx) => catch_unwind(AssertUnwindSafe(|| f(tx)))
                    .unwrap_or_else(|_| Err(Error::Storage("a write panicked".into()))),
                None => Err(Error::Storage("its batch failed before it ran".into())),
            };
            Ran {
                ok: result.is_ok(),
                answer: Box::new(move |commit_error| {
                    let result = match (result, commit_error) {
                        (Ok(_), Some(e)) => Err(Error::Storage(format!("commit failed: {e}"))),
                        (r, _) => r,
                    };
                    // `recv` below blocks until answered, so the receiver is still there.
                    let _ = sender.send(result);
                }),
            }
        });
        let lead = {
            let mut q = lock(&self.queue);
            q.jobs.push_back(Job { durable, run });
            !std::mem::replace(&mut q.leading, true)
        };
        if lead {
            self.lead();
        }
        receiver
            .recv()
            .unwrap_or_else(|_| Err(Error::Storage("a write was dropped unanswered".into())))
    }

    /// Commits batches until the queue is empty, then steps down.
    fn lead(&self) {
        let mut conn = lock(&self.conn);
        loop {
            let batch: Vec<Job> = {
                let mut q = lock(&self.queue);
                if q.jobs.is_empty() {
                    q.leading = false;
                    return;
                }
                let n = q.jobs.len().min(MAX_BATCH);
                q.jobs.drain(..n).collect()
            };
            run_batch(&mut conn, batch);
        }
    }
}

/// Runs one batch in one IMMEDIATE transaction, each job in its own savepoint, and answers
/// every job after the commit.
fn run_batch(conn: &mut Connection, batch: Vec<Job>) {
    let sync = if batch.iter().any(|j| j.durable) {
        "FULL"
    } else {
        "NORMAL"
    };
    if let Err(e) = set_synchronous(conn, sync) {
        return refuse(batch, Vec::new(), &e.to_string());
    }
    let tx = match conn.transaction_with_behavior(TransactionBehavior::Immediate) {
        Ok(tx) => tx,
        Err(e) => return refuse(batch, Vec::new(), &e.to_string()),
    };
    let mut ran = Vec::with_capacity(batch.len());
    let mut jobs = batch.into_iter();
    while let Some(job) = jobs.next() {
        if let Err(e) = run_sql(&tx, "SAVEPOINT job") {
            drop(tx); // rolls back the whole batch
            return refuse(
                std::iter::once(job).chain(jobs).collect(),
                ran,
                &e.to_string(),
            );
        }
        let r = (job.run)(Some(&tx));
        let end = if r.ok {
            run_sql(&tx, "RELEASE job")
        } else {
            run_sql(&tx, "ROLLBACK TO job").and_then(|()| run_sql(&tx, "RELEASE job"))
        };
        ran.push(r);
        if let Err(e) = end {
            drop(tx);
            return refuse(jobs.collect(), ran, &e.to_string());
        }
    }
    let commit_error = tx.commit().err().map(|e| e.to_string());
    if let Some(e) = &commit_error {
        tracing::error!(error = %e, jobs = ran.len(), "a batch of writes failed to commit");
    }
    for r in ran {
        (r.answer)(commit_error.as_deref());
    }
}

/// Runs a statement from the connection's statement cache (`execute_batch` parses every time).
fn run_sql(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([]).map(|_| ())
}

/// Sets `PRAGMA synchronous` unless it already has that value.
fn set_synchronous(conn: &Connection, value: &str) -> rusqlite::Result<()> {
    let level = if value == "FULL" { 2 } else { 1 };
    let current: i64 = conn
        .prepare_cached("PRAGMA synchronous")?
        .query_row([], |r| r.get(0))?;
    if current != level {
        conn.pragma_update(None, "synchronous", value)?;
    }
    Ok(())
}

/// Fails a batch whose transaction was rolled back: jobs already run (`ran`) and jobs not run.
fn refuse(unrun: Vec<Job>, ran: Vec<Ran>, error: &str) {
    tracing::error!(error, "a batch of writes was rolled back");
    for r in ran {
        (r.answer)(Some(error));
    }
    for job in unrun {
        ((job.run)(None).answer)(None);
    }
}
