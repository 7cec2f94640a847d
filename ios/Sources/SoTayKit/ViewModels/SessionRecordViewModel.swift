// The minutes of one session and their adoption.

import Foundation
import SoTayFFI

/// A comment or proposal on a draft or material published for the session: an opinion to pick.
public struct PublishedComment: Sendable, Equatable, Identifiable {
    public let docId: String
    public let docTitle: String
    public let comment: Comment

    public var id: String { "\(docId)/\(comment.id)" }

    /// Where an opinion or a task taken from it points.
    public var source: SourceRef { SourceRef(docId: docId, commentId: comment.id) }
}

/// The minutes of one session (biên bản) and where their adoption stands.
public struct SessionRecordState: ScreenState, Equatable {
    public var loading = true
    /// The session and its minutes, with the core's figures (duration check, quality total and level).
    public var session: Session?
    /// This member.
    public var me: String?
    /// The branch's members (names for ids, the attendance list).
    public var members: [Member] = []
    /// The meeting-quality grid the score is counted on.
    public var grid: QualityGrid?
    /// Whether the chair and the clerk adopted the minutes (checked on this phone).
    public var adoption: MinutesAdoption = .notSigned
    /// Whether this member may sign now, and what stands in the way (the core's rules).
    public var signRights: ApprovalRights?
    /// Comments and proposals on what was published for the session, to record as opinions.
    public var publishedComments: [PublishedComment] = []
    /// Who has read each published draft and material.
    public var distribution: [DistributionStatus] = []
    /// The minutes written as a paper (``SessionRecordViewModel/exportMinutes(format:place:)``),
    /// to share or print.
    public var paper: Paper?
    public var error: ApiError?

    /// Both signatures on one version (later progress on tasks does not change that).
    public var isAdopted: Bool {
        switch adoption {
        case .adopted, .adoptedWithChanges: true
        case .notSigned, .partlySigned: false
        }
    }

    /// The chair's and the clerk's signatures (those made so far).
    public var signatures: [Signoff] {
        switch adoption {
        case .notSigned: []
        case .partlySigned(let signed, _): signed
        case .adopted(let chair, let clerk), .adoptedWithChanges(let chair, let clerk, _): [chair, clerk]
        }
    }

    /// Who still has to sign: the one of chair and clerk missing, or both before anyone signed.
    public var awaitingSignatures: [String] {
        switch adoption {
        case .notSigned: [session?.chair, session?.clerk].compactMap { $0 }
        case .partlySigned(_, let awaiting): awaiting
        case .adopted, .adoptedWithChanges: []
        }
    }

    /// The parts of the minutes changed since they were adopted (keys; `FieldScope.session.label(of:)`
    /// names them); empty when adopted as they stand, or not adopted.
    public var changedSinceAdoption: [String] {
        if case .adoptedWithChanges(_, _, let delta) = adoption, case .session(let fields)? = delta?.content {
            return fields
        }
        return []
    }

    /// The sitting lasted as long as HD 42 asks (`nil` until start and end are recorded).
    public var durationOk: Bool? { session?.durationOk }

    /// This member may sign the current version now.
    public var canSign: Bool { signRights?.canApprove == true }

    /// What the minutes still lack before the chair and the clerk may sign them (start and
    /// end times, chair, clerk), with their labels; empty once nothing is missing.
    public var missingBeforeSigning: [MissingField] {
        (signRights?.blockers ?? []).flatMap { blocker -> [MissingField] in
            if case let .notReady(readiness) = blocker { return readiness.missingMinutes }
            return []
        }
    }

    /// A member's name by id (the id itself when unknown).
    public func name(of memberId: String?) -> String {
        guard let memberId else { return "" }
        return members.first { $0.id == memberId }?.fullName ?? memberId
    }

    /// A member's attendance, if recorded.
    public func attendance(of memberId: String) -> Attendance? {
        session?.attendance.first { $0.memberId == memberId }?.status
    }
}

/// The session record: the minutes the clerk types during the sitting (times, place,
/// attendance, opinions by name — typed, or picked from the comments and proposals on what
/// was published — conclusion, resolution, vote, tasks adopting proposals, the quality
/// self-score), the duration check, the chair's and the clerk's signatures and the adoption
/// they make, and what changed since. Every rule is the core's; refusals arrive as the
/// state's error. Mirrors Android's `SessionRecordViewModel`.
@MainActor
public final class SessionRecordViewModel: ScreenModel<SessionRecordState> {
    public let sessionId: String

    public init(sotay: SoTay, sessionId: String) {
        self.sessionId = sessionId
        super.init(sotay: sotay, initial: SessionRecordState())
        // The session, the published documents' comments, receipts and sign-offs: any of them.
        reload(on: sotay.reloadSignals())
        refresh()
    }

    override func load(_ current: SessionRecordState) async throws -> SessionRecordState {
        let session = try await sotay.session(sessionId)
        var comments: [PublishedComment] = []
        for p in session.distribution {
            let doc: TextDocument
            do {
                doc = try await sotay.textDoc(p.docId)
            } catch ApiError.NotFound {
                continue
            }
            comments += doc.comments.filter { !$0.deleted }.map {
                PublishedComment(docId: doc.id, docTitle: doc.title, comment: $0)
            }
        }
        var next = current
        next.loading = false
        next.session = session
        next.me = try await sotay.identity()
        next.members = try await sotay.members().filter { $0.branchId == session.branchId }
        next.grid = try await sotay.qualityGrid()
        next.adoption = try await sotay.minutesAdoption(sessionId: sessionId)
        next.signRights = try await sotay.canApprove(docId: sessionId)
        next.publishedComments = comments
        next.distribution = try await sotay.distributionReport(sessionId: sessionId)
        return next
    }

    /// Sets a short field (place, chair, clerk, presenter, votes, …).
    @discardableResult
    public func setField(_ field: SessionField) -> Task<Void, Never> {
        act { try await self.sotay.setSessionField(sessionId: self.sessionId, field) }
    }

    /// Sets the start from what the clerk typed ("08:00" on the session's day, or
    /// "dd/MM/yyyy HH:mm"), Vietnam time.
    @discardableResult
    public func setStart(_ time: String) -> Task<Void, Never> {
        act {
            let at = try vietnamTime(text: time, day: self.state.session?.sessionDate)
            try await self.sotay.setSessionField(sessionId: self.sessionId, .startedAt(at: at))
        }
    }

    /// Sets the end, as ``setStart(_:)``.
    @discardableResult
    public func setEnd(_ time: String) -> Task<Void, Never> {
        act {
            let at = try vietnamTime(text: time, day: self.state.session?.sessionDate)
            try await self.sotay.setSessionField(sessionId: self.sessionId, .endedAt(at: at))
        }
    }

    /// Replaces one of the minutes' texts (purpose, summary, conclusion, resolution).
    @discardableResult
    public func setText(_ text: SessionText, _ value: String) -> Task<Void, Never> {
        act { try await self.sotay.replaceSessionText(sessionId: self.sessionId, text, with: value) }
    }

    /// Records a member's attendance.
    @discardableResult
    public func setAttendance(memberId: String, _ status: Attendance, reason: String = "") -> Task<Void, Never> {
        act { try await self.sotay.setAttendance(sessionId: self.sessionId, memberId: memberId, status, reason: reason) }
    }

    /// Marks everyone not yet recorded present (exempt members exempt).
    @discardableResult
    public func markAllPresent() -> Task<Void, Never> {
        act { try await self.sotay.fillAttendance(sessionId: self.sessionId) }
    }

    /// Adds a guest or a superior committee's delegate.
    @discardableResult
    public func addGuest(name: String, title: String, delegate: Bool = false) -> Task<Void, Never> {
        act { try await self.sotay.addGuest(sessionId: self.sessionId, name: name, title: title, delegate: delegate) }
    }

    /// Records an opinion typed by the clerk.
    @discardableResult
    public func addOpinion(memberId: String, _ body: String) -> Task<Void, Never> {
        act { try await self.sotay.addOpinion(sessionId: self.sessionId, body, memberId: memberId) }
    }

    /// Records a published comment or proposal as its author's opinion.
    @discardableResult
    public func addOpinion(from comment: PublishedComment) -> Task<Void, Never> {
        act { try await self.sotay.addOpinion(sessionId: self.sessionId, "", source: comment.source) }
    }

    /// Scores a quality criterion of the grid (`nil` clears it).
    @discardableResult
    public func setQuality(_ criterion: String, points: Int?) -> Task<Void, Never> {
        act { try await self.sotay.setSessionQuality(sessionId: self.sessionId, criterion: criterion, points: points) }
    }

    /// Assigns a task; with `adopting`, the task adopts that proposal into the resolution.
    @discardableResult
    public func addTask(
        title: String, owner: String, deadline: String?, adopting: PublishedComment? = nil
    ) -> Task<Void, Never> {
        act {
            let task = NewTask(title: title, owner: owner, deadline: deadline, source: adopting?.source)
            try await self.sotay.addTask(sessionId: self.sessionId, task)
        }
    }

    /// Posts progress on a task (its owner or an officer).
    @discardableResult
    public func updateTask(_ taskId: String, _ status: TaskStatus, note: String = "") -> Task<Void, Never> {
        act { try await self.sotay.updateTask(sessionId: self.sessionId, taskId: taskId, status, note: note) }
    }

    /// Publishes a draft (as approved) or material for the session (secretary or executive).
    @discardableResult
    public func publish(_ docId: String) -> Task<Void, Never> {
        act { try await self.sotay.publish(sessionId: self.sessionId, docId: docId) }
    }

    /// Signs the current version as chair or clerk (offline; sent with the next sync).
    @discardableResult
    public func sign(note: String = "") -> Task<Void, Never> {
        act { try await self.sotay.signMinutes(sessionId: self.sessionId, note: note) }
    }

    // The paper written is the action's, not the store's.
    override func keepActionState(_ next: inout SessionRecordState, from latest: SessionRecordState) {
        next.paper = latest.paper
    }

    /// Writes the minutes as the official paper (``SessionRecordState/paper``): the version
    /// chair and clerk adopted, else this phone's marked "DỰ THẢO". Before the first sync the
    /// branch's name is not known: `.InvalidInput` in the state.
    @discardableResult
    public func exportMinutes(format: PaperFormat = .docx, place: String = "") -> Task<Void, Never> {
        act {
            self.state.paper = try await self.sotay.exportMinutes(sessionId: self.sessionId, format: format, place: place)
        }
    }

    /// The paper was shared or shown.
    public func closePaper() {
        state.paper = nil
    }
}
