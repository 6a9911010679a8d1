import Foundation
public import Logging
import Synchronization

/// `log_format: json`: one JSON object a line, `{"time", "level", "label", "message",
/// "metadata"}`, for collectors that index fields rather than parse text. It writes what it is
/// given and nothing more: the gateway's log calls carry ids, codes and agencies, never claim
/// values, whichever format prints them.
public struct JSONLogHandler: LogHandler {
    /// Where finished lines go, each with its newline; one call a line, so that lines from
    /// different threads never interleave.
    public typealias Sink = @Sendable (String) -> Void

    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let sink: Sink

    public init(label: String, metadataProvider: Logger.MetadataProvider? = nil, sink: @escaping Sink) {
        self.label = label
        self.metadataProvider = metadataProvider
        self.sink = sink
    }

    /// Lines to standard error, written whole.
    public static func standardError(label: String, metadataProvider: Logger.MetadataProvider? = nil) -> JSONLogHandler {
        JSONLogHandler(label: label, metadataProvider: metadataProvider, sink: StandardErrorLines.write)
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let own = event.metadata { merged.merge(own) { _, new in new } }
        sink(Self.line(time: Date(), level: event.level, label: label, message: event.message.description, metadata: merged))
    }

    /// One line: the object and its newline. Keys in a fixed order, metadata keys sorted, so
    /// that lines compare and diff well.
    static func line(time: Date, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata) -> String {
        var line = #"{"time":"#
        appendString(time.formatted(Self.timeFormat), to: &line)
        line += #","level":"#
        appendString(level.rawValue, to: &line)
        line += #","label":"#
        appendString(label, to: &line)
        line += #","message":"#
        appendString(message, to: &line)
        line += #","metadata":"#
        appendObject(metadata, to: &line)
        line += "}\n"
        return line
    }

    private static let timeFormat = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    private static func appendObject(_ metadata: Logger.Metadata, to line: inout String) {
        line += "{"
        for (position, key) in metadata.keys.sorted().enumerated() {
            if position > 0 { line += "," }
            appendString(key, to: &line)
            line += ":"
            appendValue(metadata[key]!, to: &line)
        }
        line += "}"
    }

    private static func appendValue(_ value: Logger.Metadata.Value, to line: inout String) {
        switch value {
        case .string(let text): appendString(text, to: &line)
        case .stringConvertible(let convertible): appendString(convertible.description, to: &line)
        case .dictionary(let nested): appendObject(nested, to: &line)
        case .array(let values):
            line += "["
            for (position, element) in values.enumerated() {
                if position > 0 { line += "," }
                appendValue(element, to: &line)
            }
            line += "]"
        }
    }

    /// A JSON string (RFC 8259 §7): quotes, backslashes and control characters escaped, so
    /// that a newline inside a message can never start a line of its own.
    private static func appendString(_ text: String, to line: inout String) {
        line += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": line += "\\\""
            case "\\": line += "\\\\"
            case "\n": line += "\\n"
            case "\r": line += "\\r"
            case "\t": line += "\\t"
            case _ where scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029:
                line += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
            default: line.unicodeScalars.append(scalar)
            }
        }
        line += "\""
    }
}

/// Standard error, one whole line per `write(2)` loop under a lock, so that lines from
/// concurrent loggers never interleave.
enum StandardErrorLines {
    private static let lock = Mutex(())

    static func write(_ line: String) {
        lock.withLock { _ in
            var bytes = Array(line.utf8)
            bytes.withUnsafeMutableBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = Foundation.write(2, buffer.baseAddress! + offset, buffer.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        return
                    }
                    offset += written
                }
            }
        }
    }
}
