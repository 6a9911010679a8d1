/// A tlog-tiles entry bundle: each entry as a big-endian 16-bit length and its bytes.
public enum EntryBundle {
    public static func encode(_ entries: [[UInt8]]) throws(AuditError) -> [UInt8] {
        var bundle: [UInt8] = []
        for (position, entry) in entries.enumerated() {
            guard entry.count <= Int(UInt16.max) else {
                throw AuditError(.invalidRecord, "entry \(position) of the bundle is longer than 65535 bytes")
            }
            bundle += [UInt8(entry.count >> 8), UInt8(entry.count & 0xFF)] + entry
        }
        return bundle
    }

    public static func decode(_ bundle: [UInt8]) throws(AuditError) -> [[UInt8]] {
        var entries: [[UInt8]] = []
        var offset = 0
        while offset < bundle.count {
            guard offset + 2 <= bundle.count else { throw AuditError(.invalidRecord, "entry bundle ends inside a length at byte \(offset)") }
            let length = Int(bundle[offset]) << 8 | Int(bundle[offset + 1])
            guard offset + 2 + length <= bundle.count else {
                throw AuditError(.invalidRecord, "entry \(entries.count) of the bundle runs past its end")
            }
            entries.append(Array(bundle[offset + 2 ..< offset + 2 + length]))
            offset += 2 + length
        }
        return entries
    }
}
