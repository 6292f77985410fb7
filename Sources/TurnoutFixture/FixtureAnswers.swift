/// The bytes of the default route's answers under one `FixtureBehavior`, prepared by each loop
/// when the behaviour changes, so a request builds none: the body, the diverged body, and the
/// path prefix that selects the latter.
struct FixtureAnswers {
    /// `<bodyName>\n` (the fixture's name when the behaviour has no `bodyName`).
    let body: [UInt8]
    /// `<bodyName> (diverged)\n`.
    let divergedBody: [UInt8]
    /// The behaviour's `divergePrefix` as bytes; nil when no path diverges.
    let divergePrefix: [UInt8]?

    init(name: String, behavior: FixtureBehavior) {
        let said = behavior.bodyName ?? name
        body = Array("\(said)\n".utf8)
        divergedBody = Array("\(said) (diverged)\n".utf8)
        divergePrefix = behavior.divergePrefix.map { Array($0.utf8) }
    }
}
