import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Reads, parses, decodes and validates a configuration: the only way to get a `Config` from
/// text. Used at start-up, by `turnout check` and on reload (never on the request path).
public enum ConfigLoader {
    /// Files larger than this are refused before parsing; a real configuration is a few KiB.
    public static let maxFileBytes = 16 << 20

    /// Loads the configuration file at `path`.
    ///
    /// - Throws: every problem found, each with its JSON path; an unreadable file is one error
    ///   with the empty path and the operating system's reason.
    public static func load(path: String) throws(ConfigErrors) -> Config {
        let bytes: [UInt8]
        switch readFile(path) {
        case .success(let contents): bytes = contents
        case .failure(let error): throw ConfigErrors(source: path, errors: [error])
        }
        return try decode(bytes, source: path)
    }

    /// Decodes and validates configuration text; `source` names it in error messages.
    public static func decode(_ bytes: [UInt8], source: String) throws(ConfigErrors) -> Config {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
        } catch {
            throw ConfigErrors(source: source, errors: [syntaxError(error, in: bytes)])
        }
        let decoder = ConfigDecoder()
        // What JSONSerialization let through silently: duplicate keys and trailing commas.
        for problem in JSONSyntax.problems(in: bytes) {
            decoder.reader.report(problem.error)
        }
        let config = decoder.decode(JSONValue(foundation: object))
        guard let config, decoder.reader.errors.isEmpty else {
            throw ConfigErrors(source: source, errors: decoder.reader.errors)
        }
        return config
    }

    /// One document-level error for a JSON syntax error, with line and column when the
    /// parser gave a position.
    private static func syntaxError(_ error: Error, in bytes: [UInt8]) -> ConfigError {
        let reason = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
        guard let offset = JSONSyntax.offset(inMessage: reason) else {
            return ConfigError(path: "", message: "invalid JSON: \(reason)")
        }
        let (line, column) = JSONSyntax.lineColumn(offset: offset, in: bytes)
        return ConfigError(path: "", message: "invalid JSON at line \(line), column \(column): \(reason)")
    }

    /// The whole file, or an error carrying `strerror(errno)`.
    private static func readFile(_ path: String) -> Result<[UInt8], ConfigError> {
        func failure(_ what: String) -> Result<[UInt8], ConfigError> {
            .failure(ConfigError(path: "", message: "cannot read the configuration file: \(what)"))
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { return failure(String(cString: strerror(errno))) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return failure(String(cString: strerror(errno)))
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
            if bytes.count > maxFileBytes {
                return failure("it is larger than \(maxFileBytes >> 20) MiB")
            }
        }
        return .success(bytes)
    }
}
