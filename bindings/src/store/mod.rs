//! [`SotayStore`]: one phone's `sotay_core::Store` behind a mutex, with the listeners that
//! hear about its changes.
//!
//! Local reads and writes are synchronous (they are fast and durable when they return; the
//! Kotlin and Swift layers move them off the main thread). Network work (`enroll`, `sync`,
//! `fetch_attachment`) is `async`, on the runtime in [`crate::runtime`]. Every method is a conversion around one
//! `Store` call; the methods live in this module's files by area.

mod approvals;
mod attachments;
mod drafts;
mod plans;
mod reports;
mod sessions;
mod sync;

use std::sync::{Arc, Mutex, MutexGuard};

use sotay_core::ids::{DocId, MemberId};
use sotay_core::{Result as CoreResult, Store};

use crate::error::Result;
use crate::listeners::{DocumentChangeListener, Hub, ListenerHandle, SyncStatusListener};
use crate::records::{
    ChangeInfo, DamagedDocument, Enrollment, Member, MemberHistory, Role, SyncState, SyncStatus,
};

/// One phone's SoTay store: documents, the member directory, sign-offs and sync.
///
/// Open it once per file and share it; every method may be called from any thread (calls
/// wait for one another on an internal lock; a running sync takes it only for its brief
/// local steps, never while it waits on the network).
#[derive(Debug, uniffi::Object)]
pub struct SotayStore {
    store: Arc<Mutex<Store>>,
    hub: Arc<Hub>,
    /// Held by a running sync for its whole length, so syncs run one at a time; the store
    /// itself is locked only for a sync's local steps, never while it waits on the network.
    sync_gate: Arc<Mutex<()>>,
}

/// Locks the store. A panic while it was locked (a bug, reported to the app as an internal
/// error) may have left an in-memory document ahead of disk, so the open documents are
/// dropped and reload from disk — the durable state is always whole.
fn lock_store(m: &Mutex<Store>) -> MutexGuard<'_, Store> {
    match m.lock() {
        Ok(g) => g,
        Err(poisoned) => {
            let mut g = poisoned.into_inner();
            g.close_documents();
            m.clear_poison();
            g
        }
    }
}

/// How many documents hold edits the server does not have.
fn unsent_count(s: &Store) -> CoreResult<u32> {
    Ok(crate::records::n32(s.documents_with_unsent()?.len()))
}

impl SotayStore {
    fn lock(&self) -> MutexGuard<'_, Store> {
        lock_store(&self.store)
    }

    /// Runs a read.
    fn read<T>(&self, f: impl FnOnce(&mut Store) -> CoreResult<T>) -> Result<T> {
        Ok(f(&mut self.lock())?)
    }

    /// Runs an edit of document `doc`, then tells the listeners: the document changed, and
    /// how many documents now wait to be sent.
    fn write<T>(
        &self,
        doc: &str,
        f: impl FnOnce(&mut Store, &DocId) -> CoreResult<T>,
    ) -> Result<T> {
        let id = DocId::new(doc);
        self.write_changed(|s| {
            let value = f(s, &id)?;
            Ok((value, vec![id]))
        })
    }

    /// Runs an edit that may change several documents (`f` returns its value and the
    /// documents it wrote), then tells the listeners about those, and how many documents now
    /// wait to be sent.
    fn write_changed<T>(
        &self,
        f: impl FnOnce(&mut Store) -> CoreResult<(T, Vec<DocId>)>,
    ) -> Result<T> {
        let (value, changed, unsent) = {
            let mut s = self.lock();
            let (value, changed) = f(&mut s)?;
            (value, changed, unsent_count(&s).ok())
        };
        self.hub
            .documents_changed(changed.iter().map(ToString::to_string).collect());
        if let Some(n) = unsent {
            self.hub.set_unsent(n);
        }
        Ok(value)
    }

    /// Runs the creation of a document, then tells the listeners about the new id.
    fn create(&self, f: impl FnOnce(&mut Store) -> CoreResult<DocId>) -> Result<String> {
        self.write_changed(|s| {
            let id = f(s)?;
            Ok((id.to_string(), vec![id]))
        })
    }
}

#[uniffi::export]
impl SotayStore {
    /// Opens (or creates) the store at `path`, migrating it to this build's schema.
    #[uniffi::constructor]
    pub fn open(path: String) -> Result<Arc<Self>> {
        let store = Store::open(&path)?;
        let status = if store.enrollment()?.is_some() {
            // Offline or failed as the last sync ended (even before a restart), else idle.
            SyncStatus::at_rest(&store.sync_state()?, unsent_count(&store)?)
        } else {
            SyncStatus::NotEnrolled
        };
        Ok(Arc::new(SotayStore {
            store: Arc::new(Mutex::new(store)),
            hub: Hub::start(status)?,
            sync_gate: Arc::new(Mutex::new(())),
        }))
    }

    /// The database file.
    pub fn path(&self) -> String {
        self.lock().path().display().to_string()
    }

    // ----- identity and members ------------------------------------------------------------

    /// The member this device edits as (set by enrollment), if any.
    pub fn identity(&self) -> Option<String> {
        self.lock().identity().map(ToString::to_string)
    }

    /// Sets the member this device edits as, for a store used without a server (tests,
    /// demos). Enrollment sets it for real phones.
    pub fn set_identity(&self, member_id: String) -> Result<()> {
        self.read(|s| s.set_identity(&MemberId::new(&member_id)))
    }

    /// The enrollment, if this device has one.
    pub fn enrollment(&self) -> Result<Option<Enrollment>> {
        self.read(|s| Ok(s.enrollment()?.map(Into::into)))
    }

    /// This member's role per the synced directory; `None` before the first sync (the
    /// server then enforces the rules alone).
    pub fn my_role(&self) -> Result<Option<Role>> {
        self.read(|s| Ok(s.my_role()?.map(Into::into)))
    }

    /// The branch's members, in Vietnamese name order.
    pub fn members(&self) -> Result<Vec<Member>> {
        self.read(|s| Ok(s.members()?.into_iter().map(Into::into).collect()))
    }

    /// Members whose name matches `query`, accents and tone placement ignored.
    pub fn search_members(&self, query: String) -> Result<Vec<Member>> {
        self.read(|s| {
            Ok(s.search_members(&query)?
                .into_iter()
                .map(Into::into)
                .collect())
        })
    }

    /// A member by id or by name (accent-insensitive).
    pub fn find_member(&self, id_or_name: String) -> Result<Option<Member>> {
        self.read(|s| Ok(s.find_member(&id_or_name)?.map(Into::into)))
    }

    /// Adds or updates a member of the local directory (stores without a server; a synced
    /// directory replaces it).
    pub fn upsert_member(&self, member: Member) -> Result<()> {
        let m = member.try_into()?;
        self.read(|s| s.upsert_member(&m))
    }

    // ----- store health ---------------------------------------------------------------------

    /// Documents whose stored bytes could not be loaded (quarantined).
    pub fn damaged_documents(&self) -> Result<Vec<DamagedDocument>> {
        self.read(|s| Ok(s.damaged_documents()?.into_iter().map(Into::into).collect()))
    }

    // ----- history ----------------------------------------------------------------------------

    /// The change history of a document, oldest first.
    pub fn history(&self, doc_id: String) -> Result<Vec<ChangeInfo>> {
        self.read(|s| {
            Ok(s.history(&DocId::new(&doc_id))?
                .into_iter()
                .map(Into::into)
                .collect())
        })
    }

    /// The history of a document grouped by member, then by editing session.
    pub fn history_by_member(&self, doc_id: String) -> Result<Vec<MemberHistory>> {
        self.read(|s| {
            Ok(s.history_by_member(&DocId::new(&doc_id))?
                .into_iter()
                .map(Into::into)
                .collect())
        })
    }

    // ----- sync status and listeners -----------------------------------------------------------

    /// Where sync stands now (what status listeners were last told).
    pub fn sync_status(&self) -> SyncStatus {
        self.hub.status()
    }

    /// Where sync stands, as stored (last sync, last error, unsent documents).
    pub fn sync_state(&self) -> Result<SyncState> {
        self.read(|s| Ok(SyncState::new(s.sync_state()?, unsent_count(s)?)))
    }

    /// Registers a sync-status listener: told the current status at once, then every
    /// change. Keep the handle; dropping or cancelling it unregisters the listener.
    pub fn subscribe_sync_status(
        &self,
        listener: Arc<dyn SyncStatusListener>,
    ) -> Arc<ListenerHandle> {
        self.hub.add_status_listener(listener)
    }

    /// Registers a document-change listener: told the ids of documents changed by a local
    /// edit here or received by a sync. Keep the handle; dropping or cancelling it
    /// unregisters the listener.
    pub fn subscribe_document_changes(
        &self,
        listener: Arc<dyn DocumentChangeListener>,
    ) -> Arc<ListenerHandle> {
        self.hub.add_change_listener(listener)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::listeners::tests::{Probe, WAIT, silent};
    use crate::records::{MemberStatus, NewPlan, NewTopic, TopicGroup};

    /// A store of secretary Việt, without a server.
    pub(crate) fn viet_store(dir: &tempfile::TempDir) -> Arc<SotayStore> {
        let path = dir.path().join("viet.sotay").display().to_string();
        let store = SotayStore::open(path).expect("opens");
        store.set_identity("m-viet".into()).expect("identity");
        for (id, name, role) in [
            ("m-viet", "Nguyễn Văn Việt", Role::Secretary),
            ("m-luong", "Hoàng Đức Lượng", Role::Member),
            ("m-hoa", "Lê Thị Hoa", Role::Executive),
        ] {
            store
                .upsert_member(Member {
                    id: id.into(),
                    branch_id: "b-co-dien".into(),
                    full_name: name.into(),
                    role,
                    status: MemberStatus::Full,
                })
                .expect("member");
        }
        store
    }

    pub(crate) fn new_plan() -> NewPlan {
        NewPlan {
            branch_id: "b-co-dien".into(),
            year: 2026,
            title: String::new(),
            number: "01-KH/CB".into(),
            issue_date: Some("15/01/2026".into()),
            purpose: String::new(),
            implementation: String::new(),
        }
    }

    pub(crate) fn new_topic(title: &str, month: u32) -> NewTopic {
        NewTopic {
            title: title.into(),
            group: TopicGroup::ProductionTargets,
            month,
            scheduled_date: None,
            combined_with_regular_meeting: false,
            preparers: vec!["m-luong".into()],
            presenter: Some("m-hoa".into()),
            executive: None,
            draft_deadline: None,
            expected_output: String::new(),
            notes: String::new(),
        }
    }

    #[test]
    fn test_unenrolled_store_reports_not_enrolled_and_members_in_name_order() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = viet_store(&dir);
        assert_eq!(store.sync_status(), SyncStatus::NotEnrolled);
        assert_eq!(store.identity().as_deref(), Some("m-viet"));
        assert_eq!(store.my_role().expect("role"), Some(Role::Secretary));
        let names: Vec<String> = store
            .members()
            .expect("members")
            .into_iter()
            .map(|m| m.full_name)
            .collect();
        // Vietnamese order sorts by given name: Hoa, Lượng, Việt.
        assert_eq!(names, ["Lê Thị Hoa", "Hoàng Đức Lượng", "Nguyễn Văn Việt"]);
        assert_eq!(
            store.search_members("luong".into()).expect("search")[0].id,
            "m-luong"
        );
    }

    #[test]
    fn test_local_edits_tell_document_listeners_until_the_handle_is_dropped() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = viet_store(&dir);
        let (probe, rx) = Probe::<Vec<String>>::new();
        let handle = store.subscribe_document_changes(probe);
        let plan = store.create_plan(new_plan()).expect("plan");
        assert_eq!(rx.recv_timeout(WAIT).expect("created"), vec![plan.clone()]);
        store
            .add_topic(plan.clone(), new_topic("Chuyên đề 1", 4))
            .expect("topic");
        assert_eq!(rx.recv_timeout(WAIT).expect("edited"), vec![plan.clone()]);
        drop(handle);
        store
            .add_topic(plan.clone(), new_topic("Chuyên đề 2", 5))
            .expect("topic");
        assert!(silent(&rx));
        assert_eq!(store.history(plan).expect("history").len(), 3);
    }

    #[test]
    fn test_status_listener_gets_current_value_on_registration() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = viet_store(&dir);
        let (probe, rx) = Probe::<SyncStatus>::new();
        let _h = store.subscribe_sync_status(probe);
        assert_eq!(
            rx.recv_timeout(WAIT).expect("at once"),
            SyncStatus::NotEnrolled
        );
        let state = store.sync_state().expect("state");
        assert_eq!(state.last_synced_at, None);
        assert_eq!(state.unsent_documents, 0);
    }
}
