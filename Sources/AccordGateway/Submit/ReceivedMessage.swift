import AccordCore
import AccordPolicy
import Foundation

/// Stage 1 of a submission (docs/architecture.md): the text as it arrived, from whom, when,
/// and the one agreement snapshot every later stage decides against. A message sent during an
/// activation is decided wholly under the old set or wholly under the new one.
struct ReceivedMessage: Sendable {
    let text: String
    /// The agency its TLS client certificate names.
    let agency: AgencyID
    let receivedAt: Date
    /// `sha-256:` and the hex SHA-256 of `text`: hashed here once, stored and audited as is.
    let digest: String
    let snapshot: ActivePolicy.Snapshot
}
