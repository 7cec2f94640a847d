// A topic's draft, its materials, and the comments on them.

import Foundation
import SoTayFFI

/// A thread: a comment or proposal, anchored or not, with its replies.
public struct CommentThread: Sendable, Equatable, Identifiable {
    public let root: Comment
    public let replies: [Comment]

    public var id: String { root.id }

    /// A proposal (followed until done).
    public var isProposal: Bool { root.kind == .proposal }

    /// The words it is on now, or — if they were all deleted — the words it was made on.
    public var quote: String? { root.anchor.map { $0.orphaned ? $0.quote : $0.current } }
}

/// An attachment opened: its entry and its bytes, for the screen to hand to a viewer
/// (QuickLook, a share sheet).
public struct OpenedAttachment: Sendable, Equatable {
    public let attachment: Attachment
    public let bytes: Data
}

/// A topic's draft, its materials, and the comments on what is open.
public struct TopicDraftState: ScreenState, Equatable {
    public var loading = true
    public var topic: Topic?
    /// The topic's draft (`nil` until someone creates it).
    public var draft: TextDocument?
    /// The topic's study materials.
    public var materials: [TextDocRow] = []
    /// The material opened (`nil`: the draft is shown).
    public var openMaterial: TextDocument?
    /// Threads of the document shown, in order of writing.
    public var threads: [CommentThread] = []
    /// Files attached to the document shown (materials), oldest first: on this phone or not
    /// ("Mở" / "Tải về"), waiting to be sent or refused by the server.
    public var attachments: [Attachment] = []
    /// The SHA-256s of attachments being downloaded now (a spinner on their rows).
    public var fetching: Set<String> = []
    /// The attachment opened last, with its bytes (`nil`: none, or closed).
    public var openedAttachment: OpenedAttachment?
    public var error: ApiError?

    /// The document shown: the open material, else the draft.
    public var shown: TextDocument? { openMaterial ?? draft }
}

/// A topic's draft with its materials, anchored comments and proposals.
@MainActor
public final class TopicDraftViewModel: ScreenModel<TopicDraftState> {
    public let planId: String
    public let topicId: String

    /// The material shown instead of the draft, if any.
    private var openId: String?

    public init(sotay: SoTay, planId: String, topicId: String) {
        self.planId = planId
        self.topicId = topicId
        super.init(sotay: sotay, initial: TopicDraftState())
        // Any change may be the plan (the topic's fields), the draft, a material, or a new
        // draft or material of this topic; reads are cheap and a burst is one reload.
        reload(on: sotay.reloadSignals())
        // A sync that ends may have sent this phone's files or had them refused.
        reload(on: sotay.syncEndSignals())
        refresh()
    }

    override func load(_ current: TopicDraftState) async throws -> TopicDraftState {
        let topic = try await sotay.plan(planId).topics.first { $0.id == topicId }
        let docs = try await sotay.textDocs(planId: planId).filter { $0.topicId == topicId }
        let draftRow = docs.filter { $0.kind == .topicDraft }.min { $0.docId < $1.docId }
        var draft: TextDocument?
        if let draftRow { draft = try await sotay.textDoc(draftRow.docId) }
        let materials = docs.filter { $0.kind == .material }
        var open: TextDocument?
        if let openId, materials.contains(where: { $0.docId == openId }) {
            open = try await sotay.textDoc(openId)
        }
        var next = current
        next.loading = false
        next.topic = topic
        next.draft = draft
        next.materials = materials
        next.openMaterial = open
        next.threads = (open ?? draft).map { doc in
            threads(of: doc.comments).map { CommentThread(root: $0[0], replies: Array($0.dropFirst())) }
        } ?? []
        if let shown = open ?? draft {
            next.attachments = try await sotay.attachments(docId: shown.id)
        } else {
            next.attachments = []
        }
        return next
    }

    // Downloads in flight and the attachment opened are the actions', not the store's.
    override func keepActionState(_ next: inout TopicDraftState, from latest: TopicDraftState) {
        next.fetching = latest.fetching
        next.openedAttachment = latest.openedAttachment
    }

    /// Runs `action` on the shown document, if any.
    private func onShown(_ action: @escaping @MainActor (String) async throws -> Void) -> Task<Void, Never> {
        act {
            if let id = self.state.shown?.id { try await action(id) }
        }
    }

    /// Creates the topic's draft.
    @discardableResult
    public func createDraft(title: String, body: String = "") -> Task<Void, Never> {
        act {
            let branch = try await self.sotay.plan(self.planId).branchId
            try await self.sotay.createTextDoc(NewTextDoc(
                kind: .topicDraft, branchId: branch, planId: self.planId, topicId: self.topicId,
                title: title, description: "", body: body))
        }
    }

    /// Adds a study material to the topic.
    @discardableResult
    public func addMaterial(title: String, description: String, body: String) -> Task<Void, Never> {
        act {
            let branch = try await self.sotay.plan(self.planId).branchId
            try await self.sotay.createTextDoc(NewTextDoc(
                kind: .material, branchId: branch, planId: self.planId, topicId: self.topicId,
                title: title, description: description, body: body))
        }
    }

    /// Shows a material (`nil`: back to the draft).
    @discardableResult
    public func openMaterial(_ docId: String?) -> Task<Void, Never> {
        act {
            self.openId = docId
            self.state.openedAttachment = nil
        }
    }

    /// Attaches a file to the material shown; its bytes go to the server with the next sync.
    /// Too large (over 20 MiB) or shown a draft: `.InvalidInput` in the state.
    @discardableResult
    public func attach(_ bytes: Data, fileName: String, mime: String? = nil) -> Task<Void, Never> {
        onShown { try await self.sotay.attach(docId: $0, bytes, fileName: fileName, mime: mime) }
    }

    /// Opens an attachment ("Mở"): its bytes from this phone, or downloaded first ("Tải về"),
    /// checked and kept, then ``TopicDraftState/openedAttachment``. While it downloads its hash
    /// is in ``TopicDraftState/fetching``. Not on the server yet (`.NotFound`), damaged on the
    /// way (`.AttachmentDamaged`) or offline: the state's error.
    @discardableResult
    public func openAttachment(_ attachment: Attachment) -> Task<Void, Never> {
        act {
            self.state.fetching.insert(attachment.sha256)
            defer { self.state.fetching.remove(attachment.sha256) }
            let bytes = try await self.sotay.fetchAttachment(sha256: attachment.sha256)
            self.state.openedAttachment = OpenedAttachment(attachment: attachment, bytes: bytes)
        }
    }

    /// Closes the attachment opened (handed to a viewer, or the member went back).
    public func closeAttachment() {
        state.openedAttachment = nil
    }

    /// Replaces the shown document's text (a minimal diff: others' concurrent edits survive).
    @discardableResult
    public func replaceBody(_ text: String) -> Task<Void, Never> {
        onShown { try await self.sotay.replaceBody(docId: $0, with: text) }
    }

    /// Edits the shown document's text at `position` (code points).
    @discardableResult
    public func spliceBody(at position: Int, delete: Int, insert: String) -> Task<Void, Never> {
        onShown { try await self.sotay.spliceBody(docId: $0, at: position, delete: delete, insert: insert) }
    }

    /// Comments (or proposes) on `range` of the shown text (code points), or on the whole text.
    @discardableResult
    public func comment(_ body: String, on range: Range<Int>? = nil, proposal: Bool = false) -> Task<Void, Never> {
        onShown { try await self.sotay.addComment(docId: $0, body, kind: proposal ? .proposal : .comment, on: range) }
    }

    /// Replies in a thread.
    @discardableResult
    public func reply(to threadId: String, _ body: String) -> Task<Void, Never> {
        onShown { try await self.sotay.reply(docId: $0, to: threadId, body) }
    }

    /// Edits one of the member's comments.
    @discardableResult
    public func edit(_ commentId: String, _ body: String) -> Task<Void, Never> {
        onShown { try await self.sotay.editComment(docId: $0, commentId: commentId, body) }
    }

    /// Deletes one of the member's comments.
    @discardableResult
    public func delete(_ commentId: String) -> Task<Void, Never> {
        onShown { try await self.sotay.deleteComment(docId: $0, commentId: commentId) }
    }

    /// Resolves or reopens a thread.
    @discardableResult
    public func resolve(_ threadId: String, resolved: Bool = true) -> Task<Void, Never> {
        onShown { try await self.sotay.resolveComment(docId: $0, commentId: threadId, resolved: resolved) }
    }

    /// Decides a proposal.
    @discardableResult
    public func decide(_ proposalId: String, _ status: ProposalStatus) -> Task<Void, Never> {
        onShown { try await self.sotay.setProposalStatus(docId: $0, commentId: proposalId, status) }
    }
}
