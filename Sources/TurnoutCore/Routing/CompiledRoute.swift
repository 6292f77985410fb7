import TurnoutHTTP

/// Where a matched request goes.
public enum CompiledTarget: Sendable, Equatable {
    case pool(Int)
    case split(Int)
}

/// Where a sticky route reads its key.
public enum StickySource: Sendable, Equatable {
    case cookie([UInt8])
    case header([UInt8])
}

/// One expected name/value pair of a header, cookie or query match; a nil value means "present".
public struct FieldCondition: Sendable, Equatable {
    public let name: [UInt8]
    public let value: [UInt8]?
}

/// A route compiled to bytes so that matching a request compares raw bytes and allocates
/// nothing. Every condition present must hold; an empty route matches every request. A class:
/// routes are immutable and shared by snapshots, and the router reads one without copying out
/// (and retaining) each of its arrays.
public final class CompiledRoute: Sendable {
    public let host: [UInt8]?
    public let pathPrefix: [UInt8]?
    public let method: [UInt8]?
    public let headers: [FieldCondition]
    public let cookies: [FieldCondition]
    public let query: [FieldCondition]
    public let target: CompiledTarget
    public let sticky: StickySource?
    /// The shadow traffic of requests this route matches; nil when none is copied.
    public let mirror: MirrorPolicy?

    public init(host: [UInt8]?, pathPrefix: [UInt8]?, method: [UInt8]?, headers: [FieldCondition],
                cookies: [FieldCondition], query: [FieldCondition], target: CompiledTarget, sticky: StickySource?,
                mirror: MirrorPolicy? = nil) {
        self.host = host
        self.pathPrefix = pathPrefix
        self.method = method
        self.headers = headers
        self.cookies = cookies
        self.query = query
        self.target = target
        self.sticky = sticky
        self.mirror = mirror
    }

    /// Whether the request whose head was parsed from `source` satisfies every condition.
    public func matches(_ head: borrowing RequestHead, source: UnsafeRawBufferPointer) -> Bool {
        if let method, !RequestBytes.equal(source, head.methodBytes, method) { return false }
        if let pathPrefix, !RequestBytes.hasPrefix(source, head.path, pathPrefix) { return false }
        if let host {
            guard let range = head.host, RequestBytes.hostEquals(source, range, host) else { return false }
        }
        for condition in headers {
            guard RequestBytes.anyField(head, source, named: condition.name, where: { value in
                condition.value.map { RequestBytes.equal(source, value, $0) } ?? true
            }) else { return false }
        }
        for condition in cookies {
            guard let value = RequestBytes.cookie(head, source, named: condition.name) else { return false }
            if let expected = condition.value, !RequestBytes.equal(source, value, expected) { return false }
        }
        if !query.isEmpty {
            guard let queryRange = head.query else { return false }
            for condition in query {
                guard let value = RequestBytes.queryParameter(source, queryRange, named: condition.name) else { return false }
                if let expected = condition.value, !RequestBytes.equal(source, value, expected) { return false }
            }
        }
        return true
    }

    /// The bytes a sticky route hashes, when the request carries them.
    public func stickyKey(_ head: borrowing RequestHead, source: UnsafeRawBufferPointer) -> Range<Int>? {
        switch sticky {
        case .none: return nil
        case .cookie(let name): return RequestBytes.cookie(head, source, named: name)
        case .header(let name):
            var found: Range<Int>?
            _ = RequestBytes.anyField(head, source, named: name) { found = $0; return true }
            return found
        }
    }
}
