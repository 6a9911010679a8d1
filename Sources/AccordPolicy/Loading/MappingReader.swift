import Yams

/// Reads one YAML mapping with the checks every mapping gets: it is a mapping, its keys are
/// known and appear once, required keys are present, values have the expected shape.
struct MappingReader {
    let file: String
    let location: SourceLocation
    private let pairs: [(key: String, keyNode: Node, value: Node)]
    private let log: DiagnosticLog

    /// Returns nil (after logging) if `node` is not a mapping.
    init?(_ node: Node, file: String, what: String, allowed: [String], log: DiagnosticLog) {
        self.file = file
        self.log = log
        self.location = Self.location(of: node, in: file)
        guard case .mapping(let mapping) = node else {
            log.add(.wrongType, location, "\(what) must be a mapping of keys to values")
            return nil
        }
        var seen: Set<String> = []
        var pairs: [(String, Node, Node)] = []
        for (keyNode, value) in mapping {
            let keyLocation = Self.location(of: keyNode, in: file)
            guard let key = keyNode.scalar?.string else {
                log.add(.wrongType, keyLocation, "keys in \(what) must be plain names")
                continue
            }
            guard seen.insert(key).inserted else {
                log.add(.duplicateKey, keyLocation, "key '\(key)' appears more than once in \(what); keep one")
                continue
            }
            if !allowed.contains(key) {
                log.add(.unknownKey, keyLocation,
                        "unknown key '\(key)' in \(what); expected one of: \(allowed.joined(separator: ", "))")
                continue
            }
            pairs.append((key, keyNode, value))
        }
        self.pairs = pairs
    }

    static func location(of node: Node, in file: String) -> SourceLocation {
        let mark = node.mark
        return SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    func node(_ key: String) -> Node? { pairs.first { $0.key == key }?.value }

    /// Where `key`'s value starts, or the mapping itself when the key is absent.
    func location(of key: String) -> SourceLocation {
        guard let value = node(key) else { return location }
        return Self.location(of: value, in: file)
    }

    func has(_ key: String) -> Bool { node(key) != nil }

    private func missing(_ key: String, _ what: String) {
        log.add(.missingKey, location, "\(what) is missing required key '\(key)'")
    }

    /// A non-empty scalar.
    func string(_ key: String, in what: String, required: Bool = true) -> String? {
        guard let value = node(key) else {
            if required { missing(key, what) }
            return nil
        }
        guard let text = value.scalar?.string, !text.trimmingWhitespace.isEmpty else {
            log.add(.wrongType, Self.location(of: value, in: file), "'\(key)' in \(what) must be a non-empty text value")
            return nil
        }
        return text
    }

    func bool(_ key: String, in what: String) -> Bool? {
        guard let value = node(key) else {
            missing(key, what)
            return nil
        }
        guard value.scalar != nil, let flag = value.bool else {
            log.add(.wrongType, Self.location(of: value, in: file), "'\(key)' in \(what) must be true or false")
            return nil
        }
        return flag
    }

    func int(_ key: String, in what: String) -> Int? {
        guard let value = node(key) else {
            missing(key, what)
            return nil
        }
        guard value.scalar != nil, let number = value.int else {
            log.add(.wrongType, Self.location(of: value, in: file), "'\(key)' in \(what) must be a whole number")
            return nil
        }
        return number
    }

    /// A sequence of nodes.
    func sequence(_ key: String, in what: String, required: Bool = true) -> [Node]? {
        guard let value = node(key) else {
            if required { missing(key, what) }
            return nil
        }
        guard case .sequence(let items) = value else {
            log.add(.wrongType, Self.location(of: value, in: file), "'\(key)' in \(what) must be a list")
            return nil
        }
        return Array(items)
    }

    /// A list of non-empty scalars, each with where it was written.
    func strings(_ key: String, in what: String, required: Bool = true) -> [Located<String>]? {
        guard let items = sequence(key, in: what, required: required) else { return nil }
        var out: [Located<String>] = []
        for item in items {
            let at = Self.location(of: item, in: file)
            guard let text = item.scalar?.string, !text.trimmingWhitespace.isEmpty else {
                log.add(.wrongType, at, "each entry of '\(key)' in \(what) must be a non-empty text value")
                continue
            }
            out.append(Located(value: text, location: at))
        }
        return out
    }
}

/// A value and where it was written.
struct Located<Value: Hashable & Sendable>: Hashable, Sendable {
    let value: Value
    let location: SourceLocation
}

extension String {
    var trimmingWhitespace: Substring {
        var text = Substring(self)
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return text
    }
}

/// The identifier form shared by agency ids, agreement ids, message types and purposes:
/// lowercase ASCII letters, digits, '.', '-' and '_', starting with a letter.
enum Identifier {
    static func isValid(_ text: String) -> Bool {
        guard let first = text.first, first.isASCII, first.isLowercase, text.count <= 64 else { return false }
        return text.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_") }
    }
}
