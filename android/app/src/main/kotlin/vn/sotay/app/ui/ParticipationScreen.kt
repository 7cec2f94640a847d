package vn.sotay.app.ui

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Card
import androidx.compose.material3.TextButton
import androidx.compose.material3.ListItem
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import java.time.Year
import vn.sotay.EvidenceFrame
import vn.sotay.PaperFormat
import vn.sotay.app.R
import vn.sotay.app.rememberScreenModel
import vn.sotay.kit.SoTay
import vn.sotay.kit.label
import vn.sotay.viewmodel.ParticipationViewModel

/**
 * "My participation": the member's figures for the year with their evidence lines, and the
 * notice — always shown — that it is a proposal for the branch's vote, never a rating.
 */
@Composable
fun ParticipationScreen(sotay: SoTay, modifier: Modifier) {
    val year = Year.now().value
    val vm = rememberScreenModel("participation:$year") { ParticipationViewModel(sotay, it, year) }
    val state by vm.state.collectAsStateWithLifecycle()
    val context = LocalContext.current
    // The printable sheet goes to the apps that open, print or send it.
    SharePaperEffect(context, state.paper) { vm.closePaper() }

    LazyColumn(modifier.padding(horizontal = 12.dp)) {
        item { ErrorBanner(state.error) { vm.clearError() } }
        item { Text(stringResource(R.string.participation_year, year), style = MaterialTheme.typography.titleLarge) }
        item { TextButton(onClick = { vm.exportSheet(PaperFormat.DOCX) }) { Text(stringResource(R.string.participation_sheet)) } }
        if (state.notice.isNotEmpty()) {
            item { Card { Text(state.notice, Modifier.padding(12.dp)) } }
        }
        state.absenceFlag?.let { flag ->
            item { Text(stringResource(R.string.participation_absences, flag.months.joinToString())) }
        }
        for (frame in EvidenceFrame.entries) {
            val figures = state.figures(frame)
            if (figures.isEmpty()) continue
            item { Text(frame.label, style = MaterialTheme.typography.titleMedium) }
            items(figures) { f ->
                ListItem(
                    headlineContent = { Text(stringResource(R.string.participation_figure, f.category.label, f.count.toInt())) },
                    supportingContent = {
                        Column { f.evidence.forEach { e -> Text("• ${e.note}") } }
                    },
                    trailingContent = { Text(stringResource(R.string.participation_points, f.points)) },
                )
            }
        }
        state.evidence?.let { e ->
            item { Text(stringResource(R.string.participation_suggested, e.generalPoints, e.taskPoints)) }
        }
    }
}
