/// What a witness does with an `add-checkpoint` request, as C2SP tlog-witness says: cosign a
/// checkpoint that is a consistent extension of the latest one it cosigned for the log, and
/// refuse anything else with the status the spec gives.
public enum WitnessDecision: Sendable, Equatable {
    /// Cosign and remember `checkpoint` as the log's latest.
    case cosign(Checkpoint)
    /// 409: the request's old size is not the witness's; the gateway retries from `latestSize`.
    case conflict(latestSize: UInt64)
    /// 404: the witness does not follow this origin.
    case unknownLog(String)
    /// 403: no signature by the log's key verifies.
    case forbidden(String)
    /// 422: the consistency proof does not prove the extension.
    case inconsistent(String)
    /// 400: the request is malformed or goes backwards.
    case badRequest(String)

    /// Decides on `request` for a witness that follows logs by their verifier keys (more than
    /// one for a log while its key is rotated: a signature by any of them will do) and last
    /// cosigned `latest` (size and root) for the request's origin, or nothing yet.
    public static func decide(
        _ request: AddCheckpointRequest, logs: [String: [NoteVerifier]], latest: (String) -> (size: UInt64, root: [UInt8])?
    ) -> WitnessDecision {
        let note: SignedNote
        let unverified: Checkpoint
        do {
            note = try SignedNote(parsing: request.note)
            unverified = try Checkpoint(text: note.text)
        } catch { return .badRequest("the checkpoint does not parse: \(error.message)") }
        guard let verifiers = logs[unverified.origin], !verifiers.isEmpty else {
            return .unknownLog("this witness does not follow the log '\(unverified.origin)'")
        }
        guard verifiers.contains(where: { (try? note.verifiedText(by: $0)) != nil }) else {
            return .forbidden("the checkpoint is not signed by a key this witness holds for '\(unverified.origin)'")
        }
        guard request.oldSize <= unverified.size else {
            return .badRequest("old size \(request.oldSize) is above the checkpoint's size \(unverified.size)")
        }
        let known = latest(unverified.origin) ?? (0, TreeHasher.emptyRoot)
        guard request.oldSize == known.size else { return .conflict(latestSize: known.size) }
        if known.size == 0 {
            guard request.proof.isEmpty else { return .inconsistent("a proof from the empty tree has no hashes") }
            return .cosign(unverified)
        }
        if known.size == unverified.size {
            guard request.proof.isEmpty, known.root == unverified.rootHash else {
                return .inconsistent("the checkpoint of size \(unverified.size) has a different root than the one cosigned")
            }
            return .cosign(unverified)
        }
        do {
            try ConsistencyProof.verify(size1: known.size, size2: unverified.size, proof: request.proof,
                                        root1: known.root, root2: unverified.rootHash)
        } catch { return .inconsistent("size \(unverified.size) is not a consistent extension of size \(known.size): \(error.message)") }
        return .cosign(unverified)
    }
}
