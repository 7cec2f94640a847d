// Two phones and the real server, end to end.

import Foundation
import XCTest
@testable import SoTayKit

/// Step 4, end to end: two phones against the real sotay-server — offline edits and a
/// comment, a conflict shown and resolved, an approval signed on the secretary's phone and
/// verified on the member's, a change after approval with its delta, and a server outage in
/// which nothing is lost. The same scenario as the Android layer's TwoPhonesEndToEndTest.
final class TwoPhonesEndToEndTests: XCTestCase {
    func test_two_phones_edit_offline_resolve_a_conflict_approve_and_survive_an_outage() async throws {
        let server = try TestServer.start()
        let phones = try Phones()
        defer {
            phones.close()
            server.close()
        }

        // Two phones enroll: Việt (secretary) and Lượng (member); the first sync brings the
        // signed directory.
        let viet = try await phones.enrolled(server, "m-viet")
        let luong = try await phones.enrolled(server, "m-luong")
        let vietRole = try await viet.myRole()
        let luongRole = try await luong.myRole()
        XCTAssertEqual(vietRole, .secretary)
        XCTAssertEqual(luongRole, .member)
        await assertThrows({ try await luong.createPlan(plan2026()) }) { $0.caseName == "NotPermitted" }

        // The secretary drafts the plan and the first topic's draft; both phones get it.
        let plan = try await viet.createPlan(plan2026())
        let t1 = try await viet.addTopic(planId: plan, topic("Giải pháp giảm thời gian dừng máy ngoài kế hoạch", month: 4))
        let t2 = try await viet.addTopic(planId: plan, topic(
            "Học tập và làm theo tư tưởng Hồ Chí Minh", month: 5, preparer: "m-viet", presenter: "m-hoa",
            group: .hoChiMinh))
        let draftId = try await viet.createTextDoc(draft(plan: plan, topic: t1, body: "Dừng máy ngoài kế hoạch làm giảm sản lượng."))
        try await viet.sync()
        let planArrives = luong.changes(of: plan)  // registered now, before the sync
        try await luong.sync()
        let arrived: Void? = try await firstValue(planArrives)
        XCTAssertNotNil(arrived, "the member's phone heard of the plan")
        let rows = try await luong.topics(planId: plan)
        XCTAssertEqual(rows.map(\.topicId), [t1, t2])

        // Offline on both phones: the member edits the plan and proposes on the draft; the
        // secretary sets the same topic field to something else.
        try await luong.setTopicField(planId: plan, topicId: t1, .expectedOutput(value: "Ít nhất 5 giải pháp"))
        try await luong.setTopicField(planId: plan, topicId: t1, .notes(value: "Tổ đảng số 1 cùng chuẩn bị"))
        let proposal = try await luong.addComment(docId: draftId, "Bảo dưỡng định kỳ theo ca", kind: .proposal, on: 0..<8)
        try await viet.setTopicField(planId: plan, topicId: t1, .expectedOutput(value: "Giảm 20% thời gian dừng máy"))
        guard case .idle(_, let waiting) = luong.currentSyncStatus else {
            return XCTFail("expected idle, got \(luong.currentSyncStatus)")
        }
        XCTAssertEqual(waiting, 2, "the plan and the draft wait to be sent")

        // Both sync: the edits merge, and the concurrent choice shows on both phones with who
        // made each.
        try await luong.sync()
        try await viet.sync()
        try await luong.sync()
        for phone in [viet, luong] {
            let conflicts = try await phone.conflicts(docId: plan)
            XCTAssertEqual(conflicts.count, 1)
            XCTAssertEqual(conflicts.first?.path, ["topics", t1, "expected_output"])
            XCTAssertEqual(Set(conflicts.first?.values.compactMap(\.setBy) ?? []), ["m-viet", "m-luong"])
            let notes = try await phone.plan(plan).topics.first { $0.id == t1 }?.notes
            XCTAssertEqual(notes, "Tổ đảng số 1 cùng chuẩn bị")
        }
        let onDraft = try await viet.textDoc(draftId).comments
        XCTAssertEqual(onDraft.map(\.id), [proposal])
        XCTAssertEqual(onDraft.first?.author, "m-luong")
        XCTAssertEqual(onDraft.first?.anchor?.current, "Dừng máy")

        // No approval while the conflict stands; the secretary resolves it (taking the
        // member's value), then approves exactly the version she reads, offline-signed.
        await assertThrows({ try await viet.approve(docId: plan, note: "Đồng ý") }) { $0.caseName == "NotReady" }
        let blocked = try await viet.approvalReadiness(docId: plan)
        XCTAssertEqual(blocked.conflicts.count, 1)
        let listed = try await viet.conflicts(docId: plan)
        let conflict = try XCTUnwrap(listed.first)
        try await viet.resolve(conflict, choosing: try XCTUnwrap(conflict.values.first { $0.setBy == "m-luong" }))
        let afterResolve = try await viet.conflicts(docId: plan)
        XCTAssertTrue(afterResolve.isEmpty)
        let ready = try await viet.approvalReadiness(docId: plan)
        XCTAssertTrue(ready.ready)
        let approval = try await viet.approve(docId: plan, note: "Đồng ý ban hành")
        guard case .approved = try await viet.approvalStatus(docId: plan) else {
            return XCTFail("the secretary's phone shows the plan approved")
        }
        try await viet.sync()
        try await luong.sync()

        // The member's phone shows the plan approved, the signature verified against the
        // server-signed directory.
        let luongConflicts = try await luong.conflicts(docId: plan)
        XCTAssertTrue(luongConflicts.isEmpty)
        guard case .approved(let approved) = try await luong.approvalStatus(docId: plan) else {
            return XCTFail("the member's phone shows the plan approved with a valid signature")
        }
        XCTAssertEqual(approved.id, approval.id)
        XCTAssertEqual(approved.signer, "m-viet")
        XCTAssertEqual(approved.role, .secretary)
        XCTAssertEqual(approved.heads, approval.heads)
        let output = try await luong.plan(plan).topics.first { $0.id == t1 }?.expectedOutput
        XCTAssertEqual(output, "Ít nhất 5 giải pháp")

        // The member edits: approved with changes, listing exactly what changed since.
        try await luong.setTopicField(planId: plan, topicId: t2, .notes(value: "Mời báo cáo viên của Đảng ủy"))
        guard case .approvedWithChanges(let stillApproved, let maybeDelta) = try await luong.approvalStatus(docId: plan) else {
            return XCTFail("approved with changes")
        }
        XCTAssertEqual(stillApproved.id, approval.id)
        let delta = try XCTUnwrap(maybeDelta)
        XCTAssertEqual(delta.editors, ["m-luong"])
        guard case .plan(let planDelta) = delta.content else { return XCTFail("a plan delta") }
        XCTAssertEqual(planDelta.topicFields.count, 1)
        let edit = try XCTUnwrap(planDelta.topicFields.first)
        XCTAssertEqual(edit.topicId, t2)
        XCTAssertEqual(edit.change.field, "notes")
        XCTAssertEqual(edit.change.to, .text(value: "Mời báo cáo viên của Đảng ủy"))
        XCTAssertEqual(edit.change.by, "m-luong")

        // The server goes away in the middle of a sync: whether that sync got through or not,
        // the member keeps editing, the next sync reports offline through the status stream,
        // and nothing is lost.
        let statuses = Collected<SyncStatus>()
        let collecting = statuses.collect(luong.syncStatus)
        defer { collecting.cancel() }
        try await luong.setTopicField(planId: plan, topicId: t1, .notes(value: "Bổ sung tổ đảng số 2"))
        let cut = Task { try await luong.sync() }
        server.stop()
        if case .failure(let error) = await cut.result {
            XCTAssertEqual(ApiError(error).caseName, "Offline", "a sync cut off is offline, not a failure")
        }
        try await luong.setTopicField(planId: plan, topicId: t2, .expectedOutput(value: "Báo cáo thu hoạch"))
        await assertThrows({ try await luong.sync() }) { $0.caseName == "Offline" }
        guard case .offline(let lastSynced, let unsent, _) = luong.currentSyncStatus else {
            return XCTFail("offline, got \(luong.currentSyncStatus)")
        }
        XCTAssertEqual(unsent, 1, "the plan waits to be sent")
        XCTAssertNotNil(lastSynced, "the last successful sync is still known")
        // The stream delivers every status in order; wait until it has caught up with the
        // store's own (offline, after the last sync).
        try await eventually("the stream to reach the offline status") {
            statuses.values.last == luong.currentSyncStatus
        }
        let seenStatuses = statuses.values
        XCTAssertTrue(seenStatuses.first.map { if case .idle = $0 { true } else { false } } ?? false,
                      "the current value first: \(seenStatuses)")
        XCTAssertTrue(seenStatuses.contains { if case .syncing = $0 { true } else { false } }, "saw \(seenStatuses)")
        guard case .offline = seenStatuses.last else { return XCTFail("offline last: \(seenStatuses)") }
        let kept = try await luong.plan(plan).topics
        XCTAssertEqual(kept.first { $0.id == t1 }?.notes, "Bổ sung tổ đảng số 2")
        XCTAssertEqual(kept.first { $0.id == t2 }?.expectedOutput, "Báo cáo thu hoạch")

        // The server comes back on the same data: both phones sync and the secretary sees
        // every edit made while it was away, with the approval's delta naming them.
        try server.restart()
        try await luong.sync()
        guard case .idle(_, 0) = luong.currentSyncStatus else {
            return XCTFail("idle with nothing waiting, got \(luong.currentSyncStatus)")
        }
        try await viet.sync()
        let seen = try await viet.plan(plan).topics
        XCTAssertEqual(seen.first { $0.id == t1 }?.notes, "Bổ sung tổ đảng số 2")
        XCTAssertEqual(seen.first { $0.id == t2 }?.notes, "Mời báo cáo viên của Đảng ủy")
        XCTAssertEqual(seen.first { $0.id == t2 }?.expectedOutput, "Báo cáo thu hoạch")
        guard case .approvedWithChanges(_, let vietDelta) = try await viet.approvalStatus(docId: plan),
              case .plan(let fields) = try XCTUnwrap(vietDelta).content else {
            return XCTFail("the secretary sees approved with changes")
        }
        XCTAssertEqual(Set(fields.topicFields.map { "\($0.topicId)/\($0.change.field)" }),
                       ["\(t1)/notes", "\(t2)/notes", "\(t2)/expected_output"])
    }
}
