import TurnoutHTTP
import TurnoutPosix

extension ClientConnection {
    /// Makes a shadow copy of the request just routed, when its route mirrors, its method is
    /// listed and the sampling draw says so; counts a copy that cannot be made (a body over the
    /// limit, or the worker's copies at `max_in_flight`). Runs after the primary's upstream is
    /// attached, so the second primary of the noise filter can be another server, and before
    /// any byte of the body has been read: the copy sees every byte from the first.
    func startMirror(_ policy: MirrorPolicy, route: Int, pool: Int, request: RequestHead, source: UnsafeRawBufferPointer) {
        guard !request.upgrade, policy.mirrorsMethod(of: request, source: source) else { return }
        if policy.samplingThreshold < MirrorPolicy.samplingScale {
            var random = worker.random
            let draw = random.below(MirrorPolicy.samplingScale)
            worker.random = random
            guard draw < policy.samplingThreshold else { return }
        }
        let cell = worker.mirrors.cell(route: route, pool: pool, policy: policy, routing: worker.snapshot.routing)
        if case .contentLength(let length) = request.framing, length > policy.maxBodyBytes {
            cell.counts.tooLarge &+= 1
            return
        }
        guard worker.mirrors.admit(policy), let out = exchange.upstreamOutbound, let primaryPool = exchange.pool else {
            cell.counts.dropped &+= 1
            return
        }
        cell.counts.mirrored &+= 1
        // Nothing has been written upstream yet: the encoded head is still at the buffer's start.
        let copy = MirrorCopy(worker: worker, policy: policy, cell: cell, method: request.method,
                              methodText: UnsafeRawBufferPointer(rebasing: source[request.methodBytes]),
                              target: UnsafeRawBufferPointer(rebasing: source[request.target]),
                              path: UnsafeRawBufferPointer(rebasing: source[request.path]),
                              encodedHead: UnsafeRawBufferPointer(start: out.readPointer, count: exchange.encodedHeadLength),
                              requestComplete: exchange.requestBody.inputDone)
        exchange.mirror = copy
        copy.launch(primaryPool: primaryPool, primaryTried: exchange.attempts.tried)
    }

    /// What one step of a body transfer put into the primary's stream goes to the copy too:
    /// request bytes (the framing just staged and the body bytes about to be sent from the
    /// client's buffer) or the primary's response body bytes, for the comparison. From the same
    /// buffers, before they are sent: no second read of either side.
    func copyForMirror(_ mirror: MirrorCopy, _ direction: Direction, source: ByteBuffer, staging: ByteBuffer, stagedBefore: Int) {
        switch direction {
        case .towardsUpstream:
            let added = staging.readableCount - stagedBefore
            mirror.requestMoved(staged: UnsafeRawBufferPointer(start: staging.writePointer - added, count: added),
                                direct: UnsafeRawBufferPointer(start: source.readPointer, count: exchange.requestBody.direct),
                                bodyBytes: exchange.requestBody.transferred, complete: exchange.requestBody.inputDone)
        case .towardsClient:
            mirror.primaryBodyMoved(UnsafeRawBufferPointer(start: source.readPointer, count: exchange.responseBody.direct))
        }
    }
}
