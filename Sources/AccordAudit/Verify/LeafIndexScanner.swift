import Foundation

/// Finds the top-level `index` member of a canonical leaf without building the whole value,
/// so that `verify` checks leaf positions at hashing speed.
enum LeafIndexScanner {
    static func index(in bytes: [UInt8]) -> Int64? {
        bytes.withUnsafeBytes { index(in: $0) }
    }

    static func index(in bytes: UnsafeRawBufferPointer) -> Int64? {
        let buffer = bytes.assumingMemoryBound(to: UInt8.self)
        var position = 0
        guard buffer.first == UInt8(ascii: "{") else { return nil }
        position = 1
        while position < buffer.count {
            guard buffer[position] == UInt8(ascii: "\"") else { return nil }
            let keyStart = position + 1
            guard let keyEnd = skipString(buffer, position) else { return nil }
            position = keyEnd
            guard position < buffer.count, buffer[position] == UInt8(ascii: ":") else { return nil }
            position += 1
            if keyEnd - 1 - keyStart == 5, buffer[keyStart] == 0x69, buffer[keyStart + 1] == 0x6E, buffer[keyStart + 2] == 0x64,
               buffer[keyStart + 3] == 0x65, buffer[keyStart + 4] == 0x78 {
                var value: Int64 = 0
                var digits = 0
                while position < buffer.count, (0x30 ... 0x39).contains(buffer[position]), digits < 16 {
                    value = value * 10 + Int64(buffer[position] - 0x30)
                    position += 1
                    digits += 1
                }
                return digits > 0 ? value : nil
            }
            guard let valueEnd = skipValue(buffer, position) else { return nil }
            position = valueEnd
            guard position < buffer.count, buffer[position] == UInt8(ascii: ",") else { return nil }
            position += 1
        }
        return nil
    }

    /// Returns the position after the string that starts at `start` (its opening quote):
    /// the first quote preceded by an even number of backslashes, found with `memchr`.
    private static func skipString(_ buffer: UnsafeBufferPointer<UInt8>, _ start: Int) -> Int? {
        guard let base = buffer.baseAddress else { return nil }
        var position = start + 1
        while position < buffer.count {
            guard let found = memchr(base + position, 0x22, buffer.count - position) else { return nil }
            let quote = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
            var backslashes = 0
            while quote - 1 - backslashes > start, buffer[quote - 1 - backslashes] == UInt8(ascii: "\\") { backslashes += 1 }
            if backslashes % 2 == 0 { return quote + 1 }
            position = quote + 1
        }
        return nil
    }

    private static func skipValue(_ buffer: UnsafeBufferPointer<UInt8>, _ start: Int) -> Int? {
        var position = start
        var depth = 0
        while position < buffer.count {
            switch buffer[position] {
            case UInt8(ascii: "\""):
                guard let end = skipString(buffer, position) else { return nil }
                position = end
                if depth == 0 { return position }
                continue
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if depth == 0 { return position }
                depth -= 1
                if depth == 0 { return position + 1 }
            case UInt8(ascii: ","):
                if depth == 0 { return position }
            default: break
            }
            position += 1
        }
        return nil
    }
}
