/// The address of a claim without its value: object members by name, array elements by
/// `[*]` whatever their position, e.g. `subject.addresses[*].city`. Agreements name claims by
/// these paths, and the audit log records them, so they must never depend on a value.
/// The one claim path of every target: messages build it as they walk a payload, agreements and
/// schemas write it as text (`ClaimPath(parsing:)`, and the rules in `ClaimPath+Agreements.swift`).
public struct ClaimPath: Sendable, Hashable, Comparable, CustomStringConvertible {
    public enum Segment: Sendable, Hashable {
        case member(String)
        case element
    }

    public let segments: [Segment]

    public init(_ segments: [Segment] = []) {
        self.segments = segments
    }

    public func appending(_ segment: Segment) -> ClaimPath {
        ClaimPath(segments + [segment])
    }

    public func appending(member name: String) -> ClaimPath { appending(.member(name)) }

    public var elementPath: ClaimPath { appending(.element) }

    public var isEmpty: Bool { segments.isEmpty }

    /// The name of the last member on the path, whatever elements follow it: `city` for
    /// `addresses[*].city`, `indicators` for `indicators[*]`.
    public var lastMemberName: String? {
        for segment in segments.reversed() {
            if case .member(let name) = segment { return name }
        }
        return nil
    }

    /// Whether this path is `path` or one of its ancestors (`subject` covers `subject.name`,
    /// `list` covers `list[*]`).
    public func covers(_ path: ClaimPath) -> Bool {
        path.segments.starts(with: segments)
    }

    /// Every proper prefix, shortest first: `a`, `a.b` for `a.b.c`.
    public var ancestors: [ClaimPath] {
        segments.indices.dropLast().map { ClaimPath(Array(segments[...$0])) }
    }

    /// Dotted text. A member name that is not a plain identifier (it holds `.`, `[`, `]`,
    /// `"` or is empty) is written `["name"]` so that the text stays unambiguous.
    public var description: String {
        var text = ""
        for segment in segments {
            switch segment {
            case .element: text += "[*]"
            case .member(let name) where Self.isPlain(name):
                if !text.isEmpty { text += "." }
                text += name
            case .member(let name):
                text += "[" + CanonicalJSON.quoted(name) + "]"
            }
        }
        return text
    }

    private static func isPlain(_ name: String) -> Bool {
        !name.isEmpty && !name.utf8.contains { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "[") || $0 == UInt8(ascii: "]") || $0 == UInt8(ascii: "\"") }
    }

    public static func < (lhs: ClaimPath, rhs: ClaimPath) -> Bool {
        lhs.description < rhs.description
    }
}
