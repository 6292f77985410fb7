import Synchronization

/// What a `FixtureUpstream` shares with its loops: the name's bytes, prepared once, and the
/// switches tests flip while the loops run (health, behaviour), and the `/counter` count. Loops read the behaviour only
/// when its version changed, so the common request costs one atomic load, not a lock.
final class FixtureState: Sendable {
    /// The fixture's name, as given.
    let name: String
    /// `X-Fixture-Name: <name>\r\n`, appended to every response head.
    let nameField: [UInt8]
    /// `<name>\n`: the default body.
    let nameBody: [UInt8]
    /// The body of an injected 500.
    let errorBody: [UInt8]
    /// The body of a 400 for a known route with a malformed number (`/bytes/x`).
    let badRouteBody: [UInt8]
    /// The body of a healthy `/healthz`.
    let healthyBody: [UInt8] = Array("ok".utf8)
    /// The body of an unhealthy `/healthz`.
    let unhealthyBody: [UInt8] = Array("unhealthy".utf8)

    /// Whether `/healthz` answers 200.
    let healthy = Atomic<Bool>(true)
    /// `/counter` answers so far, over all loops.
    let counter = Atomic<Int>(0)
    /// Bumped after every behaviour change; loops compare it with the version they hold.
    let behaviorVersion = Atomic<Int>(0)
    private let behavior: Mutex<FixtureBehavior>
    /// The loops, for `counts()`; emptied by `detach()` when the fixture goes, since each loop
    /// holds this state too.
    private let loops = Mutex<[FixtureLoop]>([])

    init(name: String, behavior: FixtureBehavior) {
        self.name = name
        nameField = Array("X-Fixture-Name: \(name)\r\n".utf8)
        nameBody = Array("\(name)\n".utf8)
        errorBody = Array("\(name): injected error\n".utf8)
        badRouteBody = Array("\(name): malformed number in the path\n".utf8)
        self.behavior = Mutex(behavior)
    }

    /// Makes `counts()` sum over `loops`.
    func attach(_ loops: [FixtureLoop]) { self.loops.withLock { $0 = loops } }

    /// Forgets the loops (breaking the reference cycle).
    func detach() { loops.withLock { $0 = [] } }

    /// Connections accepted and final responses written so far, over all loops.
    func counts() -> (accepted: Int, served: Int) {
        loops.withLock { loops in
            loops.reduce(into: (accepted: 0, served: 0)) {
                $0.accepted += $1.accepted.load(ordering: .relaxed)
                $0.served += $1.served.load(ordering: .relaxed)
            }
        }
    }

    /// Replaces the behaviour; loops pick it up at their next request.
    func setBehavior(_ new: FixtureBehavior) {
        behavior.withLock { $0 = new }
        // Releasing, so a loop that sees the new version and then takes the lock reads `new`.
        behaviorVersion.add(1, ordering: .releasing)
    }

    /// Applies `change` to the behaviour in force, in one step under the lock (two changes at
    /// once, on two loops, both count), and returns the result.
    func changeBehavior(_ change: FixtureBehaviorChange) -> FixtureBehavior {
        let new = behavior.withLock { current in
            current = change.applied(to: current)
            return current
        }
        behaviorVersion.add(1, ordering: .releasing)
        return new
    }

    /// The current behaviour and the version it belongs to.
    func currentBehavior() -> (FixtureBehavior, Int) {
        // The version is read first: if a change lands in between, the loop holds a newer
        // behaviour under an older version and simply reads it again next time.
        let version = behaviorVersion.load(ordering: .acquiring)
        return (behavior.withLock { $0 }, version)
    }
}
