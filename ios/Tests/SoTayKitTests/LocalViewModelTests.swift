// View models over a phone without a server.

import Foundation
import Observation
import XCTest
@testable import SoTayKit

/// View models over a phone without a server: state transitions, errors, observation, and
/// their listeners ending with them.
// @unchecked Sendable: no stored state; its @MainActor tests are called from XCTest.
final class LocalViewModelTests: XCTestCase, @unchecked Sendable {
    @MainActor
    func test_sync_status_view_model_starts_with_the_current_status_and_reports_a_failed_sync() async throws {
        let phones = try Phones()
        defer { phones.close() }
        let sotay = try await phones.local()
        let vm = SyncStatusViewModel(sotay: sotay)
        XCTAssertEqual(vm.state.status, .notEnrolled, "the current status, at once")
        XCTAssertTrue(vm.state.needsEnrollment)
        XCTAssertFalse(vm.state.isSyncing)
        await vm.syncNow().value
        XCTAssertEqual(vm.state.error?.caseName, "NotEnrolled")
        vm.clearError()
        XCTAssertNil(vm.state.error)
        // A moved server's address is for an enrolled phone.
        await assertThrows({ try await sotay.setServerURL("https://sotay.example.vn") }) { $0.caseName == "NotEnrolled" }
        vm.close()
    }

    func test_labels_come_from_the_rust_core() async throws {
        XCTAssertEqual(Role.deputySecretary.label, "Phó Bí thư")
        XCTAssertEqual(DocKind.topicDraft.label, "Dự thảo chuyên đề")
        XCTAssertEqual(CommentKind.proposal.label, "Hiến kế")
        XCTAssertEqual(ProposalStatus.accepted.label, "Được chấp nhận")
        XCTAssertEqual(FieldScope.topic.label(of: "expected_output"), "Sản phẩm dự kiến")
        XCTAssertEqual(FieldScope.legalBasis.label(of: "title"), "Trích yếu", "the scope decides")
        // A status the store computed reads the same words.
        let phones = try Phones()
        defer { phones.close() }
        let sotay = try await phones.local()
        let plan = try await sotay.createPlan(plan2026())
        let status = try await sotay.approvalStatus(docId: plan)
        XCTAssertEqual(status, .notSubmitted)
        XCTAssertEqual(status.label, "Chưa gửi duyệt")
    }

    func test_code_point_ranges_count_what_the_store_counts() {
        // "ệ" is one character and one code point in NFC, two code points in NFD.
        let nfd = "Kế hoạch về việc".decomposedStringWithCanonicalMapping
        XCTAssertEqual(nfd.codePointRange(of: "việc"), 12..<16)
        XCTAssertEqual("👨‍👩‍👧 sản lượng".codePointRange(of: "sản"), 6..<9, "an emoji family is 5 code points")
        XCTAssertNil("sản lượng".codePointRange(of: "san"))
    }

    func test_sync_status_state_reads_each_status() {
        let syncing = SyncStatusState(status: .syncing(progress: SyncProgress(round: 1, docsApplied: 3, bytesDown: 2048, more: true)))
        XCTAssertTrue(syncing.isSyncing)
        XCTAssertEqual(syncing.progress?.docsApplied, 3)
        XCTAssertNil(syncing.lastSyncedAt)
        XCTAssertFalse(syncing.needsEnrollment)

        let offline = SyncStatusState(status: .offline(lastSyncedAt: 1_767_225_600, unsentDocuments: 2, message: "connection refused"))
        XCTAssertTrue(offline.isOffline)
        XCTAssertFalse(offline.isSyncing)
        XCTAssertEqual(offline.unsentDocuments, 2)
        XCTAssertEqual(offline.lastSynced, Date(timeIntervalSince1970: 1_767_225_600))

        let rejected = SyncStatusState(status: .failed(message: "device_revoked", needsEnrollment: true, lastSyncedAt: nil, unsentDocuments: 1))
        XCTAssertTrue(rejected.needsEnrollment)
        XCTAssertEqual(rejected.unsentDocuments, 1)
        XCTAssertFalse(rejected.isOffline)
    }

    @MainActor
    func test_plan_editor_follows_edits_and_lists_what_blocks_approval() async throws {
        let phones = try Phones()
        defer { phones.close() }
        let sotay = try await phones.local()
        let plan = try await sotay.createPlan(plan2026())
        let vm = PlanEditorViewModel(sotay: sotay, planId: plan)
        XCTAssertTrue(vm.state.loading)
        let loaded = try await awaitState(vm) { !$0.loading }
        XCTAssertEqual(loaded.plan?.number, "01-KH/CB")
        XCTAssertTrue(loaded.topics.isEmpty)

        await vm.addTopic(NewTopic(
            title: "Chuyên đề không người trình bày", group: .partyBuilding, month: 3, scheduledDate: nil,
            combinedWithRegularMeeting: false, preparers: [], presenter: nil, executive: nil,
            draftDeadline: nil, expectedOutput: "", notes: "")).value
        let added = vm.state
        let t = try XCTUnwrap(added.topics.first)
        XCTAssertEqual(added.topics.count, 1)
        XCTAssertEqual(t.month, 3)
        let missing = Set(try XCTUnwrap(added.readiness).missing.map(\.field))
        XCTAssertEqual(missing, [.presenter, .preparer])

        await vm.setTopicField(t.id, .presenter(memberId: "m-hoa")).value
        await vm.setPreparer(t.id, "m-luong").value
        XCTAssertEqual(vm.state.readiness?.ready, true)
        XCTAssertEqual(vm.state.name(of: vm.state.topics.first?.presenter), "Lê Thị Hoa")

        // An edit made elsewhere (another screen) reaches this one through the listener.
        try await sotay.addTopic(planId: plan, topic("Chuyên đề thứ hai", month: 6))
        _ = try await awaitState(vm) { $0.topics.count == 2 }
        await vm.moveTopic(t.id, to: 1).value
        XCTAssertEqual(vm.state.topics.last?.id, t.id)
        await vm.cancelTopic(t.id).value
        XCTAssertEqual(vm.state.topics.last?.status, .cancelled)

        // A failed action shows its error and changes nothing; the error stays through
        // reloads until dismissed or a later action succeeds.
        let before = vm.state.topics
        await vm.cancelTopic("no-such-topic").value
        XCTAssertEqual(vm.state.error?.caseName, "NotFound")
        XCTAssertEqual(vm.state.topics, before)
        await vm.refresh().value
        XCTAssertEqual(vm.state.error?.caseName, "NotFound", "a reload does not hide it")
        await vm.setTopicField(t.id, .notes(value: "Mời quản đốc dự")).value
        XCTAssertNil(vm.state.error, "a later action that succeeds clears it")
        vm.close()
    }

    @MainActor
    func test_topic_draft_with_materials_anchored_proposals_and_threads() async throws {
        let phones = try Phones()
        defer { phones.close() }
        let sotay = try await phones.local()
        let plan = try await sotay.createPlan(plan2026())
        let t = try await sotay.addTopic(planId: plan, topic("Giải pháp giảm thời gian dừng máy", month: 4))
        let vm = TopicDraftViewModel(sotay: sotay, planId: plan, topicId: t)
        let empty = try await awaitState(vm) { !$0.loading }
        XCTAssertNil(empty.draft)
        XCTAssertEqual(empty.topic?.title, "Giải pháp giảm thời gian dừng máy")

        await vm.createDraft(title: "Dự thảo", body: "Dừng máy ngoài kế hoạch làm giảm sản lượng.").value
        XCTAssertNotNil(vm.state.draft)
        let words = try XCTUnwrap(vm.state.draft?.codePointRange(of: "Dừng máy"))
        XCTAssertEqual(words, 0..<8)
        await vm.comment("Bảo dưỡng định kỳ theo ca", on: words, proposal: true).value
        let proposal = try XCTUnwrap(vm.state.threads.first)
        XCTAssertTrue(proposal.isProposal)
        XCTAssertEqual(proposal.quote, "Dừng máy")
        await vm.reply(to: proposal.id, "Đồng ý, giao tổ 1").value
        await vm.spliceBody(at: 0, delete: 0, insert: "Hiện nay, ").value
        await vm.decide(proposal.id, .accepted).value
        await vm.resolve(proposal.id).value
        XCTAssertEqual(vm.state.threads.count, 1)
        let thread = try XCTUnwrap(vm.state.threads.first)
        XCTAssertEqual(thread.replies.map(\.body), ["Đồng ý, giao tổ 1"])
        XCTAssertEqual(thread.root.status, .accepted)
        XCTAssertTrue(thread.root.resolved)
        XCTAssertEqual(thread.quote, "Dừng máy", "the anchor followed its words")
        XCTAssertEqual(thread.root.anchor?.codePoints, 10..<18)
        XCTAssertEqual(vm.state.draft?.body, "Hiện nay, Dừng máy ngoài kế hoạch làm giảm sản lượng.")

        await vm.addMaterial(title: "Quy trình bảo dưỡng", description: "Phòng Kỹ thuật", body: "Bước 1: kiểm tra.").value
        let material = try XCTUnwrap(vm.state.materials.first)
        XCTAssertEqual(vm.state.materials.count, 1)
        await vm.openMaterial(material.docId).value
        XCTAssertEqual(vm.state.shown?.id, material.docId)
        await vm.comment("Cần bổ sung bước 2").value
        XCTAssertEqual(vm.state.threads.map(\.root.kind), [.comment])
        await vm.openMaterial(nil).value
        XCTAssertEqual(vm.state.shown?.id, vm.state.draft?.id)

        // Only its author may edit a comment.
        try await sotay.setIdentity("m-luong")
        await vm.edit(thread.id, "sửa của người khác").value
        XCTAssertEqual(vm.state.error?.caseName, "NotAuthor")
        vm.close()
    }

    @MainActor
    func test_a_file_attached_here_opens_from_the_phone_without_a_server() async throws {
        let phones = try Phones()
        defer { phones.close() }
        let sotay = try await phones.local()
        let plan = try await sotay.createPlan(plan2026())
        let t = try await sotay.addTopic(planId: plan, topic("Chuyên đề có tài liệu", month: 4))
        let vm = TopicDraftViewModel(sotay: sotay, planId: plan, topicId: t)
        await vm.addMaterial(title: "Tài liệu tham khảo", description: "", body: "Tóm tắt.").value
        let material = try await awaitState(vm) { !$0.materials.isEmpty }.materials[0].docId
        await vm.openMaterial(material).value
        let bytes = Data("%PDF-1.7\nBáo cáo\n%%EOF\n".utf8)
        await vm.attach(bytes, fileName: "Báo cáo.pdf").value
        let a = try XCTUnwrap(vm.state.attachments.first)
        XCTAssertEqual(vm.state.attachments.count, 1)
        XCTAssertEqual(a.name, "Báo cáo.pdf")
        XCTAssertEqual(a.mime, "application/pdf")
        XCTAssertTrue(a.onDevice)
        XCTAssertEqual(a.upload, .pending, "waits for a sync")
        // On the phone: opening needs no server (this one has none).
        await vm.openAttachment(a).value
        XCTAssertNil(vm.state.error)
        XCTAssertEqual(vm.state.openedAttachment?.bytes, bytes)
        // A reload (any change) keeps what the member opened.
        try await sotay.replaceBody(docId: material, with: "Tóm tắt, đã sửa.")
        _ = try await awaitState(vm) { $0.shown?.body == "Tóm tắt, đã sửa." }
        XCTAssertNotNil(vm.state.openedAttachment)
        vm.closeAttachment()
        XCTAssertNil(vm.state.openedAttachment)
        // Showing another document closes it too.
        await vm.openAttachment(a).value
        await vm.openMaterial(nil).value
        XCTAssertNil(vm.state.openedAttachment)
        XCTAssertTrue(vm.state.attachments.isEmpty, "no draft shown, no files")
        let kept = try await sotay.attachmentBytes(sha256: a.sha256)
        XCTAssertEqual(kept, bytes)
        let refusals = try await sotay.blobRefusals()
        XCTAssertTrue(refusals.isEmpty)
    }

    @MainActor
    func test_state_changes_are_observable() async throws {
        let phones = try Phones()
        defer { phones.close() }
        let sotay = try await phones.local()
        let plan = try await sotay.createPlan(plan2026())
        let vm = PlanEditorViewModel(sotay: sotay, planId: plan)
        _ = try await awaitState(vm) { !$0.loading }

        // What SwiftUI does: read the state inside a tracking scope, be told when it changes.
        let changed = Collected<Bool>()
        withObservationTracking {
            _ = vm.state.topics
        } onChange: {
            changed.append(true)
        }
        XCTAssertTrue(changed.values.isEmpty)
        await vm.addTopic(topic("Chuyên đề", month: 4)).value
        XCTAssertEqual(changed.values, [true])
        XCTAssertEqual(vm.state.topics.count, 1)
    }

    @MainActor
    func test_closing_or_releasing_a_view_model_stops_its_listeners() async throws {
        let phones = try Phones()
        defer { phones.close() }
        let sotay = try await phones.local()
        let plan = try await sotay.createPlan(plan2026())

        let editor = PlanEditorViewModel(sotay: sotay, planId: plan)
        let status = SyncStatusViewModel(sotay: sotay)
        _ = try await awaitState(editor) { !$0.loading }
        XCTAssertEqual(sotay.liveListeners.value, 2)
        editor.close()
        status.close()
        try await eventually("closed view models' listeners released") { sotay.liveListeners.value == 0 }

        // After close, edits elsewhere no longer reach the screen.
        try await sotay.addTopic(planId: plan, topic("Sau khi đóng", month: 5))
        try await Task.sleep(nanoseconds: 300_000_000)
        XCTAssertTrue(editor.state.topics.isEmpty)

        // Releasing a view model without closing it does the same.
        var home: BranchHomeViewModel? = BranchHomeViewModel(sotay: sotay)
        _ = try await awaitState(try XCTUnwrap(home)) { !$0.loading }
        XCTAssertEqual(sotay.liveListeners.value, 1)
        weak var released = home
        home = nil
        try await eventually("the released view model's listener released") {
            released == nil && sotay.liveListeners.value == 0
        }
    }

    func test_session_cycle_labels_come_from_the_rust_core() {
        XCTAssertEqual(Attendance.absentExcused.label, "Vắng có lý do")
        XCTAssertEqual(TaskStatus.inProgress.label, "Đang thực hiện")
        XCTAssertEqual(ProposalStage.overdue.label, "Quá hạn")
        XCTAssertEqual(QualityLevel.good.label, "Tốt")
        XCTAssertEqual(EvidenceCategory.presentation.label, "Trình bày chuyên đề")
        XCTAssertEqual(EvidenceFrame.taskResults.label, "Kết quả thực hiện nhiệm vụ (70 điểm)")
        XCTAssertEqual(FieldScope.session.label(of: "conclusion"), "Kết luận")
        XCTAssertEqual(sessionFieldLabel(key: "conclusion"), "Kết luận")
        XCTAssertEqual(DocKind.session.label, "Buổi sinh hoạt chuyên đề")
        XCTAssertEqual(DocKind.readingLog.label, "Sổ theo dõi đọc tài liệu")
    }

    @MainActor
    func test_session_record_scores_the_minutes_and_shows_refusals() async throws {
        let phones = try Phones()
        defer { phones.close() }
        let sotay = try await phones.local()
        let plan = try await sotay.createPlan(plan2026())
        let t = try await sotay.addTopic(planId: plan, topic("Giải pháp giảm thời gian dừng máy", month: 4))
        let session = try await sotay.createSession(planId: plan, topicId: t)
        let vm = SessionRecordViewModel(sotay: sotay, sessionId: session)
        let loaded = try await awaitState(vm) { !$0.loading }
        XCTAssertEqual(loaded.session?.sessionDate, "2026-04-03", "the topic's date")
        XCTAssertEqual(loaded.grid?.criteria.count, 5)
        XCTAssertNil(loaded.durationOk)
        XCTAssertEqual(loaded.adoption, .notSigned)
        XCTAssertTrue(loaded.awaitingSignatures.isEmpty, "no chair or clerk named yet")

        await vm.setField(.chair(memberId: "m-viet")).value
        await vm.setField(.clerk(memberId: "m-hoa")).value
        XCTAssertEqual(vm.state.awaitingSignatures, ["m-viet", "m-hoa"])
        await vm.setStart("08:00").value
        await vm.setEnd("09:00").value
        XCTAssertEqual(vm.state.session?.durationMinutes, 60)
        XCTAssertEqual(vm.state.durationOk, false)
        for c in try XCTUnwrap(vm.state.grid).criteria { await vm.setQuality(c.code, points: Int(c.max)).value }
        // 100 points, but an hour is short of HD 42's 90 minutes: not Tốt.
        XCTAssertEqual(vm.state.session?.qualityTotal, 100)
        XCTAssertEqual(vm.state.session?.qualityLevel, .fair)
        await vm.setEnd("09:30").value
        XCTAssertEqual(vm.state.session?.qualityLevel, .good)
        await vm.setField(.combinedWithRegular(value: true)).value
        XCTAssertEqual(vm.state.session?.requiredMinutes, 120)
        XCTAssertEqual(vm.state.durationOk, false)
        await vm.setQuality("minutes", points: 16).value
        XCTAssertEqual(vm.state.error?.caseName, "InvalidInput")
        await vm.setStart("25:00").value
        XCTAssertEqual(vm.state.error?.caseName, "InvalidInput", "not a time")
        await vm.markAllPresent().value
        XCTAssertEqual(vm.state.session?.attendance.count, 3)
        XCTAssertEqual(vm.state.name(of: "m-hoa"), "Lê Thị Hoa")

        // The chair signs with an enrolled device's key: none here.
        XCTAssertFalse(vm.state.canSign)
        XCTAssertTrue(vm.state.signRights?.blockers.contains(.notEnrolled) == true)
        await vm.sign().value
        XCTAssertEqual(vm.state.error?.caseName, "NotEnrolled")
        vm.close()
    }

    @MainActor
    func test_reading_list_opens_a_published_material_once() async throws {
        let phones = try Phones()
        defer { phones.close() }
        let sotay = try await phones.local()
        let plan = try await sotay.createPlan(plan2026())
        let t = try await sotay.addTopic(planId: plan, topic("An toàn lao động", month: 6))
        let material = try await sotay.createTextDoc(NewTextDoc(
            kind: .material, branchId: TestServer.branch, planId: plan, topicId: t,
            title: "Quy trình an toàn", description: "", body: "Bước 1: kiểm tra."))
        let session = try await sotay.createSession(planId: plan, topicId: t)
        try await sotay.publish(sessionId: session, docId: material)
        try await sotay.setIdentity("m-luong")
        let vm = ReadingListViewModel(sotay: sotay)
        let listed = try await awaitState(vm) { !$0.items.isEmpty }
        let item = try XCTUnwrap(listed.items.first)
        XCTAssertEqual(vm.state.items.count, 1)
        XCTAssertEqual(item.docId, material)
        XCTAssertNil(item.openedAt)
        XCTAssertEqual(item.sessionTitle, "An toàn lao động")

        await vm.open(sessionId: session, docId: "no-such-material").value
        XCTAssertEqual(vm.state.error?.caseName, "NotFound")
        XCTAssertNil(vm.state.openDocument)
        vm.clearError()
        await vm.open(item).value
        XCTAssertNil(vm.state.error)
        XCTAssertEqual(vm.state.openDocument?.body, "Bước 1: kiểm tra.")
        XCTAssertNotNil(vm.state.openItem?.openedAt)
        let again = try await sotay.markOpened(docId: material)
        XCTAssertFalse(again, "the first opening was recorded")
        await vm.closeDocument().value
        XCTAssertNil(vm.state.openDocument)
        vm.close()
    }
}
