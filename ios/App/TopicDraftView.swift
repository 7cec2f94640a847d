// A topic's draft with its materials and anchored comments and proposals.

import QuickLook
import SoTayKit
import SwiftUI
import UniformTypeIdentifiers

struct TopicDraftView: View {
    @State private var vm: TopicDraftViewModel
    @State private var editing = ""
    @State private var quote = ""
    @State private var comment = ""
    @State private var isProposal = false
    /// The cache copy of the attachment QuickLook shows.
    @State private var preview: URL?
    /// The system file picker ("Đính kèm tệp") is up.
    @State private var picking = false

    init(sotay: SoTay, planId: String, topicId: String) {
        _vm = State(initialValue: TopicDraftViewModel(sotay: sotay, planId: planId, topicId: topicId))
    }

    var body: some View {
        List {
            if let doc = vm.state.shown {
                Section(doc.kind == .material ? "\(doc.kind.label): \(doc.title)" : doc.kind.label) {
                    TextEditor(text: $editing)
                        .frame(minHeight: 200)
                        .onAppear { editing = doc.body }
                        .onChange(of: doc.body) { _, new in editing = new }
                    Button("Lưu thay đổi") { vm.replaceBody(editing) }
                        .disabled(editing == doc.body)
                }
                if !vm.state.attachments.isEmpty || doc.kind == .material {
                    Section("Tệp đính kèm") {
                        ForEach(vm.state.attachments, id: \.sha256) { a in
                            AttachmentRow(attachment: a, fetching: vm.state.fetching.contains(a.sha256)) {
                                vm.openAttachment(a)
                            }
                        }
                        if doc.kind == .material {
                            Button("Đính kèm tệp") { picking = true }
                        }
                    }
                }
                Section("Góp ý mới") {
                    TextField("Đoạn văn được góp ý (để trống: cả bài)", text: $quote)
                    TextField("Nội dung góp ý", text: $comment, axis: .vertical)
                    Toggle("Là đề xuất", isOn: $isProposal)
                    Button("Gửi góp ý") {
                        let range = quote.isEmpty ? nil : doc.codePointRange(of: quote)
                        vm.comment(comment, on: range, proposal: isProposal)
                        comment = ""
                        quote = ""
                    }
                    .disabled(comment.isEmpty || (!quote.isEmpty && doc.codePointRange(of: quote) == nil))
                }
                Section("Góp ý và đề xuất") {
                    ForEach(vm.state.threads) { thread in
                        ThreadView(thread: thread,
                                   reply: { vm.reply(to: thread.id, $0) },
                                   resolve: { vm.resolve(thread.id) },
                                   decide: { vm.decide(thread.id, $0) })
                    }
                }
            } else if !vm.state.loading {
                Section {
                    Button("Tạo dự thảo") { vm.createDraft(title: "Dự thảo \(vm.state.topic?.title ?? "")") }
                }
            }
            if !vm.state.materials.isEmpty {
                Section("Tài liệu nghiên cứu") {
                    if vm.state.openMaterial != nil {
                        Button("Về dự thảo") { vm.openMaterial(nil) }
                    }
                    ForEach(vm.state.materials, id: \.docId) { m in
                        Button(m.title) { vm.openMaterial(m.docId) }
                    }
                }
            }
        }
        .navigationTitle(vm.state.topic?.title ?? "Chuyên đề")
        .overlay { if vm.state.loading { ProgressView() } }
        .errorAlert(vm.state.error) { vm.clearError() }
        // An attachment opened (from the phone, or downloaded first) is shown by QuickLook.
        .onChange(of: vm.state.openedAttachment) { _, opened in
            guard let opened else { return }
            preview = try? AttachmentFiles.copy(opened)
            vm.closeAttachment()
        }
        .quickLookPreview($preview)
        // A picked file goes to the material as it is; the core refuses what is too large.
        .fileImporter(isPresented: $picking, allowedContentTypes: [.item]) { result in
            guard case let .success(url) = result else { return }
            let scoped = url.startAccessingSecurityScopedResource()
            defer { if scoped { url.stopAccessingSecurityScopedResource() } }
            guard let bytes = try? Data(contentsOf: url) else { return }
            vm.attach(bytes, fileName: url.lastPathComponent)
        }
    }
}

/// A file of the material: name, size, whether it waits to be sent; "Mở" or "Tải về".
struct AttachmentRow: View {
    let attachment: Attachment
    let fetching: Bool
    let open: () -> Void

    var body: some View {
        HStack {
            VStack(alignment: .leading, spacing: 2) {
                Text(attachment.name)
                Text(attachment.sizeLabel).font(.caption).foregroundStyle(.secondary)
                switch attachment.upload {
                case .pending:
                    Text("Chờ gửi lên máy chủ").font(.caption)
                case .refused(_, let message):
                    Text("Máy chủ từ chối tệp này: \(message)").font(.caption).foregroundStyle(.red)
                case .notQueued:
                    EmptyView()
                }
            }
            Spacer()
            if fetching {
                ProgressView()
            } else {
                Button(attachment.onDevice ? "Mở" : "Tải về", action: open).buttonStyle(.borderless)
            }
        }
    }
}

/// Cache copies of opened attachments, for QuickLook and sharing.
enum AttachmentFiles {
    /// Writes `opened` to `Caches/attachments/<sha256>/<name>` (the name as the core cleaned
    /// it: no path) and returns its URL.
    static func copy(_ opened: OpenedAttachment) throws -> URL {
        let dir = URL.cachesDirectory.appending(path: "attachments/\(opened.attachment.sha256)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appending(path: opened.attachment.name)
        try opened.bytes.write(to: file, options: .atomic)
        return file
    }
}

/// A comment or proposal with its quote, replies and actions.
struct ThreadView: View {
    let thread: CommentThread
    let reply: (String) -> Void
    let resolve: () -> Void
    let decide: (ProposalStatus) -> Void
    @State private var answer = ""

    var body: some View {
        VStack(alignment: .leading, spacing: 6) {
            if let quote = thread.quote {
                Text("«\(quote)»").italic().foregroundStyle(.secondary)
                if thread.root.anchor?.orphaned == true {
                    Text("Đoạn văn này đã bị xóa").font(.caption).foregroundStyle(.orange)
                }
            }
            Text("\(thread.root.kind.label) của \(thread.root.author)\(thread.root.status.map { " — \($0.label)" } ?? "")").font(.caption)
            Text(thread.root.deleted ? "(đã xóa)" : thread.root.body)
            ForEach(thread.replies, id: \.id) { r in
                Text("↳ \(r.author): \(r.deleted ? "(đã xóa)" : r.body)").font(.callout)
            }
            if thread.root.resolved {
                Label("Đã giải quyết", systemImage: "checkmark.circle").font(.caption).foregroundStyle(.green)
            } else {
                HStack {
                    TextField("Trả lời", text: $answer)
                    Button("Gửi") { reply(answer); answer = "" }.disabled(answer.isEmpty)
                }
                HStack {
                    Button("Giải quyết", action: resolve)
                    if thread.isProposal {
                        Button("Chấp nhận") { decide(.accepted) }
                        Button("Không chấp nhận") { decide(.rejected) }
                    }
                }
                .buttonStyle(.borderless)
            }
        }
    }
}
