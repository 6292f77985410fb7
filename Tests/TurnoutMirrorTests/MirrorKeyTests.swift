import Testing
import TurnoutMirror

/// Keys sort by route, then pool, then shadow, so reports list them in a stable order.
struct MirrorKeyTests {
    @Test func sortsByRouteThenPoolThenShadow() {
        let sorted = [
            MirrorKey(route: "routes[0]", pool: "blue", shadow: "green"),
            MirrorKey(route: "routes[0]", pool: "blue", shadow: "shadow"),
            MirrorKey(route: "routes[0]", pool: "canary", shadow: "a"),
            MirrorKey(route: "routes[1]", pool: "a", shadow: "a"),
        ]
        #expect(sorted.reversed().sorted() == sorted)
        #expect(!(sorted[0] < sorted[0]))
    }

    @Test func equalFieldsAreOneKey() {
        let keys: Set = [MirrorKey(route: "r", pool: "p", shadow: "s"), MirrorKey(route: "r", pool: "p", shadow: "s"),
                         MirrorKey(route: "r", pool: "s", shadow: "p")]
        #expect(keys.count == 2)
    }
}
