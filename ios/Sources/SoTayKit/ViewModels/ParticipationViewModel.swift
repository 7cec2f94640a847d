// A member's participation evidence for one year.

import Foundation
import SoTayFFI

/// A member's participation evidence for one year.
public struct ParticipationState: ScreenState, Equatable {
    public var loading = true
    public let year: Int32
    /// The member's figures, each with the evidence it was counted from (`nil` before loading).
    public var evidence: MemberEvidence?
    /// What the screen must say with it: a proposal for the branch's discussion and vote, not
    /// an evaluation or a rating (QĐ 366) — the core's words.
    public var notice = ""
    /// Unexcused absences in three months of the year (Điều lệ, art. 8), if the member has them.
    public var absenceFlag: AbsenceFlag?
    /// The printable evidence sheet (``ParticipationViewModel/exportSheet(format:)``).
    public var paper: Paper?
    public var error: ApiError?

    public init(year: Int32) {
        self.year = year
    }

    /// Every figure, in the core's order (zero counts included: "none" is evidence too).
    public var figures: [EvidenceFigure] { evidence?.figures ?? [] }

    /// The figures informing one part of QĐ 366's frame.
    public func figures(_ frame: EvidenceFrame) -> [EvidenceFigure] { figures.filter { $0.frame == frame } }
}

/// "My participation": what the member did in the branch's sessions in `year` — assignments,
/// presentations, comments and proposals before the sessions, proposals adopted and done,
/// attendance, materials read — each figure with its evidence lines and the suggested points
/// on the committee's weights. It proposes, it never rates: the notice says so on the
/// screen. Reloads on every document change. Mirrors Android's `ParticipationViewModel`.
@MainActor
public final class ParticipationViewModel: ScreenModel<ParticipationState> {
    public let year: Int32
    /// Whose evidence (`nil`: this member's).
    public let memberId: String?

    public init(sotay: SoTay, year: Int32, memberId: String? = nil) {
        self.year = year
        self.memberId = memberId
        super.init(sotay: sotay, initial: ParticipationState(year: year))
        reload(on: sotay.reloadSignals())
        refresh()
    }

    override func load(_ current: ParticipationState) async throws -> ParticipationState {
        var who = memberId
        if who == nil { who = try await sotay.identity() }
        var branch: String?
        if let who { branch = try await sotay.findMember(who)?.branchId }
        let report = try await sotay.participationEvidence(branchId: branch, year: year)
        var next = current
        next.loading = false
        next.evidence = report.members.first { $0.memberId == who }
        next.notice = report.notice
        next.absenceFlag = report.flags.first { $0.memberId == who }
        return next
    }

    // The sheet written is the action's, not the store's.
    override func keepActionState(_ next: inout ParticipationState, from latest: ParticipationState) {
        next.paper = latest.paper
    }

    /// Writes the member's printable evidence sheet for the year (``ParticipationState/paper``).
    @discardableResult
    public func exportSheet(format: PaperFormat = .docx) -> Task<Void, Never> {
        act {
            var who = self.memberId
            if who == nil { who = try await self.sotay.identity() }
            guard let who else { return }
            self.state.paper = try await self.sotay.evidenceSheet(memberId: who, year: self.year, format: format)
        }
    }

    /// The sheet was shared or shown.
    public func closePaper() {
        state.paper = nil
    }
}
