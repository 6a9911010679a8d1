import AccordAudit
import AccordStore
import AccordStoreTestSupport
import Foundation
import Synchronization

/// The fixture's store seen through a window the test controls, to inject faults the real
/// store cannot be made to show: reading leaves can be held back until the test opens a gate
/// (a verification that is still running), and a leaf can be read back altered (a tampered
/// database). Everything else is the real store's answer. `verifyLog` is the protocol's
/// default, which reads through `leaves(in:)`.
final class WrappedStore: ForwardingStore, @unchecked Sendable {
    let gate: Gate?
    let alteredLeaf: UInt64?

    init(_ base: SQLiteStore, gate: Gate? = nil, alteredLeaf: UInt64? = nil) {
        self.gate = gate
        self.alteredLeaf = alteredLeaf
        super.init(base)
    }

    override func leaves(in range: Range<UInt64>) async throws(StoreError) -> [StoredLeaf] {
        await gate?.wait()
        return try await base.leaves(in: range).map { leaf in
            guard leaf.index == alteredLeaf else { return leaf }
            let text = String(decoding: leaf.bytes, as: UTF8.self).replacingOccurrences(of: "nz.police", with: "nz.customs")
            return StoredLeaf(index: leaf.index, bytes: Array(text.utf8), leafHash: leaf.leafHash)
        }
    }
}

/// Holds callers until opened; open stays open.
final class Gate: Sendable {
    private let state = Mutex<(open: Bool, waiting: [CheckedContinuation<Void, Never>])>((false, []))

    func wait() async {
        await withCheckedContinuation { continuation in
            let resume = state.withLock { state -> Bool in
                if state.open { return true }
                state.waiting.append(continuation)
                return false
            }
            if resume { continuation.resume() }
        }
    }

    func open() {
        let waiting = state.withLock { state in
            state.open = true
            defer { state.waiting = [] }
            return state.waiting
        }
        for continuation in waiting { continuation.resume() }
    }
}
