package vn.sotay.app.ui

import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.Card
import androidx.compose.material3.CardDefaults
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.foundation.layout.Column
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import java.time.Instant
import java.time.ZoneId
import java.time.format.DateTimeFormatter
import vn.sotay.ApiException
import vn.sotay.app.R

/** What the member should do about an error, in Vietnamese. */
@Composable
fun errorText(e: ApiException): String = when (e) {
    is ApiException.Offline -> stringResource(R.string.error_offline)
    is ApiException.NotEnrolled -> stringResource(R.string.error_not_enrolled)
    is ApiException.InvalidCode -> stringResource(R.string.error_invalid_code)
    is ApiException.DeviceRejected -> stringResource(R.string.error_device_rejected)
    is ApiException.ClockSkew -> stringResource(R.string.error_clock_skew)
    is ApiException.ServerUnavailable -> stringResource(R.string.error_server_unavailable)
    is ApiException.UpdateRequired -> stringResource(R.string.error_update_required)
    is ApiException.NotPermitted -> stringResource(R.string.error_not_permitted)
    is ApiException.NotReady -> stringResource(R.string.error_not_ready)
    is ApiException.NotAuthor -> stringResource(R.string.error_not_author)
    is ApiException.ConflictChanged -> stringResource(R.string.error_conflict_changed)
    is ApiException.NotFound -> stringResource(R.string.error_not_found)
    is ApiException.InvalidInput -> stringResource(R.string.error_invalid_input, e.message ?: "")
    is ApiException.Storage -> stringResource(R.string.error_storage)
    is ApiException.Damaged -> stringResource(R.string.error_damaged)
    is ApiException.AttachmentDamaged -> stringResource(R.string.error_attachment_damaged)
    else -> stringResource(R.string.error_other, e.message ?: "")
}

/** The error of a screen, dismissible. */
@Composable
fun ErrorBanner(error: ApiException?, onDismiss: () -> Unit) {
    if (error == null) return
    Card(
        modifier = Modifier.fillMaxWidth().padding(8.dp),
        colors = CardDefaults.cardColors(containerColor = MaterialTheme.colorScheme.errorContainer),
    ) {
        Column(Modifier.padding(12.dp)) {
            Text(stringResource(R.string.error_title), style = MaterialTheme.typography.titleSmall)
            Text(errorText(error))
            TextButton(onClick = onDismiss) { Text(stringResource(R.string.close)) }
        }
    }
}

private val timeFormat = DateTimeFormatter.ofPattern("HH:mm dd/MM/yyyy")

/** Unix seconds as "HH:mm dd/MM/yyyy", local time. */
fun formatTime(unixSeconds: Long): String =
    timeFormat.format(Instant.ofEpochSecond(unixSeconds).atZone(ZoneId.systemDefault()))

/** An ISO date as the Vietnamese "dd/MM/yyyy". */
fun formatDate(iso: String?): String? = iso?.split("-")?.takeIf { it.size == 3 }?.let { (y, m, d) -> "$d/$m/$y" }
