import Testing
@testable import TurnoutConfig

/// The repository root, found from this file's path (`Tests/TurnoutConfigTests/…`).
let repositoryRoot: String = {
    var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3)
    return parts.joined(separator: "/")
}()

@Test("shipped configuration files are valid", arguments: ["conf/turnout.json", "conf/demo.json"])
func shippedConfigIsValid(_ file: String) throws {
    do {
        let config = try ConfigLoader.load(path: repositoryRoot + "/" + file)
        #expect(config.listen == [ServerAddress(host: "127.0.0.1", port: 8080)])
        // The demo adds a shadow pool and the two routes it mirrors; both end with the split.
        #expect(Array(config.pools.map(\.name).prefix(3)) == ["blue", "canary", "green"])
        let split = try #require(config.routes.last)
        #expect(split.match == RouteMatch(pathPrefix: "/") && split.target == .split("web") && split.sticky == .cookie("session_id"))
        #expect(config.routes[0].match.headers == [FieldMatch(name: "x-turnout-pool", value: .exact("canary"))])
        #expect(config.routes[1].match.cookies == [FieldMatch(name: "canary", value: .exact("1"))])
    } catch {
        Issue.record("\(error)")
    }
}

@Test func exampleConfigMatchesTheSpec() throws {
    let config = try ConfigLoader.load(path: repositoryRoot + "/conf/turnout.json")
    #expect(config.pool(named: "green")?.servers == [ServerConfig(address: ServerAddress(host: "127.0.0.1", port: 9101), weight: 2)])
    #expect(config.pool(named: "blue")?.servers.count == 2)
    #expect(config.pool(named: "canary")?.balance == .leastRequest)
    #expect(config.splits == [SplitConfig(name: "web", weights: ["blue": 100, "green": 0, "canary": 0])])
    let demo = try ConfigLoader.load(path: repositoryRoot + "/conf/demo.json")
    #expect(demo.splits == [SplitConfig(name: "web", weights: ["blue": 90, "green": 0, "canary": 10])])
    #expect(demo.pools.map { $0.servers.map(\.address.description) } == [["127.0.0.1:9001"], ["127.0.0.1:9003"], ["127.0.0.1:9002"], ["127.0.0.1:9004"]])
    // The shadow gets the copies of the two blue routes only.
    #expect((0..<demo.routes.count).map { demo.mirror(forRoute: $0)?.pool } == [nil, nil, "shadow", "shadow", nil])
    #expect(demo.mirror?.noise == true && demo.mirror?.compare == true)
}

@Test func brokenConfigReportsEveryErrorAtOnce() {
    let text = #"""
    {
      "listen": [],
      "workers": true,
      "pools": {
        "blue":   { "servers": ["127.0.0.1:9001", "127.0.0.1:9001"] },
        "canary": { "servers": ["127.0.0.1:99999"], "balance": "fastest" }
      },
      "splits": { "web": { "blue": 0, "canary": 0 } },
      "routes": [
        { "match": { "path_prefix": "api" }, "pool": "bleu", "sticky": { "cookie": "s" } }
      ],
      "timeouts": { "client_idle_ms": "5s" },
      "heatlh": {}
    }
    """#
    let found = errors(of: text)
    let paths = Set(found.map(\.path))
    #expect(paths == [
        "listen", "workers", "pools.blue.servers[1]", "pools.canary.servers[0]", "pools.canary.balance", "splits.web",
        "routes[0].match.path_prefix", "routes[0].pool", "routes[0].sticky", "timeouts.client_idle_ms", "heatlh",
    ], "\(found.map(\.description))")
    #expect(found.count == paths.count)
}

@Test func unreadablePoolsDoNotCascadeIntoReferenceErrors() {
    let found = errors(of: document(["pools": #""blue""#, "mirror": #"{"pool": "blue", "percent": 1}"#]))
    #expect(found.map(\.path) == ["pools"])
}

@Test func errorsPrintOneLinePerErrorWithSource() {
    do {
        _ = try ConfigLoader.decode(Array(document([
            "pools": #"{"blue": {"servers": ["127.0.0.1:9001"]}, "canary": {"servers": ["127.0.0.1:99999"]}}"#,
            "workers": "-1",
        ]).utf8), source: "conf/turnout.json")
        Issue.record("expected errors")
    } catch {
        #expect(error.description == """
            conf/turnout.json: workers: expected a non-negative integer, got -1
            conf/turnout.json: pools.canary.servers[0]: "127.0.0.1:99999" is not a valid port (expected 1-65535)
            """)
    }
    let documentError = ConfigErrors(source: "x.json", errors: [ConfigError(path: "", message: "invalid JSON")])
    #expect(documentError.description == "x.json: invalid JSON")
}

@Test func invalidJSONIsOneErrorWithLineAndColumn() {
    let found = errors(of: "{\n  \"listen\": [\"127.0.0.1:8080\"],\n  \"workers\": tru\n}")
    #expect(found.count == 1)
    #expect(found.first?.path == "")
    // The parser reports where it noticed the problem: just after `tru`.
    #expect(found.first?.message.hasPrefix("invalid JSON at line 3, column 17: ") == true, "\(found)")
    let truncated = errors(of: #"{"listen": ["#)
    #expect(truncated.count == 1)
    #expect(truncated.first?.message.hasPrefix("invalid JSON") == true)
    #expect(errors(of: "").first?.message.hasPrefix("invalid JSON") == true)
}

@Test func topLevelMustBeAnObject() {
    #expect(errors(of: "[]") == [ConfigError(path: "", message: "expected a JSON object at the top level, got an array")])
    #expect(errors(of: #""x""#) == [ConfigError(path: "", message: #"expected a JSON object at the top level, got "x""#)])
}

@Test func duplicateKeysAreReported() {
    let text = """
        {"listen": ["127.0.0.1:8080"], "pools": {"blue": {"servers": ["127.0.0.1:9001"]}},
         "routes": [{"pool": "blue",
                     "pool": "blue"}],
         "workers": 1, "workers": 2}
        """
    let found = errors(of: text)
    #expect(found.map(\.path) == ["routes[0].pool", "workers"], "\(found)")
    #expect(found.first?.message.contains("appears more than once in its object (again at line 3)") == true)
}

@Test func duplicateKeyScanDecodesEscapes() {
    let bytes = Array(#"{"a\u0062": 1, "ab": 2, "x": {"q\"": [1, {"k": 1, "k": 2}]}}"#.utf8)
    let found = JSONSyntax.problems(in: bytes)
    #expect(found.map(\.kind) == [.duplicateKey, .duplicateKey])
    #expect(found.map(\.path.description) == ["ab", #"x["q\""][1].k"#])
}

@Test func trailingCommasAreReportedThoughJSONSerializationAcceptsThem() {
    let text = """
        {"listen": ["127.0.0.1:8080",], "pools": {"blue": {"servers": ["127.0.0.1:9001"]},},
         "routes": [{"pool": "blue"}, ],
         "workers": 1,
        }
        """
    let found = errors(of: text)
    #expect(found.map(\.path) == ["listen", "pools", "routes", ""], "\(found)")
    #expect(found.first?.message == "invalid JSON at line 1: a comma before the closing bracket; remove it")
    #expect(found.last?.message.hasPrefix("invalid JSON at line 4:") == true)
    // Commas inside strings are not structure.
    #expect(errors(of: document(["access_log": #""a,]b,}""#])) == [])
}

@Test func missingFileIsOneErrorWithTheReason() {
    do {
        _ = try ConfigLoader.load(path: "/nonexistent/turnout.json")
        Issue.record("expected an error")
    } catch {
        #expect(error.source == "/nonexistent/turnout.json")
        #expect(error.errors == [ConfigError(path: "", message: "cannot read the configuration file: No such file or directory")])
    }
    do {
        _ = try ConfigLoader.load(path: repositoryRoot + "/conf")
        Issue.record("expected an error")
    } catch {
        #expect(error.errors.first?.message == "cannot read the configuration file: Is a directory")
    }
}
