extension ConfigDecoder {
    /// The keys of a pool object.
    static let poolKeys = ["servers", "balance"]
    /// The keys of a server object.
    static let serverKeys = ["address", "weight"]
    /// Server weights above this are refused: a balancer sums weights, and no real pool needs
    /// a million-to-one ratio.
    static let maxServerWeight = 1_000_000

    /// `pools`: a non-empty object of named pools, returned sorted by name. Pools with errors
    /// are still returned (with what could be read), so their names resolve in later sections.
    func decodePools(_ top: Fields) -> [PoolConfig] {
        let expected = "an object of named pools, e.g. {\"blue\": {\"servers\": [\"127.0.0.1:9001\"]}}"
        guard let value = reader.required(top, "pools", expected: expected),
            let pools = reader.object(value, at: top.path.key("pools"), keys: nil, expected: expected)
        else { return [] }
        poolNames = Set(pools.members.keys)
        if pools.members.isEmpty {
            reader.report(pools.path, "expected at least one pool, e.g. {\"blue\": {\"servers\": [\"127.0.0.1:9001\"]}}")
        }
        return pools.members.keys.sorted().map { name in
            decodePool(name: name, pools.members[name]!, at: pools.path.key(name))
        }
    }

    private func decodePool(name: String, _ value: JSONValue, at path: JSONPath) -> PoolConfig {
        var pool = PoolConfig(name: name, servers: [])
        if !Self.isValidName(name) {
            reader.report(path, Self.invalidNameMessage("pool", name))
        }
        guard let fields = reader.object(value, at: path, keys: Self.poolKeys,
            expected: "a pool object such as {\"servers\": [\"127.0.0.1:9001\"]}")
        else { return pool }

        if let balance = fields["balance"] {
            pool.balance = reader.choice(balance, at: path.key("balance"), Balance.allCases.map { ($0.rawValue, $0) }) ?? .roundRobin
        }

        let expected = "a non-empty list of servers such as [\"127.0.0.1:9001\"]"
        guard let serversValue = reader.required(fields, "servers", expected: expected),
            let servers = reader.array(serversValue, at: path.key("servers"), expected: expected)
        else { return pool }
        if servers.isEmpty {
            reader.report(path.key("servers"), "expected at least one server in pool \(quoted(name))")
        }
        for (i, element) in servers.enumerated() {
            let serverPath = path.key("servers").index(i)
            guard let server = decodeServer(element, at: serverPath) else { continue }
            if let first = pool.servers.firstIndex(where: { $0.address == server.address }) {
                reader.report(serverPath, "\(server.address) is listed twice in pool \(quoted(name)) (also servers[\(first)])")
                continue
            }
            pool.servers.append(server)
        }
        return pool
    }

    /// A server: `"host:port"` (weight 1) or `{"address": "host:port", "weight": N}`.
    private func decodeServer(_ value: JSONValue, at path: JSONPath) -> ServerConfig? {
        switch value {
        case .string(let text):
            return address(text, at: path).map { ServerConfig(address: $0) }
        case .object:
            guard let fields = reader.object(value, at: path, keys: Self.serverKeys),
                let addressValue = reader.required(fields, "address", expected: "an address string such as \"127.0.0.1:9001\""),
                let text = reader.string(addressValue, at: path.key("address"), expected: "an address string such as \"127.0.0.1:9001\"")
            else { return nil }
            let parsed = address(text, at: path.key("address"))
            var weight = 1
            if let weightValue = fields["weight"] {
                let weightPath = path.key("weight")
                if weightValue == .integer(0) {
                    reader.report(weightPath, "weight 0 is not allowed; to take a server out of rotation, "
                        + "drain it (`turnout ctl drain POOL ADDR`) or remove it from the pool")
                    return nil
                }
                guard let w = reader.integer(weightValue, at: weightPath, IntBounds(min: 1, max: Self.maxServerWeight)) else { return nil }
                weight = w
            }
            return parsed.map { ServerConfig(address: $0, weight: weight) }
        default:
            reader.report(path, "expected an address string such as \"127.0.0.1:9001\" or an object "
                + "{\"address\": \"127.0.0.1:9001\", \"weight\": 2}, got \(value.shortDescription)")
            return nil
        }
    }
}
