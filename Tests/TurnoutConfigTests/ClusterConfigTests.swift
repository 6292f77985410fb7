import Testing
@testable import TurnoutConfig

/// `cluster` (SPEC §16): the defaults, every key, and each error with its path.
@Suite struct ClusterConfigTests {
    @Test func absentOrNullIsOneInstanceAlone() throws {
        #expect(try #require(decoded(document())).cluster == nil)
        #expect(try #require(decoded(document(["cluster": "null"]))).cluster == nil)
    }

    @Test func onlyTheEndpointsAreRequired() throws {
        let cluster = try #require(decoded(document(["cluster": #"{"etcd": ["http://127.0.0.1:2379"]}"#]))?.cluster)
        #expect(cluster.etcd == ["http://127.0.0.1:2379"])
        #expect(cluster.prefix == "/turnout/")
        #expect(cluster.instance == ClusterConfig.hostName() || cluster.instance.isEmpty == false)
        #expect(cluster.leaseSeconds == 3)
    }

    @Test func everyKeySetsItsField() throws {
        let cluster = try #require(decoded(document(["cluster": """
            {"etcd": ["http://127.0.0.1:2379", "http://[::1]:22379", "http://localhost:32379"], "prefix": "/turnout/prod/",
             "instance": "edge-1", "lease_s": 5}
            """]))?.cluster)
        #expect(cluster == ClusterConfig(etcd: ["http://127.0.0.1:2379", "http://[::1]:22379", "http://localhost:32379"],
                                         prefix: "/turnout/prod/", instance: "edge-1", leaseSeconds: 5))
    }

    static let errorCases: [RuleCase] = [
        RuleCase(["cluster": "[]"], "cluster", "null or an object"),
        RuleCase(["cluster": "{}"], "cluster.etcd", "required key is missing"),
        RuleCase(["cluster": #"{"etcd": []}"#], "cluster.etcd", "at least one etcd client URL"),
        RuleCase(["cluster": #"{"etcd": ["https://127.0.0.1:2379"]}"#], "cluster.etcd[0]", "TLS is not supported"),
        RuleCase(["cluster": #"{"etcd": ["127.0.0.1:2379"]}"#], "cluster.etcd[0]", "expected an etcd client URL"),
        RuleCase(["cluster": #"{"etcd": ["http://127.0.0.1:2379/v3"]}"#], "cluster.etcd[0]", "no path"),
        RuleCase(["cluster": #"{"etcd": ["http://127.0.0.1"]}"#], "cluster.etcd[0]", "name the port"),
        RuleCase(["cluster": #"{"etcd": ["http://etcd.internal:2379"]}"#], "cluster.etcd[0]", "must be an IP address or localhost"),
        RuleCase(["cluster": #"{"etcd": ["http://127.0.0.1:2379", "http://127.0.0.1:2379"]}"#], "cluster.etcd[1]", "listed twice"),
        RuleCase(["cluster": #"{"etcd": ["http://127.0.0.1:2379"], "prefix": "turnout"}"#], "cluster.prefix", "starts and ends with"),
        RuleCase(["cluster": #"{"etcd": ["http://127.0.0.1:2379"], "prefix": "/a//b/"}"#], "cluster.prefix", "without empty segments"),
        RuleCase(["cluster": #"{"etcd": ["http://127.0.0.1:2379"], "instance": "edge 1"}"#], "cluster.instance", "letters, digits"),
        RuleCase(["cluster": #"{"etcd": ["http://127.0.0.1:2379"], "lease_s": 0}"#], "cluster.lease_s", "expected a positive integer"),
        RuleCase(["cluster": #"{"etcd": ["http://127.0.0.1:2379"], "leader": "me"}"#], "cluster.leader", "unknown key"),
    ]

    @Test(arguments: errorCases) func eachErrorNamesItsPathAndWhatToDo(_ rule: RuleCase) {
        let found = errors(of: document(rule.changes))
        let match = found.first { $0.path == rule.path && $0.message.contains(rule.fragment) }
        #expect(match != nil, "wanted \(rule.path): …\(rule.fragment)…; got \(found.map(\.description))")
    }
}
