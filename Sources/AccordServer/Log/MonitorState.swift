import AccordCore
public import Foundation

/// What a monitor has verified of a log: the latest checkpoint it accepted, and the right edge
/// of the tree at that size, so that the next round checks only the new leaves' hashes. The
/// same file is what monitors exchange to compare views (`--compare-with`).
public struct MonitorState: Codable, Sendable, Equatable {
    public var origin: String
    public var size: UInt64
    /// Base64 root hash at `size`.
    public var root: String
    /// Base64 hashes of the tree's right edge at `size`, largest subtree first.
    public var edge: [String]
    /// The signed checkpoint note accepted, with its cosignatures.
    public var checkpoint: String

    public init(origin: String, size: UInt64, root: String, edge: [String], checkpoint: String) {
        self.origin = origin
        self.size = size
        self.root = root
        self.edge = edge
        self.checkpoint = checkpoint
    }

    public static func load(_ url: URL) throws -> MonitorState? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        do { return try JSONValueDecoder().decode(MonitorState.self, from: [UInt8](try Data(contentsOf: url))) } catch let failure as JSONValueDecoder.Failure {
            throw MonitorStateError(description: "\(url.path): not a monitor state: \(failure)")
        }
    }

    /// Written as canonical JSON to a temporary file and renamed over the old one.
    public func save(_ url: URL) throws {
        try Data(try JSONValueEncoder().canonicalBytes(self)).write(to: url, options: .atomic)
    }
}

/// A monitor state file that does not read, named with the member at fault.
public struct MonitorStateError: Error, CustomStringConvertible {
    public let description: String
}
