/// Everything a gateway node needs from storage: the narrow protocols below, each what one
/// part of the gateway uses. SQLite through GRDB implements all of them; a second backend
/// implements the same set, and each caller depends only on the part it uses
/// (docs/architecture.md, "Storage").
///
/// Every write returns only once it is durable, with the leaf indexes of its audit records.
public typealias AccordStorage = SubmissionStore & InboxStore & AuditAppending & AuditReading & AgreementSetStore & RetentionStore & PushStore
