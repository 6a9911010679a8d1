import AccordTestSupport
import Foundation

/// A copy of the shipped agreements whose dates cannot run out under a test against the live
/// gateway (which runs on the real clock, as its clients do): every `valid_until` earlier than a
/// year after `today`, and every `review_by` earlier than half a year after it, is moved to that
/// day. A test that relies on an agreement being in force then passes on whatever day it runs,
/// where the shipped files would stop it on 2028-01-01 (`customs-abf-s318`).
enum AgreementsInForce {
    static func copy(into directory: URL, today: Date = Date()) throws -> URL {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let agreements = directory.appendingPathComponent("Agreements")
        try FileManager.default.copyItem(at: PackageRoot.url.appendingPathComponent("Agreements"), to: agreements)
        let names = try FileManager.default.contentsOfDirectory(atPath: agreements.path)
            .filter { $0.hasSuffix(".yaml") && $0 != "agencies.yaml" && $0 != "purposes.yaml" }
        for name in names {
            let file = agreements.appendingPathComponent(name)
            var text = try String(contentsOf: file, encoding: .utf8)
            text = lifting("valid_until", to: day(today, plus: 365), in: text)
            text = lifting("review_by", to: day(today, plus: 180), in: text)
            try text.write(to: file, atomically: true, encoding: .utf8)
        }
        return agreements
    }

    /// `yyyy-MM-dd`, `days` after `date`, in UTC as the gateway counts days.
    static func day(_ date: Date, plus days: Int) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: date.addingTimeInterval(Double(days) * 86_400))
    }

    /// The top-level `key: yyyy-MM-dd` line set to `floor` where it is earlier; ISO dates
    /// compare as strings.
    private static func lifting(_ key: String, to floor: String, in text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            guard line.hasPrefix("\(key): ") else { return String(line) }
            let value = line.dropFirst(key.count + 2).prefix(10)
            return value < floor ? "\(key): \(floor)" : String(line)
        }.joined(separator: "\n")
    }
}
