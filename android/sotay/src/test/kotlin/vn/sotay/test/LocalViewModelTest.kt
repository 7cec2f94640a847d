package vn.sotay.test

import kotlin.test.assertContentEquals
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
import org.junit.Test
import vn.sotay.ApiException
import vn.sotay.ApprovalStatus
import vn.sotay.ApproveBlocker
import vn.sotay.AttachmentUpload
import vn.sotay.Attendance
import vn.sotay.CommentKind
import vn.sotay.DocKind
import vn.sotay.EvidenceCategory
import vn.sotay.EvidenceFrame
import vn.sotay.FieldScope
import vn.sotay.MinutesAdoption
import vn.sotay.NewTextDoc
import vn.sotay.NewTopic
import vn.sotay.ProposalStage
import vn.sotay.ProposalStatus
import vn.sotay.QualityLevel
import vn.sotay.RequiredField
import vn.sotay.Role
import vn.sotay.SessionField
import vn.sotay.SyncStatus
import vn.sotay.TaskStatus
import vn.sotay.TopicField
import vn.sotay.TopicGroup
import vn.sotay.TopicStatus
import vn.sotay.kit.label
import vn.sotay.kit.labelOf
import vn.sotay.sessionFieldLabel
import vn.sotay.viewmodel.PlanEditorViewModel
import vn.sotay.viewmodel.ReadingListViewModel
import vn.sotay.viewmodel.SessionRecordViewModel
import vn.sotay.viewmodel.SyncStatusViewModel
import vn.sotay.viewmodel.TopicDraftViewModel

/** View models over a phone without a server: state transitions and error reporting. */
class LocalViewModelTest {
    private val phones = Phones()
    private val scope = CoroutineScope(Dispatchers.Default + SupervisorJob())

    @After
    fun cleanUp() {
        scope.cancel()
        phones.close()
    }

    @Test
    fun test_sync_status_view_model_starts_with_the_current_status_and_reports_a_failed_sync() = runBlocking {
        val sotay = phones.local()
        val vm = SyncStatusViewModel(sotay, scope)
        assertEquals(SyncStatus.NotEnrolled, vm.state.value.status, "the current status, at once")
        assertTrue(vm.state.value.needsEnrollment)
        vm.syncNow().join()
        assertIs<ApiException.NotEnrolled>(vm.state.value.error)
        vm.clearError()
        assertNull(vm.state.value.error)
        // A moved server's address is for an enrolled phone.
        assertFailsWith<ApiException.NotEnrolled> { sotay.setServerUrl("https://sotay.example.vn") }
        vm.close()
    }

    @Test
    fun test_labels_come_from_the_rust_core() = runBlocking {
        assertEquals("Phó Bí thư", Role.DEPUTY_SECRETARY.label)
        assertEquals("Dự thảo chuyên đề", DocKind.TOPIC_DRAFT.label)
        assertEquals("Hiến kế", CommentKind.PROPOSAL.label)
        assertEquals("Được chấp nhận", ProposalStatus.ACCEPTED.label)
        assertEquals("Sản phẩm dự kiến", FieldScope.TOPIC.labelOf("expected_output"))
        assertEquals("Trích yếu", FieldScope.LEGAL_BASIS.labelOf("title"), "the scope decides")
        // A status the store computed reads the same words.
        val sotay = phones.local()
        val status = sotay.approvalStatus(sotay.createPlan(plan2026()))
        assertEquals(ApprovalStatus.NotSubmitted, status)
        assertEquals("Chưa gửi duyệt", status.label)
    }

    @Test
    fun test_plan_editor_follows_edits_and_lists_what_blocks_approval() = runBlocking {
        val sotay = phones.local()
        val plan = sotay.createPlan(plan2026())
        val vm = PlanEditorViewModel(sotay, plan, scope)
        val loaded = vm.state.awaitState { !it.loading }
        assertEquals("01-KH/CB", loaded.plan?.number)
        assertTrue(loaded.topics.isEmpty())

        vm.addTopic(NewTopic("Chuyên đề không người trình bày", TopicGroup.PARTY_BUILDING, 3u, null, false, emptyList(), null, null, null, "", "")).join()
        val added = vm.state.value
        val topic = added.topics.single()
        assertEquals(3u, topic.month)
        val missing = assertNotNull(added.readiness).missing.map { it.field }.toSet()
        assertEquals(setOf(RequiredField.PRESENTER, RequiredField.PREPARER), missing)

        vm.setTopicField(topic.id, TopicField.Presenter("m-hoa")).join()
        vm.setPreparer(topic.id, "m-luong").join()
        assertTrue(vm.state.value.readiness?.ready == true)
        assertEquals("Lê Thị Hoa", vm.state.value.nameOf(vm.state.value.topics.single().presenter))

        // An edit made elsewhere (another screen) reaches this one through the listener.
        sotay.addTopic(plan, topic("Chuyên đề thứ hai", 6))
        vm.state.awaitState { it.topics.size == 2 }
        vm.moveTopic(topic.id, 1).join()
        assertEquals(topic.id, vm.state.value.topics.last().id)
        vm.cancelTopic(topic.id).join()
        assertEquals(TopicStatus.CANCELLED, vm.state.value.topics.last().status)

        // A failed action shows its error and changes nothing.
        vm.cancelTopic("no-such-topic").join()
        assertIs<ApiException.NotFound>(vm.state.value.error)
        vm.close()
    }

    @Test
    fun test_topic_draft_with_materials_anchored_proposals_and_threads() = runBlocking {
        val sotay = phones.local()
        val plan = sotay.createPlan(plan2026())
        val t = sotay.addTopic(plan, topic("Giải pháp giảm thời gian dừng máy", 4))
        val vm = TopicDraftViewModel(sotay, plan, t, scope)
        val empty = vm.state.awaitState { !it.loading }
        assertNull(empty.draft)
        assertEquals("Giải pháp giảm thời gian dừng máy", empty.topic?.title)

        vm.createDraft("Dự thảo", "Dừng máy ngoài kế hoạch làm giảm sản lượng.").join()
        assertNotNull(vm.state.value.draft)
        vm.comment("Bảo dưỡng định kỳ theo ca", 0 until 8, proposal = true).join()
        val proposal = vm.state.value.threads.single()
        assertTrue(proposal.isProposal)
        assertEquals("Dừng máy", proposal.quote)
        vm.reply(proposal.root.id, "Đồng ý, giao tổ 1").join()
        vm.spliceBody(0, 0, "Hiện nay, ").join()
        vm.decide(proposal.root.id, ProposalStatus.ACCEPTED).join()
        vm.resolve(proposal.root.id).join()
        val thread = vm.state.value.threads.single()
        assertEquals(1, thread.replies.size)
        assertEquals(ProposalStatus.ACCEPTED, thread.root.status)
        assertTrue(thread.root.resolved)
        assertEquals("Dừng máy", thread.quote, "the anchor followed its words")
        assertEquals(10u, thread.root.anchor?.start)

        vm.addMaterial("Quy trình bảo dưỡng", "Phòng Kỹ thuật", "Bước 1: kiểm tra.").join()
        val material = vm.state.value.materials.single()
        vm.openMaterial(material.docId).join()
        assertEquals(material.docId, vm.state.value.shown?.id)
        vm.comment("Cần bổ sung bước 2").join()
        assertEquals(CommentKind.COMMENT, vm.state.value.threads.single().root.kind)
        vm.openMaterial(null).join()
        assertEquals(vm.state.value.draft?.id, vm.state.value.shown?.id)

        // Only its author may edit a comment.
        sotay.setIdentity("m-luong")
        vm.edit(thread.root.id, "sửa của người khác").join()
        assertIs<ApiException.NotAuthor>(vm.state.value.error)
        vm.close()
    }

    @Test
    fun test_a_file_attached_here_opens_from_the_phone_without_a_server() = runBlocking {
        val sotay = phones.local()
        val plan = sotay.createPlan(plan2026())
        val t = sotay.addTopic(plan, topic("Chuyên đề có tài liệu", 4))
        val vm = TopicDraftViewModel(sotay, plan, t, scope)
        vm.addMaterial("Tài liệu tham khảo", "", "Tóm tắt.").join()
        val material = vm.state.awaitState { it.materials.isNotEmpty() }.materials.single().docId
        vm.openMaterial(material).join()
        val bytes = "%PDF-1.7\nBáo cáo\n%%EOF\n".toByteArray()
        vm.attach(bytes, "Báo cáo.pdf").join()
        val a = vm.state.value.attachments.single()
        assertEquals("Báo cáo.pdf", a.name)
        assertEquals("application/pdf", a.mime)
        assertTrue(a.onDevice)
        assertEquals(AttachmentUpload.Pending, a.upload, "waits for a sync")
        // On the phone: opening needs no server (this one has none).
        vm.openAttachment(a).join()
        assertNull(vm.state.value.error)
        assertContentEquals(bytes, assertNotNull(vm.state.value.openedAttachment).bytes)
        // A reload (any change) keeps what the member opened.
        sotay.replaceBody(material, "Tóm tắt, đã sửa.")
        vm.state.awaitState { it.shown?.body == "Tóm tắt, đã sửa." }
        assertNotNull(vm.state.value.openedAttachment)
        vm.closeAttachment()
        assertNull(vm.state.value.openedAttachment)
        // Showing another document closes it too.
        vm.openAttachment(a).join()
        vm.openMaterial(null).join()
        assertNull(vm.state.value.openedAttachment)
        assertTrue(vm.state.value.attachments.isEmpty(), "no draft shown, no files")
        assertContentEquals(bytes, sotay.attachmentBytes(a.sha256))
        assertTrue(sotay.blobRefusals().isEmpty())
    }

    @Test
    fun test_session_cycle_labels_come_from_the_rust_core() {
        assertEquals("Vắng có lý do", Attendance.ABSENT_EXCUSED.label)
        assertEquals("Đang thực hiện", TaskStatus.IN_PROGRESS.label)
        assertEquals("Quá hạn", ProposalStage.OVERDUE.label)
        assertEquals("Tốt", QualityLevel.GOOD.label)
        assertEquals("Trình bày chuyên đề", EvidenceCategory.PRESENTATION.label)
        assertEquals("Kết quả thực hiện nhiệm vụ (70 điểm)", EvidenceFrame.TASK_RESULTS.label)
        assertEquals("Kết luận", FieldScope.SESSION.labelOf("conclusion"))
        assertEquals("Kết luận", sessionFieldLabel("conclusion"))
        assertEquals("Buổi sinh hoạt chuyên đề", DocKind.SESSION.label)
        assertEquals("Sổ theo dõi đọc tài liệu", DocKind.READING_LOG.label)
    }

    @Test
    fun test_session_record_scores_the_minutes_and_shows_refusals() = runBlocking {
        val sotay = phones.local()
        val plan = sotay.createPlan(plan2026())
        val t = sotay.addTopic(plan, topic("Giải pháp giảm thời gian dừng máy", 4))
        val session = sotay.createSession(plan, t)
        val vm = SessionRecordViewModel(sotay, session, scope)
        val loaded = vm.state.awaitState { !it.loading }
        assertEquals("2026-04-03", loaded.session?.sessionDate, "the topic's date")
        assertEquals(5, loaded.grid?.criteria?.size)
        assertNull(loaded.durationOk)
        assertEquals(MinutesAdoption.NotSigned, loaded.adoption)
        assertTrue(loaded.awaitingSignatures.isEmpty(), "no chair or clerk named yet")

        vm.setField(SessionField.Chair("m-viet")).join()
        vm.setField(SessionField.Clerk("m-hoa")).join()
        assertEquals(listOf("m-viet", "m-hoa"), vm.state.value.awaitingSignatures)
        vm.setStart("08:00").join()
        vm.setEnd("09:00").join()
        assertEquals(60L to false, vm.state.value.session?.durationMinutes to vm.state.value.durationOk)
        for (c in vm.state.value.grid!!.criteria) vm.setQuality(c.code, c.max.toInt()).join()
        // 100 points, but an hour is short of HD 42's 90 minutes: not Tốt.
        assertEquals(100u to QualityLevel.FAIR, vm.state.value.session?.let { it.qualityTotal to it.qualityLevel })
        vm.setEnd("09:30").join()
        assertEquals(QualityLevel.GOOD, vm.state.value.session?.qualityLevel)
        vm.setField(SessionField.CombinedWithRegular(true)).join()
        assertEquals(120L to false, vm.state.value.session?.let { it.requiredMinutes to it.durationOk })
        vm.setQuality("minutes", 16).join()
        assertIs<ApiException.InvalidInput>(vm.state.value.error)
        vm.markAllPresent().join()
        assertEquals(3, vm.state.value.session?.attendance?.size)
        assertEquals("Lê Thị Hoa", vm.state.value.nameOf("m-hoa"))

        // The chair signs with an enrolled device's key: none here.
        assertTrue(!vm.state.value.canSign)
        assertTrue(ApproveBlocker.NotEnrolled in vm.state.value.signRights?.blockers.orEmpty())
        vm.sign().join()
        assertIs<ApiException.NotEnrolled>(vm.state.value.error)
        vm.close()
    }

    @Test
    fun test_reading_list_opens_a_published_material_once() = runBlocking {
        val sotay = phones.local()
        val plan = sotay.createPlan(plan2026())
        val t = sotay.addTopic(plan, topic("An toàn lao động", 6))
        val material = sotay.createTextDoc(
            NewTextDoc(DocKind.MATERIAL, TestServer.BRANCH, plan, t, "Quy trình an toàn", "", "Bước 1: kiểm tra."),
        )
        val session = sotay.createSession(plan, t)
        sotay.publish(session, material)
        sotay.setIdentity("m-luong")
        val vm = ReadingListViewModel(sotay, scope)
        val item = vm.state.awaitState { it.items.isNotEmpty() }.items.single()
        assertEquals(material to null, item.docId to item.openedAt)
        assertEquals("An toàn lao động", item.sessionTitle)

        vm.open(session, "no-such-material").join()
        assertIs<ApiException.NotFound>(vm.state.value.error)
        assertNull(vm.state.value.openDocument)
        vm.open(item).join()
        val open = vm.state.value
        assertNull(open.error)
        assertEquals("Bước 1: kiểm tra.", open.openDocument?.body)
        assertNotNull(open.openItem?.openedAt)
        assertTrue(!sotay.markOpened(material), "the first opening was recorded")
        vm.closeDocument().join()
        assertNull(vm.state.value.openDocument)
        vm.close()
    }
}
