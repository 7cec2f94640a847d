// The proposals board.

import Foundation
import SoTayFFI

/// The proposals board: every proposal of the year and where it stands.
public struct ProposalsBoardState: ScreenState, Equatable {
    public var loading = true
    /// The year shown (`nil`: every year).
    public var year: Int32?
    /// Oldest first, each with the task adopting it and its stage (the core's board).
    public var items: [ProposalItem] = []
    /// This member (task owners may post progress on their tasks).
    public var me: String?
    /// The branch's members (names for ids).
    public var members: [Member] = []
    public var error: ApiError?

    /// The proposals at `stage`.
    public func at(_ stage: ProposalStage) -> [ProposalItem] { items.filter { $0.stage == stage } }

    /// Adopted proposals past their task's deadline.
    public var overdue: [ProposalItem] { at(.overdue) }

    /// A member's name by id (the id itself when unknown).
    public func name(of memberId: String) -> String {
        members.first { $0.id == memberId }?.fullName ?? memberId
    }
}

/// The proposals board (and the year-end review list): every proposal made in the branch,
/// open, rejected, adopted into a resolution by a task, overdue or done; task owners and
/// officers post progress from here. Reloads on every document change. Mirrors Android's
/// `ProposalsBoardViewModel`.
@MainActor
public final class ProposalsBoardViewModel: ScreenModel<ProposalsBoardState> {
    public let year: Int32?
    public let branchId: String?

    public init(sotay: SoTay, year: Int32? = nil, branchId: String? = nil) {
        self.year = year
        self.branchId = branchId
        var initial = ProposalsBoardState()
        initial.year = year
        super.init(sotay: sotay, initial: initial)
        reload(on: sotay.reloadSignals())
        refresh()
    }

    override func load(_ current: ProposalsBoardState) async throws -> ProposalsBoardState {
        let me = try await sotay.identity()
        var branch = branchId
        if branch == nil, let me { branch = try await sotay.findMember(me)?.branchId }
        var next = current
        next.loading = false
        next.items = try await sotay.proposalsBoard(branchId: branch, year: year)
        next.me = me
        next.members = try await sotay.members()
        return next
    }

    /// Posts progress on the task adopting a proposal (its owner or an officer); `.done`
    /// carries the proposal out.
    @discardableResult
    public func updateTask(_ task: TaskRef, _ status: TaskStatus, note: String = "") -> Task<Void, Never> {
        act { try await self.sotay.updateTask(sessionId: task.sessionId, taskId: task.taskId, status, note: note) }
    }
}
