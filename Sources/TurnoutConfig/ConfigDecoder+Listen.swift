extension ConfigDecoder {
    /// `listen`: a non-empty list of distinct addresses; port 0 (any free port) is allowed.
    func decodeListen(_ top: Fields) -> [ServerAddress] {
        let expected = "a non-empty list of addresses such as [\"127.0.0.1:8080\"]"
        guard let value = reader.required(top, "listen", expected: expected) else { return [] }
        let path = top.path.key("listen")
        guard let elements = reader.array(value, at: path, expected: expected) else { return [] }
        if elements.isEmpty {
            reader.report(path, "expected at least one address to listen on, e.g. [\"127.0.0.1:8080\"]")
        }
        var addresses: [ServerAddress] = []
        for (i, element) in elements.enumerated() {
            let elementPath = path.index(i)
            guard let text = reader.string(element, at: elementPath, expected: "an address string such as \"127.0.0.1:8080\""),
                let address = address(text, at: elementPath, allowingPortZero: true)
            else { continue }
            // Two port-0 entries are two different ephemeral ports, not a duplicate.
            if address.port != 0, let first = addresses.firstIndex(of: address) {
                reader.report(elementPath, "\(address) is listed twice (also listen[\(first)])")
            }
            addresses.append(address)
        }
        return addresses
    }

    /// Parses an address string, reporting the parser's message at `path`.
    func address(_ text: String, at path: JSONPath, allowingPortZero: Bool = false) -> ServerAddress? {
        do {
            return try ServerAddress(parsing: text, allowingPortZero: allowingPortZero)
        } catch {
            reader.report(path, error.message)
            return nil
        }
    }
}
