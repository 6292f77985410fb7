/// Records one answer's body as it passes through the proxy: its length, its digest up to the
/// compare limit, and its first bytes for the mismatch log.
///
/// The data path keeps one recorder per side of each shadow exchange and reuses it with `reset`,
/// so in steady state recording allocates nothing: the prefix array keeps its capacity, and
/// `record` only copies into it and updates the digest.
public struct AnswerRecorder: Sendable {
    /// Bytes of the body kept for `GET /mirror` (SPEC §10: "the first bytes of both bodies").
    /// (A computed constant rather than a `static let`, so the inlined `record` pays no
    /// lazy-global initialisation check.)
    @inlinable public static var prefixLimit: Int { 256 }

    /// Bytes digested at most; a longer body is counted but not compared.
    @usableFromInline var compareLimit: Int64
    /// Digest of the body's first `min(total, compareLimit)` bytes.
    @usableFromInline var bodyDigest: BodyDigest
    /// Body bytes seen, past the limit too.
    @usableFromInline var total: Int64
    /// True while every byte seen so far was within the limit.
    @usableFromInline var complete: Bool
    /// The first `prefixLimit` bytes; its capacity survives `reset`.
    @usableFromInline var prefixBytes: [UInt8]

    /// A recorder for a new answer; `compareLimit` is the mirror's `max_body_bytes` (negative
    /// limits count as 0). The only allocation a recorder makes: the prefix's storage.
    public init(compareLimit: Int) {
        self.compareLimit = Int64(max(0, compareLimit))
        bodyDigest = BodyDigest()
        total = 0
        complete = true
        prefixBytes = []
        prefixBytes.reserveCapacity(AnswerRecorder.prefixLimit)
    }

    /// Starts over for the next answer, keeping the prefix's storage. If a copy of `prefix` is
    /// still held elsewhere (a `RecordedAnswer` of the last mismatch), the storage is shared and
    /// this allocates once; otherwise it allocates nothing.
    public mutating func reset(compareLimit: Int) {
        self.compareLimit = Int64(max(0, compareLimit))
        bodyDigest = BodyDigest()
        total = 0
        complete = true
        prefixBytes.removeAll(keepingCapacity: true)
    }

    /// Records the next bytes of the body. Bytes past the compare limit are counted, not
    /// digested, and mark the answer incomplete; the digest then covers exactly the first
    /// `compareLimit` bytes, however the body was split, so it still identifies that prefix.
    @inlinable
    public mutating func record(_ bytes: UnsafeRawBufferPointer) {
        let count = bytes.count
        guard count > 0 else { return }
        let room = AnswerRecorder.prefixLimit &- prefixBytes.count
        if room > 0 {
            prefixBytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes.prefix(room)))
        }
        if complete {
            // While complete, total ≤ compareLimit, so `left` is never negative.
            let left = compareLimit &- total
            if Int64(count) <= left {
                bodyDigest.update(bytes)
            } else {
                bodyDigest.update(UnsafeRawBufferPointer(rebasing: bytes.prefix(Int(left))))
                complete = false
            }
        }
        total &+= Int64(count)
    }

    /// The answer's digest for the comparison, once its body has ended.
    public func digest(status: Int) -> AnswerDigest {
        AnswerDigest(status: status, bodyBytes: total, digest: bodyDigest.value, complete: complete)
    }

    /// The body's first bytes (at most `prefixLimit`).
    public var prefix: [UInt8] { prefixBytes }

    /// Body bytes recorded so far.
    public var bodyBytes: Int64 { total }
}
