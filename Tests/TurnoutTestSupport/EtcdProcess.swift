import CTurnoutSys
import Foundation
import Glibc
import Synchronization
import TurnoutPosix

/// A real etcd cluster for tests: every member on free loopback ports (a client and a peer port
/// each), in a fresh temporary directory, its output in a log there whose tail goes into every
/// error. Members can be stopped, killed and started again on the same ports and data, so tests
/// can take a member away and bring it back.
///
/// No etcd outlives its test: `stopAll()` (or deinit) stops every member and removes the
/// directory, and each member has a watchdog shell that kills it should the test process die
/// without stopping it (a crash, a SIGKILL).
public final class EtcdCluster: Sendable {
    /// The etcd binary: `etcd` on PATH, else /usr/bin/etcd; nil when neither exists.
    public static let binary: String? = {
        let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") + ["/usr/bin"] {
            let candidate = "\(directory)/etcd"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }()

    /// What a test that needs etcd says when there is none.
    public static let notFound = "etcd not found: install Debian's etcd-server (.ci/run does)"

    /// Whether tests that need a real etcd run: when the binary is there, or when CI demands it
    /// (`TURNOUT_REQUIRE_ETCD=1`), in which case a missing binary fails them (`start` throws
    /// `notFound`) instead of skipping them.
    public static var testsRun: Bool { binary != nil || required }

    /// Whether a missing etcd must fail the tests.
    public static var required: Bool { ProcessInfo.processInfo.environment["TURNOUT_REQUIRE_ETCD"] == "1" }

    /// One member's fixed facts.
    struct Member: Sendable {
        let name: String
        let clientPort: UInt16
        let peerPort: UInt16
        let directory: String
        var dataDirectory: String { "\(directory)/data" }
        var logPath: String { "\(directory)/etcd.log" }
    }

    /// A running member: etcd's pid and its watchdog (pid and the write end of its stdin).
    struct Running: Sendable {
        let pid: pid_t
        let watchdogPid: pid_t
        let watchdogInput: Int32
    }

    /// The temporary directory holding every member's directory.
    public let directory: String
    let members: [Member]
    let initialCluster: String
    let token: String
    private let running: Mutex<[Running?]>

    /// The client URL of each member, `http://127.0.0.1:PORT`, in member order.
    public var clientURLs: [String] { members.map { "http://127.0.0.1:\($0.clientPort)" } }

    /// Starts `members` members and waits until each answers healthy (a cluster of several has
    /// elected a leader by then). Ports are picked by binding port 0 and closing; when another
    /// process takes one first and etcd cannot bind, the whole cluster is tried again on new
    /// ports, three times at most.
    public static func start(members count: Int = 1, timeout: Double = 20) throws -> EtcdCluster {
        guard let binary else { throw EtcdClusterFailure(description: notFound) }
        var lastError: EtcdClusterFailure? = nil
        for _ in 0..<3 {
            let cluster = try EtcdCluster(count: count)
            do {
                for index in 0..<count { try cluster.spawn(index, binary: binary) }
                try cluster.waitUntilHealthy(Array(0..<count), timeout: timeout)
                return cluster
            } catch let error as EtcdClusterFailure {
                cluster.stopAll()
                lastError = error
                if !error.description.contains("address already in use") { throw error }
            }
        }
        throw lastError!
    }

    private init(count: Int) throws {
        var template = Array("/tmp/turnout-etcd-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw EtcdClusterFailure(description: "mkdtemp failed: \(Errno.current)") }
        let root = String(cString: made)
        directory = root
        let ports = try Self.freePorts(2 * count)
        members = (0..<count).map { index in
            Member(name: "m\(index)", clientPort: ports[2 * index], peerPort: ports[2 * index + 1], directory: "\(root)/m\(index)")
        }
        for member in members { mkdir(member.directory, 0o700) }
        initialCluster = members.map { "\($0.name)=http://127.0.0.1:\($0.peerPort)" }.joined(separator: ",")
        token = "turnout-test-\(getpid())-\(monotonicNanoseconds())"
        running = Mutex([Running?](repeating: nil, count: count))
    }

    deinit {
        stopAll()
    }

    // MARK: Members

    /// SIGTERM to member `index`, SIGKILL if it has not exited within `grace` seconds; waits
    /// (bounded) until it is gone. A member that is not running is left alone.
    public func stop(member index: Int, grace: Double = 5) {
        guard let member = take(index) else { return }
        Self.dismissWatchdog(member)
        _ = Glibc.kill(member.pid, SIGTERM)
        if !Self.waitForExit(member.pid, seconds: grace) {
            _ = Glibc.kill(member.pid, SIGKILL)
            _ = Self.waitForExit(member.pid, seconds: 5)
        }
    }

    /// SIGKILL to member `index`: gone at once, as in a crash; waits (bounded) until it is reaped.
    public func kill(member index: Int) {
        guard let member = take(index) else { return }
        Self.dismissWatchdog(member)
        _ = Glibc.kill(member.pid, SIGKILL)
        _ = Self.waitForExit(member.pid, seconds: 5)
    }

    /// Starts member `index` again on its ports and data, and waits until it answers healthy.
    public func start(member index: Int, timeout: Double = 20) throws {
        guard let binary = Self.binary else { throw EtcdClusterFailure(description: Self.notFound) }
        guard running.withLock({ $0[index] }) == nil else { return }
        try spawn(index, binary: binary)
        try waitUntilHealthy([index], timeout: timeout)
    }

    /// Stops every member (SIGTERM, then SIGKILL) and removes the temporary directory.
    public func stopAll() {
        for index in members.indices { stop(member: index, grace: 2) }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Whether member `index` answers GET /health with `"health":"true"`.
    public func isHealthy(member index: Int) -> Bool {
        guard let answer = Self.get("/health", port: members[index].clientPort) else { return false }
        return answer.hasPrefix("HTTP/1.1 200") && answer.contains("\"health\":\"true\"")
    }

    /// The index of the member that is the Raft leader, as the first live member that answers
    /// POST /v3/maintenance/status says; nil when none knows one.
    public func leader() -> Int? {
        let memberIDs = members.indices.map { index -> String? in
            guard running.withLock({ $0[index] }) != nil, let status = Self.status(port: members[index].clientPort) else { return nil }
            return (status["header"] as? [String: Any])?["member_id"] as? String
        }
        for index in members.indices where memberIDs[index] != nil {
            guard let status = Self.status(port: members[index].clientPort), let leader = status["leader"] as? String else { continue }
            return memberIDs.firstIndex { $0 == leader }
        }
        return nil
    }

    /// The last lines of member `index`'s log, for messages.
    public func logTail(member index: Int, lines: Int = 15) -> String {
        guard let text = try? String(contentsOfFile: members[index].logPath, encoding: .utf8) else { return "(no log)" }
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    // MARK: Processes

    private func take(_ index: Int) -> Running? {
        running.withLock { running in
            defer { running[index] = nil }
            return running[index]
        }
    }

    /// Spawns member `index`, its output appended to its log, and its watchdog.
    private func spawn(_ index: Int, binary: String) throws {
        let member = members[index]
        let client = "http://127.0.0.1:\(member.clientPort)"
        let peer = "http://127.0.0.1:\(member.peerPort)"
        let arguments = [binary, "--name", member.name, "--data-dir", member.dataDirectory,
                         "--listen-client-urls", client, "--advertise-client-urls", client,
                         "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                         "--initial-cluster", initialCluster, "--initial-cluster-state", "new",
                         "--initial-cluster-token", token,
                         // Elections within about a second, so a test that kills the leader does not wait long.
                         "--heartbeat-interval", "100", "--election-timeout", "1000",
                         "--logger", "zap", "--log-outputs", "stderr"]
        let pid = try Self.spawn(arguments, output: member.logPath, input: nil)
        // The watchdog reads its stdin; an end of file without "done" first means the test
        // process died: the member dies with it, and its directory goes once it is gone.
        var ends: [Int32] = [-1, -1]
        guard cturnout_pipe2(&ends, O_CLOEXEC) == 0 else { throw EtcdClusterFailure(description: "pipe2 failed: \(Errno.current)") }
        let script = "read line; [ \"$line\" = done ] && exit; kill -9 \(pid); "
            + "for _ in $(seq 50); do kill -0 \(pid) 2>/dev/null || break; sleep 0.1; done; rm -rf '\(member.directory)'"
        let watchdogPid: pid_t
        do {
            watchdogPid = try Self.spawn(["/bin/sh", "-c", script], output: "/dev/null", input: ends[0])
        } catch {
            close(ends[0])
            close(ends[1])
            _ = Glibc.kill(pid, SIGKILL)
            _ = Self.waitForExit(pid, seconds: 5)
            throw error
        }
        close(ends[0])
        running.withLock { $0[index] = Running(pid: pid, watchdogPid: watchdogPid, watchdogInput: ends[1]) }
    }

    /// posix_spawn of `argv` with stdout and stderr appended to `output` and stdin from `input`
    /// (or /dev/null), default signal handling and an empty signal mask.
    private static func spawn(_ argv: [String], output: String, input: Int32?) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let input {
            posix_spawn_file_actions_adddup2(&actions, input, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGHUP, SIGINT, SIGTERM, SIGQUIT, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let arguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for argument in arguments { free(argument) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, argv[0], &actions, &attributes, arguments, environ)
        guard result == 0 else { throw EtcdClusterFailure(description: "cannot start \(argv[0]): \(Errno(rawValue: result))") }
        return pid
    }

    /// Tells a member's watchdog to exit without killing, and reaps it.
    private static func dismissWatchdog(_ member: Running) {
        let done = Array("done\n".utf8)
        _ = done.withUnsafeBytes { write(member.watchdogInput, $0.baseAddress, $0.count) }
        close(member.watchdogInput)
        if !waitForExit(member.watchdogPid, seconds: 5) {
            _ = Glibc.kill(member.watchdogPid, SIGKILL)
            _ = waitForExit(member.watchdogPid, seconds: 5)
        }
    }

    /// Polls waitpid(WNOHANG) until `pid` has exited and is reaped, for at most `seconds`.
    static func waitForExit(_ pid: pid_t, seconds: Double) -> Bool {
        let deadline = monotonicNanoseconds() + UInt64(seconds * 1e9)
        repeat {
            var status: Int32 = 0
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid || (result < 0 && errno == ECHILD) { return true }
            usleep(10_000)
        } while monotonicNanoseconds() < deadline
        return false
    }

    /// Whether member `index`'s process has exited (reaping it, and forgetting it, if so).
    private func hasExited(_ index: Int) -> Bool {
        guard let member = running.withLock({ $0[index] }) else { return true }
        var status: Int32 = 0
        guard waitpid(member.pid, &status, WNOHANG) == member.pid else { return false }
        if let member = take(index) { Self.dismissWatchdog(member) }
        return true
    }

    /// Waits until every member in `indices` answers healthy; throws with their log tails when
    /// one exits or `timeout` passes.
    private func waitUntilHealthy(_ indices: [Int], timeout: Double) throws {
        let deadline = monotonicNanoseconds() + UInt64(timeout * 1e9)
        var pending = Set(indices)
        while !pending.isEmpty {
            for index in pending.sorted() {
                if hasExited(index) {
                    throw EtcdClusterFailure(description: "etcd member \(members[index].name) exited while starting; its log ends:\n\(logTail(member: index))")
                }
                if isHealthy(member: index) { pending.remove(index) }
            }
            if pending.isEmpty { return }
            guard monotonicNanoseconds() < deadline else {
                let tails = pending.sorted().map { "\(members[$0].name) (\(clientURLs[$0])):\n\(logTail(member: $0))" }
                throw EtcdClusterFailure(description: "etcd did not become healthy within \(timeout) s; the logs end:\n\(tails.joined(separator: "\n"))")
            }
            usleep(50_000)
        }
    }

    // MARK: Sockets

    /// `count` distinct free loopback ports: all bound to port 0 at once, read back, closed.
    static func freePorts(_ count: Int) throws -> [UInt16] {
        var descriptors: [Int32] = []
        defer { for fd in descriptors { close(fd) } }
        var ports: [UInt16] = []
        for _ in 0..<count {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw EtcdClusterFailure(description: "socket failed: \(Errno.current)") }
            descriptors.append(fd)
            let address = SocketAddress(host: "127.0.0.1", port: 0)!
            guard address.withSockaddr({ bind(fd, $0, $1) }) == 0 else { throw EtcdClusterFailure(description: "bind failed: \(Errno.current)") }
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let named = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) == 0 }
            }
            guard named else { throw EtcdClusterFailure(description: "getsockname failed: \(Errno.current)") }
            ports.append(SocketAddress(storage: storage, length: length).port)
        }
        return ports
    }

    /// The JSON object of POST /v3/maintenance/status on 127.0.0.1:`port`, nil when none came.
    static func status(port: UInt16) -> [String: Any]? {
        guard let answer = request("POST", "/v3/maintenance/status", body: "{}", port: port),
              let start = answer.firstRange(of: "\r\n\r\n")?.upperBound,
              let object = try? JSONSerialization.jsonObject(with: Data(answer[start...].utf8)) as? [String: Any] else { return nil }
        return object
    }

    /// A blocking GET on 127.0.0.1:`port` (one second for each step), the whole answer as text;
    /// nil when nothing answers.
    static func get(_ path: String, port: UInt16) -> String? {
        request("GET", path, body: nil, port: port)
    }

    /// One request with `Connection: close`, the whole answer as text (one second for each step).
    static func request(_ method: String, _ path: String, body: String?, port: UInt16) -> String? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var limit = timeval(tv_sec: 1, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        guard SocketAddress(host: "127.0.0.1", port: port)!.withSockaddr({ connect(fd, $0, $1) }) == 0 else { return nil }
        let length = body.map { "Content-Length: \($0.utf8.count)\r\n" } ?? ""
        let request = Array("\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\(length)\r\n\(body ?? "")".utf8)
        guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == request.count else { return nil }
        var answer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while answer.count < 1 << 20 {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            answer += chunk[0..<n]
        }
        return answer.isEmpty ? nil : String(decoding: answer, as: UTF8.self)
    }
}

/// Why a test etcd could not be started, with the logs' tails.
public struct EtcdClusterFailure: Error, CustomStringConvertible {
    public let description: String
}
