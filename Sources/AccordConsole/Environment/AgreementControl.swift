public import AccordPolicy

/// What only the gateway can do with agreements. The console shows the active set and asks
/// for changes through this; the gateway's implementation validates, swaps the active policy,
/// stores the set and writes the audit record (`agreements.activated` or
/// `agreements.rejected`) with `actor` as the actor.
public protocol AgreementControl: Sendable {
    /// The set in force now.
    var active: ActivePolicy.Snapshot { get }

    /// Reads the agreements directory, validates it and makes it the active set, provided
    /// its files are still the version reviewed: `reviewed` is the files digest
    /// (`AgreementSources.filesDigest`) the administrator saw. Otherwise nothing changes and
    /// the outcome is `changedSinceReview`.
    func activate(reviewed: String, by actor: String) async -> ActivationOutcome

    /// Sets one agreement's `status:` (for example to `suspended`, or from `draft` to `active`)
    /// in the set in force and activates that, every other agreement as it was activated. A
    /// set that then fails validation is not activated. Making an agreement active applies
    /// only the version reviewed, as `activate` does: `reviewed` is the files digest the
    /// administrator saw, and files changed since give `changedSinceReview`. Suspending needs
    /// no review, so that an edit elsewhere never delays stopping a flow.
    func setStatus(_ status: AgreementStatus, agreementID: String, reviewed: String?, by actor: String) async -> ActivationOutcome
}

/// What came of an activation: the new set, or why the active set was kept.
public enum ActivationOutcome: Sendable {
    /// The set is active; `setDigest` names it (the digest written to the audit log).
    case activated(setDigest: String, generation: Int)
    /// The set failed validation; the active set is unchanged.
    case rejected([Diagnostic])
    /// The files are not the version reviewed; `filesDigest` names them as they are now.
    case changedSinceReview(filesDigest: String)
    /// Something else stopped it (a file that cannot be read or written, storage).
    case failed(String)
}
