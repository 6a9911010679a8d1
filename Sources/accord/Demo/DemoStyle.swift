import Foundation

/// Colour on a terminal, plain text when piped or when NO_COLOR is set.
struct DemoStyle {
    let colour: Bool

    static let current = DemoStyle(colour: isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
                                   && ProcessInfo.processInfo.environment["TERM"] != "dumb")

    private func wrap(_ code: String, _ text: String) -> String { colour ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }

    func heading(_ text: String) -> String { wrap("1", text) }
    func good(_ text: String) -> String { wrap("32", text) }
    func bad(_ text: String) -> String { wrap("31", text) }
    func held(_ text: String) -> String { wrap("33", text) }
    func dim(_ text: String) -> String { wrap("2", text) }
}
