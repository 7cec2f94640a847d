package vn.sotay.app.ui

import android.content.ActivityNotFoundException
import android.content.Context
import android.content.Intent
import android.widget.Toast
import androidx.core.content.FileProvider
import java.io.File
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext
import vn.sotay.app.R
import vn.sotay.viewmodel.OpenedAttachment

/**
 * Hands an opened attachment to the app that shows its kind (a PDF reader, an office app):
 * a copy in the cache (`attachments/<sha256>/<name>`, the name as the core cleaned it), shared
 * read-only through the `FileProvider` declared in the manifest.
 */
suspend fun viewAttachment(context: Context, opened: OpenedAttachment) {
    val a = opened.attachment
    val file = withContext(Dispatchers.IO) {
        val dir = File(context.cacheDir, "attachments/${a.sha256}").apply { mkdirs() }
        File(dir, a.name).also { if (it.length() != opened.bytes.size.toLong()) it.writeBytes(opened.bytes) }
    }
    val uri = FileProvider.getUriForFile(context, "${context.packageName}.attachments", file)
    val view = Intent(Intent.ACTION_VIEW)
        .setDataAndType(uri, a.mime)
        .addFlags(Intent.FLAG_GRANT_READ_URI_PERMISSION)
    try {
        context.startActivity(Intent.createChooser(view, a.name))
    } catch (e: ActivityNotFoundException) {
        Toast.makeText(context, R.string.attachment_no_viewer, Toast.LENGTH_LONG).show()
    }
}
