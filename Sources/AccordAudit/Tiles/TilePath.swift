/// A C2SP tlog-tiles resource below a log's prefix: a hash tile `tile/<L>/<N>[.p/<W>]` or an
/// entry bundle `tile/entries/<N>[.p/<W>]`, where N is written in groups of three digits, all
/// but the last prefixed `x` (docs/audit.md, "Tiles").
public struct TilePath: Sendable, Equatable, CustomStringConvertible {
    /// Hashes (or entries) in a full tile.
    public static let width: UInt64 = 256
    /// Levels above 63 would address subtrees of more than 2^64 leaves.
    static let maximumLevel: UInt8 = 63

    /// The level of a hash tile; nil for an entry bundle.
    public let level: UInt8?
    public let index: UInt64
    /// 1 ... 256; 256 for a full tile.
    public let count: UInt64

    public var isEntries: Bool { level == nil }
    public var isFull: Bool { count == Self.width }

    public init(level: UInt8?, index: UInt64, count: UInt64 = TilePath.width) throws(AuditError) {
        guard count >= 1, count <= Self.width else {
            throw AuditError(.invalidTreeSize, "a tile holds 1 to 256 items, not \(count)")
        }
        if let level, level > Self.maximumLevel { throw AuditError(.invalidTreeSize, "tile level \(level) is above 63") }
        self.level = level
        self.index = index
        self.count = count
    }

    /// Parses the path after the log's prefix, such as `tile/0/x001/234.p/7`; nil names what was wrong.
    public init(parsing path: String) throws(AuditError) {
        var parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 3, parts[0] == "tile" else {
            throw AuditError(.invalidTreeSize, "a tile path is tile/<level>/<index> or tile/entries/<index>")
        }
        parts.removeFirst()
        let levelText = parts.removeFirst()
        var level: UInt8?
        if levelText != "entries" {
            guard let parsed = UInt8(levelText), String(parsed) == levelText else {
                throw AuditError(.invalidTreeSize, "tile level '\(levelText)' is not a decimal from 0 to 63")
            }
            level = parsed
        }
        var count = Self.width
        if parts.count >= 2, parts[parts.count - 2].hasSuffix(".p") {
            let widthText = parts.removeLast()
            guard let width = UInt64(widthText), String(width) == widthText, width >= 1, width < Self.width else {
                throw AuditError(.invalidTreeSize, "partial tile width '\(widthText)' is not a decimal from 1 to 255")
            }
            count = width
            parts[parts.count - 1].removeLast(2)
        }
        try self.init(level: level, index: try Self.decodeIndex(parts), count: count)
    }

    /// The path below the log's prefix.
    public var description: String {
        let levelText = level.map { String($0) } ?? "entries"
        return "tile/\(levelText)/\(Self.encodeIndex(index))" + (isFull ? "" : ".p/\(count)")
    }

    /// `1234067` as `x001/x234/067`.
    static func encodeIndex(_ index: UInt64) -> String {
        var groups: [String] = []
        var rest = index
        repeat {
            let group = String(rest % 1000)
            groups.insert(String(repeating: "0", count: 3 - group.count) + group, at: 0)
            rest /= 1000
        } while rest > 0
        return groups.enumerated().map { $0.offset < groups.count - 1 ? "x" + $0.element : $0.element }.joined(separator: "/")
    }

    static func decodeIndex(_ groups: [String]) throws(AuditError) -> UInt64 {
        var value: UInt64 = 0
        for (position, group) in groups.enumerated() {
            let last = position == groups.count - 1
            let digits = last ? group : String(group.dropFirst())
            guard last || group.hasPrefix("x"), digits.count == 3, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let number = UInt64(digits) else {
                throw AuditError(.invalidTreeSize, "tile index element '\(group)' is not three digits (x-prefixed unless last)")
            }
            let (shifted, overflow) = value.multipliedReportingOverflow(by: 1000)
            guard !overflow, !(position == 0 && number == 0 && groups.count > 1) else {
                throw AuditError(.invalidTreeSize, "tile index '\(groups.joined(separator: "/"))' is not canonical")
            }
            value = shifted + number
        }
        return value
    }

    /// Leaves under one hash of this tile: 256^level.
    public var leavesPerHash: UInt64 { level.map { 1 << (8 * UInt64($0)) } ?? 1 }

    /// The leaf ranges whose RFC 6962 hashes the tile holds, in order (for entries, one leaf each).
    public var leafRanges: [Range<UInt64>] {
        let span = leavesPerHash
        let first = index * Self.width
        return (0 ..< count).map { (first + $0) * span ..< (first + $0 + 1) * span }
    }

    /// Whether a tree of `treeSize` leaves already holds everything this tile covers; the
    /// content of such a tile never changes in an append-only log.
    public func isAvailable(treeSize: UInt64) -> Bool {
        let (items, overflow) = (index * Self.width).addingReportingOverflow(count)
        guard !overflow, index <= UInt64.max / Self.width else { return false }
        let (leaves, overflow2) = items.multipliedReportingOverflow(by: leavesPerHash)
        return !overflow2 && leaves <= treeSize
    }
}
