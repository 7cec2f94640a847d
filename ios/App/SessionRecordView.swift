// The session record (biên bản): the minutes, the duration check, the quality score, who
// has read what was published, and the chair's and the clerk's signatures.

import QuickLook
import SoTayKit
import SwiftUI

struct SessionRecordView: View {
    @State private var vm: SessionRecordViewModel
    @State private var start = ""
    @State private var end = ""
    @State private var conclusion = ""
    @State private var note = ""
    /// The cache copy of the minutes QuickLook shows (print and share from there).
    @State private var preview: URL?

    init(sotay: SoTay, sessionId: String) {
        _vm = State(initialValue: SessionRecordViewModel(sotay: sotay, sessionId: sessionId))
    }

    var body: some View {
        List {
            if let s = vm.state.session {
                Section(s.title) {
                    Text("Ngày \(Labels.date(s.sessionDate)) · \(s.place)")
                    Text("Chủ trì: \(vm.state.name(of: s.chair)) · Thư ký: \(vm.state.name(of: s.clerk))")
                    Text("Trình bày: \(vm.state.name(of: s.presenter))")
                }
                Section("Thông qua biên bản") {
                    Text(Labels.adoption(vm.state.adoption) { vm.state.name(of: $0) }).font(.headline)
                    ForEach(vm.state.signatures, id: \.id) { sig in
                        Text("Đã ký: \(vm.state.name(of: sig.signer)), \(Labels.time(sig.signedAt))")
                    }
                    ForEach(vm.state.changedSinceAdoption, id: \.self) { key in
                        Text("Đã sửa: \(FieldScope.session.label(of: key))").foregroundStyle(.orange)
                    }
                    if !vm.state.missingBeforeSigning.isEmpty {
                        Text("Biên bản còn thiếu trước khi ký: \(vm.state.missingBeforeSigning.map(\.label).joined(separator: ", "))")
                            .foregroundStyle(.red)
                    }
                    Button("Xuất biên bản (DOCX)") { vm.exportMinutes(format: .docx) }
                    if vm.state.canSign {
                        TextField("Ghi chú", text: $note)
                        Button("Ký biên bản phiên bản này") { vm.sign(note: note) }
                    }
                }
                Section("\(FieldScope.session.label(of: "started_at")) – \(FieldScope.session.label(of: "ended_at"))") {
                    HStack {
                        TextField("Bắt đầu (08:00)", text: $start)
                        Button("Lưu") { vm.setStart(start) }
                    }
                    HStack {
                        TextField("Kết thúc (09:45)", text: $end)
                        Button("Lưu") { vm.setEnd(end) }
                    }
                    if let minutes = s.durationMinutes {
                        Label(
                            vm.state.durationOk == true
                                ? "\(minutes) phút — đạt (tối thiểu \(s.requiredMinutes) phút)"
                                : "\(minutes) phút — chưa đủ \(s.requiredMinutes) phút theo quy định",
                            systemImage: vm.state.durationOk == true ? "checkmark.circle" : "exclamationmark.triangle")
                    }
                }
                Section(FieldScope.session.label(of: "attendance")) {
                    Button("Đánh dấu tất cả có mặt") { vm.markAllPresent() }
                    ForEach(vm.state.members, id: \.id) { m in
                        Menu {
                            ForEach([Attendance.present, .absentExcused, .absentUnexcused, .exempt], id: \.self) { a in
                                Button(a.label) { vm.setAttendance(memberId: m.id, a) }
                            }
                        } label: {
                            LabeledContent(m.fullName, value: vm.state.attendance(of: m.id)?.label ?? "Chưa điểm danh")
                        }
                    }
                }
                Section(FieldScope.session.label(of: "opinions")) {
                    ForEach(s.opinions, id: \.id) { o in
                        VStack(alignment: .leading) {
                            Text(vm.state.name(of: o.memberId)).font(.caption.weight(.semibold))
                            Text(o.body)
                        }
                    }
                    ForEach(vm.state.publishedComments.filter { c in !s.opinions.contains { $0.source == c.source } }) { c in
                        VStack(alignment: .leading) {
                            Text("\(c.comment.kind.label) — \(vm.state.name(of: c.comment.author))").font(.caption)
                            Text(c.comment.body)
                            HStack {
                                Button("Ghi ý kiến") { vm.addOpinion(from: c) }
                                Button("Đưa vào nghị quyết") {
                                    vm.addTask(title: c.comment.body, owner: c.comment.author, deadline: nil, adopting: c)
                                }
                            }
                            .buttonStyle(.borderless)
                        }
                    }
                }
                Section(FieldScope.session.label(of: "conclusion")) {
                    TextEditor(text: $conclusion).frame(minHeight: 80)
                        .onAppear { conclusion = s.conclusion }
                    Button("Lưu") { vm.setText(.conclusion, conclusion) }.disabled(conclusion == s.conclusion)
                }
                Section(FieldScope.session.label(of: "tasks")) {
                    ForEach(s.tasks, id: \.id) { t in
                        VStack(alignment: .leading) {
                            Text(t.title)
                            Text("\(vm.state.name(of: t.owner)) · hạn \(Labels.date(t.deadline)) · \(t.status.label)")
                                .font(.caption).foregroundStyle(t.overdue ? Color.red : Color.secondary)
                        }
                        .swipeActions {
                            if t.status != .done { Button(TaskStatus.done.label) { vm.updateTask(t.id, .done) } }
                        }
                    }
                }
                Section("\(FieldScope.session.label(of: "quality")): \(s.qualityTotal) điểm — \(s.qualityLevel.label)") {
                    ForEach(vm.state.grid?.criteria ?? [], id: \.code) { c in
                        Stepper(
                            "\(c.label): \(s.quality[c.code] ?? 0)/\(c.max)",
                            value: Binding(
                                get: { Int(s.quality[c.code] ?? 0) },
                                set: { vm.setQuality(c.code, points: $0) }),
                            in: 0...Int(c.max))
                    }
                }
                Section(FieldScope.session.label(of: "distribution")) {
                    ForEach(vm.state.distribution, id: \.docId) { d in
                        VStack(alignment: .leading) {
                            Text("\(d.kind.label): \(d.title)")
                            Text("\(d.opened.count)/\(d.opened.count + d.notOpened.count) đảng viên đã đọc")
                                .font(.caption).foregroundStyle(.secondary)
                            if d.late {
                                Text("Gửi muộn (chi bộ quy định gửi trước \(d.leadDays) ngày)").font(.caption).foregroundStyle(.orange)
                            }
                        }
                    }
                }
            }
        }
        .navigationTitle("Biên bản")
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
