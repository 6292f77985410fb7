import Foundation
import Glibc

/// The `turnout` binary run as a real child process, for behaviour that belongs to processes:
/// exit codes, signals, memory. Every wait is bounded.
final class ChildProcess {
    struct Failure: Error, CustomStringConvertible { let description: String }

    let process = Process()
    private let errorPipe = Pipe()
    private let outputPipe = Pipe()
    /// Everything read from the child's stderr so far.
    private(set) var standardError = ""

    /// The `turnout` executable built next to the test bundle.
    static var binary: String {
        let testBundleDirectory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        let beside = testBundleDirectory.appendingPathComponent("turnout").path
        if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        return FileManager.default.currentDirectoryPath + "/.build/debug/turnout"
    }

    /// Runs `turnout ARGUMENTS`; with `descriptorLimit`, under that RLIMIT_NOFILE (set by a shell);
    /// `environment` adds to (or replaces) variables of this process's environment.
    init(_ arguments: [String], descriptorLimit: Int? = nil, environment: [String: String] = [:]) throws {
        if let descriptorLimit {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "ulimit -n \(descriptorLimit) && exec \"$0\" \"$@\"", Self.binary] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: Self.binary)
            process.arguments = arguments
        }
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        process.standardError = errorPipe
        process.standardOutput = outputPipe
        try process.run()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    var pid: Int32 { process.processIdentifier }

    /// Reads stderr until a line containing `marker` arrives; returns that line.
    func waitForErrorLine(containing marker: String, seconds: Double = 20) throws -> String {
        let descriptor = errorPipe.fileHandleForReading.fileDescriptor
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let line = standardError.split(separator: "\n").first(where: { $0.contains(marker) }) { return String(line) }
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 100) >= 0 else { continue }
            if poller.revents & Int16(POLLIN | POLLHUP) != 0 {
                var chunk = [UInt8](repeating: 0, count: 4096)
                let n = read(descriptor, &chunk, chunk.count)
                if n <= 0 { break }
                standardError += String(decoding: chunk[0..<n], as: UTF8.self)
            }
        }
        throw Failure(description: "no stderr line containing \"\(marker)\" within \(seconds) s; stderr so far: \(standardError)")
    }

    /// Waits for `turnout run`'s startup line and returns the port of its first listener.
    func waitForListeningPort() throws -> UInt16 {
        let line = try waitForErrorLine(containing: "listening on ")
        guard let port = line.split(separator: " ").first(where: { $0.hasPrefix("127.0.0.1:") })
            .flatMap({ UInt16($0.dropFirst("127.0.0.1:".count).prefix { $0.isNumber }) }) else {
            throw Failure(description: "no 127.0.0.1 port in \(line)")
        }
        return port
    }

    /// Waits for the exit and returns its status; nil if the child is still running after `seconds`.
    func waitForExit(seconds: Double = 20) -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        guard !process.isRunning else { return nil }
        standardError += String(decoding: errorPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return process.terminationStatus
    }

    /// Everything the child wrote to stdout (after it exited).
    func standardOutput() -> String {
        String(decoding: outputPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }

    /// The resident set size of the child in bytes, from /proc.
    func residentBytes() throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "")
        else { throw Failure(description: "no VmRSS in /proc/\(pid)/status") }
        return kilobytes * 1024
    }

    /// A path for a temporary file of this test process (socket files, state files).
    static func temporaryPath(_ name: String) -> String {
        NSTemporaryDirectory() + "turnout-test-\(getpid())-\(name)"
    }

    /// Writes `text` to a new temporary file and returns its path.
    static func temporaryFile(_ text: String, name: String) throws -> String {
        let path = temporaryPath(name)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
