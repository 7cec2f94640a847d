package vn.sotay.viewmodel

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.launch
import vn.sotay.ApiException
import vn.sotay.SyncProgress
import vn.sotay.SyncReport
import vn.sotay.SyncStatus
import vn.sotay.kit.SoTay

/** The sync bar: offline, syncing with progress, last synced, edits waiting. */
data class SyncStatusState(
    /** The status as the store reports it. */
    val status: SyncStatus,
    /** The last sync's report, when one ran from here. */
    val lastReport: SyncReport? = null,
    /** The last sync's error, when it failed. */
    val error: ApiException? = null,
) {
    /** The server could not be reached (nothing is lost). */
    val isOffline: Boolean get() = status is SyncStatus.Offline

    /** A sync is running. */
    val isSyncing: Boolean get() = status is SyncStatus.Syncing

    /** The running sync's progress. */
    val progress: SyncProgress? get() = (status as? SyncStatus.Syncing)?.progress

    /** The device must enroll (first use, or the server no longer accepts it). */
    val needsEnrollment: Boolean
        get() = status is SyncStatus.NotEnrolled || (status as? SyncStatus.Failed)?.needsEnrollment == true

    /** Last successful sync (Unix seconds). */
    val lastSyncedAt: Long?
        get() = when (val s = status) {
            is SyncStatus.Idle -> s.lastSyncedAt
            is SyncStatus.Offline -> s.lastSyncedAt
            is SyncStatus.Failed -> s.lastSyncedAt
            else -> null
        }

    /** Documents with edits the server does not have yet. */
    val unsentDocuments: Int
        get() = when (val s = status) {
            is SyncStatus.Idle -> s.unsentDocuments.toInt()
            is SyncStatus.Offline -> s.unsentDocuments.toInt()
            is SyncStatus.Failed -> s.unsentDocuments.toInt()
            else -> 0
        }
}

/**
 * Follows the store's sync status (the current value at once, then every change) and runs
 * syncs on request.
 */
class SyncStatusViewModel(
    private val sotay: SoTay,
    scope: CoroutineScope,
) : ScreenModel<SyncStatusState>(SyncStatusState(sotay.currentSyncStatus), scope) {

    init {
        this.scope.launch {
            sotay.syncStatus.collect { s -> update { it.copy(status = s) } }
        }
    }

    override suspend fun load(current: SyncStatusState) = current.copy(status = sotay.currentSyncStatus)

    override fun SyncStatusState.withError(error: ApiException?) = copy(error = error)

    override fun SyncStatusState.shownError() = error

    /** Syncs now; the status follows through the listener, the report or error lands here. */
    fun syncNow(): Job = scope.launch {
        try {
            val report = sotay.sync()
            update { it.copy(lastReport = report, error = null) }
        } catch (e: ApiException) {
            update { it.copy(error = e) }
        }
    }
}
