// Attachments on two phones and the real server.

import Foundation
import XCTest
@testable import SoTayKit

/// Attachments on two phones and the real server (started with a 1 MiB attachment limit),
/// through the topic screen's view model: the secretary attaches a PDF to a material and
/// syncs (the file goes after the documents); the member's phone lists it without its bytes,
/// opens it — downloaded, checked, identical — and then holds it. A scan over the server's
/// limit is refused for good and shown so; the member asking for it gets `.NotFound`, and a
/// hash no material lists or a malformed one `.InvalidInput`. The same scenario as the
/// Android layer's AttachmentsEndToEndTest.
// @unchecked Sendable: no stored state; its @MainActor tests are called from XCTest.
final class AttachmentsEndToEndTests: XCTestCase, @unchecked Sendable {
    /// PDF-like bytes: a header, `len` varied bytes and a trailer.
    private func pdf(_ seed: UInt8, _ len: Int) -> Data {
        var d = Data("%PDF-1.7\n".utf8)
        d.append(contentsOf: (0..<len).map { UInt8(truncatingIfNeeded: $0 * 7919 % 251) ^ seed })
        d.append(contentsOf: Data("\n%%EOF\n".utf8))
        return d
    }

    @MainActor
    func test_an_attached_pdf_reaches_the_other_phone_which_fetches_it_on_opening() async throws {
        let server = try TestServer.start(maxBlobMiB: 1)
        let phones = try Phones()
        defer {
            phones.close()
            server.close()
        }
        let viet = try await phones.enrolled(server, "m-viet")
        let luong = try await phones.enrolled(server, "m-luong")
        let plan = try await viet.createPlan(plan2026())
        let topicId = try await viet.addTopic(planId: plan, topic("Học tập Nghị quyết Trung ương 4", month: 5))

        // The secretary adds a material to the topic and attaches the resolution to it.
        let secretary = TopicDraftViewModel(sotay: viet, planId: plan, topicId: topicId)
        _ = try await awaitState(secretary) { !$0.loading }
        await secretary.addMaterial(title: "Nghị quyết 21-NQ/TW", description: "Văn bản gốc",
                                    body: "Tóm tắt nội dung chính.").value
        let material = try await awaitState(secretary) { !$0.materials.isEmpty }.materials[0].docId
        await secretary.openMaterial(material).value
        let resolution = pdf(1, 600_000)
        await secretary.attach(resolution, fileName: "Nghị quyết 21-NQ-TW.pdf").value
        XCTAssertNil(secretary.state.error)
        let attached = try await awaitState(secretary) { !$0.attachments.isEmpty }.attachments[0]
        XCTAssertEqual(attached.name, "Nghị quyết 21-NQ-TW.pdf")
        XCTAssertEqual(attached.mime, "application/pdf")
        XCTAssertEqual(attached.size, UInt64(resolution.count))
        XCTAssertEqual(attached.addedBy, "m-viet")
        XCTAssertTrue(attached.onDevice)
        XCTAssertEqual(attached.upload, .pending)

        // A scan over the server's 1 MiB limit: kept here, refused by the server for good.
        await secretary.attach(pdf(2, 1_300_000), fileName: "Bản chụp.pdf").value
        let two = try await awaitState(secretary) { $0.attachments.count == 2 }.attachments
        let scan = try XCTUnwrap(two.first { $0.name == "Bản chụp.pdf" })

        let report = try await viet.sync()
        XCTAssertEqual(report.blobsUploaded, 1, "\(report)")
        XCTAssertEqual(report.blobsRefused.map(\.sha256), [scan.sha256])
        XCTAssertEqual(report.blobsRefused.first?.code, "too_large")
        // The secretary's screen follows: sent, and refused with the server's reason.
        let afterSync = try await awaitState(secretary) { s in !s.attachments.contains { $0.upload == .pending } }
        XCTAssertEqual(afterSync.attachments.first { $0.name == attached.name }?.upload, .notQueued)
        guard case .refused(let code, let message)? = afterSync.attachments.first(where: { $0.name == "Bản chụp.pdf" })?.upload else {
            return XCTFail("the scan is not shown refused: \(afterSync.attachments)")
        }
        XCTAssertEqual(code, "too_large")
        XCTAssertFalse(message.isEmpty)
        let refusals = try await viet.blobRefusals()
        XCTAssertEqual(refusals.map(\.sha256), [scan.sha256])
        // An idle sync sends nothing again.
        let idle = try await viet.sync()
        XCTAssertEqual(idle.blobsUploaded, 0)

        // The member's phone: the material lists both files, neither is on it.
        try await luong.sync()
        let member = TopicDraftViewModel(sotay: luong, planId: plan, topicId: topicId)
        _ = try await awaitState(member) { !$0.materials.isEmpty }
        await member.openMaterial(material).value
        let listed = try await awaitState(member) { $0.attachments.count == 2 }.attachments
        let onLuong = try XCTUnwrap(listed.first { $0.sha256 == attached.sha256 })
        XCTAssertEqual(onLuong.name, attached.name)
        XCTAssertEqual(onLuong.size, attached.size)
        XCTAssertFalse(listed.contains { $0.onDevice }, "listed, not downloaded: \(listed)")
        XCTAssertTrue(listed.allSatisfy { $0.upload == .notQueued })
        let before = try await luong.attachmentBytes(sha256: attached.sha256)
        XCTAssertNil(before)

        // Opening it downloads it: identical bytes, kept on the phone.
        await member.openAttachment(onLuong).value
        XCTAssertNil(member.state.error)
        XCTAssertTrue(member.state.fetching.isEmpty)
        XCTAssertEqual(member.state.openedAttachment?.bytes, resolution)
        _ = try await awaitState(member) { s in s.attachments.first { $0.sha256 == attached.sha256 }?.onDevice == true }
        let kept = try await luong.attachmentBytes(sha256: attached.sha256)
        XCTAssertEqual(kept, resolution)
        member.closeAttachment()
        XCTAssertNil(member.state.openedAttachment)

        // Opened again with the server gone: from the phone.
        server.stop()
        await member.openAttachment(onLuong).value
        XCTAssertEqual(member.state.openedAttachment?.bytes, resolution)
        try server.restart()

        // The refused scan never reached the server: a clear NotFound, nothing opened.
        member.closeAttachment()
        let scanOnLuong = try XCTUnwrap(listed.first { $0.sha256 == scan.sha256 })
        await member.openAttachment(scanOnLuong).value
        XCTAssertEqual(member.state.error?.caseName, "NotFound")
        XCTAssertNil(member.state.openedAttachment)
        XCTAssertTrue(member.state.fetching.isEmpty)
        await assertThrows({ try await luong.fetchAttachment(sha256: scan.sha256) }) { $0.caseName == "NotFound" }
        let notKept = try await luong.attachmentBytes(sha256: scan.sha256)
        XCTAssertNil(notKept)

        // A hash no material here lists, and one that is not a hash.
        let nobody = String(repeating: "0", count: 64)
        await assertThrows({ try await luong.fetchAttachment(sha256: nobody) }) { $0.caseName == "InvalidInput" }
        await assertThrows({ try await luong.fetchAttachment(sha256: "Nghị quyết.pdf") }) { $0.caseName == "InvalidInput" }

        // A draft takes no files; a file over 20 MiB is refused on the phone.
        await member.createDraft(title: "Dự thảo chuyên đề").value
        await member.openMaterial(nil).value
        _ = try await awaitState(member) { $0.draft != nil && $0.openMaterial == nil }
        await member.attach(pdf(3, 10), fileName: "a.pdf").value
        XCTAssertEqual(member.state.error?.caseName, "InvalidInput")
        await member.openMaterial(material).value
        await member.attach(Data(count: 20 * 1024 * 1024 + 1), fileName: "quá lớn.pdf").value
        XCTAssertEqual(member.state.error?.caseName, "InvalidInput")
        let stillTwo = try await luong.attachments(docId: material)
        XCTAssertEqual(stillTwo.count, 2)
    }
}
