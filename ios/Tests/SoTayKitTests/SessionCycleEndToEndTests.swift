// The session cycle on three phones and the real server.

import Foundation
import XCTest
@testable import SoTayKit

/// Step 5 on three phones and the real server, through the view models the screens draw: the
/// secretary publishes an approved draft for a session; the member finds it in "what needs
/// me" and his reading list and opens it; the secretary's overview shows it read; the clerk
/// (a plain member named clerk) writes the minutes — times, attendance, an opinion and a task
/// taken from the member's proposal, the quality score; chair and clerk sign; the member's
/// phone shows the minutes adopted, his proposal on the board, and his participation with its
/// evidence. A plain member publishing or signing is refused with the right error. The same
/// scenario as the Android layer's SessionCycleEndToEndTest.
// @unchecked Sendable: no stored state; its @MainActor tests are called from XCTest.
final class SessionCycleEndToEndTests: XCTestCase, @unchecked Sendable {
    @MainActor
    func test_a_published_draft_is_read_minuted_adopted_and_counted_as_evidence() async throws {
        let server = try TestServer.start()
        let phones = try Phones()
        defer {
            phones.close()
            server.close()
        }
        // The session is five days from now (Vietnam time), so what happens now is before it.
        // Proposals count in the year they are made, sessions in theirs (late in December the
        // two differ).
        let today = VietnamDay.today
        let day = today.adding(days: 5)
        let year = day.year
        let proposalYear = today.year
        let quarter = (day.month - 1) / 3
        let viet = try await phones.enrolled(server, "m-viet")
        let luong = try await phones.enrolled(server, "m-luong")
        let thuy = try await phones.enrolled(server, "m-thuy")

        // The plan's topic, Lượng's draft with his proposal, approved by the secretary.
        let plan = try await viet.createPlan(NewPlan(
            branchId: TestServer.branch, year: Int32(year), title: "", number: "01-KH/CB",
            issueDate: nil, purpose: "", implementation: ""))
        let topicId = try await viet.addTopic(
            planId: plan, topic("Giải pháp giảm thời gian dừng máy ngoài kế hoạch", month: UInt32(day.month)))
        try await viet.sync()
        try await luong.sync()
        let body = "Quý I dừng máy ngoài kế hoạch 46 giờ, chủ yếu do bảo dưỡng chưa đúng kỳ."
        let draftId = try await luong.createTextDoc(draft(plan: plan, topic: topicId, body: body))
        let proposal = try await luong.addComment(docId: draftId, "Bảo dưỡng định kỳ theo ca, có sổ theo dõi", kind: .proposal)
        try await luong.submitForApproval(docId: draftId, note: "Đề nghị bí thư duyệt")
        try await luong.sync()
        try await viet.sync()
        try await viet.approve(docId: draftId, note: "Đồng ý gửi đảng viên")

        // The secretary creates the session and publishes the draft from its record screen.
        let session = try await viet.createSession(planId: plan, topicId: topicId, date: day.iso)
        let chairRecord = SessionRecordViewModel(sotay: viet, sessionId: session)
        _ = try await awaitState(chairRecord) { !$0.loading }
        await chairRecord.publish(draftId).value
        XCTAssertNil(chairRecord.state.error)
        XCTAssertEqual(chairRecord.state.session?.distribution.map(\.docId), [draftId])
        try await viet.sync()

        // The member's phone: the draft is in "what needs me", and publishing is not his to do.
        let home = BranchHomeViewModel(sotay: luong)
        try await luong.sync()
        let needs = try await awaitState(home) { !$0.needsMe.draftsToRead.isEmpty }.needsMe
        XCTAssertEqual(needs.draftsToRead.count, 1)
        let toRead = try XCTUnwrap(needs.draftsToRead.first)
        XCTAssertEqual(toRead.docId, draftId)
        XCTAssertEqual(toRead.sessionId, session)
        XCTAssertEqual(home.state.sessions.map(\.docId), [session])
        let memberRecord = SessionRecordViewModel(sotay: luong, sessionId: session)
        _ = try await awaitState(memberRecord) { !$0.loading }
        await memberRecord.publish(draftId).value
        XCTAssertEqual(memberRecord.state.error?.caseName, "NotPermitted")
        await assertThrows({ try await luong.publish(sessionId: session, docId: draftId) }) { $0.caseName == "NotPermitted" }

        // His reading list; opening the draft shows the version published and records it.
        let reading = ReadingListViewModel(sotay: luong)
        let listed = try await awaitState(reading) { !$0.items.isEmpty }
        XCTAssertEqual(listed.unreadCount, 1)
        await reading.open(toRead).value
        XCTAssertNil(reading.state.error)
        XCTAssertEqual(reading.state.openDocument?.body, body)
        XCTAssertNotNil(reading.state.items.first?.openedAt)
        XCTAssertEqual(reading.state.unreadCount, 0)
        _ = try await awaitState(home) { $0.needsMe.draftsToRead.isEmpty }

        // The secretary's overview: the receipt arrives by sync and the unread count drops.
        let overview = BranchOverviewViewModel(sotay: viet, year: Int32(year))
        let before = try await awaitState(overview) { !$0.sessions.isEmpty }
        let unreadBefore = try XCTUnwrap(before.sessions.first).unread
        try await luong.sync()
        try await viet.sync()
        let afterReceipt = try await awaitState(overview) { ($0.sessions.first?.unread ?? 0) < unreadBefore }
        let read = try XCTUnwrap(afterReceipt.sessions.first)
        XCTAssertEqual(read.unread, unreadBefore - 1)
        XCTAssertEqual(read.published, 1)
        XCTAssertEqual(read.publishedLate, 0, "out five days ahead")
        XCTAssertFalse(read.adopted)
        let receipts = try await awaitState(chairRecord) { !($0.distribution.first?.opened.isEmpty ?? true) }
        XCTAssertEqual(receipts.distribution.first?.opened.map(\.memberId), ["m-luong"])

        // Officers name the chair, the clerk (a plain member) and the presenter.
        await chairRecord.setField(.chair(memberId: "m-viet")).value
        await chairRecord.setField(.clerk(memberId: "m-thuy")).value
        await chairRecord.setField(.presenter(memberId: "m-luong")).value
        XCTAssertNil(chairRecord.state.error)
        try await viet.sync()
        try await thuy.sync()

        // The clerk writes the minutes on her phone.
        let clerk = SessionRecordViewModel(sotay: thuy, sessionId: session)
        _ = try await awaitState(clerk) { $0.session?.clerk == "m-thuy" && !$0.publishedComments.isEmpty }
        XCTAssertEqual(
            clerk.state.missingBeforeSigning.map(\.label), ["Thời gian bắt đầu", "Thời gian kết thúc"],
            "what the screen lists before signing"
        )
        XCTAssertFalse(clerk.state.canSign)
        await clerk.sign().value
        XCTAssertEqual(clerk.state.error?.caseName, "NotReady", "no start and end times yet")
        clerk.clearError()
        await clerk.setStart("08:00").value
        await clerk.setEnd("09:45").value
        await clerk.setField(.place(value: "Hội trường Phân xưởng Cơ điện")).value
        await clerk.markAllPresent().value
        await clerk.setAttendance(memberId: "m-anh", .absentExcused, reason: "Đi công tác").value
        let picked = try XCTUnwrap(clerk.state.publishedComments.first { $0.comment.id == proposal })
        await clerk.addOpinion(from: picked).value
        await clerk.setText(.conclusion, "Chi bộ thống nhất bảo dưỡng định kỳ theo ca.").value
        await clerk.addTask(
            title: "Lập lịch bảo dưỡng theo ca", owner: "m-luong", deadline: day.adding(days: 40).iso, adopting: picked
        ).value
        for (criterion, points) in [("attendance", 23), ("duration", 15), ("preparation", 20), ("opinions", 22), ("minutes", 15)] {
            await clerk.setQuality(criterion, points: points).value
        }
        XCTAssertNil(clerk.state.error)

        let minutes = clerk.state
        let s = try XCTUnwrap(minutes.session)
        XCTAssertEqual(s.durationMinutes, 105)
        XCTAssertEqual(minutes.durationOk, true)
        XCTAssertEqual(s.qualityTotal, 95)
        XCTAssertEqual(s.qualityLevel, .fair, "95 points, attendance and opinions below their maxima")
        XCTAssertEqual(s.qualityLevel.label, "Khá")
        XCTAssertEqual(minutes.attendance(of: "m-luong"), .present)
        XCTAssertEqual(minutes.attendance(of: "m-anh"), .absentExcused)
        XCTAssertEqual(s.opinions.map(\.memberId), ["m-luong"])
        XCTAssertEqual(s.opinions.first?.body, picked.comment.body)
        XCTAssertEqual(s.opinions.first?.source, picked.source)
        XCTAssertEqual(s.tasks.map(\.owner), ["m-luong"])
        XCTAssertEqual(s.tasks.first?.source, picked.source)
        XCTAssertTrue(minutes.canSign)

        // Clerk, then chair, sign the same version; a plain member may not.
        await clerk.sign(note: "Thư ký ký biên bản").value
        XCTAssertNil(clerk.state.error)
        guard case .partlySigned(_, let awaiting) = clerk.state.adoption else {
            return XCTFail("partly signed, got \(clerk.state.adoption)")
        }
        XCTAssertEqual(awaiting, ["m-viet"])
        try await thuy.sync()
        try await viet.sync()
        _ = try await awaitState(chairRecord) {
            if case .partlySigned = $0.adoption { $0.canSign } else { false }
        }
        await chairRecord.sign(note: "Chủ trì ký biên bản").value
        XCTAssertTrue(chairRecord.state.isAdopted)
        try await viet.sync()
        try await luong.sync()

        // The member's phone checks the two signatures: adopted.
        let adopted = try await awaitState(memberRecord) { $0.isAdopted }
        guard case .adopted = adopted.adoption else { return XCTFail("adopted as signed, got \(adopted.adoption)") }
        XCTAssertEqual(Set(adopted.signatures.map(\.signer)), ["m-viet", "m-thuy"])
        XCTAssertTrue(adopted.changedSinceAdoption.isEmpty)
        XCTAssertTrue(adopted.signRights?.blockers.contains(.notChairOrClerk) == true)
        await memberRecord.sign().value
        XCTAssertEqual(memberRecord.state.error?.caseName, "NotPermitted")

        // The adopted minutes as the official paper, on the member's phone: the committee's and
        // the branch's names from the signed directory, no draft mark; as DOCX too.
        let paper = try await luong.exportMinutes(sessionId: session, format: .html, place: "Quảng Ninh")
        XCTAssertTrue(paper.official)
        XCTAssertTrue(paper.fileName.hasSuffix(".html"), paper.fileName)
        let page = String(decoding: paper.bytes, as: UTF8.self)
        XCTAssertTrue(page.uppercased().contains("SÔNG LAM XANH"), "the committee's name")
        XCTAssertFalse(page.contains("DỰ THẢO"), "adopted: no draft mark")
        XCTAssertTrue(page.contains("Chi bộ thống nhất bảo dưỡng định kỳ theo ca."))
        let docx = try await luong.exportMinutes(sessionId: session, format: .docx)
        XCTAssertEqual(Array(docx.bytes.prefix(2)), [0x50, 0x4B])
        let sheet = try await viet.evidenceSheet(memberId: "m-luong", year: Int32(proposalYear), format: .html)
        XCTAssertTrue(!sheet.official && String(decoding: sheet.bytes, as: UTF8.self).contains("Hoàng Đức Lượng"))
        // The same through the screen's model: the paper to share, then closed.
        await memberRecord.exportMinutes(format: .html).value
        XCTAssertEqual(memberRecord.state.paper?.official, true)
        memberRecord.closePaper()
        XCTAssertNil(memberRecord.state.paper)

        // His proposal on the board: adopted; he carries it out — the minutes stay adopted.
        let board = ProposalsBoardViewModel(sotay: luong, year: Int32(proposalYear))
        let items = try await awaitState(board) { $0.items.contains { $0.task != nil } }.items
        XCTAssertEqual(items.count, 1)
        let item = try XCTUnwrap(items.first)
        XCTAssertEqual(item.commentId, proposal)
        XCTAssertEqual(item.stage, .adopted)
        let task = try XCTUnwrap(item.task)
        await board.updateTask(task, .done, note: "Đã áp dụng từ ca 3").value
        XCTAssertEqual(board.state.items.map(\.stage), [.done])
        let progressed = try await awaitState(memberRecord) { $0.session?.tasks.first?.status == .done }
        guard case .adopted = progressed.adoption else {
            return XCTFail("progress is not an edit of the minutes, got \(progressed.adoption)")
        }

        // His participation: every figure with its evidence, and the notice.
        let mine = ParticipationViewModel(sotay: luong, year: Int32(year))
        let p = try await awaitState(mine) { $0.evidence != nil }
        XCTAssertTrue(p.notice.contains("không phải kết quả đánh giá"), p.notice)
        func figure(_ c: EvidenceCategory) throws -> EvidenceFigure {
            try XCTUnwrap(p.figures.first { $0.category == c })
        }
        let presented = try figure(.presentation)
        XCTAssertEqual(presented.count, 1)
        XCTAssertEqual(presented.evidence.map(\.docId), [session])
        XCTAssertEqual(presented.frame, .taskResults)
        XCTAssertEqual(try figure(.present).count, 1)
        XCTAssertEqual(try figure(.proposalBefore).evidence.map(\.itemId), [proposal])
        XCTAssertEqual(try figure(.materialOpenedBefore).count, 1)
        XCTAssertEqual(try figure(.assignmentOnTime).count, 1)
        XCTAssertTrue(p.figures(.general).contains { $0.category == .present })
        XCTAssertNil(p.absenceFlag)
        await mine.exportSheet(format: .html).value
        let sheetShown = try XCTUnwrap(mine.state.paper, "the sheet to share")
        XCTAssertTrue(String(decoding: sheetShown.bytes, as: UTF8.self).contains("Hoàng Đức Lượng"))
        XCTAssertFalse(sheetShown.official, "a proposal for the vote, never official")
        let made = try await luong.participationEvidence(branchId: TestServer.branch, year: Int32(proposalYear))
        let luongMade = try XCTUnwrap(made.members.first { $0.memberId == "m-luong" })
        for c in [EvidenceCategory.proposalAdopted, .proposalDone] {
            let f = try XCTUnwrap(luongMade.figures.first { $0.category == c })
            XCTAssertEqual(f.count, 1, c.label)
            XCTAssertEqual(f.evidence.map(\.itemId), [proposal], c.label)
        }

        // The secretary's overview after the sync: held in its quarter, adopted; asking a
        // week's notice makes the same publication late.
        try await luong.sync()
        try await viet.sync()
        let done = try await awaitState(overview) { $0.sessions.first?.adopted == true }
        XCTAssertEqual(done.heldPerQuarter[quarter], 1)
        XCTAssertFalse(done.quartersMissed.contains(quarter + 1))
        XCTAssertEqual(done.sessions.first?.durationOk, true)
        await overview.setLeadDays(planId: plan, 7).value
        XCTAssertNil(overview.state.error)
        _ = try await awaitState(overview) { $0.sessions.first?.publishedLate == 1 }

        for vm in [chairRecord, memberRecord, clerk] { vm.close() }
        home.close()
        reading.close()
        overview.close()
        board.close()
        mine.close()
    }
}

/// A calendar day in Vietnam (UTC+7, no daylight saving), the time every branch lives in.
struct VietnamDay {
    let year: Int
    let month: Int
    let dayOfMonth: Int

    private static var calendar: Calendar {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(secondsFromGMT: 7 * 3600)!
        return c
    }

    private init(_ date: Date) {
        let parts = Self.calendar.dateComponents([.year, .month, .day], from: date)
        year = parts.year!
        month = parts.month!
        dayOfMonth = parts.day!
    }

    /// Today in Vietnam.
    static var today: VietnamDay { VietnamDay(Date()) }

    /// The day `days` later.
    func adding(days: Int) -> VietnamDay {
        let start = Self.calendar.date(from: DateComponents(year: year, month: month, day: dayOfMonth))!
        return VietnamDay(Self.calendar.date(byAdding: .day, value: days, to: start)!)
    }

    /// "YYYY-MM-DD".
    var iso: String { String(format: "%04d-%02d-%02d", year, month, dayOfMonth) }
}
