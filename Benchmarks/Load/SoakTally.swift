import TurnoutMetrics

/// What happened to the connections of one kind.
public struct SoakKindTally: Sendable, Equatable {
    /// Connects that completed.
    public var opened = 0
    /// Established connections the proxy ended (end of file, reset, or a broken pipe on write).
    public var closedByProxy = 0
    /// Connects that failed or timed out, and any other socket error.
    public var errors = 0
    /// Connected and not yet closed, now.
    public var held = 0
    /// Held when the soak ended, just before it closed them.
    public var heldAtEnd = 0
    /// The most held at once on one thread (summed over threads: an upper bound of the
    /// simultaneous peak when there are several).
    public var peakHeld = 0

    public init() {}

    /// Adds another thread's counts.
    mutating func merge(_ other: SoakKindTally) {
        opened += other.opened
        closedByProxy += other.closedByProxy
        errors += other.errors
        held += other.held
        heldAtEnd += other.heldAtEnd
        peakHeld += other.peakHeld
    }
}

/// Everything a soak counted, per thread while it runs and merged at the end.
public struct SoakTally: Sendable {
    public var kinds = [SoakKindTally](repeating: SoakKindTally(), count: SoakKind.allCases.count)
    /// The most connections of all kinds held at once (per thread, summed like `peakHeld`).
    public var peakHeldTotal = 0
    /// 408 responses the slowloris connections read before their close.
    public var slowloris408 = 0
    /// How long a slowloris connection was held, from connect to the proxy's close.
    public var slowlorisHeldFor = Histogram()
    /// Idle connections' one request: answered 200, or anything else (a status, a reset, a timeout).
    public var idleAnswered = 0
    public var idleFailures = 0
    public var fastCompleted = 0
    public var fastNon200 = 0
    /// Fast connections closed or reset while a request was in flight.
    public var fastResets = 0
    public var fastTimeouts = 0
    public var fastLatency = Histogram()
    /// The fewest 200s any one fast connection slot got: 0 means a client was starved.
    public var fastFewestCompleted = Int.max

    public init() {}

    /// The counts of one kind.
    public subscript(kind: SoakKind) -> SoakKindTally {
        get { kinds[kind.rawValue] }
        set { kinds[kind.rawValue] = newValue }
    }

    /// Fast requests that did not end in a 200: what makes `turnout-bench soak` exit non-zero.
    public var fastFailures: Int { fastNon200 + fastResets + fastTimeouts }
    /// Connections of every kind held now.
    public var held: Int { kinds.reduce(0) { $0 + $1.held } }

    /// Adds another thread's counts (peaks add up: see `peakHeld`).
    public mutating func merge(_ other: SoakTally) {
        for index in kinds.indices { kinds[index].merge(other.kinds[index]) }
        peakHeldTotal += other.peakHeldTotal
        slowloris408 += other.slowloris408
        slowlorisHeldFor.merge(other.slowlorisHeldFor)
        idleAnswered += other.idleAnswered
        idleFailures += other.idleFailures
        fastCompleted += other.fastCompleted
        fastNon200 += other.fastNon200
        fastResets += other.fastResets
        fastTimeouts += other.fastTimeouts
        fastLatency.merge(other.fastLatency)
        fastFewestCompleted = min(fastFewestCompleted, other.fastFewestCompleted)
    }
}

/// Connections held now, per kind: what a soak reports while it runs.
public struct SoakHeld: Sendable, Equatable {
    public var slowloris = 0
    public var idle = 0
    public var fast = 0
    public var total: Int { slowloris + idle + fast }
    public init() {}
}
