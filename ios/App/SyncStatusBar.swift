// The sync bar at the bottom of every screen.

import SoTayKit
import SwiftUI

/// Offline, syncing with progress, last synced, edits waiting; a button to sync now.
struct SyncStatusBar: View {
    let vm: SyncStatusViewModel

    var body: some View {
        HStack(spacing: 12) {
            icon
            VStack(alignment: .leading, spacing: 2) {
                Text(title).font(.subheadline.weight(.semibold))
                if let detail { Text(detail).font(.caption).foregroundStyle(.secondary) }
            }
            Spacer()
            Button("Đồng bộ") { vm.syncNow() }
                .buttonStyle(.bordered)
                .disabled(vm.state.isSyncing || vm.state.needsEnrollment)
        }
        .padding(.horizontal)
        .padding(.vertical, 8)
        .background(.bar)
    }

    @ViewBuilder private var icon: some View {
        if vm.state.isSyncing {
            ProgressView()
        } else if vm.state.isOffline {
            Image(systemName: "wifi.slash").foregroundStyle(.orange)
        } else if vm.state.needsEnrollment {
            Image(systemName: "person.badge.key").foregroundStyle(.red)
        } else {
            Image(systemName: "checkmark.icloud").foregroundStyle(.green)
        }
    }

    private var title: String {
        let s = vm.state
        if let p = s.progress {
            return p.docsApplied > 0 ? "Đang đồng bộ… (\(p.docsApplied) tài liệu)" : "Đang đồng bộ…"
        }
        if s.needsEnrollment { return "Chưa đăng ký thiết bị" }
        if s.isOffline { return "Ngoại tuyến — mọi thay đổi vẫn được lưu" }
        if case .failed = s.status { return "Đồng bộ không thành công" }
        if let last = s.lastSynced { return "Đã đồng bộ \(last.formatted(.relative(presentation: .named)))" }
        return "Chưa đồng bộ lần nào"
    }

    private var detail: String? {
        let n = vm.state.unsentDocuments
        return n > 0 ? "\(n) tài liệu chờ gửi" : nil
    }
}
