// The branch home: what needs me, and the plans.

import SoTayKit
import SwiftUI

struct BranchHomeView: View {
    let vm: BranchHomeViewModel

    /// Plans are made late in the year for the next one.
    private var nextYear: Int32 { Int32(Calendar.current.component(.year, from: .now) + 1) }

    var body: some View {
        List {
            let needs = vm.state.needsMe
            if needs.count > 0 {
                if !needs.approvalsPending.isEmpty {
                    Section("Chờ phê duyệt") {
                        ForEach(needs.approvalsPending, id: \.docId) { p in
                            NavigationLink(value: Route.approval(p.docId)) {
                                VStack(alignment: .leading) {
                                    Text(p.title.isEmpty ? p.kind.label : p.title)
                                    Text("Trình bởi \(vm.state.name(of: p.submittedBy)), \(Labels.time(p.submittedAt))")
                                        .font(.caption).foregroundStyle(.secondary)
                                    if !p.ready {
                                        Text("Cần sửa trước khi phê duyệt").font(.caption).foregroundStyle(.orange)
                                    }
                                }
                            }
                        }
                    }
                }
                if !needs.draftsToRead.isEmpty {
                    Section("Tài liệu cần đọc") {
                        ForEach(needs.draftsToRead, id: \.docId) { d in
                            NavigationLink(value: Route.reading(d)) {
                                VStack(alignment: .leading) {
                                    Text("\(d.kind.label): \(d.title)")
                                    Text("Cho buổi sinh hoạt «\(d.sessionTitle)» ngày \(Labels.date(d.sessionDate))")
                                        .font(.caption).foregroundStyle(.secondary)
                                }
                            }
                        }
                    }
                }
                if !needs.myTopicDrafts.isEmpty {
                    Section("Dự thảo chuyên đề tôi tham gia") {
                        ForEach(needs.myTopicDrafts, id: \.docId) { d in
                            if let plan = d.planId, let topic = d.topicId {
                                NavigationLink(d.title, value: Route.topic(plan: plan, topic: topic))
                            }
                        }
                    }
                }
                if !needs.commentsAwaitingReply.isEmpty {
                    Section("Góp ý chờ tôi trả lời") {
                        ForEach(needs.commentsAwaitingReply, id: \.latest.id) { a in
                            NavigationLink(value: a.planId.flatMap { plan in a.topicId.map { Route.topic(plan: plan, topic: $0) } }) {
                                VStack(alignment: .leading) {
                                    Text(Labels.reason(a.reason)).font(.caption.weight(.semibold))
                                    Text(a.latest.body).lineLimit(2)
                                    Text("\(vm.state.name(of: a.latest.author)) — \(a.docTitle)")
                                        .font(.caption).foregroundStyle(.secondary)
                                }
                            }
                            .swipeActions { Button("Đã xem") { vm.markSeen(a) } }
                        }
                    }
                }
            }
            Section("Buổi sinh hoạt chuyên đề") {
                if vm.state.sessions.isEmpty && !vm.state.loading {
                    Text("Chưa có buổi sinh hoạt nào").foregroundStyle(.secondary)
                }
                ForEach(vm.state.sessions, id: \.docId) { s in
                    NavigationLink(value: Route.session(s.docId)) {
                        VStack(alignment: .leading) {
                            Text(s.title)
                            Text("Ngày \(Labels.date(s.sessionDate)) · \(s.published) tài liệu đã gửi")
                                .font(.caption).foregroundStyle(.secondary)
                        }
                    }
                }
            }
            Section("Sổ tay") {
                NavigationLink("Tài liệu của tôi", value: Route.reading(nil))
                NavigationLink("Theo dõi hiến kế", value: Route.proposals)
                NavigationLink("Minh chứng tham gia của tôi", value: Route.participation)
                if vm.state.isOfficer {
                    NavigationLink("Tình hình sinh hoạt chi bộ", value: Route.overview)
                }
            }
            Section("Kế hoạch sinh hoạt chuyên đề") {
                if vm.state.plans.isEmpty && !vm.state.loading {
                    Text("Chưa có kế hoạch nào").foregroundStyle(.secondary)
                }
                if vm.state.isOfficer {
                    Button("Lập kế hoạch năm \(String(nextYear))") { vm.createPlan(year: nextYear) }
                }
                ForEach(vm.state.plans, id: \.docId) { plan in
                    NavigationLink(value: Route.plan(plan.docId)) {
                        VStack(alignment: .leading) {
                            Text(plan.title)
                            Text("Số \(plan.number) · \(plan.topicCount) chuyên đề")
                                .font(.caption).foregroundStyle(.secondary)
                            if plan.conflictCount > 0 {
                                Label("\(plan.conflictCount) xung đột cần giải quyết", systemImage: "exclamationmark.triangle")
                                    .font(.caption).foregroundStyle(.orange)
                            }
                        }
                    }
                }
            }
        }
        .overlay { if vm.state.loading { ProgressView() } }
        .navigationTitle(vm.state.me.map { "Chào đồng chí \($0.fullName)" } ?? "Sổ tay chi bộ")
        .errorAlert(vm.state.error) { vm.clearError() }
    }
}
