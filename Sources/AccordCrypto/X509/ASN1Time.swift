import Foundation
import COpenSSL

/// Conversions between OpenSSL's `ASN1_TIME` and `Date`.
enum ASN1Time {
    static func date(_ time: UnsafePointer<ASN1_TIME>?) -> Date? {
        guard let time else { return nil }
        var components = tm()
        guard ASN1_TIME_to_tm(time, &components) == 1 else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(timegm(&components)))
    }

    /// A new `ASN1_TIME` the caller frees with `ASN1_TIME_free`.
    static func make(_ date: Date) throws(CryptoError) -> UnsafeMutablePointer<ASN1_TIME> {
        guard let time = ASN1_TIME_set(nil, time_t(date.timeIntervalSince1970.rounded(.down))) else {
            throw OpenSSLErrorQueue.error(.certificateBuildFailed, "cannot encode time \(date)")
        }
        return time
    }
}
