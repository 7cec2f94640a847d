// The listener contract, through the generated bindings and through the AsyncStreams.

import Foundation
import XCTest
@testable import SoTayKit

/// Records what a generated-protocol listener hears.
private final class Heard<T: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: [T] = []

    func add(_ value: T) {
        condition.lock()
        queue.append(value)
        condition.signal()
        condition.unlock()
    }

    func next(within seconds: Double = waitSeconds) -> T? {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date().addingTimeInterval(seconds)
        while queue.isEmpty {
            if !condition.wait(until: deadline) { return nil }
        }
        return queue.removeFirst()
    }

    /// Nothing arrives for a while.
    var silent: Bool { next(within: 0.3) == nil }
}

private final class StatusProbe: SyncStatusListener {
    let heard = Heard<SyncStatus>()
    func onStatus(status: SyncStatus) { heard.add(status) }
}

private final class ChangeProbe: DocumentChangeListener {
    let heard = Heard<[String]>()
    func onDocumentsChanged(docIds: [String]) { heard.add(docIds) }
}

/// The sync-status listener hears the current value at once; a cancelled handle, a cancelled
/// iterating task or a dropped stream hears nothing more, and Rust releases the listener.
final class ListenerTests: XCTestCase {
    func test_generated_listeners_hear_the_current_value_at_once_and_nothing_after_cancel() async throws {
        let phones = try Phones()
        defer { phones.close() }
        let store = try SotayStore.open(path: phones.dir.appendingPathComponent("raw.sotay").path)
        try store.setIdentity(memberId: "m-viet")

        let statuses = StatusProbe()
        let statusHandle = store.subscribeSyncStatus(listener: statuses)
        XCTAssertEqual(statuses.heard.next(), .notEnrolled, "the current status, at once")

        let changes = ChangeProbe()
        let changeHandle = store.subscribeDocumentChanges(listener: changes)
        let plan = try store.createPlan(plan: plan2026())
        XCTAssertEqual(changes.heard.next(), [plan])
        let t = try store.addTopic(planId: plan, topic: topic("Chuyên đề tháng 4", month: 4))
        XCTAssertEqual(changes.heard.next(), [plan])

        changeHandle.cancel()
        try store.setTopicField(planId: plan, topicId: t, field: .notes(value: "sau khi hủy"))
        XCTAssertTrue(changes.heard.silent, "a cancelled handle hears nothing")
        statusHandle.cancel()
        XCTAssertTrue(statuses.heard.silent)
    }

    func test_sync_status_stream_delivers_the_current_value_first() async throws {
        let phones = try Phones()
        defer { phones.close() }
        let sotay = try await phones.local()
        let first = try await firstValue(sotay.syncStatus)
        XCTAssertEqual(first, .notEnrolled)
    }

    func test_document_changes_stream_delivers_every_change_in_order() async throws {
        let phones = try Phones()
        defer { phones.close() }
        let sotay = try await phones.local()
        let plan = try await sotay.createPlan(plan2026())
        // Registered when the stream is made, before the edits.
        let changes = sotay.documentChanges
        let ofPlan = sotay.changes(of: plan)
        let t = try await sotay.addTopic(planId: plan, topic("Chuyên đề", month: 4))
        try await sotay.setTopicField(planId: plan, topicId: t, .notes(value: "Ghi chú"))
        let draftId = try await sotay.createTextDoc(draft(plan: plan, topic: t, body: "Nội dung."))

        let three = try await withTimeout { () -> [[String]] in
            var seen: [[String]] = []
            for await ids in changes {
                seen.append(ids)
                if seen.count == 3 { break }
            }
            return seen
        }
        XCTAssertEqual(three, [[plan], [plan], [draftId]])
        let twoOfPlan = try await withTimeout { () -> Int in
            var n = 0
            for await _ in ofPlan {
                n += 1
                if n == 2 { break }
            }
            return n
        }
        XCTAssertEqual(twoOfPlan, 2, "changes(of:) skips other documents")
    }

    func test_cancelling_the_iterating_task_stops_delivery_and_releases_the_listener() async throws {
        let phones = try Phones()
        defer { phones.close() }
        let sotay = try await phones.local()
        let heard = Collected<[String]>()
        let task = heard.collect(sotay.documentChanges)
        XCTAssertEqual(sotay.liveListeners.value, 1)
        let plan = try await sotay.createPlan(plan2026())
        try await eventually("the first change") { heard.values == [[plan]] }

        task.cancel()
        await task.value
        try await eventually("Rust released the listener") { sotay.liveListeners.value == 0 }
        try await sotay.addTopic(planId: plan, topic("Sau khi hủy", month: 5))
        try await Task.sleep(nanoseconds: 300_000_000)
        XCTAssertEqual(heard.values, [[plan]], "nothing after cancellation")
    }

    func test_leaving_the_loop_or_dropping_the_stream_releases_the_listener() async throws {
        let phones = try Phones()
        defer { phones.close() }
        let sotay = try await phones.local()
        // Leaving a for-await loop drops the stream and its iterator.
        let first = try await firstValue(sotay.syncStatus)
        XCTAssertEqual(first, .notEnrolled)
        try await eventually("the loop's listener released") { sotay.liveListeners.value == 0 }

        // A stream made and never iterated.
        do {
            let unused = sotay.documentChanges
            XCTAssertEqual(sotay.liveListeners.value, 1)
            _ = unused
        }
        try await eventually("the dropped stream's listener released") { sotay.liveListeners.value == 0 }
    }
}
