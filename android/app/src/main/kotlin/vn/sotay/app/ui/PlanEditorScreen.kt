package vn.sotay.app.ui

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.width
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Button
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.ListItem
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import vn.sotay.NewTopic
import vn.sotay.TopicGroup
import vn.sotay.TopicStatus
import vn.sotay.app.R
import vn.sotay.app.rememberScreenModel
import vn.sotay.kit.SoTay
import vn.sotay.kit.label
import vn.sotay.viewmodel.PlanEditorViewModel

/** The plan editor: topics, conflicts to resolve, what blocks approval. */
@Composable
fun PlanEditorScreen(
    sotay: SoTay,
    planId: String,
    modifier: Modifier,
    onOpenDraft: (topicId: String) -> Unit,
    onOpenApproval: () -> Unit,
) {
    val vm = rememberScreenModel("plan:$planId") { PlanEditorViewModel(sotay, planId, it) }
    val state by vm.state.collectAsStateWithLifecycle()
    var newTitle by remember { mutableStateOf("") }
    var newMonth by remember { mutableStateOf("") }
    val none = stringResource(R.string.plan_none)

    LazyColumn(modifier.padding(horizontal = 12.dp)) {
        item { ErrorBanner(state.error) { vm.clearError() } }
        item {
            Text(stringResource(R.string.plan_title, state.plan?.number ?: ""), style = MaterialTheme.typography.titleLarge)
            Text(state.plan?.title ?: stringResource(R.string.loading))
        }

        if (state.conflicts.isNotEmpty()) {
            item { Text(stringResource(R.string.plan_conflicts), style = MaterialTheme.typography.titleMedium) }
            items(state.conflicts) { c ->
                Column(Modifier.padding(vertical = 6.dp)) {
                    Text(stringResource(R.string.plan_conflict_field, c.topic?.title ?: state.plan?.title ?: "", c.fieldLabel))
                    c.choices.forEach { choice ->
                        OutlinedButton(onClick = { vm.resolve(c, choice) }) {
                            Text(stringResource(R.string.plan_conflict_choice, state.nameOf(choice.value) ?: choice.value, state.nameOf(choice.setBy) ?: "?"))
                        }
                    }
                }
            }
            item { HorizontalDivider() }
        }

        item { Text(stringResource(R.string.plan_topics), style = MaterialTheme.typography.titleMedium) }
        items(state.topics) { t ->
            val month = t.month?.toString() ?: none
            ListItem(
                headlineContent = { Text(stringResource(R.string.plan_topic_row, state.topics.indexOf(t) + 1, t.title, month)) },
                supportingContent = {
                    Column {
                        Text(
                            stringResource(
                                R.string.plan_topic_people,
                                t.preparers.joinToString { state.nameOf(it) ?: it }.ifEmpty { none },
                                state.nameOf(t.presenter) ?: none,
                            ),
                        )
                        if (t.status == TopicStatus.CANCELLED) Text(t.status.label)
                    }
                },
                modifier = Modifier.clickable { onOpenDraft(t.id) },
            )
        }
        item {
            Row(Modifier.fillMaxWidth()) {
                OutlinedTextField(newTitle, { newTitle = it }, label = { Text(stringResource(R.string.plan_topic_title)) }, modifier = Modifier.weight(1f))
                OutlinedTextField(
                    newMonth, { newMonth = it.filter(Char::isDigit).take(2) },
                    label = { Text(stringResource(R.string.plan_topic_month)) },
                    keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Number),
                    modifier = Modifier.width(90.dp),
                )
            }
            val month = newMonth.toIntOrNull()
            Button(
                enabled = newTitle.isNotBlank() && month != null && month in 1..12,
                onClick = {
                    vm.addTopic(
                        NewTopic(newTitle.trim(), TopicGroup.PARTY_BUILDING, (month ?: 1).toUInt(), null, false, emptyList(), null, null, null, "", ""),
                    )
                    newTitle = ""
                    newMonth = ""
                },
            ) { Text(stringResource(R.string.plan_add_topic)) }
        }

        item { HorizontalDivider() }
        val readiness = state.readiness
        if (readiness != null) {
            if (readiness.ready) {
                item { Text(stringResource(R.string.plan_ready)) }
            } else {
                items(readiness.missing) { m ->
                    Text(stringResource(R.string.plan_missing, m.topicTitle, m.field.label))
                }
            }
        }
        item { Button(onClick = onOpenApproval) { Text(stringResource(R.string.plan_approval)) } }
    }
}
