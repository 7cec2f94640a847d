// "My reading list": what the branch published for its sessions.

import SoTayKit
import SwiftUI

struct ReadingListView: View {
    @State private var vm: ReadingListViewModel
    private let openFirst: ReadingItem?

    init(sotay: SoTay, open: ReadingItem?) {
        _vm = State(initialValue: ReadingListViewModel(sotay: sotay))
        openFirst = open
    }

    var body: some View {
        List {
            if let doc = vm.state.openDocument, let item = vm.state.openItem {
                Section("\(item.kind.label): \(item.title)") {
                    Text("Gửi cho buổi sinh hoạt «\(item.sessionTitle)» ngày \(Labels.date(item.sessionDate))")
                        .font(.caption).foregroundStyle(.secondary)
                    Text(doc.body)
                    Button("Về danh sách") { vm.closeDocument() }
                }
            } else {
                Section("\(vm.state.unreadCount) tài liệu chưa đọc") {
                    if vm.state.items.isEmpty && !vm.state.loading {
                        Text("Chưa có tài liệu nào được gửi").foregroundStyle(.secondary)
                    }
                    ForEach(vm.state.items, id: \.self) { item in
                        Button { vm.open(item) } label: {
                            VStack(alignment: .leading) {
                                Text("\(item.kind.label): \(item.title)")
                                if let opened = item.openedAt {
                                    Text("Đã đọc lúc \(Labels.time(opened))").font(.caption).foregroundStyle(.secondary)
                                } else {
                                    Text("CHƯA ĐỌC").font(.caption.weight(.semibold)).foregroundStyle(.orange)
                                }
                            }
                        }
                    }
                }
            }
        }
        .navigationTitle("Tài liệu của tôi")
        .task { if let openFirst { vm.open(openFirst) } }
        .overlay { if vm.state.loading { ProgressView() } }
        .errorAlert(vm.state.error) { vm.clearError() }
    }
}
