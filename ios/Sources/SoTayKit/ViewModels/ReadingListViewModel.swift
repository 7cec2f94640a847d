// The member's reading list, and the draft or material open.

import Foundation
import SoTayFFI

/// The member's reading list, and the draft or material open.
public struct ReadingListState: ScreenState, Equatable {
    public var loading = true
    /// Every draft and material published to the member's branch, newest session first (the
    /// core's list).
    public var items: [ReadingItem] = []
    /// The item open, if any.
    public var openItem: ReadingItem?
    /// Its text as published for the session (the exact version sent out), with its comments.
    public var openDocument: TextDocument?
    public var error: ApiError?

    /// How many are not opened yet (the badge).
    public var unreadCount: Int { items.filter { $0.openedAt == nil }.count }
}

/// "My reading list": what the branch published for its sessions, with when the member first
/// opened each. Opening one (``open(_:)``) shows the version published and records the
/// receipt (once, offline; it syncs like any edit, and the secretary's distribution report
/// shows it). Reloads on every document change: a sync bringing a session, or a receipt from
/// the member's other phone. Mirrors Android's `ReadingListViewModel`.
@MainActor
public final class ReadingListViewModel: ScreenModel<ReadingListState> {
    /// The open item's session and document.
    private var openKey: (session: String, doc: String)?

    public init(sotay: SoTay) {
        super.init(sotay: sotay, initial: ReadingListState())
        reload(on: sotay.reloadSignals())
        refresh()
    }

    override func load(_ current: ReadingListState) async throws -> ReadingListState {
        let items = try await sotay.readingList()
        let item = openKey.flatMap { key in items.first { $0.sessionId == key.session && $0.docId == key.doc } }
        var next = current
        next.loading = false
        next.items = items
        next.openItem = item
        next.openDocument = nil
        if let item { next.openDocument = try await published(item) }
        return next
    }

    /// The draft or material exactly as it was published for the item's session.
    private func published(_ item: ReadingItem) async throws -> TextDocument {
        let heads = try await sotay.session(item.sessionId).distribution.first { $0.docId == item.docId }?.heads ?? []
        return heads.isEmpty ? try await sotay.textDoc(item.docId) : try await sotay.textDoc(item.docId, at: heads)
    }

    /// Opens `item`: shows the version published and records that the member read it.
    @discardableResult
    public func open(_ item: ReadingItem) -> Task<Void, Never> {
        open(sessionId: item.sessionId, docId: item.docId)
    }

    /// Opens the draft or material `docId` published for `sessionId`.
    @discardableResult
    public func open(sessionId: String, docId: String) -> Task<Void, Never> {
        act {
            // NotFound (not synced here yet) before any receipt is written.
            try await self.sotay.markOpened(docId: docId)
            self.openKey = (sessionId, docId)
        }
    }

    /// Back to the list.
    @discardableResult
    public func closeDocument() -> Task<Void, Never> {
        act { self.openKey = nil }
    }
}
