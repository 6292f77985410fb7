import TurnoutConfig

/// `turnout check [-c FILE]`: validates a configuration like `nginx -t`, printing every error
/// with its JSON path. Exit 0 when valid, 1 otherwise.
enum CheckCommand {
    static func run(_ arguments: inout Arguments) throws(UsageError) -> Int32 {
        let path = try arguments.option("-c", "--config") ?? RunCommand.defaultConfigPath
        try arguments.expectEmpty()
        do {
            let config = try ConfigLoader.load(path: path)
            // Routes that mirror, after resolving each route's own setting against the top level;
            // left out when none does, so the line reads as before for a config without a mirror.
            let mirrored = config.routes.indices.filter { config.mirror(forRoute: $0) != nil }.count
            let mirrorNote = mirrored > 0 ? ", \(counted(mirrored, "mirrored route"))" : ""
            print("\(path): ok (\(counted(config.pools.count, "pool")), \(counted(config.splits.count, "split")), "
                + "\(counted(config.routes.count, "route"))\(mirrorNote))")
            return 0
        } catch {
            printError(error.description)
            return 1
        }
    }
}

/// "1 pool", "3 pools".
private func counted(_ count: Int, _ noun: String) -> String {
    "\(count) \(noun)\(count == 1 ? "" : "s")"
}
