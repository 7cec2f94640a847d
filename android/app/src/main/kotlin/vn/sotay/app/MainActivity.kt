package vn.sotay.app

import android.os.Bundle
import androidx.activity.ComponentActivity
import androidx.activity.compose.BackHandler
import androidx.activity.compose.setContent
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.CircularProgressIndicator
import androidx.compose.material3.ExperimentalMaterial3Api
import androidx.compose.material3.Icon
import androidx.compose.material3.IconButton
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Scaffold
import androidx.compose.material3.Text
import androidx.compose.material3.TopAppBar
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.produceState
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import vn.sotay.ReadingItem
import vn.sotay.SyncStatus
import vn.sotay.app.ui.ApprovalScreen
import vn.sotay.app.ui.BranchHomeScreen
import vn.sotay.app.ui.BranchOverviewScreen
import vn.sotay.app.ui.EnrollScreen
import vn.sotay.app.ui.HomeActions
import vn.sotay.app.ui.ParticipationScreen
import vn.sotay.app.ui.PlanEditorScreen
import vn.sotay.app.ui.ProposalsBoardScreen
import vn.sotay.app.ui.ReadingListScreen
import vn.sotay.app.ui.SessionRecordScreen
import vn.sotay.app.ui.SyncBar
import vn.sotay.app.ui.TopicDraftScreen
import vn.sotay.kit.SoTay
import vn.sotay.viewmodel.SyncStatusViewModel

class MainActivity : ComponentActivity() {
    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        val app = application as SoTayApplication
        setContent {
            MaterialTheme {
                val sotay by produceState<SoTay?>(null) { value = app.sotay.await() }
                val open = sotay
                if (open == null) {
                    Box(Modifier.fillMaxSize(), contentAlignment = Alignment.Center) { CircularProgressIndicator() }
                } else {
                    SoTayScreens(open)
                }
            }
        }
    }
}

/** Where the member is. */
sealed interface Screen {
    data object Home : Screen
    data class Plan(val planId: String) : Screen
    data class Draft(val planId: String, val topicId: String) : Screen
    data class Approval(val docId: String) : Screen
    /** The reading list, with [open] shown (`null`: the list). */
    data class Reading(val open: ReadingItem?) : Screen
    data class Session(val sessionId: String) : Screen
    data object Proposals : Screen
    data object Participation : Screen
    data object Overview : Screen
}

@OptIn(ExperimentalMaterial3Api::class)
@Composable
fun SoTayScreens(sotay: SoTay) {
    val sync = rememberScreenModel("sync") { SyncStatusViewModel(sotay, it) }
    val syncState by sync.state.collectAsStateWithLifecycle()
    if (syncState.status is SyncStatus.NotEnrolled) {
        EnrollScreen(sotay, onEnrolled = { sync.syncNow() })
        return
    }
    var stack by remember { mutableStateOf(listOf<Screen>(Screen.Home)) }
    fun go(s: Screen) { stack = stack + s }
    BackHandler(enabled = stack.size > 1) { stack = stack.dropLast(1) }

    Scaffold(
        topBar = {
            TopAppBar(
                title = { Text(stringResource(R.string.app_name)) },
                navigationIcon = {
                    if (stack.size > 1) {
                        IconButton(onClick = { stack = stack.dropLast(1) }) {
                            Icon(
                                painter = androidx.compose.ui.res.painterResource(android.R.drawable.ic_menu_revert),
                                contentDescription = stringResource(R.string.back),
                            )
                        }
                    }
                },
            )
        },
        bottomBar = { SyncBar(syncState, onSync = { sync.syncNow() }) },
    ) { padding ->
        val modifier = Modifier.padding(padding)
        when (val s = stack.last()) {
            Screen.Home -> BranchHomeScreen(
                sotay, modifier,
                HomeActions(
                    openPlan = { go(Screen.Plan(it)) },
                    openDraft = { plan, topic -> go(Screen.Draft(plan, topic)) },
                    openApproval = { go(Screen.Approval(it)) },
                    openReading = { go(Screen.Reading(it)) },
                    openSession = { go(Screen.Session(it)) },
                    openProposals = { go(Screen.Proposals) },
                    openParticipation = { go(Screen.Participation) },
                    openOverview = { go(Screen.Overview) },
                ),
            )
            is Screen.Plan -> PlanEditorScreen(
                sotay, s.planId, modifier,
                onOpenDraft = { go(Screen.Draft(s.planId, it)) },
                onOpenApproval = { go(Screen.Approval(s.planId)) },
            )
            is Screen.Draft -> TopicDraftScreen(
                sotay, s.planId, s.topicId, modifier,
                onOpenApproval = { go(Screen.Approval(it)) },
            )
            is Screen.Approval -> ApprovalScreen(sotay, s.docId, modifier)
            is Screen.Reading -> ReadingListScreen(sotay, s.open, modifier)
            is Screen.Session -> SessionRecordScreen(sotay, s.sessionId, modifier)
            Screen.Proposals -> ProposalsBoardScreen(sotay, modifier)
            Screen.Participation -> ParticipationScreen(sotay, modifier)
            Screen.Overview -> BranchOverviewScreen(sotay, modifier, onOpenSession = { go(Screen.Session(it)) })
        }
    }
}
