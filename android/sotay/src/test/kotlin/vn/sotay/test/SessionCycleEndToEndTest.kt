package vn.sotay.test

import java.time.LocalDate
import java.time.ZoneOffset
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertIs
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.runBlocking
import org.junit.After
import org.junit.Before
import org.junit.Test
import vn.sotay.ApiException
import vn.sotay.ApproveBlocker
import vn.sotay.Attendance
import vn.sotay.CommentKind
import vn.sotay.EvidenceCategory
import vn.sotay.EvidenceFrame
import vn.sotay.MinutesAdoption
import vn.sotay.PaperFormat
import vn.sotay.NewPlan
import vn.sotay.ProposalStage
import vn.sotay.QualityLevel
import vn.sotay.SessionField
import vn.sotay.SessionText
import vn.sotay.TaskStatus
import vn.sotay.kit.label
import vn.sotay.viewmodel.BranchHomeViewModel
import vn.sotay.viewmodel.BranchOverviewViewModel
import vn.sotay.viewmodel.ParticipationViewModel
import vn.sotay.viewmodel.ProposalsBoardViewModel
import vn.sotay.viewmodel.ReadingListViewModel
import vn.sotay.viewmodel.SessionRecordViewModel

/**
 * Step 5 on three phones and the real server, through the view models the screens draw: the
 * secretary publishes an approved draft for a session; the member finds it in "what needs
 * me" and his reading list and opens it; the secretary's overview shows it read; the clerk
 * (a plain member named clerk) writes the minutes — times, attendance, an opinion and a task
 * taken from the member's proposal, the quality score; chair and clerk sign; the member's
 * phone shows the minutes adopted, his proposal on the board, and his participation with its
 * evidence. A plain member publishing or signing is refused with the right error.
 */
class SessionCycleEndToEndTest {
    private lateinit var server: TestServer
    private lateinit var phones: Phones
    private val scope = CoroutineScope(Dispatchers.Default + SupervisorJob())

    @Before
    fun start() {
        server = TestServer.start()
        phones = Phones()
    }

    @After
    fun stop() {
        scope.cancel()
        phones.close()
        server.close()
    }

    @Test
    fun test_a_published_draft_is_read_minuted_adopted_and_counted_as_evidence() = runBlocking {
        // The session is five days from now (Vietnam time), so what happens now is before it.
        // Proposals count in the year they are made, sessions in theirs (late in December
        // the two differ).
        val today = LocalDate.now(ZoneOffset.ofHours(7))
        val day = today.plusDays(5)
        val year = day.year
        val proposalYear = today.year
        val quarter = (day.monthValue - 1) / 3
        val viet = phones.enrolled(server, "m-viet")
        val luong = phones.enrolled(server, "m-luong")
        val thuy = phones.enrolled(server, "m-thuy")

        // The plan's topic, Lượng's draft with his proposal, approved by the secretary.
        val plan = viet.createPlan(NewPlan(TestServer.BRANCH, year, "", "01-KH/CB", null, "", ""))
        val topicId = viet.addTopic(plan, topic("Giải pháp giảm thời gian dừng máy ngoài kế hoạch", day.monthValue))
        viet.sync()
        luong.sync()
        val body = "Quý I dừng máy ngoài kế hoạch 46 giờ, chủ yếu do bảo dưỡng chưa đúng kỳ."
        val draftId = luong.createTextDoc(draft(plan, topicId, body))
        val proposal = luong.addComment(draftId, "Bảo dưỡng định kỳ theo ca, có sổ theo dõi", CommentKind.PROPOSAL)
        luong.submitForApproval(draftId, "Đề nghị bí thư duyệt")
        luong.sync()
        viet.sync()
        viet.approve(draftId, "Đồng ý gửi đảng viên")

        // The secretary creates the session and publishes the draft from its record screen.
        val session = viet.createSession(plan, topicId, day.toString())
        val chairRecord = SessionRecordViewModel(viet, session, scope)
        chairRecord.state.awaitState { !it.loading }
        chairRecord.publish(draftId).join()
        assertNull(chairRecord.state.value.error)
        assertEquals(listOf(draftId), chairRecord.state.value.session?.distribution?.map { it.docId })
        viet.sync()

        // The member's phone: the draft is in "what needs me", and publishing is not his to do.
        val home = BranchHomeViewModel(luong, scope)
        luong.sync()
        val toRead = home.state.awaitState { it.needsMe.draftsToRead.isNotEmpty() }.needsMe.draftsToRead.single()
        assertEquals(draftId to session, toRead.docId to toRead.sessionId)
        assertEquals(listOf(session), home.state.value.sessions.map { it.docId })
        val memberRecord = SessionRecordViewModel(luong, session, scope)
        memberRecord.state.awaitState { !it.loading }
        memberRecord.publish(draftId).join()
        assertIs<ApiException.NotPermitted>(memberRecord.state.value.error)
        assertFailsWith<ApiException.NotPermitted> { luong.publish(session, draftId) }

        // His reading list; opening the draft shows the version published and records it.
        val reading = ReadingListViewModel(luong, scope)
        assertEquals(1, reading.state.awaitState { it.items.isNotEmpty() }.unreadCount)
        reading.open(toRead).join()
        val opened = reading.state.value
        assertNull(opened.error)
        assertEquals(body, opened.openDocument?.body)
        assertNotNull(opened.items.single().openedAt)
        assertEquals(0, opened.unreadCount)
        home.state.awaitState { it.needsMe.draftsToRead.isEmpty() }

        // The secretary's overview: the receipt arrives by sync and the unread count drops.
        val overview = BranchOverviewViewModel(viet, scope, year)
        val unreadBefore = overview.state.awaitState { it.sessions.isNotEmpty() }.sessions.single().unread
        luong.sync()
        viet.sync()
        val read = overview.state.awaitState { it.sessions.single().unread < unreadBefore }.sessions.single()
        assertEquals(unreadBefore - 1u, read.unread)
        assertEquals(1u, read.published)
        assertEquals(0u, read.publishedLate, "out five days ahead")
        assertTrue(!read.adopted)
        val receipts = chairRecord.state.awaitState { s -> s.distribution.single().opened.isNotEmpty() }
        assertEquals(listOf("m-luong"), receipts.distribution.single().opened.map { it.memberId })

        // Officers name the chair, the clerk (a plain member) and the presenter.
        chairRecord.setField(SessionField.Chair("m-viet")).join()
        chairRecord.setField(SessionField.Clerk("m-thuy")).join()
        chairRecord.setField(SessionField.Presenter("m-luong")).join()
        assertNull(chairRecord.state.value.error)
        viet.sync()
        thuy.sync()

        // The clerk writes the minutes on her phone.
        val clerk = SessionRecordViewModel(thuy, session, scope)
        clerk.state.awaitState { it.session?.clerk == "m-thuy" && it.publishedComments.isNotEmpty() }
        assertEquals(
            listOf("Thời gian bắt đầu", "Thời gian kết thúc"),
            clerk.state.value.missingBeforeSigning.map { it.label },
            "what the screen lists before signing",
        )
        assertTrue(!clerk.state.value.canSign)
        clerk.sign().join()
        assertIs<ApiException.NotReady>(clerk.state.value.error, "no start and end times yet")
        clerk.clearError()
        clerk.setStart("08:00").join()
        clerk.setEnd("09:45").join()
        clerk.setField(SessionField.Place("Hội trường Phân xưởng Cơ điện")).join()
        clerk.markAllPresent().join()
        clerk.setAttendance("m-anh", Attendance.ABSENT_EXCUSED, "Đi công tác").join()
        val picked = clerk.state.value.publishedComments.single { it.comment.id == proposal }
        clerk.addOpinion(picked).join()
        clerk.setText(SessionText.CONCLUSION, "Chi bộ thống nhất bảo dưỡng định kỳ theo ca.").join()
        clerk.addTask("Lập lịch bảo dưỡng theo ca", "m-luong", day.plusDays(40).toString(), adopting = picked).join()
        for ((criterion, points) in listOf("attendance" to 23, "duration" to 15, "preparation" to 20, "opinions" to 22, "minutes" to 15)) {
            clerk.setQuality(criterion, points).join()
        }
        clerk.setStart("25:00").join()
        assertIs<ApiException.InvalidInput>(clerk.state.value.error, "not a time")
        clerk.clearError()

        val minutes = clerk.state.value
        val s = assertNotNull(minutes.session)
        assertEquals(105L, s.durationMinutes)
        assertEquals(true, minutes.durationOk)
        assertEquals(95u, s.qualityTotal)
        assertEquals(QualityLevel.FAIR, s.qualityLevel, "95 points, attendance and opinions below their maxima")
        assertEquals("Khá", s.qualityLevel.label)
        assertEquals(Attendance.PRESENT, minutes.attendanceOf("m-luong"))
        assertEquals(Attendance.ABSENT_EXCUSED, minutes.attendanceOf("m-anh"))
        val opinion = s.opinions.single()
        assertEquals("m-luong" to picked.comment.body, opinion.memberId to opinion.body)
        assertEquals(picked.source, opinion.source)
        val task = s.tasks.single()
        assertEquals("m-luong" to picked.source, task.owner to task.source)
        assertTrue(minutes.canSign)

        // Clerk, then chair, sign the same version; a plain member may not.
        clerk.sign("Thư ký ký biên bản").join()
        assertNull(clerk.state.value.error)
        val partly = assertIs<MinutesAdoption.PartlySigned>(clerk.state.value.adoption)
        assertEquals(listOf("m-viet"), partly.awaiting)
        thuy.sync()
        viet.sync()
        chairRecord.state.awaitState { it.adoption is MinutesAdoption.PartlySigned && it.canSign }
        chairRecord.sign("Chủ trì ký biên bản").join()
        assertTrue(chairRecord.state.value.isAdopted)
        viet.sync()
        luong.sync()

        // The member's phone checks the two signatures: adopted.
        val adopted = memberRecord.state.awaitState { it.isAdopted }
        assertIs<MinutesAdoption.Adopted>(adopted.adoption)
        assertEquals(setOf("m-viet", "m-thuy"), adopted.signatures.map { it.signer }.toSet())
        assertTrue(adopted.changedSinceAdoption.isEmpty())
        assertTrue(ApproveBlocker.NotChairOrClerk in adopted.signRights?.blockers.orEmpty())
        memberRecord.sign().join()
        assertIs<ApiException.NotPermitted>(memberRecord.state.value.error)

        // The adopted minutes as the official paper, on the member's phone: the committee's and
        // the branch's names from the signed directory, no draft mark; as DOCX too.
        val paper = luong.exportMinutes(session, PaperFormat.HTML, place = "Quảng Ninh")
        assertTrue(paper.official)
        assertTrue(paper.fileName.endsWith(".html"), paper.fileName)
        val page = paper.bytes.decodeToString()
        assertTrue(page.uppercase().contains("SÔNG LAM XANH"), "the committee's name")
        assertTrue("DỰ THẢO" !in page, "adopted: no draft mark")
        assertTrue("Chi bộ thống nhất bảo dưỡng định kỳ theo ca." in page)
        val docx = luong.exportMinutes(session, PaperFormat.DOCX)
        assertEquals(listOf('P'.code.toByte(), 'K'.code.toByte()), docx.bytes.take(2))
        val sheet = viet.evidenceSheet("m-luong", proposalYear, PaperFormat.HTML)
        assertTrue(!sheet.official && "Hoàng Đức Lượng" in sheet.bytes.decodeToString())
        // The same through the screen's model: the paper to share, then closed.
        memberRecord.exportMinutes(PaperFormat.HTML).join()
        assertEquals(true, memberRecord.state.value.paper?.official)
        memberRecord.closePaper()
        assertNull(memberRecord.state.value.paper)

        // His proposal on the board: adopted; he carries it out — the minutes stay adopted.
        val board = ProposalsBoardViewModel(luong, scope, proposalYear)
        val item = board.state.awaitState { b -> b.items.any { it.task != null } }.items.single()
        assertEquals(proposal to ProposalStage.ADOPTED, item.commentId to item.stage)
        board.updateTask(assertNotNull(item.task), TaskStatus.DONE, "Đã áp dụng từ ca 3").join()
        assertEquals(ProposalStage.DONE, board.state.value.items.single().stage)
        val progressed = memberRecord.state.awaitState { it.session?.tasks?.single()?.status == TaskStatus.DONE }
        assertIs<MinutesAdoption.Adopted>(progressed.adoption, "progress is not an edit of the minutes")

        // His participation: every figure with its evidence, and the notice.
        val mine = ParticipationViewModel(luong, scope, year)
        val p = mine.state.awaitState { it.evidence != null }
        assertTrue(p.notice.contains("không phải kết quả đánh giá"), p.notice)
        fun figure(c: EvidenceCategory) = p.figures.single { it.category == c }
        val presented = figure(EvidenceCategory.PRESENTATION)
        assertEquals(1u, presented.count)
        assertEquals(session, presented.evidence.single().docId)
        assertEquals(EvidenceFrame.TASK_RESULTS, presented.frame)
        assertEquals(1u, figure(EvidenceCategory.PRESENT).count)
        assertEquals(proposal, figure(EvidenceCategory.PROPOSAL_BEFORE).evidence.single().itemId)
        assertEquals(1u, figure(EvidenceCategory.MATERIAL_OPENED_BEFORE).count)
        assertEquals(1u, figure(EvidenceCategory.ASSIGNMENT_ON_TIME).count)
        assertTrue(p.figures(EvidenceFrame.GENERAL).any { it.category == EvidenceCategory.PRESENT })
        assertNull(p.absenceFlag)
        mine.exportSheet(PaperFormat.HTML).join()
        val sheetShown = assertNotNull(mine.state.value.paper, "the sheet to share")
        assertTrue("Hoàng Đức Lượng" in sheetShown.bytes.decodeToString())
        assertTrue(!sheetShown.official, "a proposal for the vote, never official")
        val made = luong.participationEvidence(TestServer.BRANCH, proposalYear).members.single { it.memberId == "m-luong" }
        for (c in listOf(EvidenceCategory.PROPOSAL_ADOPTED, EvidenceCategory.PROPOSAL_DONE)) {
            val f = made.figures.single { it.category == c }
            assertEquals(1u to proposal, f.count to f.evidence.single().itemId, c.label)
        }

        // The secretary's overview after the sync: held in its quarter, adopted; asking a
        // week's notice makes the same publication late.
        luong.sync()
        viet.sync()
        val done = overview.state.awaitState { it.sessions.single().adopted }
        assertEquals(1, done.heldPerQuarter[quarter])
        assertTrue(quarter + 1 !in done.quartersMissed)
        assertEquals(true, done.sessions.single().durationOk)
        overview.setLeadDays(plan, 7).join()
        assertEquals(1u, overview.state.awaitState { it.sessions.single().publishedLate == 1u }.sessions.single().publishedLate)

        listOf(chairRecord, memberRecord, clerk, home, reading, overview, board, mine).forEach { it.close() }
    }
}
