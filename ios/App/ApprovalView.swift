// Approval: the secretary approves; members see the status and the changes since.

import SoTayKit
import SwiftUI

struct ApprovalView: View {
    @State private var vm: ApprovalViewModel
    @State private var note = ""

    init(sotay: SoTay, docId: String) {
        _vm = State(initialValue: ApprovalViewModel(sotay: sotay, docId: docId))
    }

    var body: some View {
        List {
            Section("Tình trạng") {
                status
            }
            if let delta = vm.state.changesSinceApproval {
                Section("Thay đổi sau khi phê duyệt (\(delta.changeCount))") {
                    ForEach(Labels.lines(of: delta), id: \.self) { Text($0) }
                }
            }
            if vm.state.mayApprove, let rights = vm.state.rights, !rights.blockers.isEmpty {
                Section("Chưa thể phê duyệt") {
                    ForEach(Labels.lines(of: rights.blockers), id: \.self) { Text($0) }
                }
            }
            Section {
                TextField("Ghi chú", text: $note)
                Button("Trình duyệt phiên bản này") { vm.submit(note: note) }
                if vm.state.mayApprove {
                    Button("Phê duyệt phiên bản này") { vm.approve(note: note) }
                        .disabled(!vm.state.canApproveNow)
                }
                if vm.state.unsent > 0 {
                    Text("\(vm.state.unsent) chữ ký chờ gửi ở lần đồng bộ tới").font(.caption)
                }
            }
        }
        .navigationTitle("Phê duyệt")
        .overlay { if vm.state.loading { ProgressView() } }
        .errorAlert(vm.state.error) { vm.clearError() }
    }

    @ViewBuilder private var status: some View {
        let state = vm.state.status
        switch state {
        case .notSubmitted:
            Text(state.label)
        case .submitted(let by, let at, _, _):
            Text("\(state.label) — \(by), \(Labels.time(at))")
        case .approved(let a):
            Label("\(state.label) — chữ ký hợp lệ", systemImage: "checkmark.seal.fill").foregroundStyle(.green)
            Text("\(a.signer) (\(a.role.label)), \(Labels.time(a.signedAt))")
        case .approvedWithChanges(let a, _):
            Label(state.label, systemImage: "checkmark.seal").foregroundStyle(.orange)
            Text("\(a.signer) (\(a.role.label)), \(Labels.time(a.signedAt))")
        case .invalid(_, _, let reasonVi, _):
            Label(state.label, systemImage: "xmark.seal").foregroundStyle(.red)
            Text(reasonVi)
        }
    }
}
