import AccordCore
import AccordCrypto
import AccordAudit
public import AccordPolicy
import AccordPolicyFiles
public import AccordStore
public import Foundation
import Logging

/// The outcome of an activation attempt.
public enum ActivationOutcome: Sendable {
    /// The set is active; `version` is its row in the store.
    case activated(digest: String, version: Int64, agreements: Int)
    /// Nothing changed: the set on disk is the one already active.
    case unchanged(digest: String)
    /// The set failed validation and the active set stays; every problem with its location.
    case rejected([Diagnostic])
    /// The files are not the version the administrator reviewed; nothing was activated.
    /// `filesDigest` names the files as they are now.
    case changedSinceReview(filesDigest: String)
}

extension Gateway {
    /// Reads, validates and activates the agreements in `directory` without interrupting
    /// traffic: messages in flight decide against the set they started with. A set that fails
    /// validation never replaces the active one; both outcomes are audited.
    ///
    /// `reviewed`, when given, is the files digest (`AgreementSources.filesDigest`) of the
    /// version the administrator reviewed: if the files are not that version any more, nothing
    /// is activated, so a change saved after the review never goes live unseen.
    ///
    /// `onlyIfNoneRecorded` is a node's first start on an empty database: if another node
    /// recorded a set first, that set comes into force here and nothing is recorded or audited.
    public func activateAgreements(
        from directory: URL, reviewed: String? = nil, by actor: String, onlyIfNoneRecorded: Bool = false
    ) async throws(GatewayProblem) -> ActivationOutcome {
        try await activations.run { () async throws(GatewayProblem) -> ActivationOutcome in
            let time = self.now()
            let sources: AgreementSources
            do throws(PolicyError) { sources = try AgreementSources.read(directory: directory, hashing: SHA256.Hasher.self) } catch {
                return await self.rejected(error.diagnostics, reason: error.reason, actor: actor, time: time)
            }
            if let reviewed, sources.filesDigest != reviewed {
                return await self.changedSinceReview(sources.filesDigest, reviewed: reviewed, actor: actor, time: time)
            }
            return try await self.activateNow(sources, actor: actor, time: time, onlyIfNoneRecorded: onlyIfNoneRecorded)
        }
    }

    /// Changes one agreement of the set in force and activates the result. Every other file
    /// stays exactly as it was activated, whatever the directory holds now, so an emergency
    /// suspension never brings in edits nobody activated. `edit` gets the agreement file's
    /// text and returns the changed text, or nil when it cannot make the change.
    public func changeAgreement(
        _ id: String, by actor: String, edit: @Sendable (String) -> String?
    ) async throws(GatewayProblem) -> ActivationOutcome {
        try await activations.run { () async throws(GatewayProblem) -> ActivationOutcome in
            let time = self.now()
            var sources = try await self.recordedSources()
            guard let index = sources.agreements.firstIndex(where: { self.policy.current.policy.set.agreement(id: AgreementID(id))?.file == $0.path }),
                  let changed = edit(String(decoding: sources.agreements[index].bytes, as: UTF8.self)) else {
                throw GatewayProblem(code: "not-found", status: 404, title: "Not found",
                                     detail: "agreement '\(id)' is not in the set in force, or its file has no line to change")
            }
            sources.agreements[index] = AgreementSources.File(path: sources.agreements[index].path, text: changed)
            return try await self.activateNow(sources, actor: actor, time: time)
        }
    }

    /// Adds one agreement file, new to the set in force, to that set and activates the result.
    /// Every other file stays exactly as it was activated, whatever the directory holds now, so
    /// a draft written in the console comes into force without bringing in edits nobody
    /// activated. `fileName` is a bare `.yaml` name; the agreement in `text` must be `id`.
    public func addAgreement(
        _ id: String, fileName: String, text: String, by actor: String
    ) async throws(GatewayProblem) -> ActivationOutcome {
        try await activations.run { () async throws(GatewayProblem) -> ActivationOutcome in
            let time = self.now()
            var sources = try await self.recordedSources()
            guard fileName.hasSuffix(".yaml"), !fileName.hasPrefix("."), !fileName.contains("/"),
                  !["agencies.yaml", "purposes.yaml", "properties.yaml"].contains(fileName) else {
                throw GatewayProblem(code: "invalid-file-name", status: 400, title: "Invalid file name",
                                     detail: "an agreement file is a bare name ending in .yaml, not the registry or the purposes")
            }
            let path = sources.directory.isEmpty ? fileName : "\(sources.directory)/\(fileName)"
            guard self.policy.current.policy.set.agreement(id: AgreementID(id)) == nil,
                  !sources.agreements.contains(where: { $0.path == path }) else {
                throw GatewayProblem(code: "agreement-exists", status: 409, title: "Already in the set",
                                     detail: "agreement '\(id)' or its file \(fileName) is in the set in force already; change it there")
            }
            sources.agreements.append(AgreementSources.File(path: path, text: text))
            // A file that holds another agreement than the one named would bring in an
            // agreement nobody asked for.
            let (set, _) = AgreementSet.validate(sources, today: CalendarDate(time))
            if let set, set.agreement(id: AgreementID(id))?.file != path {
                throw GatewayProblem(code: "not-found", status: 404, title: "Not found",
                                     detail: "\(fileName) does not hold agreement '\(id)'")
            }
            return try await self.activateNow(sources, actor: actor, time: time)
        }
    }

    /// The files of the set in force, as the store recorded them when it was activated.
    private func recordedSources() async throws(GatewayProblem) -> AgreementSources {
        let stored: StoredAgreementSet?
        do throws(StoreError) { stored = try await store.latestAgreementSet() } catch {
            throw .unavailable("the gateway could not read the active agreement set (\(error.code.rawValue))")
        }
        guard let stored, policy.current.isRecorded(as: stored.digest), let sources = AgreementSetArchive.sources(stored.content) else {
            throw GatewayProblem(code: "active-set-not-recorded", status: 409, title: "No recorded set",
                                 detail: "the set in force is not the one the store recorded last; activate the agreements first")
        }
        return sources
    }

    private func activateNow(
        _ sources: AgreementSources, actor: String, time: Date, onlyIfNoneRecorded: Bool = false
    ) async throws(GatewayProblem) -> ActivationOutcome {
        let (set, diagnostics) = AgreementSet.validate(sources, today: CalendarDate(time))
        guard let set else {
            return await rejected(diagnostics, reason: "validation failed", actor: actor, time: time)
        }
        // The properties are part of what activation promises: a set that breaks one, or a
        // properties file with a problem, never comes into force (docs/agreements.md).
        let broken = PropertyCheck(sources, set: set).diagnostics
        if !broken.isEmpty {
            return await rejected(broken, reason: "properties broken", code: "property-violated", actor: actor, time: time)
        }
        let previous = policy.current
        let candidate = ActivePolicy(set).current.setDigest
        // The set digest covers what decides a message, not the properties; a change to the
        // properties alone is still an activation, so the set in force is recorded with the
        // properties it was proved against (and later changes are proved against them).
        if candidate == previous.setDigest, let recorded = try? await store.latestAgreementSet(), recorded.digest == candidate,
           AgreementSetArchive.sources(recorded.content)?.properties?.bytes == sources.properties?.bytes {
            return .unchanged(digest: candidate)
        }
        let content = AgreementSetArchive.bytes(sources)
        var details = ["set_digest": candidate, "previous_digest": previous.setDigest, "agreements": String(set.agreements.count),
                       "agreement_ids": set.agreements.map(\.id.rawValue).joined(separator: ","), "files_digest": sources.filesDigest]
        if let properties = sources.properties {
            details["properties_digest"] = Hex.encode(SHA256.hash(properties.bytes))
        }
        let record = AuditRecord(event: .agreementsActivated, time: time, actor: actor, reason: nil, details: details)
        let stored: (version: Int64, leaves: [UInt64])
        do {
            stored = try await store.activateAgreementSet(AgreementSetActivation(
                digest: candidate, content: content, activatedBy: actor, activatedAt: time, audit: [record],
                onlyIfNoneRecorded: onlyIfNoneRecorded))
        } catch where error.code == .alreadyRecorded {
            do { _ = try await followRecordedAgreements() } catch {
                throw .unavailable("the agreement set another node recorded could not be read (\(error.code.rawValue))")
            }
            return .unchanged(digest: policy.current.setDigest)
        } catch {
            throw .unavailable("the agreement set could not be recorded (\(error.code.rawValue)); the active set is unchanged")
        }
        policy.activate(set)
        logger.notice("agreements activated", metadata: ["digest": "\(candidate)", "version": "\(stored.version)", "by": "\(actor)"])
        await agreementsChanged(at: time, previous: previous.policy.set)
        return .activated(digest: candidate, version: stored.version, agreements: set.agreements.count)
    }

    private func rejected(_ diagnostics: [Diagnostic], reason: String, code: String = "invalid-agreements", actor: String,
                          time: Date) async -> ActivationOutcome {
        let errors = diagnostics
        let record = AuditRecord(
            event: .agreementsRejected, time: time, actor: actor, reason: code,
            details: ["errors": String(errors.count), "first": errors.first.map { "\($0.location)" } ?? reason])
        _ = try? await store.append([record])
        logger.warning("agreement set rejected; the active set stays", metadata: ["errors": "\(errors.count)", "by": "\(actor)"])
        return .rejected(errors)
    }

    private func changedSinceReview(_ current: String, reviewed: String, actor: String, time: Date) async -> ActivationOutcome {
        let record = AuditRecord(
            event: .agreementsRejected, time: time, actor: actor, reason: "changed-since-review",
            details: ["reviewed_files_digest": reviewed, "files_digest": current])
        _ = try? await store.append([record])
        logger.warning("agreement files changed since they were reviewed; nothing activated", metadata: ["by": "\(actor)"])
        return .changedSinceReview(filesDigest: current)
    }
}

extension Gateway {
    /// The policy of a set the store recorded, checked to be the very set activated (its
    /// digest) and valid under this version of the gateway.
    public static func policy(
        restoring stored: StoredAgreementSet, today: CalendarDate = CalendarDate(Date())
    ) throws(GatewayStartupError) -> ActivePolicy {
        guard let sources = AgreementSetArchive.sources(stored.content) else {
            throw GatewayStartupError("the agreement set activated last (version \(stored.version)) is not readable in the database")
        }
        let (set, diagnostics) = AgreementSet.validate(sources, today: today)
        guard let set else {
            throw GatewayStartupError("the agreement set activated last (version \(stored.version)) no longer validates: "
                + diagnostics.prefix(5).map(\.description).joined(separator: "; "))
        }
        let policy = ActivePolicy(set)
        guard policy.current.isRecorded(as: stored.digest) else {
            throw GatewayStartupError("the agreement set activated last (version \(stored.version)) does not match its digest \(stored.digest)")
        }
        return policy
    }
}

/// The bytes stored with an activated set: each file's path and content, so the exact set
/// in force at any time can be read back, and a restart brings back the set last activated
/// rather than whatever the directory holds.
public enum AgreementSetArchive {
    static func bytes(_ sources: AgreementSources) -> [UInt8] {
        var files = sources.schemas + sources.agreements
        if let agencies = sources.agencies { files.append(agencies) }
        if let purposes = sources.purposes { files.append(purposes) }
        if let properties = sources.properties { files.append(properties) }
        var out: [UInt8] = []
        for file in files.sorted(by: { $0.path < $1.path }) {
            out += Array("--- \(file.path) \(file.bytes.count)\n".utf8) + file.bytes + [10]
        }
        return out
    }

    /// The files `bytes` wrote, sorted back into registry, purposes, properties, schemas and agreements;
    /// nil when the content is not such an archive or has no registry.
    public static func sources(_ content: [UInt8]) -> AgreementSources? {
        var files: [AgreementSources.File] = []
        var position = content.startIndex
        let header = Array("--- ".utf8)
        while position < content.endIndex {
            guard content[position...].starts(with: header),
                  let newline = content[position...].firstIndex(of: 10) else { return nil }
            let line = String(decoding: content[(position + header.count)..<newline], as: UTF8.self)
            // The path may hold spaces; the length is the last field.
            guard let space = line.lastIndex(of: " "), let length = Int(line[line.index(after: space)...]), length >= 0,
                  newline + 1 + length < content.endIndex, content[newline + 1 + length] == 10 else { return nil }
            files.append(AgreementSources.File(path: String(line[..<space]), bytes: Array(content[(newline + 1)..<(newline + 1 + length)])))
            position = newline + 1 + length + 1
        }
        guard let registry = files.first(where: { $0.path == "agencies.yaml" || $0.path.hasSuffix("/agencies.yaml") }) else { return nil }
        let directory = String(registry.path.dropLast("agencies.yaml".count).dropLast(registry.path == "agencies.yaml" ? 0 : 1))
        var sources = AgreementSources(directory: directory, agencies: nil, purposes: nil, schemas: [], agreements: [], hashing: SHA256.Hasher.self)
        for file in files {
            switch sources.relativeName(of: file) {
            case "agencies.yaml": sources.agencies = file
            case "purposes.yaml": sources.purposes = file
            case "properties.yaml": sources.properties = file
            case let name where name.hasPrefix("schemas/"): sources.schemas.append(file)
            default: sources.agreements.append(file)
            }
        }
        return sources
    }
}
