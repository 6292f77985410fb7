/// Plain counters owned by one worker (no atomics: only its thread writes them). Readers get a
/// copy through the worker's inbox and add the workers' copies up.
public struct WorkerCounters: Sendable, Equatable {
    public var acceptedConnections = 0
    public var openConnections = 0
    public var acceptPauses = 0
    /// Requests rejected by the codec or limits, by status (400, 413, 414, 431, 501, 505, …).
    public var rejectedByStatus: [Int: Int] = [:]
    public var notRouted = 0
    public var responsesByClass = [Int](repeating: 0, count: 6)
    public var connectFailures = 0
    public var upstreamResets = 0
    public var upstreamTimeouts = 0
    public var invalidResponses = 0
    public var upstreamFailures = 0
    public var retries = 0
    public var clientTimeouts = 0

    public init() {}

    mutating func rejected(status: Int) { rejectedByStatus[status, default: 0] += 1 }

    @inline(__always)
    mutating func responses(status: Int) {
        let index = status / 100
        if index >= 1 && index <= 5 { responsesByClass[index] += 1 }
    }

    /// Adds another worker's counters (for totals across workers).
    public mutating func add(_ other: WorkerCounters) {
        acceptedConnections += other.acceptedConnections
        openConnections += other.openConnections
        acceptPauses += other.acceptPauses
        for (status, count) in other.rejectedByStatus { rejectedByStatus[status, default: 0] += count }
        notRouted += other.notRouted
        for i in responsesByClass.indices { responsesByClass[i] += other.responsesByClass[i] }
        connectFailures += other.connectFailures
        upstreamResets += other.upstreamResets
        upstreamTimeouts += other.upstreamTimeouts
        invalidResponses += other.invalidResponses
        upstreamFailures += other.upstreamFailures
        retries += other.retries
        clientTimeouts += other.clientTimeouts
    }
}
