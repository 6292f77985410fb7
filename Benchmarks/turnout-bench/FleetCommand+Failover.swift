import Glibc
import TurnoutAdmin
import TurnoutControl
import TurnoutPosix

/// `fleet failover`: one `kill -9` of a rollout's leader. The leader is the instance `/status`
/// names in `fleet.leaders`; once it is killed, every survivor's `/status` and
/// `GET /splits/S/rollout` are polled back to back (every 5 ms) until one of them names another
/// leader, and until the rollout's `looks` grow past what they were when it died. Prints one line,
/// `killed=NAME leader=NAME leader_s=SECONDS looks_s=SECONDS`, for the script to gather runs.
extension FleetCommand {
    static func failover(_ options: inout BenchOptions) throws -> Int32 {
        let sockets = try pairs(options.required("--sockets"), option: "--sockets")
        let pids = try pairs(options.required("--pids"), option: "--pids").map { pair in
            guard let pid = pid_t(pair.value), pid > 0 else { throw BenchUsageError("--pids expects NAME=PID, got \(pair.name)=\(pair.value)") }
            return (name: pair.name, pid: pid)
        }
        let split = options.value("--split") ?? "web"
        let timeout = Double(try options.integer("--timeout-s", default: 30, in: 1...600))
        try options.expectEmpty()
        let admins = sockets.map { (name: $0.name, client: AdminClient(endpoint: .unix(path: $0.value), timeout: 2)) }

        // The leader, as the first instance that names one says (10 s at most).
        var leader: String?
        for _ in 0..<1_000 where leader == nil {
            for admin in admins {
                if let name = try? document(StatusDocument.self, admin.client, "/status").fleet?.leaders[split] {
                    leader = name
                    break
                }
            }
            if leader == nil { usleep(10_000) }
        }
        guard let leader else { throw BenchUsageError("no instance names a leader of split \(split)'s rollout within 10 s") }
        guard let pid = pids.first(where: { $0.name == leader })?.pid else {
            throw BenchUsageError("the leader is \(leader), whose PID --pids does not give")
        }
        let survivors = admins.filter { $0.name != leader }
        guard !survivors.isEmpty else { throw BenchUsageError("no instance but the leader \(leader) to watch") }

        guard kill(pid, SIGKILL) == 0 else { throw BenchUsageError("kill -9 \(pid) (\(leader)): \(Errno.current)") }
        let killed = monotonicNanoseconds()
        let seconds = { (time: UInt64) in Double(time - killed) / 1e9 }
        var newLeader: (name: String, at: UInt64)?
        var looksGrew: UInt64?
        // The looks the dead leader made: the most any survivor reports in the first 300 ms (its
        // last look may still be on its way through etcd). No successor can look that soon: the
        // dead leader's lease outlives it by a second or more.
        var looksAtDeath = 0
        while looksGrew == nil || newLeader == nil {
            let now = monotonicNanoseconds()
            guard seconds(now) < timeout else { break }
            for admin in survivors {
                if newLeader == nil, let name = try? document(StatusDocument.self, admin.client, "/status").fleet?.leaders[split],
                   name != leader {
                    newLeader = (name, monotonicNanoseconds())
                }
                guard let looks = try? document(RolloutDocument.self, admin.client, "/splits/\(split)/rollout").looks else { continue }
                if seconds(now) < 0.3 {
                    looksAtDeath = max(looksAtDeath, looks)
                } else if looksGrew == nil && looks > looksAtDeath {
                    looksGrew = monotonicNanoseconds()
                }
            }
            usleep(5_000)
        }
        let leaderText = newLeader.map { String(format: "%.3f", seconds($0.at)) } ?? "none"
        let looksText = looksGrew.map { String(format: "%.3f", seconds($0)) } ?? "none"
        print("killed=\(leader) pid=\(pid) leader=\(newLeader?.name ?? "none") leader_s=\(leaderText) looks_s=\(looksText) looks_at_death=\(looksAtDeath)")
        return newLeader != nil && looksGrew != nil ? 0 : 2
    }
}
