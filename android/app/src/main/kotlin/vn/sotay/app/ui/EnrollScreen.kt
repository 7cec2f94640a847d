package vn.sotay.app.ui

import android.os.Build
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import kotlinx.coroutines.launch
import vn.sotay.ApiException
import vn.sotay.app.R
import vn.sotay.kit.SoTay

/** First use: the member types the server address and the one-time code from the admin. */
@Composable
fun EnrollScreen(sotay: SoTay, onEnrolled: () -> Unit) {
    var server by remember { mutableStateOf("https://") }
    var code by remember { mutableStateOf("") }
    var device by remember { mutableStateOf(Build.MODEL ?: "") }
    var busy by remember { mutableStateOf(false) }
    var error by remember { mutableStateOf<ApiException?>(null) }
    val scope = rememberCoroutineScope()
    Column(Modifier.fillMaxWidth().padding(16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
        Text(stringResource(R.string.enroll_title), style = MaterialTheme.typography.headlineSmall)
        OutlinedTextField(server, { server = it }, label = { Text(stringResource(R.string.enroll_server)) }, singleLine = true)
        OutlinedTextField(code, { code = it.uppercase() }, label = { Text(stringResource(R.string.enroll_code)) }, singleLine = true)
        OutlinedTextField(device, { device = it }, label = { Text(stringResource(R.string.enroll_device_name)) }, singleLine = true)
        ErrorBanner(error) { error = null }
        Button(
            enabled = !busy && code.isNotBlank(),
            onClick = {
                busy = true
                scope.launch {
                    try {
                        sotay.enroll(server.trim(), code.trim(), device.trim())
                        onEnrolled()
                    } catch (e: ApiException) {
                        error = e
                    } finally {
                        busy = false
                    }
                }
            },
        ) { Text(stringResource(R.string.enroll_button)) }
    }
}
