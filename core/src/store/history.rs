//! Reading a document's past: who wrote what ([`crate::model::blame`]), its history grouped
//! by member and session, the document exactly at a version (what an approval names), and
//! the checks an approval screen shows before and after signing. Thin accessors: the work is
//! in `model` and `approval`.

use automerge::ChangeHash;

use super::Store;
use crate::Result;
use crate::approval::{self, Invalid, MemoryAuthority, NotReady, Signoff};
use crate::ids::DocId;
use crate::model::blame::{self, Blame, MemberHistory, SESSION_GAP_SECS};
use crate::model::plan::{self, AnnualPlan};
use crate::model::text_doc::{self, TextDocument};

impl Store {
    /// Who wrote each field and each span of text of `doc` as it is now.
    pub fn blame(&mut self, doc: &DocId) -> Result<Blame> {
        blame::blame(self.doc(doc)?)
    }

    /// Who wrote each field and each span of text of `doc` as it was at `heads`.
    pub fn blame_at(&mut self, doc: &DocId, heads: &[ChangeHash]) -> Result<Blame> {
        blame::blame_at(self.doc(doc)?, heads)
    }

    /// The history of `doc` grouped by member, then by session
    /// ([`blame::group_history`] with [`SESSION_GAP_SECS`]).
    pub fn history_by_member(&mut self, doc: &DocId) -> Result<Vec<MemberHistory>> {
        let changes = self.doc(doc)?.history();
        Ok(blame::group_history(&changes, SESSION_GAP_SECS))
    }

    /// The plan exactly as it was at `heads` (an approved version).
    pub fn plan_at(&mut self, doc: &DocId, heads: &[ChangeHash]) -> Result<AnnualPlan> {
        plan::get_at(self.doc(doc)?, heads)
    }

    /// The draft or material exactly as it was at `heads`.
    pub fn text_doc_at(&mut self, doc: &DocId, heads: &[ChangeHash]) -> Result<TextDocument> {
        text_doc::get_at(self.doc(doc)?, heads)
    }

    /// The approval gate ([`approval::check_ready`]) for the current version of `doc`: every
    /// conflict and every missing item, so a screen can list them all.
    pub fn approval_readiness(&mut self, doc: &DocId) -> Result<std::result::Result<(), NotReady>> {
        Ok(approval::check_ready(self.doc(doc)?))
    }

    /// Checks one sign-off here, as status does: signature and signer against the synced
    /// directory (an empty one before the first sync), then the document it names.
    pub fn verify_signoff(&mut self, s: &Signoff) -> Result<std::result::Result<(), Invalid>> {
        let dir = self.directory()?;
        let doc = self.doc(&s.doc_id)?;
        Ok(match &dir {
            Some(d) => approval::verify_for(s, d, doc),
            None => approval::verify_for(s, &MemoryAuthority::new(), doc),
        })
    }
}
