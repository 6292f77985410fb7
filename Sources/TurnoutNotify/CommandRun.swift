import Glibc
import TurnoutPosix

/// One run of the notification command: feeds the entry to the child's standard input through a
/// non-blocking pipe (large entries go in pieces as the child reads), closes it so the child sees
/// the end of file, and kills the child when its time limit passes. Its timer is that limit; the
/// `CommandSender` reaps it.
final class CommandRun: TimerNode, EventHandler {
    unowned let sender: CommandSender
    let pid: pid_t
    private var stdinDescriptor: Int32
    private var registration: Registration?
    private let input: [UInt8]
    private var written = 0
    /// Killed for running past the limit (the sender counts it as a timeout, not a failure).
    private(set) var timedOut = false

    init(sender: CommandSender, child: CommandSpawn.Child, input: [UInt8]) {
        self.sender = sender
        pid = child.pid
        stdinDescriptor = child.stdinDescriptor
        self.input = input
        super.init()
    }

    private var loop: EventLoop { sender.dispatcher.loop }

    /// Arms the time limit and writes as much of the entry as the pipe takes.
    func begin() {
        loop.timers.schedule(self, at: monotonicNanoseconds() &+ sender.dispatcher.settings.timeoutNanoseconds)
        do {
            registration = try loop.register(descriptor: stdinDescriptor, events: EpollEvents.writable | EpollEvents.edgeTriggered,
                                             handler: self)
        } catch {
            // Without epoll the pipe can still take what fits now; a child that wants more
            // than that is ended by its time limit.
        }
        feed()
    }

    /// The pipe has room (or the child closed its end).
    func handleEvents(_ events: UInt32) { feed() }

    private func feed() {
        guard stdinDescriptor >= 0 else { return }
        while written < input.count {
            let result = input.withUnsafeBytes { raw in
                retryingInterrupts { write(stdinDescriptor, raw.baseAddress! + written, raw.count - written) }
            }
            switch result {
            case .success(let n):
                written += n
            case .failure(let error) where error == .wouldBlock:
                return
            case .failure:
                // EPIPE: the child does not read its input (the notifier's thread blocks SIGPIPE,
                // so this is an error, not a signal). Its exit status says whether that is wrong.
                closeInput()
                return
            }
        }
        closeInput()
    }

    /// The time limit passed: the child and its process group are killed; the next reaping
    /// tick collects it.
    override func timerExpired(now: UInt64) {
        timedOut = true
        kill()
    }

    /// SIGKILL now (time limit or stop) and no more input.
    func kill() {
        CommandSpawn.kill(pid)
        closeInput()
    }

    /// The child was reaped: nothing of it is left to watch.
    func ended() {
        loop.timers.remove(self)
        closeInput()
    }

    private func closeInput() {
        guard stdinDescriptor >= 0 else { return }
        if let registration {
            loop.deregister(descriptor: stdinDescriptor, registration: registration)
            self.registration = nil
        }
        _ = close(stdinDescriptor)
        stdinDescriptor = -1
    }
}
