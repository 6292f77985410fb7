import Glibc
import TurnoutControl
import TurnoutCore
import TurnoutPosix

/// SIGUSR2 to a running `turnout run` starts the binary installed at its path (a new version once
/// the package was upgraded) as `turnout run -c FILE --takeover`, the way nginx and HAProxy
/// replace their binary: the new process inherits this one's listening sockets, takes the admin
/// socket over, and once it serves tells this one to drain and exit (`Takeover`). The sockets are
/// the same ones, never closed, so a connection queued or arriving during the handover is accepted
/// by one process or the other: none is reset (binding new sockets beside the old ones with
/// `SO_REUSEPORT` would reset those queued on the old ones when they close). Under systemd
/// the new process is in the unit's cgroup and names itself the main process (`MAINPID`), so the
/// service stays active throughout; `systemctl kill -s SIGUSR2 --kill-whom=main turnout` is the
/// whole upgrade. If the new process fails to start, this one keeps serving and says why.
enum BinaryUpgrade {
    /// Starts the thread that waits for SIGUSR2 (blocked in every thread by
    /// `ProcessSignal.blockAll`, so only this thread takes it).
    ///
    /// Rollouts stop taking steps here while the successor starts: it reads the state file when
    /// it starts, and a step this process took after that would be lost to it. They go on here
    /// if the successor fails to take over.
    static func listen(configPath: String, server: ProxyServer, rollouts: RolloutController) {
        // The path of this executable, read now: after a package upgrade replaced the file,
        // /proc/self/exe names it with " (deleted)" appended, and the path is what is wanted.
        let executable = executablePath()
        LoopThread.start(name: "turnout-upgrade") {
            while true {
                ProcessSignal.waitForUpgrade()
                rollouts.stop()
                upgrade(executable: executable, configPath: configPath, listeners: server.listeningDescriptors)
                rollouts.start()
            }
        }
    }

    /// The environment variable that hands listening sockets to the new process:
    /// `ADDRESS=FD,FD;ADDRESS=FD,…` with each address as configured.
    static let listenersVariable = "TURNOUT_LISTEN_FDS"

    /// The listening sockets the previous process handed over, per configured address; the
    /// variable is removed so that they are not handed on again by mistake.
    static func inheritedListeners() -> [String: [Int32]] {
        guard let value = getenv(listenersVariable).map({ String(cString: $0) }) else { return [:] }
        unsetenv(listenersVariable)
        var table: [String: [Int32]] = [:]
        for entry in value.split(separator: ";") {
            guard let equals = entry.lastIndex(of: "=") else { continue }
            let descriptors = entry[entry.index(after: equals)...].split(separator: ",").compactMap { Int32($0) }
            // A listener is this process's own from here: close it on any exec of a helper.
            for descriptor in descriptors { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
            table[String(entry[..<equals]), default: []] += descriptors
        }
        return table
    }

    private static func upgrade(executable: String, configPath: String, listeners: [(address: String, descriptors: [Int32])]) {
        let arguments = [executable, "run", "-c", configPath, "--takeover"]
        printNotice("SIGUSR2: starting \(arguments.joined(separator: " ")); this process drains once it serves")
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        // Each listener is duplicated into the new process above every descriptor handed over,
        // so no duplication overwrites a descriptor another one still reads from; dup2 clears
        // close-on-exec on the copy, and only on it (a helper spawned meanwhile gets none).
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var next = (listeners.flatMap(\.descriptors).max() ?? 2) + 1
        var handed: [String] = []
        for (address, descriptors) in listeners {
            var targets: [String] = []
            for descriptor in descriptors {
                posix_spawn_file_actions_adddup2(&actions, descriptor, next)
                targets.append(String(next))
                next += 1
            }
            handed.append("\(address)=\(targets.joined(separator: ","))")
        }
        var environment = ProcessInfoEnvironment.current.filter { !$0.hasPrefix(listenersVariable + "=") }
        environment.append("\(listenersVariable)=\(handed.joined(separator: ";"))")
        var envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0) } + [nil]
        defer { for pointer in envp { free(pointer) } }
        var pid: pid_t = 0
        // The successor inherits the environment ($NOTIFY_SOCKET), the working directory (a
        // relative -c path) and stderr (the journal). The signal mask is reset: it blocks its own.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
        let result = posix_spawn(&pid, executable, &actions, &attributes, &argv, &envp)
        guard result == 0 else {
            printError("SIGUSR2: cannot start \(executable): \(Errno(rawValue: result)); this process keeps serving")
            return
        }
        // Reap it if it fails; a successor that serves outlives this process and is never reaped here.
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        printError("SIGUSR2: the new process (pid \(pid)) exited with status \((status >> 8) & 0xff) before taking over; this process keeps serving")
    }

    private static func executablePath() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return CommandLine.arguments[0] }
        let path = String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return path.hasSuffix(" (deleted)") ? String(path.dropLast(" (deleted)".count)) : path
    }
}

/// This process's environment as `NAME=value` strings, read from `environ`.
private enum ProcessInfoEnvironment {
    static var current: [String] {
        var entries: [String] = []
        var cursor = environ
        while let entry = cursor.pointee {
            entries.append(String(cString: entry))
            cursor += 1
        }
        return entries
    }
}
