/// `cluster`: the etcd endpoints, the key prefix and this instance's name (SPEC §16).
extension ConfigDecoder {
    func decodeCluster(_ top: Fields) -> ClusterConfig? {
        guard let value = top["cluster"], value != .null else { return nil }
        let path = top.path.key("cluster")
        guard let fields = reader.object(value, at: path, keys: ["etcd", "prefix", "instance", "lease_s"],
            expected: "null or an object such as {\"etcd\": [\"http://127.0.0.1:2379\"], \"prefix\": \"/turnout/prod/\"}")
        else { return nil }
        var cluster = ClusterConfig(etcd: [])
        let listPath = path.key("etcd")
        if let list = reader.required(fields, "etcd", expected: "a list of etcd client URLs such as [\"http://127.0.0.1:2379\"]"),
           let elements = reader.array(list, at: listPath, expected: "a list of etcd client URLs such as [\"http://127.0.0.1:2379\"]")
        {
            if elements.isEmpty { reader.report(listPath, "expected at least one etcd client URL such as \"http://127.0.0.1:2379\"") }
            for (i, element) in elements.enumerated() {
                guard let text = reader.string(element, at: listPath.index(i), expected: "an http:// URL") else { continue }
                if let problem = Self.etcdURLProblem(text) {
                    reader.report(listPath.index(i), problem)
                } else if cluster.etcd.contains(text) {
                    reader.report(listPath.index(i), "\(quoted(text)) is listed twice")
                } else {
                    cluster.etcd.append(text)
                }
            }
        }
        let prefix = reader.nonEmptyString(fields, "prefix", default: cluster.prefix, expected: "a key prefix such as \"/turnout/prod/\"")
        if !prefix.hasPrefix("/") || !prefix.hasSuffix("/") || prefix.contains("//")
            || prefix.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F }) {
            reader.report(path.key("prefix"), "expected a key prefix that starts and ends with \"/\" without empty segments or spaces, "
                + "such as \"/turnout/prod/\", got \(quoted(prefix))")
        } else {
            cluster.prefix = prefix
        }
        let instance = reader.nonEmptyString(fields, "instance", default: cluster.instance, expected: "an instance name such as \"edge-1\"")
        if Self.isValidName(instance) {
            cluster.instance = instance
        } else {
            reader.report(fields["instance"] == nil ? path : path.key("instance"),
                "instance name \(quoted(instance)) must be 1-64 letters, digits, '-', '_' or '.' (it is part of etcd keys)"
                + (fields["instance"] == nil ? "; the host name does not qualify, so set cluster.instance" : ""))
        }
        cluster.leaseSeconds = reader.integer(fields, "lease_s", default: cluster.leaseSeconds,
            IntBounds(min: 1, max: 60, maxNote: "a dead instance's rollouts wait this long for a new leader"))
        return cluster
    }

    /// Why `text` is not an etcd client URL Turnout can use, or nil when it is.
    static func etcdURLProblem(_ text: String) -> String? {
        if text.hasPrefix("https://") {
            return "\(quoted(text)): TLS is not supported; use etcd's plain-HTTP client listener on a trusted network (http://)"
        }
        guard let url = WebhookURL(text), url.path == "/" else {
            return "expected an etcd client URL such as \"http://127.0.0.1:2379\" (plain http, host and port, no path), got \(quoted(text))"
        }
        let authority = text.dropFirst("http://".count).prefix { $0 != "/" }
        guard authority.hasPrefix("[") ? authority.contains("]:") : authority.contains(":") else {
            return "\(quoted(text)): name the port (etcd's client port is usually 2379)"
        }
        if ServerAddress(host: url.host, port: url.port).hostKind == .name && url.host != "localhost" {
            return "\(quoted(text)): the host must be an IP address or localhost (Turnout does not resolve names)"
        }
        return nil
    }
}
