// The SoTay iOS app: thin SwiftUI screens over SoTayKit's view models.
//
// NOT built on Linux (SwiftUI does not exist there) and not part of Package.swift: it is the
// source of the Xcode app target (see ios/README.md). Everything it shows comes from the
// @Observable view models, which are built and tested on Linux by scripts/swift-test.sh.

import SoTayKit
import SwiftUI

@main
struct SoTayApp: App {
    @State private var opener = StoreOpener()

    var body: some Scene {
        WindowGroup {
            Group {
                switch opener.phase {
                case .opening:
                    ProgressView("Đang mở sổ tay…")
                case .failed(let message):
                    ContentUnavailableView(
                        "Không mở được sổ tay", systemImage: "exclamationmark.triangle",
                        description: Text(message))
                case .open(let sotay):
                    MainView(sotay: sotay)
                }
            }
            .task { await opener.open() }
        }
    }
}

/// Opens the phone's store once, in the app's documents directory.
@MainActor
@Observable
final class StoreOpener {
    enum Phase {
        case opening
        case open(SoTay)
        case failed(String)
    }

    private(set) var phase = Phase.opening

    func open() async {
        guard case .opening = phase else { return }
        let path = URL.documentsDirectory.appending(path: "sotay.db").path(percentEncoded: false)
        do {
            phase = .open(try await SoTay.open(path: path))
        } catch {
            phase = .failed(ErrorText.of(error))
        }
    }
}

/// The branch home with the sync bar; enrollment first when the device has none.
struct MainView: View {
    let sotay: SoTay
    @State private var sync: SyncStatusViewModel
    @State private var home: BranchHomeViewModel

    init(sotay: SoTay) {
        self.sotay = sotay
        _sync = State(initialValue: SyncStatusViewModel(sotay: sotay))
        _home = State(initialValue: BranchHomeViewModel(sotay: sotay))
    }

    var body: some View {
        NavigationStack {
            BranchHomeView(vm: home)
                .safeAreaInset(edge: .bottom) { SyncStatusBar(vm: sync) }
                .navigationDestination(for: Route.self) { route in
                    switch route {
                    case .plan(let id): PlanEditorView(sotay: sotay, planId: id)
                    case .topic(let plan, let topic): TopicDraftView(sotay: sotay, planId: plan, topicId: topic)
                    case .approval(let doc): ApprovalView(sotay: sotay, docId: doc)
                    case .reading(let open): ReadingListView(sotay: sotay, open: open)
                    case .session(let id): SessionRecordView(sotay: sotay, sessionId: id)
                    case .proposals: ProposalsBoardView(sotay: sotay)
                    case .participation: ParticipationView(sotay: sotay)
                    case .overview: BranchOverviewView(sotay: sotay)
                    }
                }
        }
        .sheet(isPresented: .constant(sync.state.needsEnrollment)) {
            EnrollView(sotay: sotay) { sync.syncNow() }
                .interactiveDismissDisabled()
        }
        .refreshable { await sync.syncNow().value }
    }
}

/// Where the screens lead.
enum Route: Hashable {
    case plan(String)
    case topic(plan: String, topic: String)
    case approval(String)
    /// The reading list, with this item open (`nil`: the list).
    case reading(ReadingItem?)
    case session(String)
    case proposals
    case participation
    case overview
}
