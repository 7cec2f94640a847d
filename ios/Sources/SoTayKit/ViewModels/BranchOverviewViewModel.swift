// The secretary's overview of the branch's year.

import Foundation
import SoTayFFI

/// The secretary's overview of the branch's year.
public struct BranchOverviewState: ScreenState, Equatable {
    public var loading = true
    public let year: Int32
    /// The core's overview (`nil` before loading).
    public var overview: BranchOverview?
    /// The branch's members (names for ids).
    public var members: [Member] = []
    public var error: ApiError?

    public init(year: Int32) {
        self.year = year
    }

    /// Sessions held per quarter, Q1 first (HD 12 asks for one each quarter).
    public var heldPerQuarter: [Int] { overview?.heldPerQuarter.map { Int($0) } ?? [0, 0, 0, 0] }

    /// Quarters already over with no session held.
    public var quartersMissed: [Int] { overview?.quartersMissed.map { Int($0) } ?? [] }

    /// The year's sessions, by date, each with its adoption, late and unread materials.
    public var sessions: [SessionOverview] { overview?.sessions ?? [] }

    /// A member's name by id (the id itself when unknown).
    public func name(of memberId: String) -> String {
        members.first { $0.id == memberId }?.fullName ?? memberId
    }
}

/// The secretary's branch overview for `year`: sessions held and quarters missed, each
/// session's minutes adopted or not and its materials late or unread, open and overdue
/// proposals, members flagged for unexcused absences (art. 8). Reloads on every document
/// change (a receipt or a signature arriving by sync changes it). Mirrors Android's
/// `BranchOverviewViewModel`.
@MainActor
public final class BranchOverviewViewModel: ScreenModel<BranchOverviewState> {
    public let year: Int32
    public let branchId: String?

    public init(sotay: SoTay, year: Int32, branchId: String? = nil) {
        self.year = year
        self.branchId = branchId
        super.init(sotay: sotay, initial: BranchOverviewState(year: year))
        reload(on: sotay.reloadSignals())
        refresh()
    }

    override func load(_ current: BranchOverviewState) async throws -> BranchOverviewState {
        var branch = branchId
        if branch == nil, let me = try await sotay.identity() { branch = try await sotay.findMember(me)?.branchId }
        var next = current
        next.loading = false
        next.overview = nil
        if let branch { next.overview = try await sotay.branchOverview(branchId: branch, year: year) }
        next.members = try await sotay.members()
        return next
    }

    /// How many days before a session the branch wants its materials out (secretary, deputy).
    @discardableResult
    public func setLeadDays(planId: String, _ days: Int) -> Task<Void, Never> {
        act { try await self.sotay.setDistributionLeadDays(planId: planId, days: days) }
    }
}
