// The plan editor: topics, their fields, and the conflicts to resolve.

import SoTayKit
import SwiftUI

struct PlanEditorView: View {
    @State private var vm: PlanEditorViewModel

    init(sotay: SoTay, planId: String) {
        _vm = State(initialValue: PlanEditorViewModel(sotay: sotay, planId: planId))
    }

    var body: some View {
        List {
            if !vm.state.conflicts.isEmpty {
                Section("Xung đột cần giải quyết") {
                    ForEach(vm.state.conflicts, id: \.conflict.path) { c in
                        ConflictRow(conflict: c, name: vm.state.name(of:)) { choice in vm.resolve(c, choosing: choice) }
                    }
                }
            }
            Section("Các chuyên đề") {
                ForEach(vm.state.topics, id: \.id) { topic in
                    NavigationLink(value: Route.topic(plan: vm.planId, topic: topic.id)) {
                        TopicRowView(topic: topic, name: vm.state.name(of:))
                    }
                    .swipeActions {
                        Button("Hủy", role: .destructive) { vm.cancelTopic(topic.id) }
                    }
                }
                .onMove { from, to in
                    if let i = from.first { vm.moveTopic(vm.state.topics[i].id, to: to > i ? to - 1 : to) }
                }
            }
            if let r = vm.state.readiness, !r.ready, !r.missing.isEmpty {
                Section("Chưa thể phê duyệt") {
                    ForEach(r.missing, id: \.self) { m in
                        Text("\(m.topicTitle): thiếu \(m.field.label)")
                    }
                }
            }
            Section {
                NavigationLink("Phê duyệt kế hoạch", value: Route.approval(vm.planId))
            }
        }
        .navigationTitle(vm.state.plan?.title ?? "Kế hoạch")
        .toolbar { EditButton() }
        .overlay { if vm.state.loading { ProgressView() } }
        .errorAlert(vm.state.error) { vm.clearError() }
    }
}

/// One topic in the plan table.
struct TopicRowView: View {
    let topic: Topic
    let name: (String?) -> String?

    var body: some View {
        VStack(alignment: .leading, spacing: 4) {
            Text(topic.title).strikethrough(topic.status == .cancelled)
            HStack {
                if let month = topic.month { Text("Tháng \(month)") }
                Text(topic.group.label)
            }
            .font(.caption).foregroundStyle(.secondary)
            Text("Chuẩn bị: \(topic.preparers.compactMap(name).joined(separator: ", "))")
                .font(.caption)
            Text("Trình bày: \(name(topic.presenter) ?? "chưa có")").font(.caption)
        }
    }
}

/// A field with concurrent values: who chose what, and a button per choice.
struct ConflictRow: View {
    let conflict: PlanConflict
    let name: (String?) -> String?
    let choose: (ConflictValue) -> Void

    var body: some View {
        VStack(alignment: .leading, spacing: 6) {
            Text("\(conflict.topic?.title ?? "Kế hoạch"): \(conflict.fieldLabel)").font(.headline)
            ForEach(conflict.choices, id: \.op) { choice in
                Button {
                    choose(choice)
                } label: {
                    Text("Chọn «\(name(choice.value) ?? choice.value)» — do \(name(choice.setBy) ?? "không rõ") đặt")
                }
                .buttonStyle(.bordered)
            }
        }
    }
}
