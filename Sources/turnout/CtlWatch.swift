import Glibc
import TurnoutAdmin
import TurnoutControl

/// `ctl rollout watch` and `ctl guard watch`: a release's report redrawn once a second until it
/// ends. The exit codes are the same for both: the release's own when it ends (0 or 3), 2 when
/// turnout stops answering or the report cannot be read, 1 when the API refuses.
enum CtlWatch {
    /// Reads `path` as a `Document` every second and shows `screen`'s text, until `screen` gives
    /// an exit code.
    static func run<Document: Decodable>(client: AdminClient, path: String, what: String,
                                         screen: (Document) -> (text: String, exit: Int32?)) -> Int32 {
        let interactive = isatty(STDOUT_FILENO) == 1
        while true {
            let answer: (status: Int, body: String)
            do {
                answer = try client.send("GET", path)
            } catch {
                printError("ctl: \(error)")
                return 2
            }
            guard answer.status == 200 else {
                printError("ctl: \(CtlFormat.errorMessage(answer.body) ?? "the admin API answered \(answer.status)")")
                return answer.status >= 500 ? 2 : 1
            }
            let document: Document
            do {
                document = try DocumentJSON.decode(Document.self, from: answer.body)
            } catch {
                printError("ctl: \(what) could not be read: \(error)")
                return 2
            }
            let (text, exit) = screen(document)
            // A terminal is redrawn in place; a pipe gets one screen after another.
            writeStandardOutput((interactive ? "\u{1B}[H\u{1B}[2J" : "") + text + (interactive ? "" : "\n"))
            if let exit { return exit }
            sleep(1)
        }
    }
}
