import CTurnoutSys
import Glibc
import TurnoutPosix

/// Starts the notification command with posix_spawnp(3): argv as configured (no shell), its
/// standard input the read end of a fresh pipe, standard output to /dev/null, standard error
/// inherited (a failing command's complaint lands in Turnout's own log).
///
/// The child gets a clean signal state whatever Turnout's threads block or ignore (Turnout
/// blocks SIGHUP/SIGINT/SIGTERM for sigwait and ignores SIGPIPE; the notifier's thread blocks
/// SIGPIPE): an empty mask and default dispositions. It leads a process group of its own, so a
/// time limit kills whatever it started too (`sh -c 'sleep 60'`).
enum CommandSpawn {
    /// A running child and the non-blocking, close-on-exec write end of its standard input.
    struct Child {
        var pid: pid_t
        var stdinDescriptor: Int32
    }

    /// Spawns `argv`; the error is the errno of pipe2 or posix_spawnp (ENOENT: no such program).
    static func spawn(_ argv: [String]) throws(Errno) -> Child {
        var ends: [Int32] = [-1, -1]
        // Close-on-exec from the start, so no other child (ours or anyone's in this process)
        // inherits a write end and keeps a command waiting for an end of file that never comes.
        guard cturnout_pipe2(&ends, O_CLOEXEC) == 0 else { throw Errno.current }
        let (readEnd, writeEnd) = (ends[0], ends[1])
        // Only our end is non-blocking: the flag belongs to the open file, and the child's end
        // must block like any standard input.
        let flags = fcntl(writeEnd, F_GETFL)
        _ = fcntl(writeEnd, F_SETFL, flags | O_NONBLOCK)

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // dup2 onto 0 clears close-on-exec for the child's copy.
        posix_spawn_file_actions_adddup2(&actions, readEnd, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGHUP, SIGINT, SIGTERM, SIGQUIT, SIGCHLD, SIGUSR1, SIGUSR2] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))

        let arguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for argument in arguments { free(argument) } }
        var pid: pid_t = 0
        let result = posix_spawnp(&pid, argv[0], &actions, &attributes, arguments, environ)
        _ = close(readEnd)
        guard result == 0 else {
            _ = close(writeEnd)
            throw Errno(rawValue: result)
        }
        return Child(pid: pid, stdinDescriptor: writeEnd)
    }

    /// How a child ended, from waitpid(2)'s status word (the W* macros are not imported).
    enum Exit: Equatable {
        case exited(Int32)
        case signaled(Int32)

        init(status: Int32) {
            let signal = status & 0x7f
            self = signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal)
        }
    }

    /// waitpid(pid, WNOHANG): nil while the child runs; its exit once it ended. A child reaped
    /// by someone else (ECHILD) reports `.signaled(0)`: it is gone, and how is unknown.
    static func poll(_ pid: pid_t) -> Exit? {
        var status: Int32 = 0
        switch retryingInterrupts({ waitpid(pid, &status, WNOHANG) }) {
        case .success(0): return nil
        case .success: return Exit(status: status)
        case .failure: return .signaled(0)
        }
    }

    /// SIGKILL to the child's process group (and to the child itself, should the group be gone).
    static func kill(_ pid: pid_t) {
        // kill(-1) or kill(0) would reach far more than the child: never with a pid we did not get.
        guard pid > 1 else { return }
        _ = Glibc.kill(-pid, SIGKILL)
        _ = Glibc.kill(pid, SIGKILL)
    }
}
