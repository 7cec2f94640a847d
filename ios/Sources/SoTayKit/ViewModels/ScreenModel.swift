// The base of SoTayKit's view models.

import Foundation
import Observation
import SoTayFFI

/// A screen's state: an immutable value with the error the screen shows.
public protocol ScreenState: Sendable {
    /// The last action's or load's error (`nil`: none shown).
    var error: ApiError? { get set }
}

/// The base of SoTay's view models: `@Observable` on the main actor, one immutable ``state``
/// value that SwiftUI views read (and observe), plain Swift so they run and are tested on
/// Linux. They mirror the Android layer's `vn.sotay.viewmodel` one for one.
///
/// Actions return the `Task` doing them (screens ignore it; tests await its `value`). A failed
/// action leaves its ``ApiError`` in the state's `error` for the screen to show until
/// dismissed (``clearError()``) or a later action succeeds; the store's listeners bring every
/// change — local or synced — back as a reload. The listeners stop when the view model is
/// released or ``close()`` is called.
@MainActor
@Observable
public class ScreenModel<State: ScreenState> {
    /// What the screen shows.
    public internal(set) var state: State

    /// The store.
    @ObservationIgnored public let sotay: SoTay

    /// Long-lived work (listener loops), cancelled by `close()` and on release.
    @ObservationIgnored private let work = TaskBag()

    /// The reload in flight: reloads never overlap, each waits for the one before.
    @ObservationIgnored private var lastReload: Task<Void, Never>?

    init(sotay: SoTay, initial: State) {
        self.sotay = sotay
        self.state = initial
    }

    deinit {
        work.cancelAll()
    }

    /// Reads what the state needs from the store (called at start, on changes, after
    /// actions). Subclasses override it.
    func load(_ current: State) async throws -> State {
        current
    }

    /// Takes into a loaded state what actions own — not read from the store, such as a
    /// download in flight — from `latest`, the state when the load ends (an action may have
    /// changed it meanwhile). Nothing by default.
    func keepActionState(_ next: inout State, from latest: State) {}

    /// Loads the state again now.
    @discardableResult
    public func refresh() -> Task<Void, Never> {
        Task { await self.reload() }
    }

    /// Loads the state again, after any reload already running.
    func reload() async {
        let previous = lastReload
        let task = Task { [weak self] in
            await previous?.value
            guard let self else { return }
            do {
                var next = try await self.load(self.state)
                self.keepActionState(&next, from: self.state)
                // An action's error stays shown until dismissed or a later action succeeds.
                next.error = self.state.error
                self.state = next
            } catch {
                self.state.error = ApiError(error)
            }
        }
        lastReload = task
        await task.value
    }

    /// Reloads whenever `signals` yields (conflated by the stream: a burst is one reload).
    func reload(on signals: AsyncStream<Void>) {
        work.add(Task { [weak self] in
            for await _ in signals {
                guard let self else { return }
                await self.reload()
            }
        })
    }

    /// Follows `stream`, applying each value to the state.
    func follow<T: Sendable>(_ stream: AsyncStream<T>, _ apply: @escaping @MainActor (inout State, T) -> Void) {
        work.add(Task { [weak self] in
            for await value in stream {
                guard let self else { return }
                apply(&self.state, value)
            }
        })
    }

    /// Runs an action, then reloads; a failure is shown as the state's error.
    @discardableResult
    func act(_ action: @escaping @MainActor () async throws -> Void) -> Task<Void, Never> {
        Task { [weak self] in
            do {
                try await action()
                self?.state.error = nil
                await self?.reload()
            } catch {
                self?.state.error = ApiError(error)
            }
        }
    }

    /// Dismisses the error shown.
    public func clearError() {
        state.error = nil
    }

    /// Stops this view model's work (its listeners unregister). Releasing it does the same.
    public func close() {
        work.cancelAll()
    }
}

extension ApiError {
    /// Any error as an `ApiError` (the store only throws `ApiError`; anything else is a bug).
    init(_ error: any Error) {
        self = (error as? ApiError) ?? .Internal(message: String(describing: error))
    }
}

/// Tasks to cancel together; usable from `deinit` (it is `Sendable` and locked).
final class TaskBag: @unchecked Sendable {
    private let lock = NSLock()
    private var tasks: [Task<Void, Never>] = []

    func add(_ task: Task<Void, Never>) {
        lock.lock()
        tasks.append(task)
        lock.unlock()
    }

    func cancelAll() {
        lock.lock()
        let all = tasks
        tasks = []
        lock.unlock()
        all.forEach { $0.cancel() }
    }
}
