import Glibc
import TurnoutHTTP
import TurnoutMirror
import TurnoutPosix

/// One mirrored request (SPEC §10): the copy of its bytes, the shadow exchange that carries it
/// (and, with the noise filter, a second primary's), the primary's answer as the client got it,
/// and the comparison once every side has ended.
///
/// The primary never waits for it: the client connection only hands it bytes (request bytes as
/// they go upstream, response body bytes as they go to the client) and says when its own exchange
/// ended. The legs write and read on their own connections, driven by those connections' events.
///
/// Ownership: the primary's `Exchange` holds the copy until its exchange ends, each leg holds it
/// until the leg ends, and the copy holds its legs until they have all ended (then drops them),
/// so nothing outlives the last of them and no cycle survives.
final class MirrorCopy {
    /// Unowned(unsafe) is safe: a copy lives on its worker's loop, which the worker owns.
    unowned(unsafe) let worker: Worker
    let policy: MirrorPolicy
    let cell: MirrorCell
    let method: HTTPMethod
    /// The method token and target as the client sent them, for the mismatch log, and the
    /// path without its query, for the noise counts (kept only with the noise filter).
    private let methodText: [UInt8]
    private let target: [UInt8]
    private let path: [UInt8]
    /// What each leg sends: the primary's encoded request head with `X-Turnout-Shadow: 1`, then
    /// the body framed as it went to the primary. At most the head and `max_body_bytes` of body
    /// (and its chunk framing): a longer body abandons the copy.
    private(set) var request: [UInt8]
    /// `request` holds the whole request.
    private(set) var requestComplete: Bool
    /// When the copy was made: both sides' latencies count from here, so their difference is
    /// how much later (or earlier) the shadow's answer ended than the primary's.
    let startedAt: UInt64
    /// The primary's answer, recorded as it passes to the client; nil without `compare`.
    private var primaryRecorder: AnswerRecorder?
    private var primary = PrimaryOutcome.pending
    private var legs: [ShadowLeg] = []
    private var legsRunning = 0
    private var shadowOutcome: ShadowLeg.Outcome?
    private var secondOutcome: ShadowLeg.Outcome?
    /// The copy was given up before it was sent whole (body over the limit, or the client left).
    private var abandoned = false
    private var concluded = false

    enum PrimaryOutcome {
        case pending
        case answered(RecordedAnswer)
        /// The primary's exchange ended without a whole answer from its upstream (a local
        /// error, or the client went away): there is nothing to compare with.
        case failed
    }

    /// The marker every copy carries, so a shadow can tell copies from live traffic.
    static let shadowField: StaticString = "X-Turnout-Shadow: 1\r\n\r\n"

    init(worker: Worker, policy: MirrorPolicy, cell: MirrorCell, method: HTTPMethod, methodText: UnsafeRawBufferPointer,
         target: UnsafeRawBufferPointer, path: UnsafeRawBufferPointer, encodedHead: UnsafeRawBufferPointer, requestComplete: Bool) {
        self.worker = worker
        self.policy = policy
        self.cell = cell
        self.method = method
        self.methodText = Array(methodText)
        self.target = Array(target)
        self.path = policy.noise ? Array(path) : []
        // The encoded head ends with the blank line; the marker goes before it.
        var request: [UInt8] = []
        request.reserveCapacity(encodedHead.count + Self.shadowField.utf8CodeUnitCount + (requestComplete ? 0 : 4096))
        request += encodedHead[..<(encodedHead.count - 2)]
        request += UnsafeRawBufferPointer(start: Self.shadowField.utf8Start, count: Self.shadowField.utf8CodeUnitCount)
        self.request = request
        self.requestComplete = requestComplete
        startedAt = monotonicNanoseconds()
        primaryRecorder = policy.compare ? AnswerRecorder(compareLimit: policy.compareBodyBytes) : nil
    }

    /// Starts the shadow leg and, with the noise filter, the second primary's on a server of
    /// `primaryPool` other than those in `primaryTried` when there is one.
    func launch(primaryPool: PoolRuntime, primaryTried: ServerSet) {
        var started: [ShadowLeg] = [ShadowLeg(copy: self, role: .shadow, pool: worker.pools[policy.shadowPool], excluding: ServerSet())]
        if policy.noise {
            let other = primaryPool.hasServer(excluding: primaryTried) ? primaryTried : ServerSet()
            started.append(ShadowLeg(copy: self, role: .secondPrimary, pool: primaryPool, excluding: other))
        }
        legs = started
        legsRunning = started.count
        for leg in started { leg.start() }
    }

    // MARK: From the primary's exchange

    /// The request bytes that just went into the primary's stream: framing staged for it and
    /// body bytes it will send from the client's buffer. `bodyBytes` is the body so far;
    /// `complete` says the request has ended.
    func requestMoved(staged: UnsafeRawBufferPointer, direct: UnsafeRawBufferPointer, bodyBytes: Int64, complete: Bool) {
        guard !abandoned, !requestComplete else { return }
        if bodyBytes > policy.maxBodyBytes {
            cell.counts.tooLarge &+= 1
            abandon()
            return
        }
        request += staged
        request += direct
        requestComplete = complete
        for leg in legs { leg.requestGrew() }
    }

    /// Response body bytes on their way to the client.
    @inline(__always)
    func primaryBodyMoved(_ bytes: UnsafeRawBufferPointer) {
        primaryRecorder?.record(bytes)
    }

    /// The primary's answer reached the client whole.
    func primaryAnswered(status: Int) {
        guard case .pending = primary else { return }
        primary = .answered(RecordedAnswer(status: status, recorded: primaryRecorder, latencyNanoseconds: monotonicNanoseconds() &- startedAt))
        concludeIfDone()
    }

    /// The primary's exchange ended (answered, failed, or the client left). A request that has
    /// not arrived whole never will: its copy is abandoned and counted as dropped.
    func primaryEnded() {
        if case .pending = primary { primary = .failed }
        if !requestComplete && !abandoned {
            cell.counts.dropped &+= 1
            abandon()
        }
        concludeIfDone()
    }

    // MARK: From the legs

    func legEnded(_ leg: ShadowLeg, _ outcome: ShadowLeg.Outcome) {
        switch leg.role {
        case .shadow: shadowOutcome = outcome
        case .secondPrimary: secondOutcome = outcome
        }
        legsRunning -= 1
        if legsRunning == 0 {
            legs = []
            worker.mirrors.release(slot: policy.slot)
        }
        concludeIfDone()
    }

    private func abandon() {
        abandoned = true
        for leg in legs { leg.abandon() }
    }

    // MARK: The comparison

    /// Once the primary and every leg have ended: the verdict, the latency difference and, for
    /// a mismatch, a record of both answers.
    private func concludeIfDone() {
        guard !concluded, legsRunning == 0, policy.compare, !abandoned else { return }
        let primaryAnswer: RecordedAnswer
        switch primary {
        case .pending: return
        case .answered(let answer): primaryAnswer = answer
        case .failed:
            concluded = true
            // The shadow answered a request the primary could not: nothing to compare with.
            if case .answered = shadowOutcome {
                cell.counts.compared &+= 1
                cell.counts.notCompared &+= 1
            }
            return
        }
        concluded = true
        // A failed shadow was counted as an error when it failed.
        guard case .answered(let shadowAnswer) = shadowOutcome else { return }
        var second: AnswerDigest?
        if case .answered(let answer) = secondOutcome { second = answer.answerDigest }
        let verdict = MirrorComparison.verdict(primary: primaryAnswer.answerDigest, shadow: shadowAnswer.answerDigest, secondPrimary: second)
        let difference = Int64(bitPattern: shadowAnswer.latencyNanoseconds &- primaryAnswer.latencyNanoseconds)
        let kind: MismatchKind?
        switch verdict {
        case .matched, .noise: kind = nil
        case .statusMismatch: kind = .status
        case .bodyMismatch: kind = .body
        case .notCompared: kind = .notCompared
        }
        cell.counts.record(verdict, latencyDifferenceNanoseconds: difference, path: verdict == .noise ? String(decoding: path, as: UTF8.self) : nil)
        guard let kind else { return }
        worker.mirrors.mismatches.append(MirrorMismatch(
            at: Self.unixSeconds(), key: cell.key, kind: kind, method: String(decoding: methodText, as: UTF8.self),
            path: String(decoding: target, as: UTF8.self), primary: primaryAnswer, shadow: shadowAnswer))
    }

    private static func unixSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}

extension RecordedAnswer {
    /// An answer whose body went through `recorder`; without one (the mirror does not compare)
    /// only the status and latency are known.
    init(status: Int, recorded recorder: AnswerRecorder?, latencyNanoseconds: UInt64) {
        guard let recorder else {
            self.init(status: status, bodyBytes: 0, digest: 0, complete: false, prefix: [], latencyNanoseconds: latencyNanoseconds)
            return
        }
        let digest = recorder.digest(status: status)
        self.init(status: status, bodyBytes: digest.bodyBytes, digest: digest.digest, complete: digest.complete,
                  prefix: recorder.prefix, latencyNanoseconds: latencyNanoseconds)
    }

    /// The part of the answer the comparison reads.
    var answerDigest: AnswerDigest { AnswerDigest(status: status, bodyBytes: bodyBytes, digest: digest, complete: complete) }
}
