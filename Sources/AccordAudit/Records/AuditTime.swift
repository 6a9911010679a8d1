public import Foundation

/// RFC 3339 UTC timestamps with exactly three fractional digits, e.g.
/// `2025-03-01T09:30:00.125Z`: one spelling per instant, so leaves stay canonical. Times are
/// carried as integer milliseconds so that no floating-point rounding changes a leaf.
public enum AuditTime {
    public static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded(.toNearestOrAwayFromZero))
    }

    public static func date(milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    public static func format(milliseconds: Int64) -> String {
        if fastRange.contains(milliseconds) {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(24)
            write(milliseconds: milliseconds, into: &bytes)
            return String(decoding: bytes, as: UTF8.self)
        }
        return calendarFormat(milliseconds: milliseconds)
    }

    /// 1970-01-01T00:00:00.000Z through 9999-12-31T23:59:59.999Z: the instants whose spelling
    /// is computed arithmetically, with the same result as the calendar.
    static let fastRange: ClosedRange<Int64> = 0 ... 253_402_300_799_999

    /// Appends the spelling of `milliseconds` (within `fastRange`) without Foundation: the leaf
    /// encoder calls this for every leaf.
    static func write(milliseconds: Int64, into output: inout [UInt8]) {
        guard fastRange.contains(milliseconds) else {
            output.append(contentsOf: calendarFormat(milliseconds: milliseconds).utf8)
            return
        }
        let fraction = milliseconds % 1000
        let seconds = milliseconds / 1000
        let days = seconds / 86_400
        let ofDay = seconds % 86_400
        // Civil date from days since 1970-01-01 in the proleptic Gregorian calendar
        // (H. Hinnant, "chrono-compatible low-level date algorithms"); days >= 0 here.
        let z = days + 719_468
        let era = z / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func digits(_ value: Int64, _ count: Int) {
            var divisor: Int64 = 1
            for _ in 1 ..< count { divisor *= 10 }
            while divisor > 0 {
                output.append(UInt8(truncatingIfNeeded: 0x30 + (value / divisor) % 10))
                divisor /= 10
            }
        }
        digits(year, 4)
        output.append(0x2D)
        digits(month, 2)
        output.append(0x2D)
        digits(day, 2)
        output.append(0x54)
        digits(ofDay / 3600, 2)
        output.append(0x3A)
        digits(ofDay / 60 % 60, 2)
        output.append(0x3A)
        digits(ofDay % 60, 2)
        output.append(0x2E)
        digits(fraction, 3)
        output.append(0x5A)
    }

    private static func calendarFormat(milliseconds: Int64) -> String {
        let (quotient, remainder) = milliseconds.quotientAndRemainder(dividingBy: 1000)
        let seconds = remainder < 0 ? quotient - 1 : quotient
        let fraction = remainder < 0 ? remainder + 1000 : remainder
        let parts = utcCalendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: TimeInterval(seconds)))
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                      parts.year!, parts.month!, parts.day!, parts.hour!, parts.minute!, parts.second!, Int(fraction))
    }

    /// Parses the one spelling `format` produces; anything else is nil.
    public static func parse(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard bytes.count == 24, bytes[4] == 0x2D, bytes[7] == 0x2D, bytes[10] == 0x54, bytes[13] == 0x3A,
              bytes[16] == 0x3A, bytes[19] == 0x2E, bytes[23] == 0x5A else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            guard bytes[range].allSatisfy({ (0x30 ... 0x39).contains($0) }) else { return nil }
            return Int(String(decoding: bytes[range], as: UTF8.self))
        }
        guard let year = number(0 ..< 4), let month = number(5 ..< 7), let day = number(8 ..< 10),
              let hour = number(11 ..< 13), let minute = number(14 ..< 16), let second = number(17 ..< 19),
              let millis = number(20 ..< 23) else { return nil }
        let components = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        guard let date = utcCalendar.date(from: components) else { return nil }
        let result = Int64(date.timeIntervalSince1970) * 1000 + Int64(millis)
        return format(milliseconds: result) == text ? result : nil
    }

    private static let utcCalendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()
}
