// The proposals board: every proposal of the year by stage; task owners post progress.

import SoTayKit
import SwiftUI

struct ProposalsBoardView: View {
    @State private var vm: ProposalsBoardViewModel
    private let stages: [ProposalStage] = [.overdue, .adopted, .open, .done, .rejected]

    init(sotay: SoTay) {
        let year = Int32(Calendar.current.component(.year, from: .now))
        _vm = State(initialValue: ProposalsBoardViewModel(sotay: sotay, year: year))
    }

    var body: some View {
        List {
            if vm.state.items.isEmpty && !vm.state.loading {
                Text("Chưa có hiến kế nào").foregroundStyle(.secondary)
            }
            ForEach(stages, id: \.self) { stage in
                let items = vm.state.at(stage)
                if !items.isEmpty {
                    Section("\(stage.label) (\(items.count))") {
                        ForEach(items, id: \.commentId) { p in
                            VStack(alignment: .leading) {
                                Text(p.excerpt)
                                Text("\(vm.state.name(of: p.author)) — trong «\(p.docTitle)»")
                                    .font(.caption).foregroundStyle(.secondary)
                                if let t = p.task {
                                    Text("\(t.title) · \(vm.state.name(of: t.owner)) · hạn \(Labels.date(t.deadline)) · \(t.status.label)")
                                        .font(.caption)
                                    if t.owner == vm.state.me && t.status != .done {
                                        Button(TaskStatus.done.label) { vm.updateTask(t, .done) }.buttonStyle(.borderless)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        .navigationTitle("Hiến kế năm \(vm.state.year.map { String($0) } ?? "")")
        .overlay { if vm.state.loading { ProgressView() } }
        .errorAlert(vm.state.error) { vm.clearError() }
    }
}
