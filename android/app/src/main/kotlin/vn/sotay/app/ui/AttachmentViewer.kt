package vn.sotay.app.ui

import android.content.ActivityNotFoundException
import android.content.Context
import android.content.Intent
import android.net.Uri
import android.provider.OpenableColumns
import android.widget.Toast
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.core.content.FileProvider
import java.io.File
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext
import vn.sotay.Paper
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

/** A file the member picked to attach: its bytes, its display name and its media type. */
class PickedFile(val bytes: ByteArray, val name: String, val mime: String?)

/**
 * Reads a file picked with the system picker (`OpenDocument`), off the main thread: its bytes,
 * the name the provider shows and its media type. The size limit and the name's cleaning are
 * the core's (`attach` refuses a file over the limit with `InvalidInput`).
 */
suspend fun readPicked(context: Context, uri: Uri): PickedFile = withContext(Dispatchers.IO) {
    val resolver = context.contentResolver
    val name = resolver.query(uri, arrayOf(OpenableColumns.DISPLAY_NAME), null, null, null)?.use { c ->
        if (c.moveToFirst()) c.getString(0) else null
    } ?: uri.lastPathSegment ?: "tep-dinh-kem"
    val bytes = resolver.openInputStream(uri)?.use { it.readBytes() } ?: ByteArray(0)
    PickedFile(bytes, name, resolver.getType(uri))
}

/**
 * Hands a paper written on the phone (the minutes, an evidence sheet) to the apps that open,
 * print or send it: a copy in the cache (`papers/<file name>`), shared read-only through the
 * same `FileProvider`.
 */
suspend fun sharePaper(context: Context, paper: Paper) {
    val file = withContext(Dispatchers.IO) {
        val dir = File(context.cacheDir, "papers").apply { mkdirs() }
        File(dir, paper.fileName).also { it.writeBytes(paper.bytes) }
    }
    val uri = FileProvider.getUriForFile(context, "${context.packageName}.attachments", file)
    val send = Intent(Intent.ACTION_SEND)
        .setType(paper.mime)
        .putExtra(Intent.EXTRA_STREAM, uri)
        .addFlags(Intent.FLAG_GRANT_READ_URI_PERMISSION)
    try {
        context.startActivity(Intent.createChooser(send, paper.title))
    } catch (e: ActivityNotFoundException) {
        Toast.makeText(context, R.string.attachment_no_viewer, Toast.LENGTH_LONG).show()
    }
}

/** Shares [paper] once it is written, then tells the view model it was handed over. */
@Composable
fun SharePaperEffect(context: Context, paper: Paper?, onShared: () -> Unit) {
    LaunchedEffect(paper) {
        if (paper != null) {
            sharePaper(context, paper)
            onShared()
        }
    }
}
