import Glibc
import TurnoutSimulation

/// `turnout-bench`: Turnout's benchmark tools. `simulate` replays canary rollouts through the
/// analyzer and two reference judges and prints their table; `upstream` serves the fixture
/// upstream for load tests; `switch` times an admin switch until traffic follows it; `micro` times the data
/// path's recording; `load` drives keep-alive load; `soak` holds slowloris, idle and fast
/// connections against a proxy; `fleet` measures a fleet on etcd (propagation, failover, writes).
let usage = """
    usage: turnout-bench <command> [options]

      simulate [--rollouts N] [--seed S] [--cells LIST] [--threads T] [--judges LIST]
               replay canary rollouts through Turnout's analyzer and two reference judges
      simulate --guards [--runs N] [--high-rate-runs N] [--seed S] [--threads T]
               replay guarded blue-green switches through Turnout's guard and a fixed-threshold one

    """ + LoadCommand.usage + SoakCommand.usage + UpstreamCommand.usage + SwitchCommand.usage + MicroCommand.usage + FleetCommand.usage

let arguments = Array(CommandLine.arguments.dropFirst())
// `turnout-bench upstream --help` and the like: the usage, rather than a complaint about a
// missing option.
if arguments.dropFirst().contains(where: { $0 == "--help" || $0 == "-h" }) {
    print(usage, terminator: "")
    exit(0)
}
switch arguments.first {
case "simulate":
    exit(SimulatorCommand.run(arguments: Array(arguments.dropFirst())))
case "load":
    exit(LoadCommand.run(arguments: Array(arguments.dropFirst())))
case "soak":
    exit(SoakCommand.run(arguments: Array(arguments.dropFirst())))
case "upstream":
    exit(UpstreamCommand.run(arguments: Array(arguments.dropFirst())))
case "switch":
    exit(SwitchCommand.run(arguments: Array(arguments.dropFirst())))
case "micro":
    exit(MicroCommand.run(arguments: Array(arguments.dropFirst())))
case "fleet":
    exit(FleetCommand.run(arguments: Array(arguments.dropFirst())))
case "help", "--help", "-h":
    print(usage, terminator: "")
    exit(0)
default:
    writeStandardError(usage)
    exit(1)
}
