package vn.sotay.test

import java.util.Collections
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertIs
import kotlin.test.assertNotNull
import kotlin.test.assertTrue
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.After
import org.junit.Before
import org.junit.Test
import vn.sotay.ApiException
import vn.sotay.ApprovalStatus
import vn.sotay.CommentKind
import vn.sotay.DeltaContent
import vn.sotay.FieldValue
import vn.sotay.Role
import vn.sotay.SyncStatus
import vn.sotay.TopicField
import vn.sotay.TopicGroup

/**
 * Issue 5, item 4, end to end: two phones against the real sotay-server — offline edits and
 * a comment, a conflict shown and resolved, an approval signed on the secretary's phone and
 * verified on the member's, a change after approval with its delta, and a server outage in
 * which nothing is lost.
 */
class TwoPhonesEndToEndTest {
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
    fun test_two_phones_edit_offline_resolve_a_conflict_approve_and_survive_an_outage() = runBlocking {
        // Two phones enroll: Việt (secretary) and Lượng (member); the first sync brings the
        // signed directory.
        val viet = phones.enrolled(server, "m-viet")
        val luong = phones.enrolled(server, "m-luong")
        assertEquals(Role.SECRETARY, viet.myRole())
        assertEquals(Role.MEMBER, luong.myRole())
        assertFailsWith<ApiException.NotPermitted> { luong.createPlan(plan2026()) }

        // The secretary drafts the plan and the first topic's draft; both phones get it.
        val plan = viet.createPlan(plan2026())
        val t1 = viet.addTopic(plan, topic("Giải pháp giảm thời gian dừng máy ngoài kế hoạch", 4))
        val t2 = viet.addTopic(
            plan,
            topic("Học tập và làm theo tư tưởng Hồ Chí Minh", 5, "m-viet", "m-hoa", TopicGroup.HO_CHI_MINH),
        )
        val draft = viet.createTextDoc(draft(plan, t1, "Dừng máy ngoài kế hoạch làm giảm sản lượng."))
        viet.sync()
        val luongSees = scope.launch(start = CoroutineStart.UNDISPATCHED) { luong.changesOf(plan).first() }
        luong.sync()
        withTimeout(WAIT_MS) { luongSees.join() }
        assertEquals(listOf(t1, t2), luong.topics(plan).map { it.topicId })

        // Offline on both phones: the member edits the plan and proposes on the draft; the
        // secretary sets the same topic field to something else.
        luong.setTopicField(plan, t1, TopicField.ExpectedOutput("Ít nhất 5 giải pháp"))
        luong.setTopicField(plan, t1, TopicField.Notes("Tổ đảng số 1 cùng chuẩn bị"))
        val proposal = luong.addComment(draft, "Bảo dưỡng định kỳ theo ca", CommentKind.PROPOSAL, 0 until 8)
        viet.setTopicField(plan, t1, TopicField.ExpectedOutput("Giảm 20% thời gian dừng máy"))
        assertEquals(2u, (luong.currentSyncStatus as SyncStatus.Idle).unsentDocuments)

        // Both sync: the edits merge, and the concurrent choice shows on both phones with who
        // made each.
        luong.sync()
        viet.sync()
        luong.sync()
        for (phone in listOf(viet, luong)) {
            val conflict = phone.conflicts(plan).single()
            assertEquals(listOf("topics", t1, "expected_output"), conflict.path)
            assertEquals(setOf("m-viet", "m-luong"), conflict.values.map { it.setBy }.toSet())
            assertEquals("Tổ đảng số 1 cùng chuẩn bị", phone.plan(plan).topics.first { it.id == t1 }.notes)
        }
        val onDraft = viet.textDoc(draft).comments.single()
        assertEquals(proposal, onDraft.id)
        assertEquals("m-luong", onDraft.author)
        assertEquals("Dừng máy", onDraft.anchor?.current)

        // No approval while the conflict stands; the secretary resolves it (taking the
        // member's value), then approves exactly the version she reads, offline-signed.
        assertFailsWith<ApiException.NotReady> { viet.approve(plan, "Đồng ý") }
        assertEquals(1, viet.approvalReadiness(plan).conflicts.size)
        val conflict = viet.conflicts(plan).single()
        viet.resolveConflict(conflict, conflict.values.first { it.setBy == "m-luong" })
        assertTrue(viet.conflicts(plan).isEmpty())
        assertTrue(viet.approvalReadiness(plan).ready)
        val approval = viet.approve(plan, "Đồng ý ban hành")
        assertIs<ApprovalStatus.Approved>(viet.approvalStatus(plan))
        viet.sync()
        luong.sync()

        // The member's phone shows the plan approved, the signature verified against the
        // server-signed directory.
        assertTrue(luong.conflicts(plan).isEmpty())
        val approved = assertIs<ApprovalStatus.Approved>(luong.approvalStatus(plan))
        assertEquals(approval.id, approved.approval.id)
        assertEquals("m-viet", approved.approval.signer)
        assertEquals(Role.SECRETARY, approved.approval.role)
        assertEquals("Ít nhất 5 giải pháp", luong.plan(plan).topics.first { it.id == t1 }.expectedOutput)

        // The member edits: approved with changes, listing exactly what changed since.
        luong.setTopicField(plan, t2, TopicField.Notes("Mời báo cáo viên của Đảng ủy"))
        val changed = assertIs<ApprovalStatus.ApprovedWithChanges>(luong.approvalStatus(plan))
        assertEquals(approval.id, changed.approval.id)
        val delta = assertNotNull(changed.delta)
        assertEquals(listOf("m-luong"), delta.editors)
        val planDelta = assertIs<DeltaContent.Plan>(delta.content).delta
        val edit = planDelta.topicFields.single()
        assertEquals(t2, edit.topicId)
        assertEquals("notes", edit.change.field)
        assertEquals(FieldValue.Text("Mời báo cáo viên của Đảng ủy"), edit.change.to)
        assertEquals("m-luong", edit.change.by)

        // The server goes away: the member keeps editing, the sync reports offline through
        // the status listener, and nothing is lost.
        val statuses = Collections.synchronizedList(mutableListOf<SyncStatus>())
        scope.launch(start = CoroutineStart.UNDISPATCHED) { luong.syncStatus.collect { statuses += it } }
        server.stop()
        luong.setTopicField(plan, t1, TopicField.Notes("Bổ sung tổ đảng số 2"))
        assertFailsWith<ApiException.Offline> { luong.sync() }
        val offline = assertIs<SyncStatus.Offline>(luong.currentSyncStatus)
        assertEquals(1u, offline.unsentDocuments)
        assertNotNull(offline.lastSyncedAt)
        withTimeout(WAIT_MS) {
            while (statuses.none { it is SyncStatus.Offline }) kotlinx.coroutines.delay(20)
        }
        assertTrue(statuses.any { it is SyncStatus.Syncing }, "saw $statuses")
        assertIs<SyncStatus.Offline>(statuses.last())
        assertEquals("Bổ sung tổ đảng số 2", luong.plan(plan).topics.first { it.id == t1 }.notes)

        // The server comes back on the same data: both phones sync and the secretary sees
        // every edit made while it was away, with the approval's delta naming them.
        server.restart()
        luong.sync()
        assertEquals(0u, assertIs<SyncStatus.Idle>(luong.currentSyncStatus).unsentDocuments)
        viet.sync()
        val seen = viet.plan(plan).topics
        assertEquals("Bổ sung tổ đảng số 2", seen.first { it.id == t1 }.notes)
        assertEquals("Mời báo cáo viên của Đảng ủy", seen.first { it.id == t2 }.notes)
        val vietStatus = assertIs<ApprovalStatus.ApprovedWithChanges>(viet.approvalStatus(plan))
        val fields = assertIs<DeltaContent.Plan>(assertNotNull(vietStatus.delta).content).delta.topicFields
        assertEquals(setOf(t1 to "notes", t2 to "notes"), fields.map { it.topicId to it.change.field }.toSet())
    }
}
