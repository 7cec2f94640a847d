package vn.sotay.test

import kotlin.test.assertEquals
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
import vn.sotay.ApprovalStatus
import vn.sotay.ApproveBlocker
import vn.sotay.CommentKind
import vn.sotay.DeltaContent
import vn.sotay.DocKind
import vn.sotay.Role
import vn.sotay.SyncStatus
import vn.sotay.ThreadReason
import vn.sotay.TopicField
import vn.sotay.viewmodel.ApprovalViewModel
import vn.sotay.viewmodel.BranchHomeViewModel
import vn.sotay.viewmodel.PlanEditorViewModel
import vn.sotay.viewmodel.SyncStatusViewModel

/**
 * View models on two enrolled phones and the real server: what a sync brings reaches the
 * screens through the listeners, without the screens asking.
 */
class SyncedViewModelTest {
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
    fun test_sync_status_view_model_shows_syncing_then_last_synced_then_offline() = runBlocking {
        val luong = phones.enrolled(server, "m-luong")
        val vm = SyncStatusViewModel(luong, scope)
        val first = vm.state.value
        assertIs<SyncStatus.Idle>(first.status)
        assertNotNull(first.lastSyncedAt)
        vm.syncNow().join()
        assertNotNull(vm.state.value.lastReport)
        assertNull(vm.state.value.error)

        server.stop()
        vm.syncNow().join()
        assertIs<ApiException.Offline>(vm.state.value.error)
        val offline = vm.state.awaitState { it.isOffline }
        assertNotNull(offline.lastSyncedAt, "the last successful sync is still shown")
        // After a restart (the same file opened again) the app still says offline.
        val restarted = phones.open("m-luong")
        assertIs<SyncStatus.Offline>(restarted.currentSyncStatus)
        assertNotNull(SyncStatusViewModel(restarted, scope).state.value.lastSyncedAt)
        server.restart()
        vm.syncNow().join()
        vm.state.awaitState { it.status is SyncStatus.Idle && it.error == null }
        vm.close()
    }

    @Test
    fun test_conflict_arrives_in_the_plan_editor_and_resolving_it_reaches_the_other_phone() = runBlocking {
        val viet = phones.enrolled(server, "m-viet")
        val luong = phones.enrolled(server, "m-luong")
        val plan = viet.createPlan(plan2026())
        val t = viet.addTopic(plan, topic("Giải pháp giảm thời gian dừng máy", 4))
        viet.sync()
        luong.sync()

        val vietEditor = PlanEditorViewModel(viet, plan, scope)
        val luongEditor = PlanEditorViewModel(luong, plan, scope)
        vietEditor.state.awaitState { !it.loading }
        luongEditor.state.awaitState { !it.loading }

        // Concurrent presenters.
        vietEditor.setTopicField(t, TopicField.Presenter("m-hoa")).join()
        luongEditor.setTopicField(t, TopicField.Presenter("m-trang")).join()
        luong.sync()
        viet.sync() // the editor hears of the merge by itself
        val shown = vietEditor.state.awaitState { it.conflicts.isNotEmpty() }
        val conflict = shown.conflicts.single()
        assertEquals(t, conflict.topic?.id)
        assertEquals("presenter", conflict.field)
        assertEquals("Người trình bày", conflict.fieldLabel, "the core's words for the field")
        assertEquals(setOf("m-hoa", "m-trang"), conflict.choices.map { it.value }.toSet())
        assertEquals(false, shown.readiness?.ready)

        vietEditor.resolve(conflict, conflict.choices.first { it.value == "m-hoa" }).join()
        assertTrue(vietEditor.state.value.conflicts.isEmpty())
        viet.sync()
        luong.sync()
        val resolved = luongEditor.state.awaitState { it.conflicts.isEmpty() && it.topics.single().presenter == "m-hoa" }
        assertEquals(true, resolved.readiness?.ready)
        vietEditor.close()
        luongEditor.close()
    }

    @Test
    fun test_approval_screens_secretary_approves_member_sees_approved_then_changes_since() = runBlocking {
        val viet = phones.enrolled(server, "m-viet")
        val luong = phones.enrolled(server, "m-luong")
        val plan = viet.createPlan(plan2026())
        val t = viet.addTopic(plan, topic("An toàn lao động", 6))
        viet.sync()
        luong.sync()

        val member = ApprovalViewModel(luong, plan, scope)
        assertEquals(ApprovalStatus.NotSubmitted, member.state.awaitState { !it.loading }.status)
        assertTrue(!member.state.value.mayApprove)
        val wrongRole = assertIs<ApproveBlocker.WrongRole>(member.state.value.rights?.blockers?.single())
        assertEquals(Role.MEMBER to listOf(Role.SECRETARY), wrongRole.held to wrongRole.needed)
        member.approve().join()
        assertIs<ApiException.NotPermitted>(member.state.value.error)
        member.submit("Đề nghị đồng chí Bí thư duyệt").join()
        assertIs<ApprovalStatus.Submitted>(member.state.value.status)
        assertEquals(1, member.state.value.unsent)
        luong.sync()
        viet.sync()

        val secretary = ApprovalViewModel(viet, plan, scope)
        val asked = secretary.state.awaitState { it.status is ApprovalStatus.Submitted }
        assertTrue(asked.mayApprove)
        assertTrue(asked.canApproveNow)
        secretary.approve("Đồng ý ban hành").join()
        assertTrue(secretary.state.value.isApproved)
        viet.sync()
        luong.sync() // the member's screen updates itself

        val approved = member.state.awaitState { it.isApproved }
        assertEquals("m-viet", approved.approval?.signer)
        assertNull(approved.changesSinceApproval)

        luong.setTopicField(plan, t, TopicField.ExpectedOutput("Không có tai nạn lao động"))
        val changed = member.state.awaitState { it.changesSinceApproval != null }
        val delta = assertIs<DeltaContent.Plan>(assertNotNull(changed.changesSinceApproval).content).delta
        assertEquals("expected_output", delta.topicFields.single().change.field)
        member.close()
        secretary.close()
    }

    @Test
    fun test_branch_home_lists_plans_and_what_needs_the_member() = runBlocking {
        val viet = phones.enrolled(server, "m-viet")
        val luong = phones.enrolled(server, "m-luong")
        val plan = viet.createPlan(plan2026())
        val mine = viet.addTopic(plan, topic("Giải pháp giảm thời gian dừng máy", 4, preparer = "m-luong"))
        val other = viet.addTopic(plan, topic("Xây dựng Đảng", 7, preparer = "m-viet", presenter = "m-hoa"))
        val myDraft = viet.createTextDoc(draft(plan, mine, "Dừng máy ngoài kế hoạch."))
        val otherDraft = viet.createTextDoc(draft(plan, other, "Nội dung khác."))
        viet.sync()

        val home = BranchHomeViewModel(luong, scope)
        luong.sync()
        val loaded = home.state.awaitState { it.plans.size == 1 && it.needsMe.myTopicDrafts.isNotEmpty() }
        assertEquals("Hoàng Đức Lượng", loaded.me?.fullName)
        assertTrue(!loaded.isOfficer)
        assertEquals(listOf(myDraft), loaded.needsMe.myTopicDrafts.map { it.docId })
        assertTrue(loaded.needsMe.draftsToRead.isEmpty(), "nothing published for a session yet")

        // The member comments on the secretary's draft and submits the plan.
        val c = luong.addComment(otherDraft, "Đề nghị bổ sung số liệu", CommentKind.COMMENT, null)
        luong.submitForApproval(plan, "Trình chi ủy")
        luong.sync()
        val vietHome = BranchHomeViewModel(viet, scope)
        viet.sync()
        // The secretary: the comment on his draft, and the plan waiting for his approval.
        val vietNeeds = vietHome.state.awaitState {
            it.needsMe.approvalsPending.isNotEmpty() && it.needsMe.commentsAwaitingReply.isNotEmpty()
        }.needsMe
        val pending = vietNeeds.approvalsPending.single()
        assertEquals(plan to DocKind.ANNUAL_PLAN, pending.docId to pending.kind)
        assertEquals("m-luong", pending.submittedBy)
        assertTrue(pending.ready)
        assertEquals(ThreadReason.OnMyDocument, vietNeeds.commentsAwaitingReply.single().reason)

        // He answers: off his list, onto the member's.
        viet.reply(otherDraft, c, "Đã bổ sung, đồng chí xem lại")
        vietHome.state.awaitState { it.needsMe.commentsAwaitingReply.isEmpty() }
        viet.sync()
        luong.sync()
        val needs = home.state.awaitState { it.needsMe.commentsAwaitingReply.isNotEmpty() }.needsMe
        val awaiting = needs.commentsAwaitingReply.single()
        assertEquals(c, awaiting.thread.id)
        assertEquals("m-viet", awaiting.latest.author)
        assertEquals(ThreadReason.Reply, awaiting.reason)
        assertTrue(needs.approvalsPending.isEmpty(), "a member does not approve plans")

        // Looking at it takes it off the list, until someone writes again.
        home.markSeen(awaiting).join()
        assertTrue(home.state.value.needsMe.commentsAwaitingReply.isEmpty())
        viet.reply(otherDraft, c, "Đồng chí xem thêm phụ lục")
        viet.sync()
        luong.sync()
        home.state.awaitState { it.needsMe.commentsAwaitingReply.isNotEmpty() }

        // Answering takes it off the list.
        luong.reply(otherDraft, c, "Cảm ơn đồng chí")
        home.state.awaitState { it.needsMe.commentsAwaitingReply.isEmpty() }

        // Approved: off the secretary's list.
        viet.approve(plan, "Đồng ý")
        vietHome.state.awaitState { it.needsMe.approvalsPending.isEmpty() }
        vietHome.close()
        home.close()
    }
}
