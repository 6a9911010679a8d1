import AccordCore
import AccordGateway
import AccordStore

/// What a forward POSTs to a partner gateway (docs/federation.md, "What crosses"): the inbox
/// item exactly as `GET /v1/inbox` hands it out, plus `checkpoint`, our signed checkpoint note
/// holding the item's `message.delivered` leaf, so that the partner's log can name a root hash
/// of ours against which that leaf's inclusion is proved.
enum ForwardBody {
    static func bytes(_ item: InboxItem, checkpoint: StoredCheckpoint?) -> [UInt8] {
        let plain = JSONResponse.bytes(item)
        guard let checkpoint, case .object(var fields)? = try? JSONParser.parse(plain) else { return plain }
        fields["checkpoint"] = .string(checkpoint.note)
        return (try? CanonicalJSON.encode(.object(fields))) ?? plain
    }
}
