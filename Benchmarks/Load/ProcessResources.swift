import Glibc

/// The open-files limit and a process's resident memory, for sizing and judging a soak.
public enum ProcessResources {
    /// Raises the soft RLIMIT_NOFILE to the hard limit and returns the soft limit now in force
    /// (`Int.max` when unlimited). A soak holds thousands of sockets; the usual soft limit of
    /// 1,024 would cut it short with EMFILE.
    @discardableResult
    public static func raiseDescriptorLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 0 }
        if limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
            _ = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        return limit.rlim_cur >= rlim_t(Int.max) ? .max : Int(limit.rlim_cur)
    }

    /// VmRSS of process `pid` in bytes, from /proc/PID/status; nil when it cannot be read (the
    /// process is gone, or this is not Linux).
    public static func residentBytes(pid: Int32) -> Int? {
        let fd = open("/proc/\(pid)/status", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var text: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        // The file is a few KiB; 16 reads bound the loop.
        for _ in 0..<16 {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            text.append(contentsOf: chunk[0..<n])
        }
        for line in text.split(separator: UInt8(ascii: "\n")) where line.starts(with: Array("VmRSS:".utf8)) {
            let digits = line.drop { $0 < UInt8(ascii: "0") || $0 > UInt8(ascii: "9") }.prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
            guard let kilobytes = Int(String(decoding: digits, as: UTF8.self)) else { return nil }
            return kilobytes * 1024
        }
        return nil
    }
}
