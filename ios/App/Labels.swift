// The app's Vietnamese sentences and error texts; domain words come from the Rust core.

import Foundation
import SoTayKit
import SwiftUI

/// The app's sentences around domain values. The values' own words (roles, kinds, statuses,
/// field names) come from the Rust core through SoTayKit (`role.label`, `FieldScope.topic.label(of:)`,
/// `conflict.fieldLabel`), the same words the Android app and the CLI show.
enum Labels {
    static func time(_ seconds: Int64) -> String {
        Date(timeIntervalSince1970: TimeInterval(seconds)).formatted(date: .abbreviated, time: .shortened)
    }

    /// One line per change since an approval.
    static func lines(of delta: Delta) -> [String] {
        switch delta.content {
        case .plan(let d):
            d.topicsAdded.map { "Thêm chuyên đề «\($0.title)»" }
                + d.topicsCancelled.map { "Hủy chuyên đề «\($0.title)»" }
                + d.topicsMoved.map { "Chuyển «\($0.title)» từ vị trí \($0.fromIndex + 1) sang \($0.toIndex + 1)" }
                + d.topicFields.map { "«\($0.topicTitle)»: \(line(.topic, $0.change))" }
                + d.fields.map { line(.document, $0) }
                + (d.purpose.isEmpty ? [] : ["Sửa \(FieldScope.document.label(of: "purpose").lowercased())"])
                + (d.implementation.isEmpty ? [] : ["Sửa \(FieldScope.document.label(of: "implementation").lowercased())"])
        case .text(let d):
            d.fields.map { line(.document, $0) }
                + (d.body.isEmpty ? [] : ["Sửa nội dung (\(d.body.count) chỗ)"])
                + d.commentsAdded.map { "\($0.kind.label) mới của \($0.author)" }
                + d.proposals.map { "\(CommentKind.proposal.label) của \($0.comment.author): \($0.from.label) → \($0.to.label)" }
                + d.attachmentsAdded.map { "Đính kèm mới: \($0.name) (\($0.sizeLabel))" }
        case .session(let fields):
            fields.map { "Đã sửa: \(FieldScope.session.label(of: $0))" }
        }
    }

    /// "Sản phẩm dự kiến: «…» → «…»".
    static func line(_ scope: FieldScope, _ change: FieldChange) -> String {
        "\(scope.label(of: change.field)): \(value(change.from)) → \(value(change.to))"
    }

    /// Why the member cannot approve now, one line per reason.
    static func lines(of blockers: [ApproveBlocker]) -> [String] {
        blockers.flatMap { b -> [String] in
            switch b {
            case .notEnrolled: ["Thiết bị chưa đăng ký"]
            case .noDirectory: ["Chưa đồng bộ danh sách đảng viên"]
            case .notInBranch: ["Đồng chí không thuộc chi bộ của tài liệu này"]
            case .wrongRole(_, let needed): ["Chỉ \(needed.map(\.label).joined(separator: ", ")) được phê duyệt"]
            case .notReady(let r):
                (r.conflicts.isEmpty ? [] : ["\(r.conflicts.count) xung đột chưa giải quyết"])
                    + r.missing.map { "\($0.topicTitle): thiếu \($0.field.label)" }
            case .notChairOrClerk: ["Biên bản do chủ trì và thư ký của buổi sinh hoạt ký thông qua"]
            }
        }
    }

    /// Why a thread waits for the member.
    static func reason(_ r: ThreadReason) -> String {
        switch r {
        case .proposalDecided(let status): "\(CommentKind.proposal.label) của đồng chí đã được xử lý: \(status.label.lowercased())"
        case .reply: "Có trả lời mới"
        case .onMyDocument: "Góp ý vào tài liệu của đồng chí"
        }
    }

    /// Where the minutes' adoption stands.
    static func adoption(_ a: MinutesAdoption, name: (String) -> String) -> String {
        switch a {
        case .notSigned: "Biên bản chưa ký"
        case .partlySigned(_, let awaiting): "Biên bản chờ chữ ký của: \(awaiting.map(name).joined(separator: ", "))"
        case .adopted: "Biên bản đã được thông qua"
        case .adoptedWithChanges: "Biên bản đã được thông qua, có sửa đổi sau khi ký"
        }
    }

    /// "dd/MM/yyyy" from an ISO date.
    static func date(_ iso: String?) -> String {
        guard let parts = iso?.split(separator: "-"), parts.count == 3 else { return "—" }
        return "\(parts[2])/\(parts[1])/\(parts[0])"
    }

    static func value(_ v: FieldValue) -> String {
        switch v {
        case .text(let s): s.isEmpty ? "(trống)" : "«\(s)»"
        case .date(let d): d ?? "(trống)"
        case .bool(let b): b ? "có" : "không"
        case .member(let m): m ?? "(trống)"
        case .members(let ms): ms.joined(separator: ", ")
        case .group(let g): g.label
        case .status(let s): s.label
        }
    }
}

/// An error as the member reads it.
enum ErrorText {
    static func of(_ error: any Error) -> String {
        guard let e = error as? ApiError else { return "Đã xảy ra lỗi." }
        return switch e {
        case .Offline: "Không kết nối được máy chủ. Mọi thay đổi vẫn được lưu trên máy và sẽ gửi khi có mạng."
        case .NotEnrolled: "Thiết bị chưa đăng ký. Hãy nhập mã đăng ký."
        case .InvalidCode: "Mã đăng ký không đúng, đã dùng hoặc đã hết hạn. Hãy xin mã mới."
        case .DeviceRejected: "Máy chủ không còn chấp nhận thiết bị này. Hãy đăng ký lại."
        case .ClockSkew: "Đồng hồ của máy lệch quá nhiều. Hãy chỉnh ngày giờ rồi đồng bộ lại."
        case .ServerUnavailable: "Máy chủ đang gặp sự cố. Không mất dữ liệu; hãy thử lại sau."
        case .ServerRefused(let m): "Máy chủ từ chối: \(m)"
        case .UpdateRequired: "Hãy cập nhật ứng dụng."
        case .NotPermitted: "Đồng chí không có quyền thực hiện việc này."
        case .NotReady: "Chưa thể phê duyệt: còn xung đột hoặc chuyên đề thiếu thông tin."
        case .NotAuthor: "Chỉ người viết mới được sửa hoặc xóa góp ý này."
        case .ConflictChanged: "Xung đột vừa thay đổi. Hãy xem lại và chọn lại."
        case .NotFound: "Không tìm thấy (có thể chưa đồng bộ)."
        case .InvalidInput(let m): "Dữ liệu chưa hợp lệ: \(m)"
        case .Storage: "Bộ nhớ máy gặp lỗi. Hãy giải phóng dung lượng rồi thử lại."
        case .Damaged: "Một tài liệu bị hỏng và đã được cách ly."
        case .AttachmentDamaged: "Tệp tải về bị lỗi (không khớp mã kiểm tra) nên không được lưu. Hãy tải lại sau."
        case .StoreMovedAside: "Không mở được sổ tay; tệp cũ đã được giữ lại."
        case .Internal: "Lỗi của ứng dụng. Hãy báo cho quản trị viên."
        }
    }
}

extension View {
    /// Shows `error` in an alert; `dismiss` clears it.
    func errorAlert(_ error: ApiError?, dismiss: @escaping () -> Void) -> some View {
        alert(
            "Không thực hiện được",
            isPresented: Binding(get: { error != nil }, set: { if !$0 { dismiss() } }),
            presenting: error
        ) { _ in
            Button("Đóng", role: .cancel, action: dismiss)
        } message: { e in
            Text(ErrorText.of(e))
        }
    }
}
