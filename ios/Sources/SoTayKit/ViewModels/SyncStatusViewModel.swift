// The sync bar.

import Foundation
import SoTayFFI

/// The sync bar: offline, syncing with progress, last synced, edits waiting.
public struct SyncStatusState: ScreenState, Equatable {
    /// The status as the store reports it.
    public var status: SyncStatus
    /// The last sync's report, when one ran from here.
    public var lastReport: SyncReport?
    /// The last sync's error, when it failed.
    public var error: ApiError?

    public init(status: SyncStatus, lastReport: SyncReport? = nil, error: ApiError? = nil) {
        self.status = status
        self.lastReport = lastReport
        self.error = error
    }

    /// The server could not be reached (nothing is lost).
    public var isOffline: Bool {
        if case .offline = status { return true }
        return false
    }

    /// A sync is running.
    public var isSyncing: Bool { progress != nil }

    /// The running sync's progress.
    public var progress: SyncProgress? {
        if case .syncing(let progress) = status { return progress }
        return nil
    }

    /// The device must enroll (first use, or the server no longer accepts it).
    public var needsEnrollment: Bool {
        switch status {
        case .notEnrolled: true
        case .failed(_, let needsEnrollment, _, _): needsEnrollment
        default: false
        }
    }

    /// Last successful sync (Unix seconds).
    public var lastSyncedAt: Int64? {
        switch status {
        case .idle(let at, _), .offline(let at, _, _), .failed(_, _, let at, _): at
        case .notEnrolled, .syncing: nil
        }
    }

    /// The last successful sync as a date.
    public var lastSynced: Date? {
        lastSyncedAt.map { Date(timeIntervalSince1970: TimeInterval($0)) }
    }

    /// Documents with edits the server does not have yet.
    public var unsentDocuments: Int {
        switch status {
        case .idle(_, let n), .offline(_, let n, _), .failed(_, _, _, let n): Int(n)
        case .notEnrolled, .syncing: 0
        }
    }
}

/// Follows the store's sync status (the current value at once, then every change) and runs
/// syncs on request.
@MainActor
public final class SyncStatusViewModel: ScreenModel<SyncStatusState> {
    public init(sotay: SoTay) {
        super.init(sotay: sotay, initial: SyncStatusState(status: sotay.currentSyncStatus))
        follow(sotay.syncStatus) { state, status in state.status = status }
    }

    override func load(_ current: SyncStatusState) async throws -> SyncStatusState {
        var next = current
        next.status = sotay.currentSyncStatus
        return next
    }

    /// Syncs now; the status follows through the listener, the report or error lands here.
    @discardableResult
    public func syncNow() -> Task<Void, Never> {
        Task {
            do {
                let report = try await sotay.sync()
                state.lastReport = report
                state.error = nil
            } catch {
                state.error = ApiError(error)
            }
        }
    }
}
