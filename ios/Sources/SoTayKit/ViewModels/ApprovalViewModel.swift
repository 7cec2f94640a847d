// Approval of one plan, draft or material.

import Foundation
import SoTayFFI

/// The approval screen of one plan, draft or material.
public struct ApprovalState: ScreenState, Equatable {
    public var loading = true
    /// Where approval stands, verified on this phone.
    public var status: ApprovalStatus = .notSubmitted
    /// What stands in the way of approving the current version.
    public var readiness: Readiness?
    /// Every sign-off held here, oldest first (unsent, synced or refused).
    public var signoffs: [SignoffEntry] = []
    public var myRole: Role?
    /// Whether this member may approve it now, and what stands in the way (the core's rules).
    public var rights: ApprovalRights?
    public var error: ApiError?

    /// The approval in force (exact or with changes since), with a valid signature.
    public var approval: Signoff? {
        switch status {
        case .approved(let approval), .approvedWithChanges(let approval, _): approval
        case .submitted(_, _, _, let previous): previous
        case .invalid(_, _, _, let lastValid): lastValid
        case .notSubmitted: nil
        }
    }

    /// The document is exactly the approved version.
    public var isApproved: Bool {
        if case .approved = status { return true }
        return false
    }

    /// Approved, and changed since.
    public var isApprovedWithChanges: Bool {
        if case .approvedWithChanges = status { return true }
        return false
    }

    /// What changed since the approval (`nil` when exact or never approved).
    public var changesSinceApproval: Delta? {
        if case .approvedWithChanges(_, let delta) = status { return delta }
        return nil
    }

    /// The newest approval does not verify (the Vietnamese reason, for the screen).
    public var invalidReason: String? {
        if case .invalid(_, _, let reasonVi, _) = status { return reasonVi }
        return nil
    }

    /// Show the approve action: the member holds the authority to approve this document (its
    /// branch, a role that approves its kind, the branch's delegation), readiness aside.
    public var mayApprove: Bool { rights?.hasAuthority == true }

    /// Approving now would be accepted (authority, and the version is ready).
    public var canApproveNow: Bool { rights?.canApprove == true }

    /// Sign-offs made here that are waiting for the next sync.
    public var unsent: Int { signoffs.filter { $0.state == .unsent }.count }
}

/// Approval of one document: the secretary approves exactly the version she reads (signed on
/// her phone, offline); members see the status, whether its signature holds, and what
/// changed since.
@MainActor
public final class ApprovalViewModel: ScreenModel<ApprovalState> {
    public let docId: String

    public init(sotay: SoTay, docId: String) {
        self.docId = docId
        super.init(sotay: sotay, initial: ApprovalState())
        // Sign-offs arrive by sync; the sync names every document that may have changed.
        reload(on: sotay.reloadSignals(of: docId))
        refresh()
    }

    override func load(_ current: ApprovalState) async throws -> ApprovalState {
        var next = current
        next.loading = false
        next.status = try await sotay.approvalStatus(docId: docId)
        next.readiness = try await sotay.approvalReadiness(docId: docId)
        next.signoffs = try await sotay.signoffs(docId: docId)
        next.myRole = try await sotay.myRole()
        next.rights = try await sotay.canApprove(docId: docId)
        return next
    }

    /// Asks for the current version to be approved.
    @discardableResult
    public func submit(note: String = "") -> Task<Void, Never> {
        act { try await self.sotay.submitForApproval(docId: self.docId, note: note) }
    }

    /// Approves exactly the current version.
    @discardableResult
    public func approve(note: String = "") -> Task<Void, Never> {
        act { try await self.sotay.approve(docId: self.docId, note: note) }
    }
}
