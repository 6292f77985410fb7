/// Why an attempt to an upstream server failed without a (whole) response.
public enum UpstreamErrorKind: Int, CaseIterable, Sendable {
    /// Refused, or the connect timed out.
    case connect
    /// No response within the response timeout.
    case timeout
    /// The connection closed or reset before or during the response.
    case reset
    /// Not a valid HTTP/1.1 response.
    case invalid

    /// The label used in `/stats` and `/metrics`.
    public var name: String {
        switch self {
        case .connect: return "connect"
        case .timeout: return "timeout"
        case .reset: return "reset"
        case .invalid: return "invalid"
        }
    }
}

/// What one upstream server saw, as one event-loop thread records it (SPEC §7): responses by
/// status class, errors by kind, bytes both ways, and two histograms — request sent to last
/// response byte, and to the response head. Owned by one thread like `Histogram`: recording is
/// a few adds, with no lock, no atomic and no allocation. Readings of several loops merge, and
/// an earlier reading subtracts exactly, so any window is exact.
public struct TrafficStats: Sendable, Equatable {
    // Stored properties are `@usableFromInline` so the recording methods inline into the
    // proxy; the public API reads them through the getters below.
    @usableFromInline var classCounts: [UInt64]
    @usableFromInline var errorCounts: [UInt64]
    @usableFromInline var sent: UInt64
    @usableFromInline var received: UInt64
    @usableFromInline var latencyHistogram: Histogram
    @usableFromInline var firstByteHistogram: Histogram

    /// Responses by status class: index 1 = 1xx … 5 = 5xx; index 0 unused.
    public var responsesByClass: [UInt64] { classCounts }
    /// Failed attempts, indexed by `UpstreamErrorKind.rawValue`.
    public var errors: [UInt64] { errorCounts }
    /// Request bytes written to the upstream (head and body).
    public var bytesSent: UInt64 { sent }
    /// Response bytes read from the upstream (head and body).
    public var bytesReceived: UInt64 { received }
    /// Request sent upstream → last response byte, in nanoseconds.
    public var latency: Histogram { latencyHistogram }
    /// Request sent upstream → response head received, in nanoseconds.
    public var firstByte: Histogram { firstByteHistogram }

    public init() {
        classCounts = [UInt64](repeating: 0, count: 6)
        errorCounts = [UInt64](repeating: 0, count: UpstreamErrorKind.allCases.count)
        sent = 0
        received = 0
        latencyHistogram = Histogram()
        firstByteHistogram = Histogram()
    }

    /// One response with its timings. A status outside 100…599 counts in no class.
    @inlinable
    public mutating func recordResponse(status: Int, latencyNanoseconds: UInt64, firstByteNanoseconds: UInt64) {
        let statusClass = status / 100
        if statusClass >= 1 && statusClass <= 5 { classCounts[statusClass] &+= 1 }
        latencyHistogram.record(latencyNanoseconds)
        firstByteHistogram.record(firstByteNanoseconds)
    }

    @inlinable
    public mutating func recordError(_ kind: UpstreamErrorKind) {
        errorCounts[kind.rawValue] &+= 1
    }

    @inlinable
    public mutating func recordBytes(sent: UInt64, received: UInt64) {
        self.sent &+= sent
        self.received &+= received
    }

    /// Attempts: responses of every class plus errors.
    public var requests: UInt64 { classCounts.reduce(0, &+) &+ errorCounts.reduce(0, &+) }

    public func responses(inClass statusClass: Int) -> UInt64 {
        (1...5).contains(statusClass) ? classCounts[statusClass] : 0
    }

    public func errors(_ kind: UpstreamErrorKind) -> UInt64 { errorCounts[kind.rawValue] }

    /// A deep copy made on the owner's thread (see `Histogram.snapshot()`).
    public func snapshot() -> TrafficStats {
        var copy = self
        copy.classCounts = classCounts.withUnsafeBufferPointer { Array($0) }
        copy.errorCounts = errorCounts.withUnsafeBufferPointer { Array($0) }
        copy.latencyHistogram = latencyHistogram.snapshot()
        copy.firstByteHistogram = firstByteHistogram.snapshot()
        return copy
    }

    /// Adds another loop's reading.
    public mutating func merge(_ other: TrafficStats) {
        for i in classCounts.indices { classCounts[i] &+= other.classCounts[i] }
        for i in errorCounts.indices { errorCounts[i] &+= other.errorCounts[i] }
        sent &+= other.sent
        received &+= other.received
        latencyHistogram.merge(other.latencyHistogram)
        firstByteHistogram.merge(other.firstByteHistogram)
    }

    public func merging(_ other: TrafficStats) -> TrafficStats {
        var result = snapshot()
        result.merge(other)
        return result
    }

    /// The traffic between an earlier reading of the same stream and this one, exactly.
    public func subtracting(_ earlier: TrafficStats) -> TrafficStats {
        var result = snapshot()
        for i in classCounts.indices { result.classCounts[i] &-= earlier.classCounts[i] }
        for i in errorCounts.indices { result.errorCounts[i] &-= earlier.errorCounts[i] }
        result.sent &-= earlier.sent
        result.received &-= earlier.received
        result.latencyHistogram.subtract(earlier.latencyHistogram)
        result.firstByteHistogram.subtract(earlier.firstByteHistogram)
        return result
    }
}
