// The plan editor.

import Foundation
import SoTayFFI

/// A conflict as the plan editor shows it: which topic, which field, who chose what.
public struct PlanConflict: Sendable, Equatable {
    public let conflict: Conflict
    /// The topic it is in (`nil`: a plan header field).
    public let topic: Topic?

    /// The field's name ("presenter", "expected_output", …).
    public var field: String { conflict.field }

    /// The field's Vietnamese name ("Người trình bày"), from the Rust core.
    public var fieldLabel: String { conflict.fieldLabel }

    /// The values to choose from, with who set each.
    public var choices: [ConflictValue] { conflict.values }
}

/// The plan editor.
public struct PlanEditorState: ScreenState, Equatable {
    public var loading = true
    public var plan: AnnualPlan?
    /// The branch's members, to pick preparers and presenters by name.
    public var members: [Member] = []
    /// Fields holding concurrent values, waiting for a choice.
    public var conflicts: [PlanConflict] = []
    /// What stands in the way of approval (conflicts, topics lacking month, preparer, presenter).
    public var readiness: Readiness?
    public var error: ApiError?

    /// The plan's topics, in order.
    public var topics: [Topic] { plan?.topics ?? [] }

    /// A member's name by id (the id itself when unknown).
    public func name(of memberId: String?) -> String? {
        memberId.map { id in members.first { $0.id == id }?.fullName ?? id }
    }
}

/// Edits one annual plan: topics and their fields, header, texts; shows and resolves conflicts.
@MainActor
public final class PlanEditorViewModel: ScreenModel<PlanEditorState> {
    public let planId: String

    public init(sotay: SoTay, planId: String) {
        self.planId = planId
        super.init(sotay: sotay, initial: PlanEditorState())
        reload(on: sotay.reloadSignals(of: planId))
        refresh()
    }

    override func load(_ current: PlanEditorState) async throws -> PlanEditorState {
        let plan = try await sotay.plan(planId)
        let byId = Dictionary(plan.topics.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let conflicts = try await sotay.conflicts(docId: planId).map { c in
            let topicId = c.path.count >= 3 && c.path[0] == "topics" ? c.path[1] : nil
            return PlanConflict(conflict: c, topic: topicId.flatMap { byId[$0] })
        }
        var next = current
        next.loading = false
        next.plan = plan
        next.members = try await sotay.members()
        next.conflicts = conflicts
        next.readiness = try await sotay.approvalReadiness(docId: planId)
        return next
    }

    /// Adds a topic.
    @discardableResult
    public func addTopic(_ topic: NewTopic) -> Task<Void, Never> {
        act { try await self.sotay.addTopic(planId: self.planId, topic) }
    }

    /// Sets one field of a topic.
    @discardableResult
    public func setTopicField(_ topicId: String, _ field: TopicField) -> Task<Void, Never> {
        act { try await self.sotay.setTopicField(planId: self.planId, topicId: topicId, field) }
    }

    /// Adds or removes a preparer.
    @discardableResult
    public func setPreparer(_ topicId: String, _ memberId: String, present: Bool = true) -> Task<Void, Never> {
        act { try await self.sotay.setPreparer(planId: self.planId, topicId: topicId, memberId: memberId, present: present) }
    }

    /// Moves a topic to a 0-based position.
    @discardableResult
    public func moveTopic(_ topicId: String, to index: Int) -> Task<Void, Never> {
        act { try await self.sotay.moveTopic(planId: self.planId, topicId: topicId, to: index) }
    }

    /// Cancels a topic.
    @discardableResult
    public func cancelTopic(_ topicId: String) -> Task<Void, Never> {
        act { try await self.sotay.cancelTopic(planId: self.planId, topicId: topicId) }
    }

    /// Sets a header field.
    @discardableResult
    public func setPlanField(_ field: PlanField) -> Task<Void, Never> {
        act { try await self.sotay.setPlanField(planId: self.planId, field) }
    }

    /// Replaces a text section.
    @discardableResult
    public func replaceText(_ section: PlanText, with text: String) -> Task<Void, Never> {
        act { try await self.sotay.replacePlanText(planId: self.planId, section, with: text) }
    }

    /// Resolves a conflict by choosing one of its values.
    @discardableResult
    public func resolve(_ conflict: PlanConflict, choosing choice: ConflictValue) -> Task<Void, Never> {
        act { try await self.sotay.resolve(conflict.conflict, choosing: choice) }
    }
}
