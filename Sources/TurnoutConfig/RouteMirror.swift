/// A route's own `mirror` setting (SPEC §10): whether it follows the top-level mirror, opts out,
/// or mirrors by its own rules.
public enum RouteMirror: Sendable, Equatable {
    /// The key is absent: the top-level mirror, if any, applies.
    case inherit
    /// `"mirror": null`: the route is never mirrored, whatever the top level says.
    case off
    /// The route's own mirror, which replaces the top-level one as a whole (fields are not merged).
    case mirror(MirrorConfig)

    /// The mirror that applies to the route, given the top-level one; nil when none does.
    public func resolved(over topLevel: MirrorConfig?) -> MirrorConfig? {
        switch self {
        case .inherit: return topLevel
        case .off: return nil
        case .mirror(let own): return own
        }
    }
}
