// The branch home: plans and "what needs me".

import Foundation
import SoTayFFI

/// A thread waiting for the member (the core's rule, ``SoTay/needsMe()``): someone else wrote
/// last in a thread they wrote in, or on a draft or material they created, or their proposal
/// was decided — until they reply, act on it, or look at it (``BranchHomeViewModel/markSeen(_:)``).
public struct AwaitingReply: Sendable, Equatable {
    public let docId: String
    public let docTitle: String
    public let planId: String?
    public let topicId: String?
    /// The thread's first comment (or proposal).
    public let thread: Comment
    /// The newest message.
    public let latest: Comment
    /// Why it waits for the member.
    public let reason: ThreadReason
}

/// A document submitted for approval that the member may approve (their role, its kind).
public struct PendingApproval: Sendable, Equatable {
    public let docId: String
    public let title: String
    public let kind: DocKind
    public let submittedBy: String
    /// Unix seconds (the submitting device's clock).
    public let submittedAt: Int64
    /// The current version can be approved as it is (else the approval screen lists what to fix).
    public let ready: Bool
}

/// "What needs me" on the branch home.
public struct NeedsMe: Sendable, Equatable {
    /// Drafts and materials published for a session that the member has not opened (the
    /// core's rule, `WhatNeedsMe.toRead`), newest session first; opening one
    /// (``ReadingListViewModel/open(_:)``) takes it off.
    public var draftsToRead: [ReadingItem] = []
    /// Drafts of topics the member prepares, presents or is in charge of, not approved yet.
    public var myTopicDrafts: [TextDocRow] = []
    public var commentsAwaitingReply: [AwaitingReply] = []
    public var approvalsPending: [PendingApproval] = []

    /// How many items in all (the badge).
    public var count: Int {
        draftsToRead.count + myTopicDrafts.count + commentsAwaitingReply.count + approvalsPending.count
    }
}

/// The branch home: its plans and what needs the member.
public struct BranchHomeState: ScreenState, Equatable {
    public var loading = true
    public var me: Member?
    /// The branch's members (names for ids).
    public var members: [Member] = []
    public var plans: [PlanRow] = []
    /// The branch's sessions, by date (each opens its minutes).
    public var sessions: [SessionRow] = []
    public var needsMe = NeedsMe()
    public var error: ApiError?

    /// The member may create plans and approve (secretary, deputy, executive).
    public var isOfficer: Bool { me.map { isOfficerRole($0.role) } ?? false }

    /// A member's name by id (the id itself when unknown).
    public func name(of memberId: String) -> String {
        members.first { $0.id == memberId }?.fullName ?? memberId
    }
}

/// The branch home: its plans and sessions, and what needs the member. Reloads on every
/// document change (local or synced: a session published, a receipt from the member's other
/// phone).
///
/// "What needs me", as the core decides it (``SoTay/needsMe()``): drafts and materials
/// published for a session and not opened yet, the comment threads waiting for the member
/// and the documents submitted for approval that the member may approve; and the drafts of
/// topics the member works on that are not approved yet.
@MainActor
public final class BranchHomeViewModel: ScreenModel<BranchHomeState> {
    /// The branch shown (`nil`: the member's own).
    public let branchId: String?

    public init(sotay: SoTay, branchId: String? = nil) {
        self.branchId = branchId
        super.init(sotay: sotay, initial: BranchHomeState())
        reload(on: sotay.reloadSignals())
        refresh()
    }

    override func load(_ current: BranchHomeState) async throws -> BranchHomeState {
        let meId = try await sotay.identity()
        var me: Member?
        if let meId { me = try await sotay.findMember(meId) }
        let branch = branchId ?? me?.branchId
        let plans = try await sotay.plans(branchId: branch)
        let docs = try await sotay.textDocs().filter { branch == nil || $0.branchId == branch }

        // Topics the member works on, across the branch's plans.
        var myTopics = Set<String>()
        if let meId {
            for p in plans {
                for t in try await sotay.topics(planId: p.docId)
                where t.preparers.contains(meId) || t.presenter == meId || t.executive == meId {
                    myTopics.insert(t.topicId)
                }
            }
        }
        var myDrafts: [TextDocRow] = []
        for d in docs where d.kind == .topicDraft && (d.topicId.map(myTopics.contains) ?? false) {
            switch try await sotay.approvalStatus(docId: d.docId) {
            case .approved, .approvedWithChanges: break
            case .notSubmitted, .submitted, .invalid: myDrafts.append(d)
            }
        }

        // What needs the member as the core decides it, of the branch this home shows.
        let needs = try await sotay.needsMe()
        let sessions = try await sotay.sessions(branchId: branch)
        let sessionIds = Set(sessions.map(\.docId))
        let toRead = needs.toRead.filter { sessionIds.contains($0.sessionId) }
        let shown = Set(docs.map(\.docId) + plans.map(\.docId))
        let awaiting = needs.threads.filter { shown.contains($0.docId) }.map {
            AwaitingReply(docId: $0.docId, docTitle: $0.docTitle, planId: $0.planId, topicId: $0.topicId,
                          thread: $0.root, latest: $0.latest, reason: $0.reason)
        }
        let pending = needs.approvals.filter { shown.contains($0.docId) }.map {
            PendingApproval(docId: $0.docId, title: $0.title, kind: $0.kind, submittedBy: $0.submission.signer,
                            submittedAt: $0.submission.signedAt, ready: $0.ready)
        }

        var next = current
        next.loading = false
        next.me = me
        next.members = try await sotay.members()
        next.plans = plans
        next.sessions = sessions
        next.needsMe = NeedsMe(
            draftsToRead: toRead, myTopicDrafts: myDrafts, commentsAwaitingReply: awaiting, approvalsPending: pending)
        return next
    }

    /// The member looked at `item`'s thread: it leaves the list until something new arrives.
    @discardableResult
    public func markSeen(_ item: AwaitingReply) -> Task<Void, Never> {
        act { try await self.sotay.markThreadSeen(docId: item.docId, commentId: item.thread.id) }
    }

    /// Creates the branch's plan for `year` (officers); `onCreated` gets its id.
    @discardableResult
    public func createPlan(year: Int32, onCreated: @escaping @MainActor (String) -> Void = { _ in }) -> Task<Void, Never> {
        act {
            guard let branch = self.branchId ?? self.state.me?.branchId else { return }
            let id = try await self.sotay.createPlan(NewPlan(
                branchId: branch, year: year, title: "", number: "", issueDate: nil, purpose: "", implementation: ""))
            onCreated(id)
        }
    }
}

/// The branch roles that create plans and approve (the core decides the details).
func isOfficerRole(_ role: Role?) -> Bool {
    switch role {
    case .secretary, .deputySecretary, .executive: true
    default: false
    }
}

/// Comments grouped into threads: each root (oldest first) followed by its replies.
func threads(of comments: [Comment]) -> [[Comment]] {
    let byId = Dictionary(comments.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    func rootOf(_ c: Comment) -> String {
        var current = c
        var seen = Set<String>()
        while true {
            guard let parentId = current.replyTo else { return current.id }
            guard let parent = byId[parentId] else { return parentId }
            if !seen.insert(parent.id).inserted { return parent.id }
            current = parent
        }
    }
    let replies = Dictionary(grouping: comments.filter { $0.replyTo != nil }, by: rootOf)
    return comments.filter { $0.replyTo == nil }.map { [$0] + (replies[$0.id] ?? []) }
}
