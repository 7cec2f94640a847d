// One phone's SoTay store, the Swift way.

import Dispatch
import Foundation
// The generated records, enums and `ApiError` are SoTayKit's vocabulary too: an app imports
// SoTayKit alone.
@_exported import SoTayFFI

/// One phone's SoTay store: `async` calls that run off the caller's thread (the store's
/// calls are fast but touch the disk, and wait while a sync runs), `AsyncStream`s for sync
/// status and document changes.
///
/// Everything here is an idiom over the generated bindings (`SotayStore`); rules, merging and
/// signing live in the Rust core. Errors are the generated ``ApiError``, whose case says what
/// to do (`.Offline`: nothing is lost, sync later; `.NotPermitted`; `.NotReady`; …).
///
/// ```swift
/// let sotay = try await SoTay.open(path: documents.appending(path: "sotay.db").path)
/// try await sotay.enroll(serverURL: "https://sotay.example.vn", code: code,
///                        deviceName: "Điện thoại của Lượng")
/// try await sotay.sync()
/// for await status in sotay.syncStatus { … }
/// ```
///
/// The Android layer (`vn.sotay.kit.SoTay`) has the same shape: suspend ↔ async,
/// Flow ↔ AsyncStream.
public final class SoTay: Sendable {
    /// The generated store (for what this layer does not wrap).
    public let store: SotayStore

    /// Where blocking store calls run: a concurrent queue, so a call waiting for a running
    /// sync never holds one of Swift's few cooperative threads.
    private let io: DispatchQueue

    /// Listeners registered through the streams and not yet released by Rust (tests).
    let liveListeners = ListenerCount()

    init(store: SotayStore) {
        self.store = store
        self.io = DispatchQueue(label: "vn.sotay.store", qos: .userInitiated, attributes: .concurrent)
    }

    /// Opens (or creates) the store at `path`, migrating it to this build's schema.
    public static func open(path: String) async throws -> SoTay {
        let store = try await offMain { try SotayStore.open(path: path) }
        return SoTay(store: store)
    }

    /// Runs a blocking store call on `io` and awaits its result.
    private func call<T: Sendable>(_ body: @escaping @Sendable (SotayStore) throws -> T) async throws -> T {
        let store = self.store
        return try await withCheckedThrowingContinuation { continuation in
            io.async { continuation.resume(with: Result { try body(store) }) }
        }
    }

    // MARK: - Sync

    /// Enrolls this device with a one-time code from the committee's admin
    /// (`.InvalidCode` if it is wrong, used or expired; `.Offline` if unreachable).
    @discardableResult
    public func enroll(serverURL: String, code: String, deviceName: String) async throws -> Enrollment {
        try await store.enroll(serverUrl: serverURL, code: code, deviceName: deviceName)
    }

    /// Syncs everything with the server in one round trip. Throws `ApiError.Offline` when the
    /// server cannot be reached: a normal state in which every edit stays queued.
    @discardableResult
    public func sync() async throws -> SyncReport {
        try await store.sync()
    }

    /// Where sync stands now.
    public var currentSyncStatus: SyncStatus { store.syncStatus() }

    /// Sync status: the current value at once, then every change (idle, syncing with
    /// progress, offline, failed), none dropped.
    ///
    /// Each access is a new stream whose listener is registered at once (before the first
    /// `await`), and unregistered when iteration ends — the iterating task is cancelled, or
    /// the stream is dropped.
    public var syncStatus: AsyncStream<SyncStatus> {
        stream(bufferingPolicy: .unbounded) { deliver in
            store.subscribeSyncStatus(listener: StatusRelay(deliver, count: liveListeners))
        }
    }

    /// The ids of documents changed by a local edit or received by a sync, as they happen
    /// (nothing dropped). Registered at once, like ``syncStatus``.
    public var documentChanges: AsyncStream<[String]> {
        stream(bufferingPolicy: .unbounded) { deliver in
            store.subscribeDocumentChanges(listener: ChangeRelay(deliver, count: liveListeners))
        }
    }

    /// Yields whenever document `docId` changes (every time; nothing dropped).
    public func changes(of docId: String) -> AsyncStream<Void> {
        stream(bufferingPolicy: .unbounded) { deliver in
            store.subscribeDocumentChanges(listener: ChangeRelay(
                { ids in if ids.contains(docId) { deliver(()) } }, count: liveListeners))
        }
    }

    /// A signal that something changed (any document, or `docId` only), conflated: a burst
    /// of changes while the consumer is busy is one element. For screens that reload.
    func reloadSignals(of docId: String? = nil) -> AsyncStream<Void> {
        stream(bufferingPolicy: .newest) { deliver in
            store.subscribeDocumentChanges(listener: ChangeRelay(
                { ids in if docId.map(ids.contains) ?? true { deliver(()) } }, count: liveListeners))
        }
    }

    /// A signal each time a sync ends (and once at once, unless one is running), conflated.
    /// For screens showing what a sync may have changed beyond documents (attachments sent
    /// or refused). A status that only updates the unsent count is no signal.
    func syncEndSignals() -> AsyncStream<Void> {
        let wasSyncing = SyncingLatch()
        return stream(bufferingPolicy: .newest) { deliver in
            store.subscribeSyncStatus(listener: StatusRelay(
                { status in
                    var syncing = false
                    if case .syncing = status { syncing = true }
                    if wasSyncing.swap(syncing) != false && !syncing { deliver(()) }
                }, count: liveListeners))
        }
    }

    /// Where sync stands, as stored (last sync, last error, unsent documents).
    public func syncState() async throws -> SyncState { try await call { try $0.syncState() } }

    /// Points this device at its server's new address (the same server, moved): enrollment,
    /// cursors and queued edits are kept; the next sync goes there.
    public func setServerURL(_ serverURL: String) async throws {
        try await call { try $0.setServerUrl(serverUrl: serverURL) }
    }

    // MARK: - Identity and members

    /// The member this device edits as.
    public func identity() async throws -> String? { try await call { $0.identity() } }

    /// The enrollment, if any.
    public func enrollment() async throws -> Enrollment? { try await call { try $0.enrollment() } }

    /// This member's role per the synced directory (`nil` before the first sync).
    public func myRole() async throws -> Role? { try await call { try $0.myRole() } }

    /// The branch's members, in Vietnamese name order.
    public func members() async throws -> [Member] { try await call { try $0.members() } }

    /// Members matching `query`, accents ignored ("luong" finds "Lượng").
    public func searchMembers(_ query: String) async throws -> [Member] {
        try await call { try $0.searchMembers(query: query) }
    }

    /// A member by id or name.
    public func findMember(_ idOrName: String) async throws -> Member? {
        try await call { try $0.findMember(idOrName: idOrName) }
    }

    /// Sets the member a store without a server edits as (tests, demos).
    public func setIdentity(_ memberId: String) async throws {
        try await call { try $0.setIdentity(memberId: memberId) }
    }

    /// Adds a member to a store without a server (tests, demos).
    public func upsertMember(_ member: Member) async throws {
        try await call { try $0.upsertMember(member: member) }
    }

    // MARK: - Plans

    /// Plans, optionally of one branch.
    public func plans(branchId: String? = nil) async throws -> [PlanRow] {
        try await call { try $0.planRows(branchId: branchId) }
    }

    /// A plan's topic rows, in order.
    public func topics(planId: String) async throws -> [TopicRow] {
        try await call { try $0.topicRows(planId: planId) }
    }

    /// Topics matching `query`, accents ignored.
    public func searchTopics(_ query: String) async throws -> [TopicRow] {
        try await call { try $0.searchTopics(query: query) }
    }

    /// The whole plan.
    public func plan(_ planId: String) async throws -> AnnualPlan {
        try await call { try $0.plan(planId: planId) }
    }

    /// Creates a plan (officers only); returns its id.
    @discardableResult
    public func createPlan(_ plan: NewPlan) async throws -> String {
        try await call { try $0.createPlan(plan: plan) }
    }

    /// Adds a topic; returns its id.
    @discardableResult
    public func addTopic(planId: String, _ topic: NewTopic) async throws -> String {
        try await call { try $0.addTopic(planId: planId, topic: topic) }
    }

    /// Sets one field of a topic.
    public func setTopicField(planId: String, topicId: String, _ field: TopicField) async throws {
        try await call { try $0.setTopicField(planId: planId, topicId: topicId, field: field) }
    }

    /// Adds or removes a preparer.
    public func setPreparer(planId: String, topicId: String, memberId: String, present: Bool = true) async throws {
        try await call { try $0.setPreparer(planId: planId, topicId: topicId, memberId: memberId, present: present) }
    }

    /// Moves a topic to a 0-based `index`.
    public func moveTopic(planId: String, topicId: String, to index: Int) async throws {
        let index = try UInt32(checking: index)
        try await call { try $0.moveTopic(planId: planId, topicId: topicId, index: index) }
    }

    /// Cancels a topic (kept, marked cancelled).
    public func cancelTopic(planId: String, topicId: String) async throws {
        try await call { try $0.cancelTopic(planId: planId, topicId: topicId) }
    }

    /// Sets a header field (number and date: secretary and deputy).
    public func setPlanField(planId: String, _ field: PlanField) async throws {
        try await call { try $0.setPlanField(planId: planId, field: field) }
    }

    /// Edits a plan text at `position` (Unicode code points).
    public func splicePlanText(planId: String, _ section: PlanText, at position: Int, delete: Int, insert: String) async throws {
        let position = try UInt32(checking: position), delete = try UInt32(checking: delete)
        try await call {
            try $0.splicePlanText(planId: planId, section: section, position: position, delete: delete, insert: insert)
        }
    }

    /// Replaces a plan text (a minimal diff: concurrent edits still merge).
    public func replacePlanText(planId: String, _ section: PlanText, with text: String) async throws {
        try await call { try $0.replacePlanText(planId: planId, section: section, text: text) }
    }

    /// Adds a legal basis (căn cứ); returns its id.
    @discardableResult
    public func addLegalBasis(planId: String, number: String, date: String?, title: String) async throws -> String {
        try await call { try $0.addLegalBasis(planId: planId, number: number, date: date, title: title) }
    }

    /// Removes a legal basis.
    public func removeLegalBasis(planId: String, legalBasisId: String) async throws {
        try await call { try $0.removeLegalBasis(planId: planId, legalBasisId: legalBasisId) }
    }

    // MARK: - Conflicts

    /// Fields with concurrent values, optionally of one document, with who set each.
    public func conflicts(docId: String? = nil) async throws -> [Conflict] {
        try await call { try $0.conflicts(docId: docId) }
    }

    /// Resolves `conflict` by choosing `choice`, one of its values.
    public func resolve(_ conflict: Conflict, choosing choice: ConflictValue) async throws {
        try await call { try $0.resolveConflict(docId: conflict.docId, path: conflict.path, op: choice.op) }
    }

    // MARK: - Drafts and materials

    /// Drafts and materials, optionally of one plan.
    public func textDocs(planId: String? = nil) async throws -> [TextDocRow] {
        try await call { try $0.textDocRows(planId: planId) }
    }

    /// A draft or material with its comments.
    public func textDoc(_ docId: String) async throws -> TextDocument {
        try await call { try $0.textDoc(docId: docId) }
    }

    /// Creates a draft or material; returns its id.
    @discardableResult
    public func createTextDoc(_ doc: NewTextDoc) async throws -> String {
        try await call { try $0.createTextDoc(doc: doc) }
    }

    /// Edits the text at `position` (Unicode code points).
    public func spliceBody(docId: String, at position: Int, delete: Int, insert: String) async throws {
        let position = try UInt32(checking: position), delete = try UInt32(checking: delete)
        try await call { try $0.spliceBody(docId: docId, position: position, delete: delete, insert: insert) }
    }

    /// Replaces the text (a minimal diff: concurrent edits and anchors survive).
    public func replaceBody(docId: String, with text: String) async throws {
        try await call { try $0.replaceBody(docId: docId, text: text) }
    }

    /// Adds a comment or proposal, anchored on `range` (code points) when given; returns its id.
    @discardableResult
    public func addComment(
        docId: String, _ body: String, kind: CommentKind = .comment, on range: Range<Int>? = nil
    ) async throws -> String {
        let anchor = try range.map { TextRange(start: try UInt32(checking: $0.lowerBound), end: try UInt32(checking: $0.upperBound)) }
        let comment = NewComment(kind: kind, body: body, anchor: anchor, replyTo: nil)
        return try await call { try $0.addComment(docId: docId, comment: comment) }
    }

    /// Replies to comment `commentId`; returns the reply's id.
    @discardableResult
    public func reply(docId: String, to commentId: String, _ body: String) async throws -> String {
        let comment = NewComment(kind: .comment, body: body, anchor: nil, replyTo: commentId)
        return try await call { try $0.addComment(docId: docId, comment: comment) }
    }

    /// Edits a comment (its author only).
    public func editComment(docId: String, commentId: String, _ body: String) async throws {
        try await call { try $0.editComment(docId: docId, commentId: commentId, body: body) }
    }

    /// Deletes a comment (its author only; a tombstone keeps the thread).
    public func deleteComment(docId: String, commentId: String) async throws {
        try await call { try $0.deleteComment(docId: docId, commentId: commentId) }
    }

    /// Resolves or reopens a thread.
    public func resolveComment(docId: String, commentId: String, resolved: Bool = true) async throws {
        try await call { try $0.resolveComment(docId: docId, commentId: commentId, resolved: resolved) }
    }

    /// Decides a proposal.
    public func setProposalStatus(docId: String, commentId: String, _ status: ProposalStatus) async throws {
        try await call { try $0.setProposalStatus(docId: docId, commentId: commentId, status: status) }
    }

    // MARK: - Attachments

    /// Attaches a file to material `docId`: its bytes stay on this phone and go to the server
    /// with the next sync; the material lists it as `fileName` (media type `mime`, else
    /// guessed from the name). Throws `.InvalidInput` for a file over 20 MiB or a draft
    /// instead of a material (nothing is stored then).
    @discardableResult
    public func attach(docId: String, _ bytes: Data, fileName: String, mime: String? = nil) async throws -> Attachment {
        try await call { try $0.attach(docId: docId, bytes: bytes, fileName: fileName, mime: mime) }
    }

    /// A material's attachments, oldest first: whether each is on this phone, and whether it
    /// waits to be sent.
    public func attachments(docId: String) async throws -> [Attachment] {
        try await call { try $0.attachments(docId: docId) }
    }

    /// An attachment's bytes if this phone holds them, else `nil` (see ``fetchAttachment(sha256:)``).
    public func attachmentBytes(sha256: String) async throws -> Data? {
        try await call { try $0.attachmentBytes(sha256: sha256) }
    }

    /// An attachment's bytes: from this phone, else downloaded (checked against its SHA-256,
    /// then kept). Throws `.NotFound` when the server does not have it yet (its sender has
    /// not synced), `.AttachmentDamaged` when the download does not match (nothing kept),
    /// `.Offline` when unreachable. Other calls do not wait for the download.
    public func fetchAttachment(sha256: String) async throws -> Data {
        try await store.fetchAttachment(sha256: sha256)
    }

    /// Files attached here that the server refused for good, with its reasons.
    public func blobRefusals() async throws -> [BlobRefusal] {
        try await call { try $0.blobRefusals() }
    }

    // MARK: - Approvals

    /// Asks for the current version to be approved (any member; signed here, sent next sync).
    @discardableResult
    public func submitForApproval(docId: String, note: String = "") async throws -> Signoff {
        try await call { try $0.submitForApproval(docId: docId, note: note) }
    }

    /// Approves exactly the current version (signed here, offline).
    @discardableResult
    public func approve(docId: String, note: String = "") async throws -> Signoff {
        try await call { try $0.approve(docId: docId, note: note) }
    }

    /// Where approval stands, verified here; with the delta when changed since.
    public func approvalStatus(docId: String) async throws -> ApprovalStatus {
        try await call { try $0.approvalStatus(docId: docId) }
    }

    /// What stands in the way of approving the current version.
    public func approvalReadiness(docId: String) async throws -> Readiness {
        try await call { try $0.approvalReadiness(docId: docId) }
    }

    /// Whether this member may approve the current version now, and every reason not (role
    /// for the kind, delegation, branch, directory, readiness): the rules `approve` applies.
    public func canApprove(docId: String) async throws -> ApprovalRights {
        try await call { try $0.canApprove(docId: docId) }
    }

    /// What needs this member, as the core decides it: comment threads waiting for them,
    /// documents waiting for their approval, and drafts and materials published to them that
    /// they have not opened (`toRead`).
    public func needsMe() async throws -> WhatNeedsMe {
        try await call { try $0.needsMe() }
    }

    /// Records that this member looked at the thread of `commentId`: it leaves ``needsMe()``
    /// until something new arrives. (No document changes, so no listener hears of it.)
    public func markThreadSeen(docId: String, commentId: String) async throws {
        try await call { try $0.markThreadSeen(docId: docId, commentId: commentId) }
    }

    /// Every sign-off of a document, oldest first.
    public func signoffs(docId: String) async throws -> [SignoffEntry] {
        try await call { try $0.signoffs(docId: docId) }
    }

    /// What changed between two versions (`to` nil: now).
    public func delta(docId: String, from: [String], to: [String]? = nil) async throws -> Delta {
        try await call { try $0.delta(docId: docId, from: from, to: to) }
    }

    /// The plan as it was at `heads` (e.g. the approved version).
    public func plan(_ planId: String, at heads: [String]) async throws -> AnnualPlan {
        try await call { try $0.planAt(planId: planId, heads: heads) }
    }

    /// The draft or material as it was at `heads`.
    public func textDoc(_ docId: String, at heads: [String]) async throws -> TextDocument {
        try await call { try $0.textDocAt(docId: docId, heads: heads) }
    }

    // MARK: - Sessions and minutes (Step 5)

    /// Creates the session of topic `topicId` (officers), titled after it and dated `date`
    /// (ISO or "dd/MM/yyyy"), else the topic's date; returns its id.
    @discardableResult
    public func createSession(planId: String, topicId: String, date: String? = nil) async throws -> String {
        try await call { try $0.createSessionForTopic(planId: planId, topicId: topicId, sessionDate: date) }
    }

    /// A session and its minutes, with the core's figures (duration against HD 42, quality
    /// total and level).
    public func session(_ sessionId: String) async throws -> Session {
        try await call { try $0.session(sessionId: sessionId) }
    }

    /// Sessions by date, optionally of one branch.
    public func sessions(branchId: String? = nil) async throws -> [SessionRow] {
        try await call { try $0.sessionRows(branchId: branchId) }
    }

    /// Sets a short field of the minutes (chair and clerk: officers; the rest: officers,
    /// chair and clerk).
    public func setSessionField(sessionId: String, _ field: SessionField) async throws {
        try await call { try $0.setSessionField(sessionId: sessionId, field: field) }
    }

    /// Replaces one of the minutes' texts (a minimal diff: concurrent typing merges).
    public func replaceSessionText(sessionId: String, _ text: SessionText, with value: String) async throws {
        try await call { try $0.replaceSessionText(sessionId: sessionId, text: text, value: value) }
    }

    /// Records a member's attendance.
    public func setAttendance(sessionId: String, memberId: String, _ status: Attendance, reason: String = "") async throws {
        try await call { try $0.setAttendance(sessionId: sessionId, memberId: memberId, status: status, reason: reason) }
    }

    /// Marks every member not yet recorded present (exempt members exempt); returns how many.
    @discardableResult
    public func fillAttendance(sessionId: String) async throws -> Int {
        let marked = try await call { try $0.fillAttendance(sessionId: sessionId) }
        return Int(marked)
    }

    /// Adds a guest or a superior committee's delegate; returns the entry's id.
    @discardableResult
    public func addGuest(sessionId: String, name: String, title: String = "", delegate: Bool = false) async throws -> String {
        try await call { try $0.addGuest(sessionId: sessionId, name: name, title: title, delegate: delegate) }
    }

    /// Records an opinion by name: typed (`body`, `memberId`) or picked from a comment or
    /// proposal (`source`: its author and text are taken when `body` is empty).
    @discardableResult
    public func addOpinion(
        sessionId: String, _ body: String, memberId: String? = nil, source: SourceRef? = nil
    ) async throws -> String {
        try await call { try $0.addOpinion(sessionId: sessionId, memberId: memberId, body: body, source: source) }
    }

    /// Sets the points of a quality criterion (`nil` clears them).
    public func setSessionQuality(sessionId: String, criterion: String, points: Int?) async throws {
        let points = try points.map { try UInt32(checking: $0) }
        try await call { try $0.setSessionQuality(sessionId: sessionId, criterion: criterion, points: points) }
    }

    /// The meeting-quality grid in use on this phone.
    public func qualityGrid() async throws -> QualityGrid { try await call { try $0.qualityGrid() } }

    /// Publishes a draft (exactly as approved) or material for the session (secretary or
    /// executive).
    public func publish(sessionId: String, docId: String) async throws {
        try await call { try $0.publish(sessionId: sessionId, docId: docId) }
    }

    /// Adds a task to the minutes (with `source`, adopting that proposal); returns its id.
    @discardableResult
    public func addTask(sessionId: String, _ task: NewTask) async throws -> String {
        try await call { try $0.addTask(sessionId: sessionId, task: task) }
    }

    /// Posts progress on a task (its owner or an officer); `.done` also marks its proposal done.
    @discardableResult
    public func updateTask(sessionId: String, taskId: String, _ status: TaskStatus, note: String = "") async throws -> String {
        try await call { try $0.updateTask(sessionId: sessionId, taskId: taskId, status: status, note: note) }
    }

    /// Signs the minutes' current version as their chair or clerk (signed here, offline).
    @discardableResult
    public func signMinutes(sessionId: String, note: String = "") async throws -> Signoff {
        try await call { try $0.signMinutes(sessionId: sessionId, note: note) }
    }

    /// Whether the minutes are adopted (chair and clerk signed one version), checked here.
    public func minutesAdoption(sessionId: String) async throws -> MinutesAdoption {
        try await call { try $0.minutesAdoption(sessionId: sessionId) }
    }

    // MARK: - Reading

    /// Records that this member opened a published draft or material; `true` the first time.
    @discardableResult
    public func markOpened(docId: String) async throws -> Bool {
        try await call { try $0.markOpened(docId: docId) }
    }

    /// Everything published to this member's branch, newest session first, with when they
    /// opened it.
    public func readingList() async throws -> [ReadingItem] { try await call { try $0.readingList() } }

    /// The reading list's items not opened yet.
    public func unreadMaterials() async throws -> [ReadingItem] { try await call { try $0.unreadMaterials() } }

    /// Who has read each draft and material published for a session, and whether it went
    /// out late.
    public func distributionReport(sessionId: String) async throws -> [DistributionStatus] {
        try await call { try $0.distributionReport(sessionId: sessionId) }
    }

    /// How many days before a session its materials must go out in this plan's branch
    /// (secretary, deputy).
    public func setDistributionLeadDays(planId: String, days: Int) async throws {
        let days = try UInt32(checking: days)
        try await call { try $0.setDistributionLeadDays(planId: planId, days: days) }
    }

    // MARK: - Proposals, overview, evidence

    /// Proposals of a branch made in `year` (`nil`: all), with their tasks and stages as of
    /// `today` (`nil`: today).
    public func proposalsBoard(branchId: String? = nil, year: Int32? = nil, today: String? = nil) async throws -> [ProposalItem] {
        try await call { try $0.proposalsBoard(branchId: branchId, year: year, today: today) }
    }

    /// The secretary's overview of a branch's `year` as of `today` (`nil`: today).
    public func branchOverview(branchId: String, year: Int32, today: String? = nil) async throws -> BranchOverview {
        try await call { try $0.branchOverview(branchId: branchId, year: year, today: today) }
    }

    /// Participation evidence of a branch for `year`, as of `now` (Unix seconds; `nil`: now).
    public func participationEvidence(branchId: String?, year: Int32, now: Int64? = nil) async throws -> EvidenceReport {
        try await call { try $0.participationEvidence(branchId: branchId, year: year, now: now) }
    }

    /// The participation evidence of a branch for `year` as CSV (UTF-8), to share.
    public func participationEvidenceCsv(branchId: String?, year: Int32) async throws -> String {
        try await call { try $0.participationEvidenceCsv(branchId: branchId, year: year) }
    }

    // MARK: - Papers

    /// The annual plan as the official paper (DOCX or HTML): the approved version with its
    /// signer, or this phone's version marked "DỰ THẢO" (`current`, or nothing approved).
    public func exportPlan(planId: String, format: PaperFormat, current: Bool = false, place: String = "") async throws -> Paper {
        try await call { try $0.exportPlan(planId: planId, format: format, current: current, place: place) }
    }

    /// The minutes as the official paper: the adopted version, else this phone's marked "DỰ THẢO".
    public func exportMinutes(sessionId: String, format: PaperFormat, current: Bool = false, place: String = "") async throws -> Paper {
        try await call { try $0.exportMinutes(sessionId: sessionId, format: format, current: current, place: place) }
    }

    /// A member's printable evidence sheet for `year` (a proposal for the branch's vote, never a rating).
    public func evidenceSheet(memberId: String, year: Int32, format: PaperFormat) async throws -> Paper {
        try await call { try $0.evidenceSheet(memberId: memberId, year: year, format: format) }
    }

    // MARK: - History and health

    /// A document's changes, oldest first.
    public func history(docId: String) async throws -> [ChangeInfo] {
        try await call { try $0.history(docId: docId) }
    }

    /// A document's history by member and session.
    public func historyByMember(docId: String) async throws -> [MemberHistory] {
        try await call { try $0.historyByMember(docId: docId) }
    }

    /// Documents that could not be loaded (quarantined).
    public func damagedDocuments() async throws -> [DamagedDocument] {
        try await call { try $0.damagedDocuments() }
    }
}

/// Runs a blocking call on a global queue and awaits it.
private func offMain<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global(qos: .userInitiated).async { continuation.resume(with: Result { try body() }) }
    }
}

extension UInt32 {
    /// A count or position from Swift's `Int`, refused when negative or too large.
    init(checking value: Int) throws {
        guard let v = UInt32(exactly: value) else {
            throw ApiError.InvalidInput(message: "\(value) is not a valid position or count")
        }
        self = v
    }
}

/// Whether the last sync status seen was "syncing" (`nil`: none seen yet), for
/// ``SoTay/syncEndSignals()``; statuses arrive on Rust's delivery thread.
final class SyncingLatch: @unchecked Sendable {
    private let lock = NSLock()
    private var last: Bool?

    /// Records `syncing`; returns what was recorded before.
    func swap(_ syncing: Bool) -> Bool? {
        lock.lock()
        defer { lock.unlock() }
        let before = last
        last = syncing
        return before
    }
}
