// The real sotay-server, for end-to-end tests.

import Foundation
import XCTest

/// The real `sotay-server` binary (path in `SOTAY_SERVER_BIN`, set by scripts/swift-test.sh),
/// serving the demo committee from a temporary data directory on 127.0.0.1:0. It prints a
/// table of one-time enrollment codes per demo member id, then
/// `sotay-server listening on http://ADDR`; both are parsed here.
///
/// `stop()` kills it; `restart()` starts it again on the same data directory and address
/// (the phones' stores remember the server's URL).
final class TestServer: @unchecked Sendable {
    /// The demo branch: m-viet Secretary, m-trang DeputySecretary, m-hoa Executive,
    /// m-luong Member.
    static let branch = "b-co-dien"

    let dataDir: URL
    let url: String
    /// One-time enrollment codes by demo member id ("m-viet" → "XXXX-XXXX-XXXX").
    let codes: [String: String]
    private let bin: String
    private let lock = NSLock()
    private var process: Process?

    private init(bin: String, dataDir: URL, process: Process, url: String, codes: [String: String]) {
        self.bin = bin
        self.dataDir = dataDir
        self.process = process
        self.url = url
        self.codes = codes
    }

    /// Starts a server with the demo committee on a fresh data directory; `maxBlobMiB`
    /// lowers its attachment size limit (default: the server's 20 MiB).
    static func start(maxBlobMiB: Int? = nil) throws -> TestServer {
        guard let bin = ProcessInfo.processInfo.environment["SOTAY_SERVER_BIN"] else {
            throw TestFailure("set SOTAY_SERVER_BIN to the sotay-server binary (scripts/swift-test.sh does)")
        }
        let data = try temporaryDirectory("sotay-server")
        let started = try launch(bin: bin, data: data, listen: "127.0.0.1:0", demo: true, maxBlobMiB: maxBlobMiB)
        return TestServer(bin: bin, dataDir: data, process: started.process, url: started.url, codes: started.codes)
    }

    private struct Started {
        let process: Process
        let url: String
        let codes: [String: String]
    }

    private static func launch(
        bin: String, data: URL, listen: String, demo: Bool, maxBlobMiB: Int? = nil
    ) throws -> Started {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: bin)
        process.arguments = ["serve", "--data", data.path, "--listen", listen] + (demo ? ["--demo"] : [])
            + (maxBlobMiB.map { ["--max-blob-mib", String($0)] } ?? [])
        let out = Pipe()
        process.standardOutput = out
        let logURL = data.appendingPathComponent("server.log")
        if !FileManager.default.fileExists(atPath: logURL.path) {
            _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        }
        let log = try FileHandle(forWritingTo: logURL)
        log.seekToEndOfFile()
        process.standardError = log
        try process.run()

        // Read stdout on its own thread, so the server never blocks on a full pipe.
        let lines = LineQueue()
        let reader = out.fileHandleForReading
        Thread.detachNewThread {
            var pending = Data()
            while true {
                let chunk = reader.availableData
                if chunk.isEmpty { break }
                pending.append(chunk)
                while let nl = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    lines.put(String(decoding: pending[pending.startIndex..<nl], as: UTF8.self))
                    pending.removeSubrange(pending.startIndex...nl)
                }
            }
            lines.close()
        }

        var codes: [String: String] = [:]
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            guard let line = lines.take(timeout: 0.1) else {
                if !process.isRunning { break }
                continue
            }
            if let range = line.range(of: "sotay-server listening on ") {
                let url = line[range.upperBound...].trimmingCharacters(in: .whitespaces)
                return Started(process: process, url: url, codes: codes)
            }
            let words = line.split(whereSeparator: \.isWhitespace).map(String.init)
            if let member = words.first(where: { $0.hasPrefix("m-") }), let code = words.last, isCode(code) {
                codes[member] = code
            }
        }
        if process.isRunning { process.terminate() }
        throw TestFailure("sotay-server did not start; see \(logURL.path)")
    }

    /// `XXXX-XXXX-XXXX` of capital letters and digits.
    private static func isCode(_ s: String) -> Bool {
        let groups = s.split(separator: "-", omittingEmptySubsequences: false)
        return groups.count == 3 && groups.allSatisfy { g in
            g.count == 4 && g.allSatisfy { $0.isASCII && ($0.isUppercase || $0.isNumber) }
        }
    }

    /// Kills the server (as a crash or a network cut would look to the phones).
    func stop() {
        lock.lock()
        let p = process
        process = nil
        lock.unlock()
        guard let p, p.isRunning else { return }
        // SIGKILL, not terminate(): a server started from a Dispatch worker thread inherits
        // its blocked signal mask, SIGTERM included. A kill is also what a crash looks like.
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
    }

    /// Starts the server again on the same data directory and address.
    func restart() throws {
        let listen = String(url.dropFirst("http://".count))
        var lastError: Error?
        // The port was just released; binding again may need a moment.
        for _ in 0..<20 {
            do {
                let started = try Self.launch(bin: bin, data: dataDir, listen: listen, demo: false)
                lock.lock()
                process = started.process
                lock.unlock()
                return
            } catch {
                lastError = error
                Thread.sleep(forTimeInterval: 0.25)
            }
        }
        throw TestFailure("sotay-server did not restart on \(listen): \(String(describing: lastError))")
    }

    /// Stops the server and deletes its data.
    func close() {
        stop()
        try? FileManager.default.removeItem(at: dataDir)
    }
}

/// Lines from a reader thread, taken with a timeout.
private final class LineQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private var lines: [String] = []
    private var closed = false

    func put(_ line: String) {
        condition.lock()
        lines.append(line)
        condition.signal()
        condition.unlock()
    }

    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    func take(timeout: TimeInterval) -> String? {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date().addingTimeInterval(timeout)
        while lines.isEmpty && !closed {
            if !condition.wait(until: deadline) { break }
        }
        return lines.isEmpty ? nil : lines.removeFirst()
    }
}

/// A failure of the test set-up.
struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A fresh temporary directory.
func temporaryDirectory(_ prefix: String) throws -> URL {
    let dir = FileManager.default.temporaryDirectory
        .appendingPathComponent("\(prefix)-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}
