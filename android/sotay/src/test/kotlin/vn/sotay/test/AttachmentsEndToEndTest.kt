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
import org.junit.Before
import org.junit.Test
import vn.sotay.ApiException
import vn.sotay.AttachmentUpload
import vn.sotay.viewmodel.TopicDraftViewModel

/**
 * Attachments on two phones and the real server (started with a 1 MiB attachment limit),
 * through the topic screen's view model: the secretary attaches a PDF to a material and
 * syncs (the file goes after the documents); the member's phone lists it without its bytes,
 * opens it — downloaded, checked, identical — and then holds it. A scan over the server's
 * limit is refused for good and shown so; the member asking for it gets `NotFound`, and a
 * hash no material lists or a malformed one `InvalidInput`.
 */
class AttachmentsEndToEndTest {
    private lateinit var server: TestServer
    private lateinit var phones: Phones
    private val scope = CoroutineScope(Dispatchers.Default + SupervisorJob())

    @Before
    fun start() {
        server = TestServer.start(maxBlobMib = 1)
        phones = Phones()
    }

    @After
    fun stop() {
        scope.cancel()
        phones.close()
        server.close()
    }

    /** PDF-like bytes: a header, [len] varied bytes and a trailer. */
    private fun pdf(seed: Int, len: Int): ByteArray {
        val body = ByteArray(len) { i -> ((i * 7919 % 251) xor seed).toByte() }
        return "%PDF-1.7\n".toByteArray() + body + "\n%%EOF\n".toByteArray()
    }

    @Test
    fun test_an_attached_pdf_reaches_the_other_phone_which_fetches_it_on_opening() = runBlocking {
        val viet = phones.enrolled(server, "m-viet")
        val luong = phones.enrolled(server, "m-luong")
        val plan = viet.createPlan(plan2026())
        val topicId = viet.addTopic(plan, topic("Học tập Nghị quyết Trung ương 4", 5))

        // The secretary adds a material to the topic and attaches the resolution to it.
        val secretary = TopicDraftViewModel(viet, plan, topicId, scope)
        secretary.state.awaitState { !it.loading }
        secretary.addMaterial("Nghị quyết 21-NQ/TW", "Văn bản gốc", "Tóm tắt nội dung chính.").join()
        val material = secretary.state.awaitState { it.materials.isNotEmpty() }.materials.single().docId
        secretary.openMaterial(material).join()
        val resolution = pdf(1, 600_000)
        secretary.attach(resolution, "Nghị quyết 21-NQ-TW.pdf").join()
        assertNull(secretary.state.value.error)
        val attached = secretary.state.awaitState { it.attachments.isNotEmpty() }.attachments.single()
        assertEquals("Nghị quyết 21-NQ-TW.pdf", attached.name)
        assertEquals("application/pdf", attached.mime)
        assertEquals(resolution.size.toULong(), attached.size)
        assertEquals("m-viet", attached.addedBy)
        assertTrue(attached.onDevice)
        assertEquals(AttachmentUpload.Pending, attached.upload)

        // A scan over the server's 1 MiB limit: kept here, refused by the server for good.
        secretary.attach(pdf(2, 1_300_000), "Bản chụp.pdf").join()
        val scan = secretary.state.awaitState { it.attachments.size == 2 }.attachments.single { it.name == "Bản chụp.pdf" }

        val report = viet.sync()
        assertEquals(1u, report.blobsUploaded, "$report")
        assertEquals(listOf(scan.sha256), report.blobsRefused.map { it.sha256 })
        assertEquals("too_large", report.blobsRefused.single().code)
        // The secretary's screen follows: sent, and refused with the server's reason.
        val afterSync = secretary.state.awaitState { s -> s.attachments.none { it.upload == AttachmentUpload.Pending } }
        assertEquals(AttachmentUpload.NotQueued, afterSync.attachments.single { it.name == attached.name }.upload)
        val refused = assertIs<AttachmentUpload.Refused>(afterSync.attachments.single { it.name == "Bản chụp.pdf" }.upload)
        assertEquals("too_large", refused.code)
        assertTrue(refused.message.isNotBlank())
        assertEquals(listOf(scan.sha256), viet.blobRefusals().map { it.sha256 })
        // An idle sync sends nothing again.
        assertEquals(0u, viet.sync().blobsUploaded)

        // The member's phone: the material lists both files, neither is on it.
        luong.sync()
        val member = TopicDraftViewModel(luong, plan, topicId, scope)
        member.state.awaitState { it.materials.isNotEmpty() }
        member.openMaterial(material).join()
        val listed = member.state.awaitState { it.attachments.size == 2 }.attachments
        val onLuong = listed.single { it.sha256 == attached.sha256 }
        assertEquals(attached.name, onLuong.name)
        assertEquals(attached.size, onLuong.size)
        assertTrue(listed.none { it.onDevice }, "listed, not downloaded: $listed")
        assertTrue(listed.all { it.upload == AttachmentUpload.NotQueued })
        assertNull(luong.attachmentBytes(attached.sha256))

        // Opening it downloads it: identical bytes, kept on the phone.
        member.openAttachment(onLuong).join()
        val opened = member.state.value
        assertNull(opened.error)
        assertTrue(opened.fetching.isEmpty())
        val bytes = assertNotNull(opened.openedAttachment).bytes
        assertContentEquals(resolution, bytes)
        member.state.awaitState { s -> s.attachments.single { it.sha256 == attached.sha256 }.onDevice }
        assertContentEquals(resolution, luong.attachmentBytes(attached.sha256))
        member.closeAttachment()
        assertNull(member.state.value.openedAttachment)

        // Opened again with the server gone: from the phone.
        server.stop()
        member.openAttachment(onLuong).join()
        assertContentEquals(resolution, assertNotNull(member.state.value.openedAttachment).bytes)
        server.restart()

        // The refused scan never reached the server: a clear NotFound, nothing opened.
        member.closeAttachment()
        member.openAttachment(listed.single { it.sha256 == scan.sha256 }).join()
        assertIs<ApiException.NotFound>(member.state.value.error)
        assertNull(member.state.value.openedAttachment)
        assertTrue(member.state.value.fetching.isEmpty())
        assertFailsWith<ApiException.NotFound> { luong.fetchAttachment(scan.sha256) }
        assertNull(luong.attachmentBytes(scan.sha256))

        // A hash no material here lists, and one that is not a hash.
        val nobody = "0".repeat(64)
        assertFailsWith<ApiException.InvalidInput> { luong.fetchAttachment(nobody) }
        assertFailsWith<ApiException.InvalidInput> { luong.fetchAttachment("Nghị quyết.pdf") }

        // A draft takes no files; a file over 20 MiB is refused on the phone.
        member.createDraft("Dự thảo chuyên đề").join()
        member.openMaterial(null).join()
        member.state.awaitState { it.draft != null && it.openMaterial == null }
        member.attach(pdf(3, 10), "a.pdf").join()
        assertIs<ApiException.InvalidInput>(member.state.value.error)
        member.openMaterial(material).join()
        member.attach(ByteArray(20 * 1024 * 1024 + 1), "quá lớn.pdf").join()
        assertIs<ApiException.InvalidInput>(member.state.value.error)
        assertEquals(2, luong.attachments(material).size)
    }
}
