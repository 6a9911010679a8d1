public import AccordAudit
import AccordCore
import Foundation

/// Follows a log over C2SP tlog-tiles and checks each new checkpoint (docs/audit.md,
/// "Running a monitor"): the log's signature, the witnesses' cosignatures, that its root
/// follows from the hashes already verified plus the new ones in the tiles, optionally that
/// each new entry hashes to its tile hash, and that other monitors saw the same log.
public struct LogMonitor: Sendable {
    /// Something a monitor must tell a person about.
    public struct Alarm: Sendable, Equatable, CustomStringConvertible {
        public enum Kind: String, Sendable, CaseIterable {
            case fork, rollback
            case missingCosignature = "missing-cosignature"
            case unverifiableLeaf = "unverifiable-leaf"
            case badSignature = "bad-signature"
        }

        public let kind: Kind
        public let detail: String

        public var description: String { "\(kind.rawValue): \(detail)" }
    }

    public let baseURL: String
    /// The log's verifier keys over time: a checkpoint signed by any of them is the log's, so a
    /// monitor given the keys before and after an audit key rotation follows it.
    public let verifiers: [NoteVerifier]
    public let witnesses: [CosignatureVerifier]
    public let cosignaturesRequired: Int
    /// Also fetch entry bundles and check each leaf against its hash (needs entry access).
    public let checkEntries: Bool
    /// GETs a URL: plain HTTP or HTTPS by default, or the agency API over mutual TLS.
    let fetch: @Sendable (String) async throws -> LogHTTPClient.Answer
    private var hasher: TreeHasher { TreeHasher() }

    public init(
        baseURL: String, verifiers: [NoteVerifier], witnesses: [CosignatureVerifier], cosignaturesRequired: Int, checkEntries: Bool,
        fetch: @escaping @Sendable (String) async throws -> LogHTTPClient.Answer = { try await LogHTTPClient().get($0) }
    ) {
        self.fetch = fetch
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.verifiers = verifiers
        self.witnesses = witnesses
        self.cosignaturesRequired = cosignaturesRequired
        self.checkEntries = checkEntries
    }

    /// One round: the new state when the log checks out, or the alarms (and the old state kept).
    public func round(from state: MonitorState?) async throws -> (state: MonitorState?, alarms: [Alarm]) {
        let answer = try await fetch(baseURL + "/checkpoint")
        guard answer.status == 200 else {
            if answer.status == 503, !witnesses.isEmpty {
                return (state, [Alarm(kind: .missingCosignature, detail: "the gateway publishes no checkpoint with the cosignatures required")])
            }
            throw MonitorError("GET \(baseURL)/checkpoint answered \(answer.status)")
        }
        let note: SignedNote
        let checkpoint: Checkpoint
        do {
            note = try SignedNote(parsing: answer.text)
            checkpoint = try verified(note)
        } catch {
            return (state, [Alarm(kind: .badSignature, detail: "the checkpoint does not verify with the log's keys: \(error.message)")])
        }
        var alarms: [Alarm] = []
        var valid = 0
        for witness in witnesses {
            do {
                _ = try witness.verifiedTime(of: note)
                valid += 1
            } catch {
                alarms.append(Alarm(kind: .missingCosignature, detail: "checkpoint of size \(checkpoint.size): \(error.message)"))
            }
        }
        if valid < cosignaturesRequired {
            alarms.append(Alarm(kind: .missingCosignature,
                                detail: "checkpoint of size \(checkpoint.size) has \(valid) valid cosignatures of the \(cosignaturesRequired) required"))
        }
        var head = TreeHead()
        if let state {
            guard checkpoint.size >= state.size else {
                alarms.append(Alarm(kind: .rollback, detail: "the log went back from \(state.size) leaves to \(checkpoint.size)"))
                return (state, alarms)
            }
            head = try TreeHead(size: state.size, edge: state.edge.map { try Self.base64($0) })
        }
        let hashes: [[UInt8]]
        do { hashes = try await leafHashes(from: head.size, to: checkpoint.size) } catch let error as MonitorError {
            alarms.append(Alarm(kind: .unverifiableLeaf, detail: error.message))
            return (state, alarms)
        }
        for hash in hashes { head.append(leafHash: hash, using: hasher) }
        guard head.root(using: hasher) == checkpoint.rootHash else {
            let from = state.map { "the \($0.size) leaves verified before" } ?? "the tiles"
            alarms.append(Alarm(kind: .fork, detail: "the checkpoint of size \(checkpoint.size) does not extend \(from): the log was rewritten, or this is a forked view"))
            return (state, alarms)
        }
        let next = MonitorState(origin: checkpoint.origin, size: checkpoint.size, root: Data(checkpoint.rootHash).base64EncodedString(),
                                edge: head.edge.map { Data($0).base64EncodedString() }, checkpoint: note.encoded)
        return (alarms.isEmpty ? next : state, alarms)
    }

    /// Compares this monitor's view with another's: equal sizes need equal roots; a smaller
    /// checkpoint must be a prefix of this log, recomputed from this gateway's tiles.
    public func compare(_ mine: MonitorState, with other: MonitorState, name: String) async throws -> [Alarm] {
        guard let note = try? SignedNote(parsing: other.checkpoint), let theirs = try? verified(note) else {
            return [Alarm(kind: .badSignature, detail: "\(name): its checkpoint does not verify with the log's keys")]
        }
        if theirs.size == mine.size {
            return Data(theirs.rootHash).base64EncodedString() == mine.root ? []
                : [Alarm(kind: .fork, detail: "\(name) holds a signed checkpoint of size \(theirs.size) with another root: two views of one log")]
        }
        guard theirs.size < mine.size, theirs.size > 0 else { return [] }
        var head = TreeHead()
        for hash in try await leafHashes(from: 0, to: theirs.size) { head.append(leafHash: hash, using: hasher) }
        return head.root(using: hasher) == theirs.rootHash ? []
            : [Alarm(kind: .fork, detail: "\(name) holds a signed checkpoint of size \(theirs.size) that is not a prefix of this log: two views of one log")]
    }

    /// The checkpoint in `note` once a signature by one of the log's keys checks; otherwise an
    /// error saying what each key found.
    func verified(_ note: SignedNote) throws(AuditError) -> Checkpoint {
        var failures: [String] = []
        for verifier in verifiers {
            do { return try Checkpoint(text: note.verifiedText(by: verifier)) } catch { failures.append(error.message) }
        }
        throw AuditError(.unknownKey, failures.isEmpty ? "no verifier key was given" : failures.joined(separator: "; "))
    }

    /// The level-0 hashes of leaves `from ..< to`, from full and partial tiles.
    func leafHashes(from: UInt64, to: UInt64) async throws -> [[UInt8]] {
        guard from < to else { return [] }
        var hashes: [[UInt8]] = []
        for tileIndex in from / TilePath.width ... (to - 1) / TilePath.width {
            let first = tileIndex * TilePath.width
            let count = min(TilePath.width, to - first)
            let tile = try TilePath(level: 0, index: tileIndex, count: count)
            let answer = try await fetch(baseURL + "/" + tile.description)
            guard answer.status == 200, answer.body.count == Int(count) * 32 else {
                throw MonitorError("\(tile) answered \(answer.status) with \(answer.body.count) bytes, not \(count) hashes")
            }
            let tileHashes = stride(from: 0, to: answer.body.count, by: 32).map { Array(answer.body[$0 ..< $0 + 32]) }
            if checkEntries { try await checkEntries(tileIndex: tileIndex, count: count, hashes: tileHashes) }
            hashes += tileHashes.dropFirst(Int(max(from, first) - first))
        }
        return hashes
    }

    private func checkEntries(tileIndex: UInt64, count: UInt64, hashes: [[UInt8]]) async throws {
        let path = try TilePath(level: nil, index: tileIndex, count: count)
        let answer = try await fetch(baseURL + "/" + path.description)
        guard answer.status == 200 else { throw MonitorError("\(path) answered \(answer.status)") }
        let entries = try EntryBundle.decode(answer.body)
        guard entries.count == hashes.count else { throw MonitorError("\(path) holds \(entries.count) entries, not \(hashes.count)") }
        for (offset, entry) in entries.enumerated() {
            let index = tileIndex * TilePath.width + UInt64(offset)
            guard hasher.leafHash(entry) == hashes[offset] else { throw MonitorError("leaf \(index) does not hash to its tile hash") }
            guard let leaf = try? AuditLeaf(bytes: entry), leaf.index == index else {
                throw MonitorError("leaf \(index) is not a canonical audit leaf that names its own index")
            }
        }
    }

    static func base64(_ text: String) throws -> [UInt8] {
        guard let data = Data(base64Encoded: text) else { throw MonitorError("the monitor state holds a hash that is not base64") }
        return [UInt8](data)
    }
}

/// Why a monitor round could not run (not an alarm about the log).
public struct MonitorError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
