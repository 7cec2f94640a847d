// "My participation": the member's figures for the year with their evidence, and the notice.

import SoTayKit
import SwiftUI

struct ParticipationView: View {
    @State private var vm: ParticipationViewModel

    init(sotay: SoTay) {
        let year = Int32(Calendar.current.component(.year, from: .now))
        _vm = State(initialValue: ParticipationViewModel(sotay: sotay, year: year))
    }

    var body: some View {
        List {
            if !vm.state.notice.isEmpty {
                // Always shown: a proposal for the branch's vote, never a rating.
                Section { Label(vm.state.notice, systemImage: "info.circle") }
            }
            if let flag = vm.state.absenceFlag {
                Section {
                    Text("Vắng không lý do trong các tháng: \(flag.months.map { String($0) }.joined(separator: ", "))")
                        .foregroundStyle(.orange)
                }
            }
            ForEach([EvidenceFrame.general, .taskResults], id: \.self) { frame in
                Section(frame.label) {
                    ForEach(vm.state.figures(frame), id: \.category) { f in
                        DisclosureGroup("\(f.category.label): \(f.count) (\(f.points.formatted(.number.precision(.fractionLength(2)))) điểm)") {
                            ForEach(f.evidence, id: \.self) { e in Text(e.note).font(.caption) }
                        }
                    }
                }
            }
            if let e = vm.state.evidence {
                Section {
                    Text("Điểm gợi ý: tiêu chí chung \(e.generalPoints.formatted(.number.precision(.fractionLength(2)))) · kết quả nhiệm vụ \(e.taskPoints.formatted(.number.precision(.fractionLength(2))))")
                }
            }
        }
        .navigationTitle("Minh chứng năm \(String(vm.state.year))")
        .overlay { if vm.state.loading { ProgressView() } }
        .errorAlert(vm.state.error) { vm.clearError() }
    }
}
