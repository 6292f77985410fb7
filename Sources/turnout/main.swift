import Glibc

/// `turnout`: one binary, subcommands. Exit codes: 0 ok, 1 usage or configuration error,
/// 2 runtime failure.
let usage = """
    usage: turnout <command> [options]

      run   [-c FILE] [--takeover]
                        run the proxy in the foreground (default conf/turnout.json); with
                        --takeover, replace the turnout running with that file's admin socket
                        (same ports; it drains and exits once this one serves)
      check [-c FILE]   validate a configuration; print every error with its JSON path
      demo  [--port N] [--traffic N]
                        start blue, green and canary fixture upstreams and the proxy on loopback,
                        with N requests/s of background traffic (200; 0 for none)
      ctl   VERB …      talk to a running turnout's admin API (turnout ctl --help)
      version           print the version

    """

var arguments = Arguments(Array(CommandLine.arguments.dropFirst()))
let command = arguments.words.first
if command != nil { arguments = Arguments(Array(arguments.words.dropFirst())) }

let status: Int32
do {
    switch command {
    case "run": status = try RunCommand.run(&arguments)
    case "check": status = try CheckCommand.run(&arguments)
    case "demo": status = try DemoCommand.run(&arguments)
    case "ctl": status = try CtlCommand.run(&arguments)
    case "version", "--version": print("turnout \(TurnoutVersion.current)"); status = 0
    case "help", "--help", "-h": print(usage, terminator: ""); status = 0
    case nil: writeStandardError(usage); status = 1
    case let other?: throw UsageError("unknown command \"\(other)\"")
    }
} catch {
    printError("\(error) (see turnout --help)")
    status = 1
}
exit(status)
