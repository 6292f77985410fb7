import CTurnoutSys
import Glibc
import Synchronization
import Testing
@testable import TurnoutPosix

/// A job posted to a busy loop runs between two handlers of the batch it is working through, not
/// after the whole batch: that is what lets a worker adopt new weights within one handler's work.
struct InboxTests {
    /// An eventfd that is readable from the start; its handler records the order of calls.
    final class ReadyDescriptor: EventHandler {
        let descriptor: Int32
        let onEvent: () -> Void
        init(onEvent: @escaping () -> Void) {
            descriptor = eventfd(1, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
            self.onEvent = onEvent
        }
        deinit { close(descriptor) }
        func handleEvents(_ events: UInt32) {
            var counter: UInt64 = 0
            _ = read(descriptor, &counter, 8)
            onEvent()
        }
    }

    /// Stops the loop if the test's own stop never comes, so a failure cannot hang the run.
    final class Deadline: TimerNode {
        let loop: EventLoop
        init(loop: EventLoop) { self.loop = loop }
        override func timerExpired(now: UInt64) { loop.stop() }
    }

    @Test func aJobPostedDuringABatchRunsBeforeTheNextHandler() throws {
        let loop = try EventLoop(index: 0)
        let count = 8
        let calls = Atomic<Int>(0)
        let jobRanAfterCall = Atomic<Int>(0)
        var descriptors: [ReadyDescriptor] = []
        for _ in 0..<count {
            let ready = ReadyDescriptor {
                let call = calls.add(1, ordering: .relaxed).newValue
                // The first handler of the batch posts, as another thread would; the job notes
                // how many handlers had run when it ran.
                if call == 1 {
                    loop.inbox.post { jobRanAfterCall.store(calls.load(ordering: .relaxed), ordering: .relaxed) }
                }
                if call == count { loop.stop() }
            }
            descriptors.append(ready)
            _ = try loop.register(descriptor: ready.descriptor, events: EpollEvents.readable | EpollEvents.edgeTriggered, handler: ready)
        }
        let deadline = Deadline(loop: loop)
        loop.timers.schedule(deadline, at: loop.now + 5_000_000_000)
        // All eight are ready before the loop's first epoll_wait, so they come in one batch.
        loop.run()
        #expect(calls.load(ordering: .relaxed) == count)
        #expect(jobRanAfterCall.load(ordering: .relaxed) == 1)
    }
}
