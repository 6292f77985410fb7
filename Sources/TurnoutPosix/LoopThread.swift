import CTurnoutSys
import Glibc

/// Starts an OS thread running `body` (pthread directly: Foundation stays out of this module).
public enum LoopThread {
    private final class Box { let body: () -> Void; init(_ body: @escaping () -> Void) { self.body = body } }

    @discardableResult
    public static func start(name: String, _ body: @escaping () -> Void) -> pthread_t {
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { raw in
            let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
            box.body()
            return nil
        }, box)
        precondition(result == 0, "pthread_create failed: \(Errno(rawValue: result))")
        // Linux limits thread names to 15 bytes; they show in top -H and perf.
        _ = String(name.utf8.prefix(15))!.withCString { cturnout_set_thread_name(thread, $0) }
        return thread
    }

    public static func join(_ thread: pthread_t) { _ = pthread_join(thread, nil) }
}
