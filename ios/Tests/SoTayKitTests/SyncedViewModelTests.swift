// View models on enrolled phones and the real server.

import Foundation
import XCTest
@testable import SoTayKit

/// View models on two enrolled phones and the real server: what a sync brings reaches the
/// screens through the listeners, without the screens asking.
// @unchecked Sendable: no stored state; its @MainActor tests are called from XCTest.
final class SyncedViewModelTests: XCTestCase, @unchecked Sendable {
    @MainActor
    func test_sync_status_view_model_shows_syncing_then_last_synced_then_offline() async throws {
        let server = try TestServer.start()
        let phones = try Phones()
        defer {
            phones.close()
            server.close()
        }
        let luong = try await phones.enrolled(server, "m-luong")
        let vm = SyncStatusViewModel(sotay: luong)
        guard case .idle = vm.state.status else { return XCTFail("idle at once, got \(vm.state.status)") }
        XCTAssertNotNil(vm.state.lastSyncedAt)
        XCTAssertFalse(vm.state.needsEnrollment)

        // Something to receive: the secretary's new plan.
        let viet = try await phones.enrolled(server, "m-viet")
        try await viet.createPlan(plan2026())
        try await viet.sync()
        await vm.syncNow().value
        XCTAssertEqual(vm.state.lastReport?.docsPulled, 1)
        XCTAssertNil(vm.state.error)
        _ = try await awaitState(vm) { if case .idle = $0.status { true } else { false } }

        server.stop()
        await vm.syncNow().value
        XCTAssertEqual(vm.state.error?.caseName, "Offline")
        let offline = try await awaitState(vm) { $0.isOffline }
        XCTAssertNotNil(offline.lastSyncedAt, "the last successful sync is still shown")
        XCTAssertNotNil(offline.lastSynced)
        // After a restart (the same file opened again) the app still says offline.
        let restarted = try await phones.open("m-luong")
        guard case .offline = restarted.currentSyncStatus else {
            return XCTFail("offline after a restart, got \(restarted.currentSyncStatus)")
        }
        XCTAssertNotNil(SyncStatusViewModel(sotay: restarted).state.lastSyncedAt)

        try server.restart()
        await vm.syncNow().value
        _ = try await awaitState(vm) { if case .idle = $0.status { $0.error == nil } else { false } }
        vm.close()
    }

    @MainActor
    func test_conflict_arrives_in_the_plan_editor_and_resolving_it_reaches_the_other_phone() async throws {
        let server = try TestServer.start()
        let phones = try Phones()
        defer {
            phones.close()
            server.close()
        }
        let viet = try await phones.enrolled(server, "m-viet")
        let luong = try await phones.enrolled(server, "m-luong")
        let plan = try await viet.createPlan(plan2026())
        // Presented by the deputy secretary until both phones change it (setting a field to the
        // value it has is no change, and no conflict).
        let t = try await viet.addTopic(planId: plan, topic("Giải pháp giảm thời gian dừng máy", month: 4, presenter: "m-trang"))
        try await viet.sync()
        try await luong.sync()

        let vietEditor = PlanEditorViewModel(sotay: viet, planId: plan)
        let luongEditor = PlanEditorViewModel(sotay: luong, planId: plan)
        _ = try await awaitState(vietEditor) { !$0.loading }
        _ = try await awaitState(luongEditor) { !$0.loading }

        // Concurrent presenters.
        await vietEditor.setTopicField(t, .presenter(memberId: "m-hoa")).value
        await luongEditor.setTopicField(t, .presenter(memberId: "m-luong")).value
        try await luong.sync()
        try await viet.sync()  // the editor hears of the merge by itself
        let shown = try await awaitState(vietEditor) { !$0.conflicts.isEmpty }
        XCTAssertEqual(shown.conflicts.count, 1)
        let conflict = try XCTUnwrap(shown.conflicts.first)
        XCTAssertEqual(conflict.topic?.id, t)
        XCTAssertEqual(conflict.field, "presenter")
        XCTAssertEqual(conflict.fieldLabel, "Người trình bày", "the core's words for the field")
        XCTAssertEqual(Set(conflict.choices.map(\.value)), ["m-hoa", "m-luong"])
        XCTAssertEqual(Set(conflict.choices.compactMap(\.setBy)), ["m-viet", "m-luong"])
        XCTAssertEqual(shown.readiness?.ready, false)

        await vietEditor.resolve(conflict, choosing: try XCTUnwrap(conflict.choices.first { $0.value == "m-hoa" })).value
        XCTAssertTrue(vietEditor.state.conflicts.isEmpty)
        try await viet.sync()
        try await luong.sync()
        let resolved = try await awaitState(luongEditor) {
            $0.conflicts.isEmpty && $0.topics.first?.presenter == "m-hoa"
        }
        XCTAssertEqual(resolved.readiness?.ready, true)
        vietEditor.close()
        luongEditor.close()
    }

    @MainActor
    func test_approval_screens_secretary_approves_member_sees_approved_then_changes_since() async throws {
        let server = try TestServer.start()
        let phones = try Phones()
        defer {
            phones.close()
            server.close()
        }
        let viet = try await phones.enrolled(server, "m-viet")
        let luong = try await phones.enrolled(server, "m-luong")
        let plan = try await viet.createPlan(plan2026())
        let t = try await viet.addTopic(planId: plan, topic("An toàn lao động", month: 6))
        try await viet.sync()
        try await luong.sync()

        let member = ApprovalViewModel(sotay: luong, docId: plan)
        let initial = try await awaitState(member) { !$0.loading }
        XCTAssertEqual(initial.status, .notSubmitted)
        XCTAssertFalse(member.state.mayApprove)
        guard case .wrongRole(let held, let needed) = member.state.rights?.blockers.first,
              member.state.rights?.blockers.count == 1 else {
            return XCTFail("one blocker, the role: \(String(describing: member.state.rights))")
        }
        XCTAssertEqual(held, .member)
        XCTAssertEqual(needed, [.secretary])
        await member.approve().value
        XCTAssertEqual(member.state.error?.caseName, "NotPermitted")
        await member.submit(note: "Đề nghị đồng chí Bí thư duyệt").value
        guard case .submitted(let by, _, _, _) = member.state.status else {
            return XCTFail("submitted, got \(member.state.status)")
        }
        XCTAssertEqual(by, "m-luong")
        XCTAssertEqual(member.state.unsent, 1)
        try await luong.sync()
        let sent = try await awaitState(member) { $0.unsent == 0 }
        XCTAssertEqual(sent.signoffs.first?.state, .synced)
        try await viet.sync()

        let secretary = ApprovalViewModel(sotay: viet, docId: plan)
        let asked = try await awaitState(secretary) { if case .submitted = $0.status { true } else { false } }
        XCTAssertTrue(asked.mayApprove)
        XCTAssertTrue(asked.canApproveNow)
        await secretary.approve(note: "Đồng ý ban hành").value
        XCTAssertTrue(secretary.state.isApproved)
        try await viet.sync()
        try await luong.sync()  // the member's screen updates itself

        let approved = try await awaitState(member) { $0.isApproved }
        XCTAssertEqual(approved.approval?.signer, "m-viet")
        XCTAssertEqual(approved.approval?.role, .secretary)
        XCTAssertNil(approved.changesSinceApproval)
        XCTAssertNil(approved.invalidReason)

        try await luong.setTopicField(planId: plan, topicId: t, .expectedOutput(value: "Không có tai nạn lao động"))
        let changed = try await awaitState(member) { $0.changesSinceApproval != nil }
        XCTAssertTrue(changed.isApprovedWithChanges)
        XCTAssertEqual(changed.approval?.signer, "m-viet", "the approval still holds")
        guard case .plan(let delta) = try XCTUnwrap(changed.changesSinceApproval).content else {
            return XCTFail("a plan delta")
        }
        XCTAssertEqual(delta.topicFields.map(\.change.field), ["expected_output"])
        XCTAssertEqual(delta.topicFields.first?.change.to, .text(value: "Không có tai nạn lao động"))
        member.close()
        secretary.close()
    }

    @MainActor
    func test_branch_home_lists_plans_and_what_needs_the_member() async throws {
        let server = try TestServer.start()
        let phones = try Phones()
        defer {
            phones.close()
            server.close()
        }
        let viet = try await phones.enrolled(server, "m-viet")
        let luong = try await phones.enrolled(server, "m-luong")
        let plan = try await viet.createPlan(plan2026())
        let mine = try await viet.addTopic(planId: plan, topic("Giải pháp giảm thời gian dừng máy", month: 4, preparer: "m-luong"))
        let other = try await viet.addTopic(planId: plan, topic("Xây dựng Đảng", month: 7, preparer: "m-viet", presenter: "m-hoa"))
        let myDraft = try await viet.createTextDoc(draft(plan: plan, topic: mine, body: "Dừng máy ngoài kế hoạch."))
        let otherDraft = try await viet.createTextDoc(draft(plan: plan, topic: other, body: "Nội dung khác."))
        try await viet.sync()

        let home = BranchHomeViewModel(sotay: luong)
        try await luong.sync()
        let loaded = try await awaitState(home) { $0.plans.count == 1 && !$0.needsMe.myTopicDrafts.isEmpty }
        XCTAssertEqual(loaded.me?.fullName, "Hoàng Đức Lượng")
        XCTAssertFalse(loaded.isOfficer)
        XCTAssertEqual(loaded.needsMe.myTopicDrafts.map(\.docId), [myDraft])
        XCTAssertTrue(loaded.needsMe.draftsToRead.isEmpty, "nothing published for a session yet")

        // The member comments on the secretary's draft and submits the plan.
        let c = try await luong.addComment(docId: otherDraft, "Đề nghị bổ sung số liệu")
        try await luong.submitForApproval(docId: plan, note: "Trình chi ủy")
        try await luong.sync()
        let vietHome = BranchHomeViewModel(sotay: viet)
        try await viet.sync()
        // The secretary: the comment on his draft, and the plan waiting for his approval.
        let vietNeeds = try await awaitState(vietHome) {
            !$0.needsMe.approvalsPending.isEmpty && !$0.needsMe.commentsAwaitingReply.isEmpty
        }.needsMe
        XCTAssertEqual(vietNeeds.approvalsPending.count, 1)
        let pending = try XCTUnwrap(vietNeeds.approvalsPending.first)
        XCTAssertEqual(pending.docId, plan)
        XCTAssertEqual(pending.kind, .annualPlan)
        XCTAssertEqual(pending.submittedBy, "m-luong")
        XCTAssertTrue(pending.ready)
        XCTAssertEqual(vietNeeds.commentsAwaitingReply.map(\.reason), [.onMyDocument])

        // He answers: off his list, onto the member's.
        try await viet.reply(docId: otherDraft, to: c, "Đã bổ sung, đồng chí xem lại")
        _ = try await awaitState(vietHome) { $0.needsMe.commentsAwaitingReply.isEmpty }
        try await viet.sync()
        try await luong.sync()
        let needs = try await awaitState(home) { !$0.needsMe.commentsAwaitingReply.isEmpty }.needsMe
        XCTAssertEqual(needs.commentsAwaitingReply.count, 1)
        let awaiting = try XCTUnwrap(needs.commentsAwaitingReply.first)
        XCTAssertEqual(awaiting.thread.id, c)
        XCTAssertEqual(awaiting.latest.author, "m-viet")
        XCTAssertEqual(awaiting.reason, .reply)
        XCTAssertTrue(needs.approvalsPending.isEmpty, "a member does not approve plans")
        XCTAssertEqual(home.state.name(of: awaiting.latest.author), "Đặng Quốc Việt")

        // Looking at it takes it off the list, until someone writes again.
        await home.markSeen(awaiting).value
        XCTAssertTrue(home.state.needsMe.commentsAwaitingReply.isEmpty)
        try await viet.reply(docId: otherDraft, to: c, "Đồng chí xem thêm phụ lục")
        try await viet.sync()
        try await luong.sync()
        _ = try await awaitState(home) { !$0.needsMe.commentsAwaitingReply.isEmpty }

        // Answering takes it off the list.
        try await luong.reply(docId: otherDraft, to: c, "Cảm ơn đồng chí")
        _ = try await awaitState(home) { $0.needsMe.commentsAwaitingReply.isEmpty }

        // Approved: off the secretary's list.
        try await viet.approve(docId: plan, note: "Đồng ý")
        _ = try await awaitState(vietHome) { $0.needsMe.approvalsPending.isEmpty }
        XCTAssertEqual(home.state.plans.map(\.docId), [plan])
        vietHome.close()
        home.close()
    }
}
