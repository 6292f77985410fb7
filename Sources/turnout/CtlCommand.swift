import Foundation
import TurnoutAdmin
import TurnoutConfig
import TurnoutPosix

/// `turnout ctl [--socket PATH | --url http://HOST:PORT] [--token-file FILE] [-c FILE] [--json] VERB …`:
/// the admin API from the shell. Readable output by default, the API's JSON with `--json`.
/// Exit codes: 0 done, 1 refused (bad input, unknown name) or usage, 2 turnout unreachable.
enum CtlCommand {
    static let usage = """
        usage: turnout ctl [--socket PATH | --url http://HOST:PORT] [--token-file FILE] [-c FILE] [--json] VERB …

          status                          pools, servers, splits and their weights
          weights SPLIT                   show a split's weights
          weights SPLIT POOL=N …          set them (pools not named get 0)
          switch SPLIT POOL [--force] [--preflight PATH[=STATUS][~TEXT] …] [--guard SECONDS [--baseline SECONDS]]
                                          send all of SPLIT to POOL (blue-green); each
                                          --preflight first sends GET PATH to every server of
                                          POOL that is not drained, which must answer STATUS
                                          (200 unless given) with TEXT in its body, or nothing
                                          changes; --guard watches POOL for SECONDS against the
                                          last --baseline seconds (300 unless given) of the pool
                                          it leaves, and switches back on its own if POOL errs
                                          more or is slower; prints the guard's report
          guard SPLIT [status]            the guarded switch's report: time left, the reference,
                                          the new pool against its lines, evidence, reason
          guard SPLIT watch               redraw it every second until it ends (exit 0 kept,
                                          3 reverted)
          guard SPLIT keep|revert         end the watch now: keep the new pool, or switch back
          rollback SPLIT                  restore the weights before the last change
          rollout start SPLIT [--baseline POOL --canary POOL --steps 5:60,25:120,pause,100 [--advance hold|proven]] [--force]
                                          start a rollout (no flags: the configuration's template);
                                          --force starts it even if a step cannot reach
                                          min_requests within max_step_s at today's traffic
          rollout status SPLIT            the rollout's report: step, weights, the plan check
                                          per step, evidence, reason
          rollout watch SPLIT             redraw it every second until it ends (exit 0 promoted,
                                          3 rolled back or aborted)
          rollout pause|resume|abort|promote SPLIT
          drain POOL ADDR                 stop sending new requests to a server
          enable POOL ADDR                undo a drain
          history                         every change, newest first
          stats                           requests, errors and latency per pool and server
          mirror                          shadow traffic: counts per route and pool, the last
                                          mismatches and the noisy paths
          metrics                         the Prometheus exposition
          reload                          re-read the configuration file (like SIGHUP)
          dashboard [--port N]            serve the dashboard on 127.0.0.1 (a free port unless
                                          given), relaying its calls to turnout; until Ctrl-C

        Without --socket or --url, ctl reads the admin section of -c FILE (default
        conf/turnout.json when it exists) and else uses run/turnout-admin.sock.

        """

    static func run(_ arguments: inout Arguments) throws(UsageError) -> Int32 {
        let json = arguments.flag("--json")
        let force = arguments.flag("--force")
        var preflight: [String] = []
        while let check = try arguments.option("--preflight") { preflight.append(check) }
        let socket = try arguments.option("--socket")
        let url = try arguments.option("--url")
        let tokenFile = try arguments.option("--token-file")
        let configPath = try arguments.option("-c", "--config")
        let dashboardPort = try arguments.option("--port")
        let guardWatch = try arguments.option("--guard")
        var start = try CtlRollout.StartOptions.parse(&arguments)
        // --baseline names a pool for rollout start and seconds of the pool left for switch --guard.
        let guardBaseline = verbIs("switch", arguments) ? start.baseline : nil
        if guardBaseline != nil { start.baseline = nil }
        if arguments.flag("-h", "--help") { writeStandardOutput(usage); return 0 }
        var words = arguments.words
        guard !words.isEmpty else { throw UsageError("ctl needs a verb: status, weights, switch, guard, rollback, rollout, drain, enable, history, stats, mirror, metrics, reload, dashboard") }
        let verb = words.removeFirst()
        if let option = words.first(where: { $0.hasPrefix("-") }) { throw UsageError("unknown ctl option \"\(option)\"") }
        if verb != "dashboard" && dashboardPort != nil { throw UsageError("--port goes with dashboard only") }
        if verb == "dashboard" && !words.isEmpty { throw UsageError("usage: turnout ctl dashboard [--port N]") }
        if verb != "rollout" && !start.isEmpty { throw UsageError("--baseline, --canary, --steps and --advance go with rollout start only") }
        if verb == "rollout" { start.force = force }
        if verb != "switch" && !preflight.isEmpty { throw UsageError("--preflight goes with switch only") }
        if verb != "switch" && guardWatch != nil { throw UsageError("--guard goes with switch only") }
        if verb == "guard" && force { throw UsageError("--force goes with switch and rollout start only") }
        let watch = try CtlGuard.watch(guard: guardWatch, baseline: guardBaseline)
        let call: (method: String, path: String, body: String?) = switch verb {
        case "dashboard": (method: "GET", path: "/", body: nil)
        case "rollout": try CtlRollout.request(words: words, options: start)
        case "guard": try CtlGuard.request(words: words)
        default: try request(verb: verb, words: words, force: force, preflight: preflight, watch: watch)
        }

        let client: AdminClient
        do {
            client = try connection(socket: socket, url: url, tokenFile: tokenFile, configPath: configPath)
        } catch {
            printError("ctl: \(error)")
            return 1
        }
        if verb == "dashboard" { return CtlDashboard.run(client: client, port: dashboardPort) }
        if verb == "rollout" && words.first == "watch" { return CtlRollout.watch(client: client, split: words[1]) }
        if verb == "guard" && words.count == 2 && words[1] == "watch" { return CtlGuard.watch(client: client, split: words[0]) }
        let answer: (status: Int, body: String)
        do {
            answer = try client.send(call.method, call.path, body: call.body)
        } catch {
            printError("ctl: \(error)")
            return 2
        }
        guard (200..<300).contains(answer.status) else {
            printError("ctl: \(CtlFormat.errorMessage(answer.body) ?? "the admin API answered \(answer.status)")")
            return answer.status >= 500 ? 2 : 1
        }
        if json || verb == "metrics" {
            writeStandardOutput(answer.body.hasSuffix("\n") ? answer.body : answer.body + "\n")
        } else {
            // A guarded switch answers with the guard's report.
            writeStandardOutput(CtlFormat.render(verb: watch != nil ? "guard" : verb, body: answer.body))
        }
        return 0
    }

    /// The admin call a verb stands for.
    static func request(verb: String, words: [String], force: Bool, preflight: [String] = [],
                        watch: (watch: Int, baseline: Int?)? = nil) throws(UsageError) -> (method: String, path: String, body: String?) {
        func expect(_ count: Int, _ shape: String) throws(UsageError) {
            guard words.count == count else { throw UsageError("usage: turnout ctl \(verb) \(shape)") }
        }
        if force && verb != "switch" { throw UsageError("--force goes with switch and rollout start only") }
        switch verb {
        case "status", "history", "stats", "mirror", "metrics":
            try expect(0, "")
            return ("GET", "/" + verb, nil)
        case "reload":
            try expect(0, "")
            return ("POST", "/reload", nil)
        case "weights":
            guard let split = words.first else { throw UsageError("usage: turnout ctl weights SPLIT [POOL=N …]") }
            if words.count == 1 { return ("GET", "/splits/\(escape(split))", nil) }
            var weights: [String: Int] = [:]
            for pair in words.dropFirst() {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard parts.count == 2, !parts[0].isEmpty, let weight = Int(parts[1]) else {
                    throw UsageError("\"\(pair)\" is not POOL=WEIGHT (like blue=90)")
                }
                guard weights[String(parts[0])] == nil else { throw UsageError("pool \"\(parts[0])\" is named twice") }
                weights[String(parts[0])] = weight
            }
            return ("PUT", "/splits/\(escape(split))", jsonObject(weights))
        case "switch":
            try expect(2, "SPLIT POOL [--force] [--preflight PATH[=STATUS][~TEXT] …] [--guard SECONDS [--baseline SECONDS]]")
            let guardMember = try CtlPreflight.guardMember(preflight, watch: watch).map { ", " + $0 } ?? ""
            return ("POST", "/splits/\(escape(words[0]))/switch", "{\"to\": \(jsonString(words[1])), \"force\": \(force)\(guardMember)}")
        case "rollback":
            try expect(1, "SPLIT")
            return ("POST", "/splits/\(escape(words[0]))/rollback", nil)
        case "drain", "enable":
            try expect(2, "POOL ADDR")
            return ("POST", "/pools/\(escape(words[0]))/servers/\(escape(words[1]))/\(verb)", nil)
        default:
            throw UsageError("unknown ctl verb \"\(verb)\" (verbs: status, weights, switch, guard, rollback, rollout, drain, enable, history, stats, mirror, metrics, reload, dashboard)")
        }
    }

    /// Whether the first word that is not an option is `verb` (before the words are split off).
    private static func verbIs(_ verb: String, _ arguments: Arguments) -> Bool {
        arguments.words.first { !$0.hasPrefix("-") } == verb
    }

    /// Finds the admin API: flags first, then the configuration's admin section, then the default.
    static func connection(socket: String?, url: String?, tokenFile: String?, configPath: String?) throws(AdminError) -> AdminClient {
        var admin = AdminConfig()
        let path = configPath ?? (FileManager.default.fileExists(atPath: RunCommand.defaultConfigPath) ? RunCommand.defaultConfigPath : nil)
        // The configuration is read when it must say where to connect, or when named on purpose
        // (for its token file too).
        if let path, configPath != nil || (socket == nil && url == nil) {
            do {
                admin = try ConfigLoader.load(path: path).admin
            } catch {
                throw AdminError("cannot find the admin socket in \(path): \(error.description)")
            }
        }
        let endpoint: AdminEndpoint
        if let socket {
            endpoint = .unix(path: socket)
        } else if let url {
            endpoint = .tcp(try tcpAddress(url))
        } else if let path = admin.socket {
            endpoint = .unix(path: path)
        } else if let listen = admin.listen, let address = SocketAddress(host: listen.host, port: listen.port) {
            endpoint = .tcp(address)
        } else {
            throw AdminError("the configuration has no admin socket or listener; pass --socket PATH or --url http://HOST:PORT")
        }
        let token = try (tokenFile ?? admin.tokenFile).map { file throws(AdminError) in try BearerToken.load(path: file) }
        return AdminClient(endpoint: endpoint, token: token)
    }

    private static func tcpAddress(_ url: String) throws(AdminError) -> SocketAddress {
        var rest = Substring(url)
        if rest.hasPrefix("http://") { rest = rest.dropFirst(7) }
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        guard let address = try? ServerAddress(parsing: String(rest)),
              let socket = SocketAddress(host: address.host, port: address.port) else {
            throw AdminError("--url \(url): expected http://HOST:PORT with a numeric address, like http://127.0.0.1:9090")
        }
        return socket
    }

    static func escape(_ segment: String) -> String {
        segment.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? segment
    }

    private static func jsonObject(_ weights: [String: Int]) -> String {
        "{" + weights.sorted { $0.key < $1.key }.map { "\(jsonString($0.key)): \($0.value)" }.joined(separator: ", ") + "}"
    }
}
