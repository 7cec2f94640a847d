// Phones, fixtures and waiting helpers shared by the tests.

import Foundation
import XCTest
@testable import SoTayKit

/// How long a test waits for something asynchronous (a listener, a view model reload).
let waitSeconds: Double = 15

/// Phones' stores in a temporary directory, deleted by `close()`.
final class Phones: @unchecked Sendable {
    let dir: URL

    init() throws {
        dir = try temporaryDirectory("sotay-phones")
    }

    /// Opens (creates) phone `name`'s store.
    func open(_ name: String) async throws -> SoTay {
        try await SoTay.open(path: dir.appendingPathComponent("\(name).sotay").path)
    }

    /// Enrolls a new phone of `member` with the server's code and syncs once (the directory).
    func enrolled(_ server: TestServer, _ member: String) async throws -> SoTay {
        let phone = try await open(member)
        guard let code = server.codes[member] else {
            throw TestFailure("no enrollment code for \(member): \(server.codes.keys.sorted())")
        }
        try await phone.enroll(serverURL: server.url, code: code, deviceName: "Điện thoại của \(member)")
        try await phone.sync()
        return phone
    }

    /// A phone without a server, editing as secretary Việt, with a small local directory.
    func local(_ name: String = "local") async throws -> SoTay {
        let phone = try await open(name)
        try await phone.setIdentity("m-viet")
        for (id, fullName, role) in [
            ("m-viet", "Nguyễn Văn Việt", Role.secretary),
            ("m-luong", "Hoàng Đức Lượng", Role.member),
            ("m-hoa", "Lê Thị Hoa", Role.executive),
        ] {
            try await phone.upsertMember(Member(
                id: id, branchId: TestServer.branch, fullName: fullName, role: role, status: .full))
        }
        return phone
    }

    func close() {
        try? FileManager.default.removeItem(at: dir)
    }
}

/// The demo branch's 2026 plan.
func plan2026() -> NewPlan {
    NewPlan(branchId: TestServer.branch, year: 2026, title: "", number: "01-KH/CB",
            issueDate: "15/01/2026", purpose: "", implementation: "")
}

/// A topic with everything approval needs (month, preparer, presenter).
func topic(
    _ title: String, month: UInt32, preparer: String = "m-luong", presenter: String? = "m-luong",
    group: TopicGroup = .productionTargets
) -> NewTopic {
    NewTopic(title: title, group: group, month: month, scheduledDate: nil,
             combinedWithRegularMeeting: false, preparers: [preparer], presenter: presenter,
             executive: nil, draftDeadline: nil, expectedOutput: "", notes: "")
}

/// A topic draft.
func draft(plan: String, topic: String, body: String) -> NewTextDoc {
    NewTextDoc(kind: .topicDraft, branchId: TestServer.branch, planId: plan, topicId: topic,
               title: "Dự thảo chuyên đề", description: "", body: body)
}

/// Runs `body`, failing with a timeout after `seconds`.
func withTimeout<T: Sendable>(
    _ seconds: Double = waitSeconds, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000))
            throw TestFailure("timed out after \(seconds) s")
        }
        defer { group.cancelAll() }
        guard let first = try await group.next() else { throw TestFailure("no result") }
        return first
    }
}

/// The first element of `stream`, within the timeout (`nil` if it ended).
func firstValue<T: Sendable>(_ stream: AsyncStream<T>) async throws -> T? {
    try await withTimeout {
        for await value in stream { return value }
        return nil
    }
}

/// Waits until `condition` holds (polling), within the timeout.
func eventually(
    _ what: String = "condition",
    file: StaticString = #filePath, line: UInt = #line,
    isolation: isolated (any Actor)? = #isolation,
    _ condition: () async throws -> Bool
) async throws {
    let deadline = Date().addingTimeInterval(waitSeconds)
    while try await !condition() {
        if Date() > deadline {
            XCTFail("timed out waiting for \(what)", file: file, line: line)
            throw TestFailure("timed out waiting for \(what)")
        }
        try await Task.sleep(nanoseconds: 20_000_000)
    }
}

/// Waits until the view model's state satisfies `predicate`; returns that state.
@MainActor
func awaitState<S: ScreenState>(
    _ vm: ScreenModel<S>, file: StaticString = #filePath, line: UInt = #line,
    _ predicate: (S) -> Bool
) async throws -> S {
    let deadline = Date().addingTimeInterval(waitSeconds)
    while !predicate(vm.state) {
        if Date() > deadline {
            XCTFail("timed out; state: \(vm.state)", file: file, line: line)
            throw TestFailure("timed out waiting for a state")
        }
        try await Task.sleep(nanoseconds: 20_000_000)
    }
    return vm.state
}

/// Asserts that `body` throws an `ApiError` matching `matches`.
func assertThrows<T: Sendable>(
    _ body: () async throws -> T, file: StaticString = #filePath, line: UInt = #line,
    isolation: isolated (any Actor)? = #isolation,
    _ matches: (ApiError) -> Bool
) async {
    do {
        _ = try await body()
        XCTFail("expected an error", file: file, line: line)
    } catch let e as ApiError {
        XCTAssertTrue(matches(e), "unexpected \(e)", file: file, line: line)
    } catch {
        XCTFail("unexpected \(error)", file: file, line: line)
    }
}

/// Values collected from a stream by a background task.
final class Collected<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [T] = []

    var values: [T] {
        lock.lock()
        defer { lock.unlock() }
        return items
    }

    func append(_ value: T) {
        lock.lock()
        items.append(value)
        lock.unlock()
    }

    /// Collects `stream` until the returned task is cancelled.
    func collect(_ stream: AsyncStream<T>) -> Task<Void, Never> {
        Task { for await value in stream { self.append(value) } }
    }
}

extension ApiError {
    /// The case's name ("NotPermitted"), for assertions.
    var caseName: String { String(String(describing: self).prefix { $0 != "(" }) }
}
