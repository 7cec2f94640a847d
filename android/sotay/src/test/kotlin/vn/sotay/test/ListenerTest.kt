package vn.sotay.test

import java.io.File
import java.util.concurrent.LinkedBlockingQueue
import java.util.concurrent.TimeUnit
import kotlin.test.assertEquals
import kotlin.test.assertTrue
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.flow.take
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.After
import org.junit.Test
import vn.sotay.DocumentChangeListener
import vn.sotay.SotayStore
import vn.sotay.SyncStatus
import vn.sotay.SyncStatusListener
import vn.sotay.TopicField

/**
 * The listener contract, through the generated bindings and through the Kotlin flows: the
 * sync-status listener hears the current value at once; a closed (or cancelled) handle hears
 * nothing more.
 */
class ListenerTest {
    private val phones = Phones()

    @After
    fun cleanUp() = phones.close()

    /** Records what a listener hears. */
    private class Heard<T> {
        private val queue = LinkedBlockingQueue<T>()
        fun add(value: T) = queue.put(value)
        fun next(): T? = queue.poll(WAIT_MS, TimeUnit.MILLISECONDS)
        fun silent(): Boolean = queue.poll(300, TimeUnit.MILLISECONDS) == null
    }

    @Test
    fun test_generated_listeners_hear_the_current_value_at_once_and_nothing_after_close() {
        SotayStore.open(File(phones.dir, "raw.sotay").path).use { store ->
            store.setIdentity("m-viet")
            val statuses = Heard<SyncStatus>()
            val statusHandle = store.subscribeSyncStatus(object : SyncStatusListener {
                override fun onStatus(status: SyncStatus) = statuses.add(status)
            })
            assertEquals(SyncStatus.NotEnrolled, statuses.next(), "the current status, at once")

            val changes = Heard<List<String>>()
            val changeHandle = store.subscribeDocumentChanges(object : DocumentChangeListener {
                override fun onDocumentsChanged(docIds: List<String>) = changes.add(docIds)
            })
            val plan = store.createPlan(plan2026())
            assertEquals(listOf(plan), changes.next())
            val topic = store.addTopic(plan, topic("Chuyên đề tháng 4", 4))
            assertEquals(listOf(plan), changes.next())

            changeHandle.cancel()
            store.setTopicField(plan, topic, TopicField.Notes("sau khi hủy"))
            assertTrue(changes.silent(), "a cancelled handle hears nothing")
            changeHandle.close()

            statusHandle.close()
            assertTrue(statuses.silent())
        }
    }

    @Test
    fun test_flows_deliver_current_status_and_every_change_until_collection_stops() = runBlocking {
        val sotay = phones.local()
        assertEquals(SyncStatus.NotEnrolled, withTimeout(WAIT_MS) { sotay.syncStatus.first() })

        val plan = sotay.createPlan(plan2026())
        val twoChanges = async(Dispatchers.Default, start = CoroutineStart.UNDISPATCHED) {
            withTimeout(WAIT_MS) { sotay.changesOf(plan).take(2).toList() }
        }
        // The collector registers its listener before the edits (undispatched start).
        val t = sotay.addTopic(plan, topic("Chuyên đề", 4))
        sotay.setTopicField(plan, t, TopicField.Notes("Ghi chú"))
        assertEquals(2, twoChanges.await().size)
    }
}
