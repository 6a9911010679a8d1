import AccordCore
import AccordCrypto
import AccordPolicy
import AccordPolicyFiles
import ArgumentParser
import Foundation

/// `AccordBenchmarks policy`: decision time, median and p99, with the shipped agreements and
/// with a generated set of 500 agreements. Target: at most 1 µs median.
struct PolicyBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Measure agreement decisions per message and recipient."
    )

    @Option(help: "The shipped agreements directory.")
    var agreements: String = "Agreements"

    @Option(help: "Decisions measured per set.")
    var decisions: Int = 200_000

    @Option(help: "Generated agreements in the large set.")
    var generated: Int = 500

    func run() throws {
        let day = CalendarDate("2026-06-01")!
        let sources = try AgreementSources.read(directory: URL(fileURLWithPath: agreements), hashing: SHA256.Hasher.self)
        let shipped = try AgreementSet.load(sources, today: day)
        measure("shipped (\(shipped.agreements.count) agreements)", shipped, messages: Self.messages(for: shipped), day)

        let large = try AgreementSet.load(Self.generatedSources(sources, count: generated), today: day)
        measure("generated (\(large.agreements.count) agreements)", large, messages: Self.messages(for: large), day)
    }

    private func measure(_ label: String, _ set: AgreementSet, messages: [Sample], _ day: CalendarDate) {
        let compiled = CompiledPolicy(set)
        var samples: [UInt64] = []
        var deliverSamples: [UInt64] = []
        var denySamples: [UInt64] = []
        samples.reserveCapacity(decisions)
        var delivered = 0
        for i in 0..<decisions {
            let sample = messages[i % messages.count]
            let start = DispatchTime.now().uptimeNanoseconds
            let decision = compiled.evaluate(sample.routing, claimPaths: sample.claimPaths, for: sample.recipient, on: day)
            let end = DispatchTime.now().uptimeNanoseconds
            samples.append(end - start)
            if decision.isDeliver {
                delivered += 1
                deliverSamples.append(end - start)
            } else {
                denySamples.append(end - start)
            }
        }
        print("policy \(label): \(decisions) decisions, \(Self.summary(samples)); "
              + "\(delivered) deliver \(Self.summary(deliverSamples)); \(decisions - delivered) deny \(Self.summary(denySamples)) "
              + "(timer overhead included)")
    }

    static func summary(_ samples: [UInt64]) -> String {
        guard !samples.isEmpty else { return "-" }
        let sorted = samples.sorted()
        return "median \(micro(sorted[sorted.count / 2])) µs, p99 \(micro(sorted[sorted.count * 99 / 100])) µs"
    }

    static func micro(_ nanos: UInt64) -> String { String(format: "%.3f", Double(nanos) / 1000) }

    /// One message per flow key, with the claims of the message type's schema, plus denials.
    struct Sample {
        let routing: RoutingClaims
        let claimPaths: [String]
        let recipient: AgencyID
    }

    static func messages(for set: AgreementSet) -> [Sample] {
        var out: [Sample] = []
        for agreement in set.agreements {
            for flow in agreement.flows {
                for type in flow.types {
                    let claims = set.schemas[type]?.claims.map(\.path) ?? []
                    let message = RoutingClaims(issuer: flow.from[0], type: type, recipients: [flow.to[0]], purpose: flow.purposes[0],
                                                classification: "IN-CONFIDENCE")
                    out.append(Sample(routing: message, claimPaths: Array(claims.prefix(8)) + ["x.unknown"], recipient: flow.to[0]))
                    let denied = RoutingClaims(issuer: flow.to[0], type: type, recipients: [flow.from[0]], purpose: "labour-standards",
                                               classification: "IN-CONFIDENCE")
                    out.append(Sample(routing: denied, claimPaths: Array(claims.prefix(3)), recipient: flow.from[0]))
                }
            }
        }
        return out
    }

    /// The shipped registry, purposes and schemas, plus `count` agreements between generated
    /// agencies, each pair of agencies in one agreement only so that the set validates.
    static func generatedSources(_ shipped: AgreementSources, count: Int) -> AgreementSources {
        let agencies = 40
        var registry = "agencies:\n"
        for i in 0..<agencies {
            registry += """
              - id: nz.gen-\(i)
                name: Generated agency \(i)
                jurisdiction: NZ
                kind: nz-government
                child_welfare_agency: \(i % 5 == 0)
                certificate: urn:accord:agency:nz.gen-\(i)

            """
        }
        var files: [AgreementSources.File] = []
        var pair = 0
        for n in 0..<count {
            var a = 0, b = 0
            repeat {
                a = pair / agencies
                b = pair % agencies
                pair += 1
            } while a == b
            let text = """
            id: gen-\(n)
            title: Generated agreement \(n)
            version: 1
            status: active
            legal_basis:
              - instrument: Privacy Act 2020
                provision: s22, IPP 11(1)(e)(i)
                summary: generated for measurement
            parties: [nz.gen-\(a), nz.gen-\(b)]
            valid_from: 2024-01-01
            valid_until: 2030-12-31
            review_by: 2027-01-01
            flows:
              - from: [nz.gen-\(a)]
                to: [nz.gen-\(b)]
                types: [referral, case-update, intelligence-request]
                purposes: [law-enforcement, border-security]
                max_classification: SENSITIVE
                handling: H1
                disclose: [subject.family_name, subject.given_names, subject.date_of_birth, summary, "indicators[*]", employer, case, request]
                never_disclose: [informant]

            """
            files.append(AgreementSources.File(path: "generated/gen-\(n).yaml", text: text))
        }
        return AgreementSources(directory: "generated", agencies: AgreementSources.File(path: "generated/agencies.yaml", text: registry),
                                purposes: shipped.purposes, schemas: shipped.schemas, agreements: files, hashing: SHA256.Hasher.self)
    }
}
