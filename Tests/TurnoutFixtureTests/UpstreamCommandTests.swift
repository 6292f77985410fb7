import Glibc
import Testing
import TurnoutPosix

/// `turnout-bench upstream`'s flags, run as the real process (built next to the test bundle by
/// `swift build --build-tests`): what the flags set is what the fixture answers, and a bad value
/// is refused by name. Every wait is bounded.
@Suite struct UpstreamCommandTests {
    @Test func bodyNameAndDivergePrefixFlagsReachTheFixture() throws {
        let upstream = try BenchProcess(["upstream", "--listen", "127.0.0.1:0", "--name", "shadow", "--threads", "2",
                                         "--body-name", "blue", "--diverge-prefix", "/v2", "--latency-ms", "0"])
        defer { upstream.stop() }
        let line = try upstream.waitForErrorLine(containing: "listening on")
        // "turnout-bench upstream shadow: listening on 127.0.0.1:PORT with 2 threads"
        let address = try #require(line.split(separator: " ").first { $0.hasPrefix("127.0.0.1:") })
        let port = try #require(UInt16(address.dropFirst("127.0.0.1:".count)))
        let client = try FixtureTestClient(port: port)

        let plain = try client.request("GET", "/users")
        #expect(plain.status == 200 && plain.text == "blue\n" && plain.headers["x-fixture-name"] == "shadow")
        let diverged = try client.request("GET", "/v2/users")
        #expect(diverged.status == 200 && diverged.text == "blue (diverged)\n")
        let failing = try client.request("GET", "/v2/status")
        #expect(failing.status == 500 && failing.text == "blue (diverged)\n")
        #expect(try client.request("GET", "/_fixture").text.hasSuffix("\"body_name\":\"blue\",\"diverge_prefix\":\"/v2\"}\n"))

        #expect(upstream.stop() == 0)
        #expect(upstream.standardError.contains("stopped after"), "\(upstream.standardError)")
    }

    @Test(arguments: [
        (["--diverge-prefix", "v2"], "--diverge-prefix: expected a path starting with /"),
        (["--diverge-prefix", "/a b"], "--diverge-prefix: expected visible ASCII"),
        (["--body-name", ""], "--body-name: expected 1 to 256 bytes"),
        (["--body-name", "a\tb"], "--body-name: a control character"),
        (["--body-name"], "unexpected argument \"--body-name\""),
    ])
    func aBadValueIsRefusedByName(flags: [String], message: String) throws {
        let upstream = try BenchProcess(["upstream", "--listen", "127.0.0.1:0"] + flags)
        defer { upstream.stop() }
        #expect(upstream.waitForExit() == 1)
        #expect(upstream.standardError.contains(message), "\(upstream.standardError)")
        #expect(!upstream.standardError.contains("listening on"))
    }
}

/// `turnout-bench ARGUMENTS` as a child process (posix_spawn), its stderr read through a pipe.
/// `stop()` sends SIGTERM and, after 5 s, SIGKILL; it is safe to call twice.
final class BenchProcess {
    struct Failure: Error, CustomStringConvertible { let description: String }

    private var pid: pid_t = 0
    private let errorDescriptor: Int32
    private var exitStatus: Int32?
    /// Everything read from the child's stderr so far.
    private(set) var standardError = ""

    /// The `turnout-bench` built beside the test bundle (`.build…/debug/`).
    static var binary: String {
        var path = [CChar](repeating: 0, count: 4096)
        let length = readlink("/proc/self/exe", &path, path.count - 1)
        let exe = length > 0 ? String(decoding: path[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
        return String(exe[..<(exe.lastIndex(of: "/") ?? exe.startIndex)]) + "/turnout-bench"
    }

    init(_ arguments: [String]) throws {
        let binary = Self.binary
        guard access(binary, X_OK) == 0 else { throw Failure(description: "\(binary) is missing: build with swift build --build-tests") }
        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else { throw Failure(description: "pipe failed: errno \(errno)") }
        // Neither end may leak into a child another test spawns meanwhile (Glibc's module has no
        // pipe2; the moment between the two calls is the only window). dup2 onto the child's
        // stderr clears the flag there.
        for end in pipeEnds { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        errorDescriptor = pipeEnds[0]
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], 2)
        let argv = ([binary] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let result = posix_spawn(&pid, binary, &actions, nil, argv, environ)
        close(pipeEnds[1])
        guard result == 0 else {
            close(errorDescriptor)
            throw Failure(description: "posix_spawn \(binary) failed: \(result)")
        }
    }

    deinit {
        stop()
        close(errorDescriptor)
    }

    /// Reads stderr for at most `milliseconds`; false once the child closed it.
    @discardableResult
    private func readError(milliseconds: Int32) -> Bool {
        var poller = pollfd(fd: errorDescriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, milliseconds) > 0 else { return true }
        var chunk = [UInt8](repeating: 0, count: 4096)
        let n = read(errorDescriptor, &chunk, chunk.count)
        guard n > 0 else { return false }
        standardError += String(decoding: chunk[0..<n], as: UTF8.self)
        return true
    }

    /// Reads stderr until a line containing `marker` arrives (at most `seconds`); returns it.
    func waitForErrorLine(containing marker: String, seconds: Double = 10) throws -> String {
        let deadline = monotonicNanoseconds() + UInt64(seconds * 1e9)
        while monotonicNanoseconds() < deadline {
            if let line = standardError.split(separator: "\n").first(where: { $0.contains(marker) }) { return String(line) }
            guard readError(milliseconds: 100) else { break }
        }
        throw Failure(description: "no line with \"\(marker)\" within \(seconds) s; stderr: \(standardError)")
    }

    /// Waits (at most `seconds`) for the child to exit; its exit status, or nil if it did not.
    func waitForExit(seconds: Double = 10) -> Int32? {
        if let exitStatus { return exitStatus }
        let deadline = monotonicNanoseconds() + UInt64(seconds * 1e9)
        repeat {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                // WIFEXITED / WEXITSTATUS, which Swift does not import: the low 7 bits are the
                // signal (0 when it exited), the next 8 the exit code.
                exitStatus = status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
                // What it wrote last: the pipe ends once its write end (the child's) is closed.
                let drained = monotonicNanoseconds() + 1_000_000_000
                while readError(milliseconds: 100) && monotonicNanoseconds() < drained {}
                return exitStatus
            }
            readError(milliseconds: 20)
        } while monotonicNanoseconds() < deadline
        return nil
    }

    /// SIGTERM, then SIGKILL after 5 s; the exit status.
    @discardableResult
    func stop() -> Int32? {
        if let exitStatus { return exitStatus }
        kill(pid, SIGTERM)
        if let status = waitForExit(seconds: 5) { return status }
        kill(pid, SIGKILL)
        return waitForExit(seconds: 5)
    }
}
