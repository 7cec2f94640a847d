// The secretary's overview of the branch's year.

import SoTayKit
import SwiftUI

struct BranchOverviewView: View {
    @State private var vm: BranchOverviewViewModel

    init(sotay: SoTay) {
        let year = Int32(Calendar.current.component(.year, from: .now))
        _vm = State(initialValue: BranchOverviewViewModel(sotay: sotay, year: year))
    }

    var body: some View {
        List {
            Section("Theo quý (HD 12: mỗi quý ít nhất một buổi)") {
                LabeledContent("Quý I · II · III · IV", value: vm.state.heldPerQuarter.map { String($0) }.joined(separator: " · "))
                if !vm.state.quartersMissed.isEmpty {
                    Text("Quý chưa sinh hoạt chuyên đề: \(vm.state.quartersMissed.map { String($0) }.joined(separator: ", "))")
                        .foregroundStyle(.orange)
                }
            }
            if let o = vm.state.overview {
                Section("Hiến kế") {
                    LabeledContent("Chưa xem xét", value: String(o.openProposals))
                    LabeledContent("Quá hạn", value: String(o.overdueProposals))
                }
                if !o.absenceFlags.isEmpty {
                    Section("Vắng không lý do (Điều lệ Đảng, Điều 8)") {
                        ForEach(o.absenceFlags, id: \.memberId) { f in
                            Text("\(f.name): tháng \(f.months.map { String($0) }.joined(separator: ", "))")
                        }
                    }
                }
            }
            Section("Các buổi sinh hoạt") {
                ForEach(vm.state.sessions, id: \.sessionId) { s in
                    NavigationLink(value: Route.session(s.sessionId)) {
                        VStack(alignment: .leading) {
                            Text(s.title)
                            Text("Ngày \(Labels.date(s.sessionDate)) · "
                                 + (s.adopted ? "biên bản đã thông qua" : s.held ? "biên bản chưa thông qua" : "chưa sinh hoạt"))
                                .font(.caption)
                            Text("\(s.published) tài liệu · \(s.publishedLate) gửi muộn · \(s.unread) lượt chưa đọc")
                                .font(.caption).foregroundStyle(s.publishedLate > 0 ? Color.orange : Color.secondary)
                            if s.durationOk == false {
                                Text("Thời lượng chưa đủ theo quy định").font(.caption).foregroundStyle(.red)
                            }
                        }
                    }
                }
            }
        }
        .navigationTitle("Sinh hoạt chuyên đề năm \(String(vm.state.year))")
        .overlay { if vm.state.loading { ProgressView() } }
        .errorAlert(vm.state.error) { vm.clearError() }
    }
}
