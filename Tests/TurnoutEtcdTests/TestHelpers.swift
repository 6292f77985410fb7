import Glibc
import TurnoutPosix

/// A failed test precondition, with what went wrong.
struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Seconds since `start` (monotonic nanoseconds).
func secondsSince(_ start: UInt64) -> Double { Double(monotonicNanoseconds() - start) / 1e9 }

extension Array where Element == UInt8 {
    /// The bytes as text, for expectations on JSON.
    var text: String { String(decoding: self, as: UTF8.self) }
}

/// Runs `body` with `bytes` fed whole, then split in two at every offset, then one byte at a
/// time: a decoder must not care where the network cut its input.
func forEverySplit(of bytes: [UInt8], _ body: ([[UInt8]]) throws -> Void) rethrows {
    try body([bytes])
    for cut in 1..<Swift.max(bytes.count, 1) {
        try body([Array(bytes[..<cut]), Array(bytes[cut...])])
    }
    try body(bytes.map { [$0] })
}
