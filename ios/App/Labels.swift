// Vietnamese words for what the screens show.

import Foundation
import SoTayKit
import SwiftUI

enum Labels {
    static func role(_ role: Role) -> String {
        switch role {
        case .secretary: "Bí thư"
        case .deputySecretary: "Phó Bí thư"
        case .executive: "Chi ủy viên"
        case .member: "Đảng viên"
        case .inspector: "Ủy viên Ủy ban Kiểm tra"
        case .admin: "Quản trị"
        }
    }

    static func kind(_ kind: DocKind) -> String {
        switch kind {
        case .annualPlan: "Kế hoạch năm"
        case .topicDraft: "Dự thảo chuyên đề"
        case .material: "Tài liệu"
        }
    }

    /// A document field's name ("expected_output" → "Sản phẩm dự kiến").
    static func field(_ key: String) -> String {
        switch key {
        case "title": "Tên chuyên đề"
        case "presenter": "Người trình bày"
        case "preparers": "Người chuẩn bị"
        case "executive": "Chi ủy viên phụ trách"
        case "scheduled_date": "Thời gian"
        case "draft_deadline": "Hạn dự thảo"
        case "expected_output": "Sản phẩm dự kiến"
        case "notes": "Ghi chú"
        case "status": "Tình trạng"
        case "group": "Nhóm vấn đề"
        case "number": "Số kế hoạch"
        case "issue_date": "Ngày ban hành"
        default: key
        }
    }

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
                + d.topicFields.map { "«\($0.topicTitle)»: \(field($0.change.field)) \(value($0.change.from)) → \(value($0.change.to))" }
                + d.fields.map { "\(field($0.field)): \(value($0.from)) → \(value($0.to))" }
                + (d.purpose.isEmpty ? [] : ["Sửa mục đích, yêu cầu"])
                + (d.implementation.isEmpty ? [] : ["Sửa tổ chức thực hiện"])
        case .text(let d):
            (d.body.isEmpty ? [] : ["Sửa nội dung (\(d.body.count) chỗ)"])
                + d.commentsAdded.map { "Góp ý mới của \($0.author)" }
                + d.proposals.map { "Đề xuất của \($0.comment.author): \(proposal($0.from)) → \(proposal($0.to))" }
        }
    }

    /// Why the member cannot approve now, one line per reason.
    static func lines(of blockers: [ApproveBlocker]) -> [String] {
        blockers.flatMap { b -> [String] in
            switch b {
            case .notEnrolled: ["Thiết bị chưa đăng ký"]
            case .noDirectory: ["Chưa đồng bộ danh sách đảng viên"]
            case .notInBranch: ["Đồng chí không thuộc chi bộ của tài liệu này"]
            case .wrongRole(_, let needed): ["Chỉ \(needed.map(role).joined(separator: ", ")) được phê duyệt"]
            case .notReady(let r):
                (r.conflicts.isEmpty ? [] : ["\(r.conflicts.count) xung đột chưa giải quyết"])
                    + r.missing.map { "\($0.topicTitle): thiếu \(requiredFieldLabel(field: $0.field))" }
            }
        }
    }

    /// Why a thread waits for the member.
    static func reason(_ r: ThreadReason) -> String {
        switch r {
        case .proposalDecided(let status): "Đề xuất của đồng chí đã được xử lý: \(proposal(status))"
        case .reply: "Có trả lời mới"
        case .onMyDocument: "Góp ý vào tài liệu của đồng chí"
        }
    }

    static func proposal(_ s: ProposalStatus) -> String {
        switch s {
        case .open: "đang mở"
        case .accepted: "chấp nhận"
        case .rejected: "không chấp nhận"
        case .done: "đã thực hiện"
        }
    }

    static func value(_ v: FieldValue) -> String {
        switch v {
        case .text(let s): s.isEmpty ? "(trống)" : "«\(s)»"
        case .date(let d): d ?? "(trống)"
        case .bool(let b): b ? "có" : "không"
        case .member(let m): m ?? "(trống)"
        case .members(let ms): ms.joined(separator: ", ")
        case .group(let g): topicGroupLabel(group: g)
        case .status(let s): "\(s)"
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
