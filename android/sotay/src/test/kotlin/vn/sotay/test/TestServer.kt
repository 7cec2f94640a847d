package vn.sotay.test

import java.io.BufferedReader
import java.io.File
import java.io.InputStreamReader
import java.nio.file.Files
import java.util.concurrent.LinkedBlockingQueue
import java.util.concurrent.TimeUnit

/**
 * The real `sotay-server` binary (path in the `sotay.server.bin` system property, set by
 * scripts/kotlin-test.sh), serving the demo committee from a temporary data directory on
 * 127.0.0.1:0. It prints `sotay-server listening on http://ADDR` after a table of one-time
 * enrollment codes per demo member id; both are parsed here.
 *
 * [stop] kills it, [kill] with SIGKILL; [restart] starts it again on the same data directory
 * and port (the phones' stores remember the server's URL).
 */
class TestServer private constructor(
    private val bin: String,
    val dataDir: File,
    @Volatile private var process: Process,
    val url: String,
    /** One-time enrollment codes by demo member id ("m-viet" → "XXXX-XXXX-XXXX"). */
    val codes: Map<String, String>,
) : AutoCloseable {

    companion object {
        /** The demo branch. */
        const val BRANCH = "b-co-dien"

        private val CODE = Regex("""\b([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})\s*$""")
        private val MEMBER = Regex("""\s(m-[a-z0-9-]+)\s""")
        private val LISTENING = Regex("""sotay-server listening on (http://\S+)""")

        private fun binary(): String =
            System.getProperty("sotay.server.bin")
                ?: error("set -Dsotay.server.bin to the sotay-server binary (scripts/kotlin-test.sh does)")

        /**
         * Starts a server with the demo committee on a fresh data directory; [maxBlobMib]
         * lowers its attachment size limit (default: the server's 20 MiB).
         */
        fun start(maxBlobMib: Int? = null): TestServer {
            val bin = binary()
            val data = Files.createTempDirectory("sotay-server").toFile()
            val (process, url, codes) = launch(bin, data, "127.0.0.1:0", demo = true, maxBlobMib = maxBlobMib)
            return TestServer(bin, data, process, url, codes)
        }

        private fun launch(
            bin: String,
            data: File,
            listen: String,
            demo: Boolean,
            maxBlobMib: Int? = null,
        ): Triple<Process, String, Map<String, String>> {
            val cmd = mutableListOf(bin, "serve", "--data", data.path, "--listen", listen)
            if (demo) cmd += "--demo"
            if (maxBlobMib != null) cmd += listOf("--max-blob-mib", maxBlobMib.toString())
            val process = ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.appendTo(File(data, "server.log")))
                .start()
            // Read stdout on its own thread so the server never blocks on a full pipe.
            val lines = LinkedBlockingQueue<String>()
            Thread {
                BufferedReader(InputStreamReader(process.inputStream, Charsets.UTF_8)).useLines { seq ->
                    seq.forEach { lines.put(it) }
                }
            }.apply { isDaemon = true; start() }
            val codes = mutableMapOf<String, String>()
            val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30)
            while (true) {
                val line = lines.poll(100, TimeUnit.MILLISECONDS)
                if (line == null) {
                    if (process.isAlive && System.nanoTime() < deadline) continue
                    process.destroyForcibly()
                    error("sotay-server did not start; see ${File(data, "server.log")}")
                }
                LISTENING.find(line)?.let { return Triple(process, it.groupValues[1], codes) }
                val code = CODE.find(line)
                val member = MEMBER.find(line)
                if (code != null && member != null) codes[member.groupValues[1]] = code.groupValues[1]
            }
        }
    }

    /** Kills the server (as a crash or a network cut would look to the phones). */
    fun stop() {
        process.destroy()
        if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor()
    }

    /**
     * Kills the server with SIGKILL at once, without waiting for anything it is doing (a
     * request half read, a reply half written): a crash or a cable pulled mid-request.
     * Safe to call from any thread.
     */
    fun kill() {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS)
    }

    /** Starts the server again on the same data directory and address. */
    fun restart() {
        val listen = url.removePrefix("http://")
        var lastError: Throwable? = null
        // The port was just released; binding again may need a moment.
        repeat(20) {
            try {
                process = launch(bin, dataDir, listen, demo = false).first
                return
            } catch (e: IllegalStateException) {
                lastError = e
                Thread.sleep(250)
            }
        }
        throw IllegalStateException("sotay-server did not restart on $listen", lastError)
    }

    override fun close() {
        stop()
        dataDir.deleteRecursively()
    }
}
