// The foreign-trait listeners of the bindings as AsyncStreams.
//
// Rust calls a listener from its own delivery thread, in order, never while the store is
// locked. A relay (the Swift object Rust holds) puts each value in a mailbox; the stream
// takes them out. Ownership runs one way only — stream → handle → (Rust) → relay → mailbox —
// so dropping the stream, or cancelling the task iterating it, drops the handle, and Rust
// unregisters the relay and releases it: no retain cycle keeps a listener alive.

import Foundation
import SoTayFFI

extension SoTay {
    /// A stream over one listener registration. `register` is called at once (the listener
    /// is registered before the stream is returned) with the function that delivers a value.
    func stream<T: Sendable>(
        bufferingPolicy policy: Mailbox<T>.Policy,
        register: (_ deliver: @escaping @Sendable (T) -> Void) -> ListenerHandle
    ) -> AsyncStream<T> {
        let mailbox = Mailbox<T>(policy)
        // The relay holds the mailbox; the stream holds the mailbox and the handle.
        let handle = register { [mailbox] value in mailbox.push(value) }
        return AsyncStream(
            unfolding: { [handle] in
                _ = handle  // the stream owns the registration: releasing it unregisters
                return await mailbox.next()
            },
            onCancel: { [handle] in handle.cancel() }
        )
    }
}

/// Values handed from Rust's delivery thread to one stream's consumer.
final class Mailbox<T: Sendable>: @unchecked Sendable {
    /// What to keep while the consumer is busy.
    enum Policy: Sendable {
        /// Every value, in order.
        case unbounded
        /// Only the newest value (a conflated signal).
        case newest
    }

    // Guarded by `lock`.
    private let lock = NSLock()
    private let policy: Policy
    private var buffer: [T] = []
    private var head = 0
    private var waiter: CheckedContinuation<T?, Never>?
    private var finished = false

    init(_ policy: Policy) {
        self.policy = policy
    }

    /// Delivers a value: to the waiting consumer, or into the buffer.
    func push(_ value: T) {
        lock.lock()
        if finished {
            lock.unlock()
            return
        }
        if let w = waiter {
            waiter = nil
            lock.unlock()
            w.resume(returning: value)
            return
        }
        switch policy {
        case .unbounded:
            buffer.append(value)
        case .newest:
            buffer = [value]
            head = 0
        }
        lock.unlock()
    }

    /// The next value, waiting for it; `nil` once the consuming task is cancelled.
    func next() async -> T? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<T?, Never>) in
                lock.lock()
                if head < buffer.count {
                    let v = buffer[head]
                    head += 1
                    if head == buffer.count {
                        buffer.removeAll(keepingCapacity: true)
                        head = 0
                    }
                    lock.unlock()
                    c.resume(returning: v)
                } else if finished || Task.isCancelled {
                    finished = true
                    lock.unlock()
                    c.resume(returning: nil)
                } else {
                    waiter = c
                    lock.unlock()
                }
            }
        } onCancel: {
            finish()
        }
    }

    /// Ends the stream: a waiting consumer gets `nil`, later values are dropped.
    func finish() {
        lock.lock()
        finished = true
        let w = waiter
        waiter = nil
        lock.unlock()
        w?.resume(returning: nil)
    }
}

/// How many relays Rust still holds (tests check that a cancelled stream's is released).
final class ListenerCount: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0

    var value: Int {
        lock.lock()
        defer { lock.unlock() }
        return n
    }

    func add(_ delta: Int) {
        lock.lock()
        n += delta
        lock.unlock()
    }
}

/// The sync-status listener Rust calls.
final class StatusRelay: SyncStatusListener {
    private let deliver: @Sendable (SyncStatus) -> Void
    private let count: ListenerCount

    init(_ deliver: @escaping @Sendable (SyncStatus) -> Void, count: ListenerCount) {
        self.deliver = deliver
        self.count = count
        count.add(1)
    }

    deinit { count.add(-1) }

    func onStatus(status: SyncStatus) { deliver(status) }
}

/// The document-change listener Rust calls.
final class ChangeRelay: DocumentChangeListener {
    private let deliver: @Sendable ([String]) -> Void
    private let count: ListenerCount

    init(_ deliver: @escaping @Sendable ([String]) -> Void, count: ListenerCount) {
        self.deliver = deliver
        self.count = count
        count.add(1)
    }

    deinit { count.add(-1) }

    func onDocumentsChanged(docIds: [String]) { deliver(docIds) }
}
