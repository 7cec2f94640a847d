// "My participation": the member's figures for the year with their evidence, and the notice.

import QuickLook
import SoTayKit
import SwiftUI

struct ParticipationView: View {
    @State private var vm: ParticipationViewModel
    /// The cache copy of the sheet QuickLook shows (print and share from there).
    @State private var preview: URL?

    init(sotay: SoTay) {
        let year = Int32(Calendar.current.component(.year, from: .now))
        _vm = State(initialValue: ParticipationViewModel(sotay: sotay, year: year))
    }

    var body: some View {
        List {
            Section { Button("Xuất phiếu minh chứng (DOCX)") { vm.exportSheet(format: .docx) } }
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
        .onChange(of: vm.state.paper) { _, paper in
            guard let paper else { return }
            preview = try? PaperFiles.copy(paper)
            vm.closePaper()
        }
        .quickLookPreview($preview)
    }
}

/// Cache copies of papers written on the phone, for QuickLook (print, share).
enum PaperFiles {
    /// Writes `paper` to `Caches/papers/<file name>` and returns its URL.
    static func copy(_ paper: Paper) throws -> URL {
        let dir = URL.cachesDirectory.appending(path: "papers")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appending(path: paper.fileName)
        try paper.bytes.write(to: url)
        return url
    }
}
