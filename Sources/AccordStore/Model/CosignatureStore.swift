public import Foundation

/// One witness's cosignature of one checkpoint: the note signature line the witness returned
/// (docs/audit.md, "Witnesses").
public struct StoredCosignature: Sendable, Equatable {
    public let checkpointSize: UInt64
    public let witness: String
    public let signatureLine: String
    public let receivedAt: Date

    public init(checkpointSize: UInt64, witness: String, signatureLine: String, receivedAt: Date) {
        self.checkpointSize = checkpointSize
        self.witness = witness
        self.signatureLine = signatureLine
        self.receivedAt = receivedAt
    }
}

/// What witnessing needs from storage, and all it needs: the cosignatures collected for
/// checkpoints, and checkpoints found by size. Cosignatures are not leaves: they vouch for
/// the log from outside it, so keeping them beside it changes nothing the log proves.
public protocol CosignatureStore: Sendable {
    /// Keeps `cosignature`, replacing one by the same witness for the same checkpoint size.
    func recordCosignature(_ cosignature: StoredCosignature) async throws(StoreError)
    /// The cosignatures of the checkpoint of `size`, by witness name.
    func cosignatures(checkpointSize size: UInt64) async throws(StoreError) -> [StoredCosignature]
    /// The largest checkpoint sizes cosigned by at least `witnesses` of the named ones, largest
    /// first, at most `limit` of them.
    func cosignedSizes(byAtLeast witnesses: Int, of names: [String], limit: Int) async throws(StoreError) -> [UInt64]
    /// The smallest checkpoint sizes above `size` cosigned by at least `witnesses` of the named
    /// ones, smallest first, at most `limit` of them: the first cosigned checkpoints covering leaf `size`.
    func cosignedSizes(above size: UInt64, byAtLeast witnesses: Int, of names: [String], limit: Int) async throws(StoreError) -> [UInt64]
    /// The latest checkpoint of exactly `size` leaves; nil when none was signed at that size.
    func checkpoint(size: UInt64) async throws(StoreError) -> StoredCheckpoint?
}
