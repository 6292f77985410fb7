import Foundation
import Testing
import TurnoutAdmin
import TurnoutConfig
import TurnoutControl
import TurnoutCore
import TurnoutPosix

/// The admin API over its real transport: every endpoint through the Unix socket, bad input
/// refused with a 4xx and no change (checked through /status), the socket file's mode and
/// stale-file handling, and the TCP listener's bearer token.
@Suite struct AdminEndToEndTests {
    /// A control-plane setup with an admin server on a socket in its directory.
    final class Admin {
        let setup: ControlPlaneTests.Setup
        let server: AdminServer
        let socketPath: String
        let client: AdminClient
        let monitor: TrafficMonitor

        init(tcpToken: String? = nil) throws {
            setup = try ControlPlaneTests.Setup()
            socketPath = setup.directory + "/run/admin.sock"
            let token = tcpToken.flatMap(BearerToken.init)
            monitor = TrafficMonitor(server: setup.server)
            let api = AdminAPI(control: setup.control, monitor: monitor, rollouts: RolloutController(control: setup.control, monitor: monitor))
            server = try AdminServer(socketPath: socketPath, tcp: tcpToken == nil ? nil : SocketAddress(host: "127.0.0.1", port: 0),
                                     token: token) { api.handle($0) }
            server.start()
            client = AdminClient(endpoint: .unix(path: socketPath), token: token, timeout: 5)
        }

        func call(_ method: String, _ path: String, _ body: String? = nil) throws -> (status: Int, json: [String: Any]) {
            let answer = try client.send(method, path, body: body)
            let json = try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any] ?? [:]
            return (answer.status, json)
        }

        /// The parts of /status that a change would touch, as canonical JSON text.
        func statusFingerprint() throws -> String {
            let status = try call("GET", "/status").json
            let touched: [String: Any] = ["splits": status["splits"] ?? [:], "pools": status["pools"] ?? [:]]
            return String(decoding: try JSONSerialization.data(withJSONObject: touched, options: [.sortedKeys]), as: UTF8.self)
        }

        /// A raw connection to the admin socket (10 s send and receive timeouts); the caller closes it.
        func rawConnection() throws -> Int32 {
            let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            var timeout = timeval(tv_sec: 10, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            guard SocketAddress(unixPath: socketPath)!.withSockaddr({ connect(fd, $0, $1) }) == 0 else {
                close(fd)
                throw AdminError("cannot connect to \(socketPath)")
            }
            return fd
        }

        func stop() {
            server.stop()
            setup.stop()
        }
    }

    @Test func statusAndHistoryHaveTheDocumentedShapes() throws {
        let admin = try Admin()
        defer { admin.stop() }
        let (code, status) = try admin.call("GET", "/status")
        #expect(code == 200)
        #expect(status["version"] as? String == "test")
        #expect(status["workers"] as? Int == 2)
        #expect(status["uptime_s"] is Double || status["uptime_s"] is Int)
        let web = (status["splits"] as? [String: Any])?["web"] as? [String: Any]
        #expect(web?["weights"] as? [String: Int] == ["blue": 100, "canary": 0])
        #expect(web?["source"] as? String == "config")
        #expect(web?["rollout"] is NSNull)
        let blue = (status["pools"] as? [String: Any])?["blue"] as? [String: Any]
        let servers = blue?["servers"] as? [[String: Any]]
        #expect(servers?.first?["state"] as? String == "up")
        #expect(servers?.first?["in_flight"] as? Int == 0)
        #expect(try admin.call("GET", "/history").json["entries"] as? [Any] != nil)
    }

    @Test func weightsSwitchRollbackDrainEnableAndReloadThroughTheSocket() throws {
        let admin = try Admin()
        defer { admin.stop() }
        var (code, body) = try admin.call("PUT", "/splits/web", #"{"canary": 100}"#)
        #expect(code == 200)
        #expect(body["weights"] as? [String: Int] == ["blue": 0, "canary": 100])
        #expect(body["source"] as? String == "runtime")
        #expect(try admin.setup.answers(10) == ["canary\n": 10])

        (code, body) = try admin.call("POST", "/splits/web/switch", #"{"to": "blue"}"#)
        #expect(code == 200)
        #expect(body["weights"] as? [String: Int] == ["blue": 100, "canary": 0])
        #expect(try admin.setup.answers(10) == ["blue\n": 10])

        (code, body) = try admin.call("POST", "/splits/web/rollback")
        #expect(code == 200)
        #expect(body["weights"] as? [String: Int] == ["blue": 0, "canary": 100])
        #expect(try admin.call("GET", "/splits/web").json["weights"] as? [String: Int] == ["blue": 0, "canary": 100])

        let canary = admin.setup.fixtures["canary"]!.address
        (code, body) = try admin.call("POST", "/pools/canary/servers/\(canary)/drain")
        #expect(code == 200)
        #expect(body["state"] as? String == "drain")
        let state = ((try admin.call("GET", "/status").json["pools"] as? [String: Any])?["canary"] as? [String: Any])?["servers"] as? [[String: Any]]
        #expect(state?.first?["state"] as? String == "drain")
        // Every canary server drained: switching to canary needs force.
        #expect(try admin.call("POST", "/splits/web/switch", #"{"to": "blue"}"#).status == 200)
        #expect(try admin.call("POST", "/splits/web/switch", #"{"to": "canary"}"#).status == 409)
        #expect(try admin.call("POST", "/splits/web/switch", #"{"to": "canary", "force": true}"#).status == 200)
        #expect(try admin.call("POST", "/pools/canary/servers/\(canary)/enable").json["state"] as? String == "up")

        (code, body) = try admin.call("POST", "/reload")
        #expect(code == 200)
        #expect(body["reloaded"] as? Bool == true)

        let entries = try admin.call("GET", "/history").json["entries"] as? [[String: Any]] ?? []
        #expect(entries.map { $0["action"] as? String ?? "?" }
                == ["reload", "enable", "switch", "switch", "drain", "rollback", "switch", "weights"])
        let caller = entries.last?["caller"] as? [String: Int]
        #expect(caller?["pid"] == Int(getpid()), "SO_PEERCRED names this process")
        #expect(caller?["uid"] == Int(getuid()))
        #expect(entries.last?["source"] as? String == "admin")
    }

    /// Each bad call gets its 4xx with an error message, and /status is exactly as before.
    @Test func badInputIsRefusedAndChangesNothing() throws {
        let admin = try Admin()
        defer { admin.stop() }
        let before = try admin.statusFingerprint()
        let blue = admin.setup.fixtures["blue"]!.address
        let cases: [(String, String, String?, Int)] = [
            ("PUT", "/splits/nope", #"{"blue": 1}"#, 404),            // unknown split
            ("PUT", "/splits/web", #"{"purple": 1}"#, 400),           // unknown pool
            ("PUT", "/splits/web", #"{"blue": -5, "canary": 10}"#, 400), // negative
            ("PUT", "/splits/web", #"{"blue": 0, "canary": 0}"#, 400),  // all zero
            ("PUT", "/splits/web", #"{"blue": 1.5}"#, 400),            // not an integer
            ("PUT", "/splits/web", #"{"blue": "90"}"#, 400),           // a string
            ("PUT", "/splits/web", #"{"blue": 90"#, 400),              // malformed JSON
            ("PUT", "/splits/web", #"[90]"#, 400),                     // not an object
            ("PUT", "/splits/web", nil, 400),                          // no body
            ("DELETE", "/splits/web", nil, 405),                       // wrong method
            ("GET", "/splits/web/switch", nil, 405),
            ("POST", "/status", nil, 405),
            ("POST", "/splits/web/switch", #"{"to": "purple"}"#, 400),
            ("POST", "/splits/web/switch", #"{"force": true}"#, 400),
            ("POST", "/splits/nope/switch", #"{"to": "blue"}"#, 404),
            ("POST", "/splits/web/rollback", nil, 409),                // nothing to roll back
            ("POST", "/splits/web/promote", nil, 404),
            ("POST", "/pools/nope/servers/\(blue)/drain", nil, 404),
            ("POST", "/pools/blue/servers/10.9.9.9:1/drain", nil, 404),
            ("POST", "/pools/blue/servers/\(blue)/explode", nil, 404),
            ("GET", "/nowhere", nil, 404),
        ]
        for (method, path, body, status) in cases {
            let answer = try admin.call(method, path, body)
            #expect(answer.status == status, "\(method) \(path) \(body ?? "")")
            let message = answer.json["error"] as? String ?? ""
            #expect(!message.isEmpty, "\(method) \(path) explains itself")
        }
        #expect(try admin.statusFingerprint() == before)
        #expect((try admin.call("GET", "/history").json["entries"] as? [Any])?.isEmpty == true)
        #expect(!FileManager.default.fileExists(atPath: admin.setup.statePath))
    }

    @Test func socketFileIsMode0600AndRemovedAtStop() throws {
        let admin = try Admin()
        var info = stat()
        #expect(lstat(admin.socketPath, &info) == 0)
        #expect(info.st_mode & S_IFMT == S_IFSOCK)
        #expect(info.st_mode & 0o777 == 0o600)
        admin.stop()
        #expect(!FileManager.default.fileExists(atPath: admin.socketPath))
    }

    @Test func aStaleSocketIsReplacedAndALiveOneIsNotStolen() throws {
        let admin = try Admin()
        defer { admin.stop() }
        // Live: a second server on the same path is refused and the first keeps answering.
        #expect(throws: AdminError.self) {
            _ = try AdminServer(socketPath: admin.socketPath, tcp: nil, token: nil) { _ in .error(500, "no") }
        }
        #expect(try admin.call("GET", "/status").status == 200)

        // Stale: a socket file nobody listens on (what kill -9 leaves) is replaced.
        let stalePath = admin.setup.directory + "/stale.sock"
        var stale = try Socket.listen(on: SocketAddress(unixPath: stalePath)!, reusePort: false)
        stale.close()
        #expect(FileManager.default.fileExists(atPath: stalePath))
        let replacement = try AdminServer(socketPath: stalePath, tcp: nil, token: nil) { _ in .json(200, "{}") }
        replacement.start()
        defer { replacement.stop() }
        #expect(try AdminClient(endpoint: .unix(path: stalePath), timeout: 5).send("GET", "/").status == 200)

        // Not a socket: never removed.
        let plainPath = admin.setup.directory + "/plain.sock"
        FileManager.default.createFile(atPath: plainPath, contents: Data("keep".utf8))
        #expect(throws: AdminError.self) { _ = try AdminServer(socketPath: plainPath, tcp: nil, token: nil) { _ in .json(200, "{}") } }
        #expect(FileManager.default.contents(atPath: plainPath) == Data("keep".utf8))
    }

    @Test func tokenIsRequiredOnEveryRequestWhenConfigured() throws {
        let admin = try Admin(tcpToken: "s3cret-token\n")
        defer { admin.stop() }
        let tcp = admin.server.tcpAddress!
        let before = try admin.statusFingerprint()
        let withToken = AdminClient(endpoint: .tcp(tcp), token: BearerToken("s3cret-token"), timeout: 5)
        let wrongToken = AdminClient(endpoint: .tcp(tcp), token: BearerToken("s3cret-tokem"), timeout: 5)
        let shortToken = AdminClient(endpoint: .tcp(tcp), token: BearerToken("s3cret"), timeout: 5)
        let noToken = AdminClient(endpoint: .tcp(tcp), timeout: 5)
        let noTokenUnix = AdminClient(endpoint: .unix(path: admin.socketPath), timeout: 5)
        #expect(try noToken.send("PUT", "/splits/web", body: #"{"canary": 100}"#).status == 401)
        #expect(try noTokenUnix.send("PUT", "/splits/web", body: #"{"canary": 100}"#).status == 401)
        #expect(try wrongToken.send("PUT", "/splits/web", body: #"{"canary": 100}"#).status == 403)
        #expect(try shortToken.send("PUT", "/splits/web", body: #"{"canary": 100}"#).status == 403)
        #expect(try noToken.send("GET", "/status").status == 401)
        #expect(try admin.statusFingerprint() == before)
        #expect(try withToken.send("PUT", "/splits/web", body: #"{"canary": 100}"#).status == 200)
        let entries = try admin.call("GET", "/history").json["entries"] as? [[String: Any]] ?? []
        #expect((entries.first?["caller"] as? [String: String])?["address"]?.hasPrefix("127.0.0.1:") == true)
    }

    @Test func bearerComparisonIsExact() {
        let token = BearerToken("abc")!
        func accepts(_ header: String) -> Bool { Array(header.utf8).withUnsafeBytes { token.accepts(authorization: $0) } }
        #expect(accepts("Bearer abc"))
        #expect(accepts("bearer  abc "))
        #expect(!accepts("Bearer abcd"))
        #expect(!accepts("Bearer ab"))
        #expect(!accepts("Bearer abC"))
        #expect(!accepts("Basic abc"))
        #expect(!accepts("Bearer"))
        #expect(BearerToken(" \n") == nil)
    }

    @Test func pipelinedAndKeepAliveAdminRequestsAreAnsweredInOrder() throws {
        let admin = try Admin()
        defer { admin.stop() }
        let fd = try admin.rawConnection()
        defer { close(fd) }
        let body = #"{"canary": 100}"#
        let requests = "GET /splits/web HTTP/1.1\r\nHost: x\r\n\r\n"
            + "PUT /splits/web HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
            + "GET /splits/web HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        _ = requests.withCString { send(fd, $0, strlen($0), 0) }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        for _ in 0..<100 {
            let n = recv(fd, &chunk, chunk.count, 0)
            if n <= 0 { break }
            received += chunk[0..<n]
        }
        let text = String(decoding: received, as: UTF8.self)
        #expect(text.components(separatedBy: "HTTP/1.1 200 OK").count == 4)
        let first = text.range(of: "\"blue\" : 100")
        let last = text.range(of: "\"canary\" : 100", options: .backwards)
        #expect(first != nil && last != nil && first!.lowerBound < last!.lowerBound)
    }

    /// A long pipeline, far more than one read holds, is answered whole: 20,000 requests in one
    /// stream, 20,000 answers.
    @Test func aLongPipelineIsAnsweredWhole() throws {
        let admin = try Admin()
        defer { admin.stop() }
        let fd = try admin.rawConnection()
        defer { close(fd) }
        let count = 20_000
        let pipeline = Array(String(repeating: "GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n", count: count).utf8)
        let sender = BackgroundSend(fd: fd, bytes: pipeline)
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        var answers = 0
        var scanned = 0
        let marker = Array("HTTP/1.1 404".utf8)
        for _ in 0..<100_000 where answers < count {
            let n = recv(fd, &chunk, chunk.count, 0)
            if n <= 0 { break }
            received += chunk[0..<n]
            while scanned + marker.count <= received.count {
                if received[scanned] == marker[0] && received[scanned..<scanned + marker.count].elementsEqual(marker) { answers += 1 }
                scanned += 1
            }
        }
        #expect(sender.join() == nil)
        #expect(answers == count)
    }
}
