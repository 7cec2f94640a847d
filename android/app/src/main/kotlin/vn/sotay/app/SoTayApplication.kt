package vn.sotay.app

import android.app.Application
import java.io.File
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Deferred
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.async
import vn.sotay.kit.SoTay

/** Opens the phone's one store for the life of the process. */
class SoTayApplication : Application() {
    private val appScope = CoroutineScope(SupervisorJob() + Dispatchers.Main.immediate)

    /** The store (opened off the main thread on first use). */
    val sotay: Deferred<SoTay> by lazy {
        appScope.async { SoTay.open(File(filesDir, "sotay.db").path) }
    }
}
