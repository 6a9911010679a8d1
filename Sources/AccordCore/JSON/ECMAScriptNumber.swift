/// RFC 8785 section 3.2.2.3: a number is written as ECMAScript's `Number.prototype.toString`
/// writes the double it denotes, from the shortest digits that round-trip.
enum ECMAScriptNumber {
    /// The canonical text of a number literal that the parser has already checked.
    static func canonical(_ literal: String) throws(CanonicalJSON.Failure) -> String {
        if !literal.utf8.contains(where: { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) {
            // INVARIANT: an integer literal is written from its integer value. Beyond ±(2^53 − 1)
            // it is written only if a double holds it exactly (its ECMAScript form is the literal
            // itself), so that the writer accepts everything it writes (`1e16` is written
            // `10000000000000000`, which must read and write back the same) and refuses what a
            // double would round instead of changing it.
            if let integer = Int64(literal), integer.magnitude <= JSONValue.maximumSafeInteger.magnitude {
                return String(integer)
            }
            guard let value = Double(literal), value.isFinite, format(value) == canonicalIntegerText(literal) else {
                throw CanonicalJSON.Failure(reason: "an integer is outside ±(2^53 − 1) and a double would round it")
            }
            return format(value)
        }
        guard let value = Double(literal), value.isFinite else {
            throw CanonicalJSON.Failure(reason: "a number is outside the range of a double")
        }
        return format(value)
    }

    /// An integer literal without a leading `+` or `-0`, as ECMAScript would spell its value.
    private static func canonicalIntegerText(_ literal: String) -> String {
        literal == "-0" ? "0" : literal
    }

    /// ECMAScript's layout of the shortest round-trip digits of `value`.
    static func format(_ value: Double) -> String {
        if value == 0 { return "0" }
        let (digits, point) = shortestDigits(value.magnitude)
        let sign = value < 0 ? "-" : ""
        let count = digits.count
        if count <= point && point <= 21 {
            return sign + digits + String(repeating: "0", count: point - count)
        }
        if 0 < point && point <= 21 {
            return sign + String(digits.prefix(point)) + "." + String(digits.dropFirst(point))
        }
        if -6 < point && point <= 0 {
            return sign + "0." + String(repeating: "0", count: -point) + digits
        }
        let exponent = point - 1
        let mantissa = count == 1 ? digits : String(digits.prefix(1)) + "." + String(digits.dropFirst())
        return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + String(exponent.magnitude)
    }

    /// The significant digits of Swift's shortest round-trip rendering, without leading or
    /// trailing zeros, and where the decimal point falls relative to the first of them.
    private static func shortestDigits(_ magnitude: Double) -> (digits: String, point: Int) {
        let text = magnitude.description
        let parts = text.split(separator: "e", maxSplits: 1)
        let exponent = parts.count == 2 ? Int(parts[1])! : 0
        let mantissa = parts[0].split(separator: ".", omittingEmptySubsequences: false)
        let whole = mantissa[0]
        let fraction = mantissa.count == 2 ? mantissa[1] : ""
        var digits = Substring(whole + fraction)
        var point = whole.count + exponent
        while digits.first == "0" {
            digits = digits.dropFirst()
            point -= 1
        }
        while digits.last == "0" { digits = digits.dropLast() }
        return (String(digits), point)
    }
}
