/// What one upstream server saw, as one event-loop thread records it (SPEC §7): responses by
/// status class, failed attempts by kind, bytes both ways, and two latency histograms.
///
/// Ownership is `Histogram`'s: one thread records, readers get a `snapshot()` made on that
/// thread, and snapshots of several loops are merged off the hot path. Counters are plain stored
/// integers rather than arrays, so recording is a switch and an add — no bounds check, no
/// copy-on-write check, no allocation — and the only heap storage is the two histograms,
/// allocated once in `init`. An earlier reading subtracts exactly, so every window is exact.
public struct TrafficStats: Sendable, Equatable {
    // Backing stores are `@usableFromInline` so the recording methods inline into the proxy
    // (a `public internal(set)` property cannot be); the public API reads them through getters.
    /// 1xx responses.
    @usableFromInline var informational: UInt64
    /// 2xx responses.
    @usableFromInline var successful: UInt64
    /// 3xx responses.
    @usableFromInline var redirected: UInt64
    /// 4xx responses.
    @usableFromInline var clientErrors: UInt64
    /// 5xx responses.
    @usableFromInline var serverErrors: UInt64
    /// Attempts failed with `UpstreamErrorKind.connect`.
    @usableFromInline var connectErrors: UInt64
    /// Attempts failed with `.timeout`.
    @usableFromInline var timeoutErrors: UInt64
    /// Attempts failed with `.reset`.
    @usableFromInline var resetErrors: UInt64
    /// Attempts failed with `.invalid`.
    @usableFromInline var invalidErrors: UInt64
    /// Backing store of `bytesSent`.
    @usableFromInline var sent: UInt64
    /// Backing store of `bytesReceived`.
    @usableFromInline var received: UInt64
    /// Backing store of `latency`.
    @usableFromInline var latencyHistogram: Histogram
    /// Backing store of `firstByte`.
    @usableFromInline var firstByteHistogram: Histogram

    /// Nothing recorded yet; allocates the two histograms, the only allocations it will make.
    public init() {
        informational = 0
        successful = 0
        redirected = 0
        clientErrors = 0
        serverErrors = 0
        connectErrors = 0
        timeoutErrors = 0
        resetErrors = 0
        invalidErrors = 0
        sent = 0
        received = 0
        latencyHistogram = Histogram()
        firstByteHistogram = Histogram()
    }

    /// One response and its timings, in nanoseconds from the request being sent upstream. A
    /// status outside 100…599 counts in no class (nor in `requests`), but its timings are still
    /// recorded: the response was forwarded and took that long.
    @inlinable
    public mutating func recordResponse(status: Int, latencyNanoseconds: UInt64, firstByteNanoseconds: UInt64) {
        switch status / 100 {
        case 1: informational &+= 1
        case 2: successful &+= 1
        case 3: redirected &+= 1
        case 4: clientErrors &+= 1
        case 5: serverErrors &+= 1
        default: break
        }
        latencyHistogram.record(latencyNanoseconds)
        firstByteHistogram.record(firstByteNanoseconds)
    }

    /// One attempt that failed without a response.
    @inlinable
    public mutating func recordError(_ kind: UpstreamErrorKind) {
        switch kind {
        case .connect: connectErrors &+= 1
        case .timeout: timeoutErrors &+= 1
        case .reset: resetErrors &+= 1
        case .invalid: invalidErrors &+= 1
        }
    }

    /// Bytes of one attempt: request bytes written upstream, response bytes read from it.
    @inlinable
    public mutating func recordBytes(sent: UInt64, received: UInt64) {
        self.sent &+= sent
        self.received &+= received
    }

    /// Responses by status class: index 1 = 1xx … 5 = 5xx; index 0 is unused and always 0.
    public var responsesByClass: [UInt64] { [0, informational, successful, redirected, clientErrors, serverErrors] }
    /// Failed attempts, indexed by `UpstreamErrorKind.rawValue`.
    public var errors: [UInt64] { [connectErrors, timeoutErrors, resetErrors, invalidErrors] }
    /// Request bytes written to the upstream (head and body).
    public var bytesSent: UInt64 { sent }
    /// Response bytes read from the upstream (head and body).
    public var bytesReceived: UInt64 { received }
    /// Request sent upstream → last response byte, in nanoseconds. Read it from a snapshot: a
    /// reader holding the owner's own copy would make the owner's next record copy 28 KiB.
    public var latency: Histogram { latencyHistogram }
    /// Request sent upstream → response head received, in nanoseconds (same caveat).
    public var firstByte: Histogram { firstByteHistogram }

    /// Attempts: responses of every class plus failed attempts.
    public var requests: UInt64 {
        informational &+ successful &+ redirected &+ clientErrors &+ serverErrors
            &+ connectErrors &+ timeoutErrors &+ resetErrors &+ invalidErrors
    }

    /// Responses of status class `statusClass` (1 … 5); 0 for any other class.
    public func responses(inClass statusClass: Int) -> UInt64 {
        switch statusClass {
        case 1: return informational
        case 2: return successful
        case 3: return redirected
        case 4: return clientErrors
        case 5: return serverErrors
        default: return 0
        }
    }

    /// Failed attempts of one kind.
    public func errors(_ kind: UpstreamErrorKind) -> UInt64 {
        switch kind {
        case .connect: return connectErrors
        case .timeout: return timeoutErrors
        case .reset: return resetErrors
        case .invalid: return invalidErrors
        }
    }
}
