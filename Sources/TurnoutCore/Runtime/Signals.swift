import Glibc

/// Process signals handled synchronously: they are blocked in every thread (threads inherit
/// the mask, so block before starting workers) and taken one at a time with sigwait(2) by the
/// thread that asks — no async-signal-safety puzzles, no handler racing the workers.
public enum ProcessSignal: Int32, Sendable {
    case hangUp = 1      // SIGHUP: reload
    case interrupt = 2   // SIGINT: graceful stop
    case terminate = 15  // SIGTERM: graceful stop

    /// Blocks the handled signals in the calling thread (and every thread it starts later),
    /// and ignores SIGPIPE: a write to a closed peer must return EPIPE, not kill the process.
    /// SIGUSR2 (a binary upgrade) is blocked too, for the one thread that waits for it.
    public static func blockAll() {
        signal(SIGPIPE, SIG_IGN)
        var set = handledSet()
        sigaddset(&set, SIGUSR2)
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// Waits for SIGUSR2, the binary-upgrade signal; apart from `next()`, so that the thread
    /// handling upgrades never takes a reload or a stop.
    public static func waitForUpgrade() {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGUSR2)
        var number: Int32 = 0
        while sigwait(&set, &number) != 0 || number != SIGUSR2 {}
    }

    /// Waits for the next handled signal.
    public static func next() -> ProcessSignal {
        var set = handledSet()
        while true {
            var number: Int32 = 0
            if sigwait(&set, &number) == 0, let signal = ProcessSignal(rawValue: number) { return signal }
        }
    }

    private static func handledSet() -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGHUP)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        return set
    }
}
