extension ConfigDecoder {
    /// The keys of a route object.
    static let routeKeys = ["match", "pool", "split", "sticky", "mirror"]
    /// The keys of a route's `match` object.
    static let matchKeys = ["host", "path_prefix", "method", "header", "cookie", "query"]
    /// The keys of a route's `sticky` object.
    static let stickyKeys = ["cookie", "header"]

    /// `routes`: a non-empty list, kept in file order (first match wins).
    func decodeRoutes(_ top: Fields) -> [RouteConfig] {
        let expected = "a non-empty list of routes such as [{\"match\": {\"path_prefix\": \"/\"}, \"pool\": \"blue\"}]"
        guard let value = reader.required(top, "routes", expected: expected),
            let elements = reader.array(value, at: top.path.key("routes"), expected: expected)
        else { return [] }
        if elements.isEmpty {
            reader.report(top.path.key("routes"), "expected at least one route (without one, every request would get 404)")
        }
        return elements.enumerated().compactMap { i, element in
            decodeRoute(element, at: top.path.key("routes").index(i))
        }
    }

    /// One route: an optional `match`, exactly one of `pool`/`split`, `sticky` only with a split,
    /// and an optional `mirror` (absent: the top-level one; null: none; an object: its own).
    private func decodeRoute(_ value: JSONValue, at path: JSONPath) -> RouteConfig? {
        guard let fields = reader.object(value, at: path, keys: Self.routeKeys,
            expected: "a route object such as {\"match\": {\"path_prefix\": \"/\"}, \"pool\": \"blue\"}")
        else { return nil }

        let match = fields["match"].map { decodeMatch($0, at: path.key("match")) } ?? RouteMatch()

        var target: RouteTarget?
        switch (fields["pool"], fields["split"]) {
        case (nil, nil):
            reader.report(path, "expected a target: \"pool\": NAME or \"split\": NAME")
        case (.some, .some):
            reader.report(path, "has both \"pool\" and \"split\"; a route targets exactly one of them")
        case (.some(let pool), nil):
            if let name = reader.string(pool, at: path.key("pool"), expected: "a pool name") {
                checkPoolReference(name, at: path.key("pool"))
                target = .pool(name)
            }
        case (nil, .some(let split)):
            if let name = reader.string(split, at: path.key("split"), expected: "a split name") {
                checkSplitReference(name, at: path.key("split"))
                target = .split(name)
            }
        }

        var sticky: StickyKey?
        if let stickyValue = fields["sticky"] {
            sticky = decodeSticky(stickyValue, at: path.key("sticky"))
            if fields["split"] == nil && fields["pool"] != nil {
                reader.report(path.key("sticky"), "sticky needs a \"split\" target; a route to a single pool has nothing to stick to")
            }
        }
        var mirror = RouteMirror.inherit
        if let mirrorValue = fields["mirror"] {
            if mirrorValue == .null {
                mirror = .off
            } else if let own = decodeMirror(mirrorValue, at: path.key("mirror")) {
                mirror = .mirror(own)
            }
        }
        guard let target else { return nil }
        return RouteConfig(match: match, target: target, sticky: sticky, mirror: mirror)
    }

    /// A route's conditions; every one given must hold.
    private func decodeMatch(_ value: JSONValue, at path: JSONPath) -> RouteMatch {
        var match = RouteMatch()
        guard let fields = reader.object(value, at: path, keys: Self.matchKeys) else { return match }

        if let host = fields["host"] {
            match.host = decodeHost(host, at: path.key("host"))
        }
        if let prefix = fields["path_prefix"],
            let text = reader.string(prefix, at: path.key("path_prefix"), expected: "a path starting with \"/\"")
        {
            if !text.hasPrefix("/") || text.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F }) {
                reader.report(path.key("path_prefix"),
                    "expected a path starting with \"/\" without spaces or control characters, got \(quoted(text))")
            } else {
                match.pathPrefix = text
            }
        }
        if let method = fields["method"],
            let text = reader.string(method, at: path.key("method"), expected: "a method such as \"GET\"")
        {
            if HTTPToken.isUppercase(text) {
                match.method = text
            } else if HTTPToken.isValid(text) {
                reader.report(path.key("method"),
                    "methods are case-sensitive and written in uppercase: expected \(quoted(text.uppercased())), got \(quoted(text))")
            } else {
                reader.report(path.key("method"), "expected a method token such as \"GET\", got \(quoted(text))")
            }
        }
        if let headers = fields["header"] {
            match.headers = decodeFieldMatches(headers, at: path.key("header"), kind: "header", lowercase: true)
        }
        if let cookies = fields["cookie"] {
            match.cookies = decodeFieldMatches(cookies, at: path.key("cookie"), kind: "cookie", lowercase: false)
        }
        if let query = fields["query"] {
            match.query = decodeFieldMatches(query, at: path.key("query"), kind: "query parameter", lowercase: false)
        }
        return match
    }

    /// A host name, IPv4 address or bracketed IPv6 address, without port; lowercased.
    private func decodeHost(_ value: JSONValue, at path: JSONPath) -> String? {
        guard let text = reader.string(value, at: path, expected: "a host name such as \"example.com\"") else { return nil }
        let canonical: String?
        if text.hasPrefix("[") && text.hasSuffix("]") {
            canonical = IPAddressText.canonicalIPv6(text.dropFirst().dropLast()).map { "[\($0)]" }
        } else if IPAddressText.looksNumeric(Substring(text)) {
            canonical = IPAddressText.canonicalIPv4(Substring(text))
        } else {
            canonical = IPAddressText.canonicalHostName(Substring(text))
        }
        guard let canonical else {
            reader.report(path,
                "expected a host name such as \"example.com\" (an IP address is fine; no port, no wildcard), got \(quoted(text))")
            return nil
        }
        return canonical
    }

    /// `{"name": "value" | "*"}`, sorted by name. Header and cookie names must be tokens.
    private func decodeFieldMatches(_ value: JSONValue, at path: JSONPath, kind: String, lowercase: Bool) -> [FieldMatch] {
        guard let fields = reader.object(value, at: path, keys: nil,
            expected: "an object of \(kind) names to values (\"*\" for present), e.g. {\"x-canary\": \"1\"}")
        else { return [] }
        var matches: [FieldMatch] = []
        var seen: [String: String] = [:]
        for name in fields.members.keys.sorted() {
            let fieldPath = path.key(name)
            let needsToken = kind != "query parameter"
            if needsToken ? !HTTPToken.isValid(name) : name.isEmpty {
                reader.report(fieldPath, "\(quoted(name)) is not a valid \(kind) name"
                    + (needsToken ? " (letters, digits and !#$%&'*+-.^_`|~)" : ""))
                continue
            }
            let key = lowercase ? name.lowercased() : name
            if let other = seen[key] {
                reader.report(fieldPath, "\(kind) \(quoted(name)) is also matched as \(quoted(other)); header names are case-insensitive")
                continue
            }
            seen[key] = name
            guard let text = reader.string(fields.members[name]!, at: fieldPath, expected: "a string value (\"*\" for present)")
            else { continue }
            if text.unicodeScalars.contains(where: { ($0.value < 0x20 && $0 != "\t") || $0.value == 0x7F }) {
                reader.report(fieldPath, "expected a value without control characters, got \(quoted(text))")
                continue
            }
            matches.append(FieldMatch(name: key, value: text == "*" ? .present : .exact(text)))
        }
        return matches.sorted { $0.name < $1.name }
    }

    /// `{"cookie": NAME}` or `{"header": NAME}`, exactly one.
    private func decodeSticky(_ value: JSONValue, at path: JSONPath) -> StickyKey? {
        let expected = "{\"cookie\": NAME} or {\"header\": NAME}"
        guard let fields = reader.object(value, at: path, keys: Self.stickyKeys, expected: expected) else { return nil }
        switch (fields["cookie"], fields["header"]) {
        case (.some(let cookie), nil):
            guard let name = stickyName(cookie, at: path.key("cookie"), kind: "cookie") else { return nil }
            return .cookie(name)
        case (nil, .some(let header)):
            guard let name = stickyName(header, at: path.key("header"), kind: "header") else { return nil }
            return .header(name.lowercased())
        case (.some, .some):
            reader.report(path, "has both \"cookie\" and \"header\"; expected exactly one")
        case (nil, nil):
            if fields.members.keys.allSatisfy(Self.stickyKeys.contains) {
                reader.report(path, "expected \(expected)")
            }
        }
        return nil
    }

    private func stickyName(_ value: JSONValue, at path: JSONPath, kind: String) -> String? {
        guard let name = reader.string(value, at: path, expected: "a \(kind) name") else { return nil }
        guard HTTPToken.isValid(name) else {
            reader.report(path, "\(quoted(name)) is not a valid \(kind) name (letters, digits and !#$%&'*+-.^_`|~)")
            return nil
        }
        return name
    }
}
