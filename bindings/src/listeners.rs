//! Observers: the app's listeners for sync status and document changes, and the handles
//! that unregister them.
//!
//! Every call into a listener is made from one delivery thread per store, in the order the
//! events happened, and never while the store is locked — so a listener may call back into
//! the store without deadlocking (the call waits at most for a sync's brief local step), and
//! a slow listener delays other listeners but never a sync or an edit. The recipients of an event
//! are fixed when it happens: a listener registered later does not receive it, and its
//! first delivery — the current status, at once — comes before any later change.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use crate::error::{ApiError, Result};
use crate::records::SyncStatus;

/// Told the sync status: at once on registration, then on every change.
#[uniffi::export(foreign)]
pub trait SyncStatusListener: Send + Sync {
    /// The status now.
    fn on_status(&self, status: SyncStatus);
}

/// Told which documents changed (a local edit, or a sync that received something), so
/// screens showing them refresh.
#[uniffi::export(foreign)]
pub trait DocumentChangeListener: Send + Sync {
    /// The ids of the documents that changed.
    fn on_documents_changed(&self, doc_ids: Vec<String>);
}

/// What the delivery thread calls.
enum Delivery {
    Status(Vec<u64>, SyncStatus),
    Changes(Vec<u64>, Vec<String>),
}

struct Registry {
    status: SyncStatus,
    status_listeners: BTreeMap<u64, Arc<dyn SyncStatusListener>>,
    change_listeners: BTreeMap<u64, Arc<dyn DocumentChangeListener>>,
    next_id: u64,
    // `None` only before the delivery thread starts.
    tx: Option<Sender<Delivery>>,
}

/// A store's listeners and current sync status.
pub(crate) struct Hub {
    registry: Mutex<Registry>,
}

impl std::fmt::Debug for Hub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let r = self.lock();
        f.debug_struct("Hub")
            .field("status", &r.status)
            .field("status_listeners", &r.status_listeners.len())
            .field("change_listeners", &r.change_listeners.len())
            .finish()
    }
}

impl Hub {
    /// A hub with `status`, and its delivery thread (which ends when the hub is dropped).
    pub(crate) fn start(status: SyncStatus) -> Result<Arc<Hub>> {
        let hub = Arc::new(Hub {
            registry: Mutex::new(Registry {
                status,
                status_listeners: BTreeMap::new(),
                change_listeners: BTreeMap::new(),
                next_id: 0,
                tx: None,
            }),
        });
        let (tx, rx) = channel();
        let weak = Arc::downgrade(&hub);
        std::thread::Builder::new()
            .name("sotay-listeners".into())
            .spawn(move || deliver(weak, rx))
            .map_err(|e| ApiError::Internal(format!("cannot start the listener thread: {e}")))?;
        hub.lock().tx = Some(tx);
        Ok(hub)
    }

    fn lock(&self) -> MutexGuard<'_, Registry> {
        // The registry holds plain values; a panic elsewhere cannot leave it half-written.
        self.registry.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The current sync status.
    pub(crate) fn status(&self) -> SyncStatus {
        self.lock().status.clone()
    }

    /// Sets the sync status; listeners hear of it if it changed.
    pub(crate) fn set_status(&self, status: SyncStatus) {
        let mut r = self.lock();
        if r.status == status {
            return;
        }
        r.status = status.clone();
        let to: Vec<u64> = r.status_listeners.keys().copied().collect();
        send(&r, Delivery::Status(to, status));
    }

    /// Updates the status's count of unsent documents (if it shows one).
    pub(crate) fn set_unsent(&self, n: u32) {
        let next = self.status().with_unsent(n);
        self.set_status(next);
    }

    /// Tells the document-change listeners (nothing when `doc_ids` is empty).
    pub(crate) fn documents_changed(&self, doc_ids: Vec<String>) {
        if doc_ids.is_empty() {
            return;
        }
        let r = self.lock();
        let to: Vec<u64> = r.change_listeners.keys().copied().collect();
        if !to.is_empty() {
            send(&r, Delivery::Changes(to, doc_ids));
        }
    }

    /// Registers a status listener; it is told the current status at once.
    pub(crate) fn add_status_listener(
        self: &Arc<Self>,
        l: Arc<dyn SyncStatusListener>,
    ) -> Arc<ListenerHandle> {
        let mut r = self.lock();
        let id = r.next_id;
        r.next_id += 1;
        r.status_listeners.insert(id, l);
        let current = r.status.clone();
        send(&r, Delivery::Status(vec![id], current));
        ListenerHandle::new(self, id)
    }

    /// Registers a document-change listener.
    pub(crate) fn add_change_listener(
        self: &Arc<Self>,
        l: Arc<dyn DocumentChangeListener>,
    ) -> Arc<ListenerHandle> {
        let mut r = self.lock();
        let id = r.next_id;
        r.next_id += 1;
        r.change_listeners.insert(id, l);
        ListenerHandle::new(self, id)
    }

    fn remove(&self, id: u64) {
        let mut r = self.lock();
        r.status_listeners.remove(&id);
        r.change_listeners.remove(&id);
    }

    /// How many listeners are registered (tests).
    #[cfg(test)]
    pub(crate) fn listener_count(&self) -> usize {
        let r = self.lock();
        r.status_listeners.len() + r.change_listeners.len()
    }
}

fn send(r: &Registry, d: Delivery) {
    if let Some(tx) = &r.tx {
        // Fails only once the delivery thread is gone (the process is ending).
        let _ = tx.send(d);
    }
}

/// The delivery thread: looks up each event's recipients that are still registered, then
/// calls them without holding any lock. A listener that panics (or whose foreign code
/// throws) loses that one call, not the thread.
fn deliver(hub: Weak<Hub>, rx: Receiver<Delivery>) {
    while let Ok(d) = rx.recv() {
        let Some(h) = hub.upgrade() else { return };
        match d {
            Delivery::Status(to, status) => {
                let ls: Vec<_> = {
                    let r = h.lock();
                    to.iter()
                        .filter_map(|id| r.status_listeners.get(id).cloned())
                        .collect()
                };
                drop(h);
                for l in ls {
                    let s = status.clone();
                    let _ = catch_unwind(AssertUnwindSafe(|| l.on_status(s)));
                }
            }
            Delivery::Changes(to, ids) => {
                let ls: Vec<_> = {
                    let r = h.lock();
                    to.iter()
                        .filter_map(|id| r.change_listeners.get(id).cloned())
                        .collect()
                };
                drop(h);
                for l in ls {
                    let ids = ids.clone();
                    let _ = catch_unwind(AssertUnwindSafe(|| l.on_documents_changed(ids)));
                }
            }
        }
    }
}

/// A registered listener. Dropping it (Kotlin `close()`, Swift `deinit`) or calling
/// [`ListenerHandle::cancel`] unregisters the listener; no event is delivered to it after
/// that (one already being delivered at that instant may still arrive).
#[derive(uniffi::Object)]
pub struct ListenerHandle {
    hub: Weak<Hub>,
    id: u64,
}

impl std::fmt::Debug for ListenerHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ListenerHandle")
            .field("id", &self.id)
            .finish()
    }
}

impl ListenerHandle {
    fn new(hub: &Arc<Hub>, id: u64) -> Arc<Self> {
        Arc::new(ListenerHandle {
            hub: Arc::downgrade(hub),
            id,
        })
    }
}

#[uniffi::export]
impl ListenerHandle {
    /// Unregisters the listener now (idempotent).
    pub fn cancel(&self) {
        if let Some(hub) = self.hub.upgrade() {
            hub.remove(self.id);
        }
    }
}

impl Drop for ListenerHandle {
    fn drop(&mut self) {
        self.cancel();
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::sync::mpsc::{self, RecvTimeoutError};
    use std::time::Duration;

    /// A listener that forwards what it hears to a channel.
    pub(crate) struct Probe<T>(pub(crate) Mutex<mpsc::Sender<T>>);

    impl<T> Probe<T> {
        pub(crate) fn new() -> (Arc<Self>, mpsc::Receiver<T>) {
            let (tx, rx) = mpsc::channel();
            (Arc::new(Probe(Mutex::new(tx))), rx)
        }

        fn push(&self, v: T) {
            let _ = self.0.lock().map(|tx| tx.send(v));
        }
    }

    impl SyncStatusListener for Probe<SyncStatus> {
        fn on_status(&self, status: SyncStatus) {
            self.push(status);
        }
    }

    impl DocumentChangeListener for Probe<Vec<String>> {
        fn on_documents_changed(&self, doc_ids: Vec<String>) {
            self.push(doc_ids);
        }
    }

    pub(crate) const WAIT: Duration = Duration::from_secs(5);

    /// Nothing arrives (a released listener's channel is closed: nothing arrives either).
    pub(crate) fn silent<T: std::fmt::Debug>(rx: &mpsc::Receiver<T>) -> bool {
        rx.recv_timeout(Duration::from_millis(200)).is_err()
    }

    fn idle(n: u32) -> SyncStatus {
        SyncStatus::Idle {
            last_synced_at: None,
            unsent_documents: n,
        }
    }

    #[test]
    fn test_status_listener_hears_the_current_value_at_once_then_changes() {
        let hub = Hub::start(idle(0)).expect("hub");
        let (probe, rx) = Probe::<SyncStatus>::new();
        let _handle = hub.add_status_listener(probe);
        assert_eq!(rx.recv_timeout(WAIT).expect("current value"), idle(0));
        hub.set_status(idle(0));
        assert!(silent(&rx), "an unchanged status is not repeated");
        hub.set_unsent(2);
        assert_eq!(rx.recv_timeout(WAIT).expect("change"), idle(2));
    }

    #[test]
    fn test_dropping_or_cancelling_the_handle_stops_delivery() {
        let hub = Hub::start(idle(0)).expect("hub");
        let (probe, rx) = Probe::<SyncStatus>::new();
        let handle = hub.add_status_listener(probe);
        rx.recv_timeout(WAIT).expect("current value");
        drop(handle);
        assert_eq!(hub.listener_count(), 0);
        hub.set_unsent(1);
        assert!(silent(&rx));

        let (probe, rx) = Probe::<Vec<String>>::new();
        let handle = hub.add_change_listener(probe);
        hub.documents_changed(vec!["d1".into()]);
        assert_eq!(
            rx.recv_timeout(WAIT).expect("change"),
            vec!["d1".to_owned()]
        );
        handle.cancel();
        handle.cancel();
        hub.documents_changed(vec!["d2".into()]);
        assert!(silent(&rx));
    }

    #[test]
    fn test_a_panicking_listener_does_not_stop_the_others() {
        struct Panics;
        impl DocumentChangeListener for Panics {
            fn on_documents_changed(&self, _: Vec<String>) {
                panic!("listener bug");
            }
        }
        let hub = Hub::start(idle(0)).expect("hub");
        let _a = hub.add_change_listener(Arc::new(Panics));
        let (probe, rx) = Probe::<Vec<String>>::new();
        let _b = hub.add_change_listener(probe);
        hub.documents_changed(vec!["d1".into()]);
        hub.documents_changed(vec!["d2".into()]);
        assert_eq!(rx.recv_timeout(WAIT).expect("first"), vec!["d1".to_owned()]);
        assert_eq!(
            rx.recv_timeout(WAIT).expect("second"),
            vec!["d2".to_owned()]
        );
    }

    #[test]
    fn test_the_delivery_thread_ends_with_the_hub() {
        let hub = Hub::start(idle(0)).expect("hub");
        let (probe, rx) = Probe::<SyncStatus>::new();
        let handle = hub.add_status_listener(probe);
        rx.recv_timeout(WAIT).expect("current value");
        drop(hub);
        handle.cancel(); // the hub is gone: nothing to do, no panic
        assert!(matches!(
            rx.recv_timeout(WAIT),
            Err(RecvTimeoutError::Disconnected)
        ));
    }
}
