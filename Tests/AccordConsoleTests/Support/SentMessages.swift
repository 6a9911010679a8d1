import AccordCore
import AccordGateway
import Synchronization

/// A message the fixture's traffic sent, with its one delivery, as the gateway's receipt named
/// them: the ids are the gateway's, so tests take them from here.
struct SentMessage: Sendable {
    let message: MessageID
    let delivery: DeliveryID
    /// What the gateway's receipt said of the delivery: `delivered` or `held`.
    let status: String

    /// The fields the held page's forms post for this delivery.
    var form: [(String, String)] { [("message", message.rawValue), ("delivery", delivery.rawValue)] }
}

/// The messages a fixture's traffic sent, filled as the gateway accepts them.
final class SentMessages: Sendable {
    enum Name: Hashable, Sendable, CustomStringConvertible {
        /// Immigration NZ's referral to Police, sent and picked up `daysAgo` days before the fixture's day.
        case deliveredToPolice(daysAgo: Int)
        /// Immigration NZ's request to Fiji's immigration department, held (overseas).
        case heldToFiji
        /// Police's victim-protection referral to Immigration NZ, held, with hostile text in its case reference.
        case heldToImmigration

        var description: String {
            switch self {
            case .deliveredToPolice(let days): "the referral to Police of \(days) day(s) ago"
            case .heldToFiji: "the request to Fiji"
            case .heldToImmigration: "the referral to Immigration NZ"
            }
        }
    }

    private let sent = Mutex<[Name: SentMessage]>([:])

    func record(_ name: Name, _ receipt: SubmissionReceipt) {
        guard let recipient = receipt.recipients.first else { return }
        sent.withLock { $0[name] = SentMessage(message: receipt.messageID, delivery: recipient.deliveryID, status: recipient.status) }
    }

    func message(_ name: Name) throws -> SentMessage {
        guard let message = sent.withLock({ $0[name] }) else { throw NotSent(name: name) }
        return message
    }

    /// A test asked for a message before the traffic sent it (outside `ConsoleFixture.test`).
    struct NotSent: Error, CustomStringConvertible {
        let name: Name
        var description: String { "\(name) was not sent: the fixture's traffic runs in ConsoleFixture.test" }
    }
}
