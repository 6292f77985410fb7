import Foundation
import Testing

/// The demo's guarded blue-green lines pasted as printed: the switch line puts web on blue, checks
/// green's /healthz, switches and watches; the printed curl breaks green, and the watch ends with
/// web back on blue and exit code 3.
@Suite struct DemoGuardTests {
    @Test func theDemosGuardedSwitchLineSwitchesBackWhenGreenBreaks() throws {
        let directory = ChildProcess.temporaryPath("demo-guard")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let demo = Process()
        demo.executableURL = URL(fileURLWithPath: ChildProcess.binary)
        demo.arguments = ["demo", "--port", "0"]
        demo.currentDirectoryURL = URL(fileURLWithPath: directory)
        let output = Pipe()
        demo.standardOutput = output
        demo.standardError = FileHandle.nullDevice
        try demo.run()
        defer { if demo.isRunning { kill(demo.processIdentifier, SIGKILL) } }

        // The whole banner, read within 15 s.
        let descriptor = output.fileHandleForReading.fileDescriptor
        var text = ""
        let deadline = Date().addingTimeInterval(15)
        while !text.contains("Ctrl-C stops everything.") && Date() < deadline {
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 100) > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let n = read(descriptor, &chunk, chunk.count)
            if n <= 0 { break }
            text += String(decoding: chunk[0..<n], as: UTF8.self)
        }
        let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let switchLine = try #require(lines.first { $0.contains("--guard 60") }, "no guarded switch line in: \(text)")
        let greenAddress = try #require(lines.first { $0.hasPrefix("green ") }?.split(separator: " ").last.map(String.init))
        let breakLine = try #require(lines.first { $0.hasPrefix("curl") && $0.contains("http://\(greenAddress)/_fixture?error_rate=0.2") },
                                     "no curl line that breaks green in: \(text)")

        // The reference: the demo's background traffic on blue for a few seconds.
        usleep(8_000_000)
        let pasted = Process()
        pasted.executableURL = URL(fileURLWithPath: "/bin/sh")
        pasted.arguments = ["-c", switchLine]
        let screens = Pipe()
        pasted.standardOutput = screens
        let errors = Pipe()
        pasted.standardError = errors
        try pasted.run()
        defer { if pasted.isRunning { kill(pasted.processIdentifier, SIGKILL) } }
        // The switch has happened once the watch draws its first screen.
        usleep(3_000_000)
        #expect(pasted.isRunning, "the watch should be running: \(String(decoding: errors.fileHandleForReading.availableData, as: UTF8.self)) \(pasted.isRunning ? "" : String(decoding: screens.fileHandleForReading.availableData, as: UTF8.self))")
        let broken = Process()
        broken.executableURL = URL(fileURLWithPath: "/bin/sh")
        broken.arguments = ["-c", breakLine]
        broken.standardOutput = FileHandle.nullDevice
        try broken.run()
        broken.waitUntilExit()

        let stopBy = Date().addingTimeInterval(60)
        while pasted.isRunning && Date() < stopBy { usleep(50_000) }
        let screen = String(decoding: screens.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(!pasted.isRunning && pasted.terminationStatus == 3, "\(String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))")
        #expect(screen.contains("— REVERTED, ended"), "\(screen.suffix(1500))")
        #expect(screen.contains("weights:  blue 100, canary 0, green 0"), "\(screen.suffix(1500))")
        #expect(screen.contains("green's error rate"), "\(screen.suffix(1500))")
        kill(demo.processIdentifier, SIGINT)
        let demoStopBy = Date().addingTimeInterval(15)
        while demo.isRunning && Date() < demoStopBy { usleep(20_000) }
        #expect(!demo.isRunning && demo.terminationStatus == 0)
    }
}
