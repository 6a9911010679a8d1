import Foundation

/// The body of a C2SP tlog-witness `add-checkpoint` request: `old <size>`, the consistency
/// proof from that size one base64 hash a line, a blank line, then the signed checkpoint.
public struct AddCheckpointRequest: Sendable, Equatable {
    public let oldSize: UInt64
    public let proof: [[UInt8]]
    public let note: String

    /// A proof has at most 63 hashes, and a checkpoint note is small; more is not a request.
    public static let maximumBytes = 64 * 1024

    public init(oldSize: UInt64, proof: [[UInt8]], note: String) {
        self.oldSize = oldSize
        self.proof = proof
        self.note = note
    }

    public init(parsing body: String) throws(AuditError) {
        guard let blank = body.range(of: "\n\n") else {
            throw AuditError(.invalidNote, "add-checkpoint: no blank line between the proof and the checkpoint")
        }
        let head = body[..<blank.lowerBound].split(separator: "\n", omittingEmptySubsequences: false)
        guard let first = head.first, first.hasPrefix("old "), let size = UInt64(first.dropFirst(4)), String(size) == first.dropFirst(4) else {
            throw AuditError(.invalidTreeSize, "add-checkpoint: the first line is not 'old <size>'")
        }
        var proof: [[UInt8]] = []
        for (line, text) in head.dropFirst().enumerated() {
            guard let hash = Base64.decode(text), hash.count == 32 else {
                throw AuditError(.proofInvalid, "add-checkpoint: proof line \(line + 1) is not a base64 32-byte hash")
            }
            proof.append(hash)
        }
        guard proof.count <= 63 else { throw AuditError(.proofInvalid, "add-checkpoint: more than 63 proof hashes") }
        self.init(oldSize: size, proof: proof, note: String(body[blank.upperBound...]))
    }

    public var body: String {
        "old \(oldSize)\n" + proof.map { Base64.encode($0) + "\n" }.joined() + "\n" + note
    }
}
