/// The text of an inbox cursor: a delivery's inbox sequence in plain decimal, exactly as the
/// gateway wrote it. One spelling per sequence (no sign, no leading zero), so a cursor a
/// client altered is refused rather than read as some other position.
public enum InboxCursor {
    public static func sequence(_ text: String) -> Int64? {
        let digits = text.utf8
        guard let first = digits.first, digits.count <= 19, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              first != 0x30 || digits.count == 1 else { return nil }
        return Int64(text)
    }
}
