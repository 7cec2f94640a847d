package vn.sotay.test

import java.io.File
import java.nio.file.Files
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.withTimeoutOrNull
import vn.sotay.DocKind
import vn.sotay.Member
import vn.sotay.MemberStatus
import vn.sotay.NewPlan
import vn.sotay.NewTextDoc
import vn.sotay.NewTopic
import vn.sotay.Role
import vn.sotay.TopicGroup
import vn.sotay.kit.SoTay

/** How long a test waits for something asynchronous (a listener, a view model reload). */
const val WAIT_MS = 15_000L

/** Waits until the state satisfies [predicate]; returns that state (fails showing the last one). */
suspend fun <S> StateFlow<S>.awaitState(predicate: (S) -> Boolean): S =
    withTimeoutOrNull(WAIT_MS) { first(predicate) }
        ?: throw AssertionError("timed out after $WAIT_MS ms; the state is $value")

/** A temporary directory for phones' stores, deleted by [close]. */
class Phones : AutoCloseable {
    val dir: File = Files.createTempDirectory("sotay-phones").toFile()
    private val open = mutableListOf<SoTay>()

    /** Opens (creates) phone [name]'s store. */
    suspend fun open(name: String): SoTay = SoTay.open(File(dir, "$name.sotay").path).also { open += it }

    /** Enrolls a new phone of [member] with the server's code and syncs once (the directory). */
    suspend fun enrolled(server: TestServer, member: String): SoTay {
        val phone = open(member)
        val code = server.codes[member] ?: error("no enrollment code for $member: ${server.codes.keys}")
        phone.enroll(server.url, code, "Điện thoại của $member")
        phone.sync()
        return phone
    }

    /** A phone without a server, editing as secretary Việt, with a small local directory. */
    suspend fun local(name: String = "local"): SoTay {
        val phone = open(name)
        phone.setIdentity("m-viet")
        for ((id, fullName, role) in listOf(
            Triple("m-viet", "Nguyễn Văn Việt", Role.SECRETARY),
            Triple("m-luong", "Hoàng Đức Lượng", Role.MEMBER),
            Triple("m-hoa", "Lê Thị Hoa", Role.EXECUTIVE),
        )) {
            phone.upsertMember(Member(id, TestServer.BRANCH, fullName, role, MemberStatus.FULL))
        }
        return phone
    }

    override fun close() {
        open.forEach { it.close() }
        dir.deleteRecursively()
    }
}

/** The demo branch's 2026 plan. */
fun plan2026() = NewPlan(TestServer.BRANCH, 2026, "", "01-KH/CB", "15/01/2026", "", "")

/** A topic with everything approval needs (month, preparer, presenter). */
fun topic(
    title: String,
    month: Int,
    preparer: String = "m-luong",
    presenter: String? = "m-luong",
    group: TopicGroup = TopicGroup.PRODUCTION_TARGETS,
) = NewTopic(title, group, month.toUInt(), null, false, listOf(preparer), presenter, null, null, "", "")

/** A topic draft. */
fun draft(planId: String, topicId: String, body: String) =
    NewTextDoc(DocKind.TOPIC_DRAFT, TestServer.BRANCH, planId, topicId, "Dự thảo chuyên đề", "", body)
