// Enrolling this phone with the committee's server.

import SoTayKit
import SwiftUI

/// Enrolls the device with a one-time code from the committee's admin.
struct EnrollView: View {
    let sotay: SoTay
    let enrolled: () -> Void

    @State private var server = "https://"
    @State private var code = ""
    @State private var working = false
    @State private var error: String?

    var body: some View {
        NavigationStack {
            Form {
                Section {
                    TextField("Địa chỉ máy chủ", text: $server)
                        .textContentType(.URL)
                        .keyboardType(.URL)
                        .autocorrectionDisabled()
                        .textInputAutocapitalization(.never)
                    TextField("Mã đăng ký (XXXX-XXXX-XXXX)", text: $code)
                        .textInputAutocapitalization(.characters)
                        .autocorrectionDisabled()
                } footer: {
                    Text("Mã đăng ký dùng một lần, do quản trị viên của Đảng bộ cấp.")
                }
                if let error {
                    Section { Text(error).foregroundStyle(.red) }
                }
                Button {
                    Task { await enroll() }
                } label: {
                    if working { ProgressView() } else { Text("Đăng ký thiết bị") }
                }
                .disabled(working || code.isEmpty)
            }
            .navigationTitle("Đăng ký thiết bị")
        }
    }

    private func enroll() async {
        working = true
        defer { working = false }
        do {
            try await sotay.enroll(serverURL: server, code: code, deviceName: UIDevice.current.name)
            error = nil
            enrolled()
        } catch {
            self.error = ErrorText.of(error)
        }
    }
}
