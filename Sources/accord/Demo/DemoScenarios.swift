import AccordCore
import AccordMessages

/// One exchange the demo drives: who sends what to whom, and why.
struct DemoScenario {
    enum Twist {
        case none
        /// The signed payload is altered after signing, as an attacker on the path would.
        case tampered
    }

    let title: String
    let from: String
    let to: [String]
    let type: String
    let purpose: String
    let classification: String
    let content: [String: JSONValue]
    var twist = Twist.none

    /// Realistic but invented: no real person or business.
    static let all: [DemoScenario] = [
        DemoScenario(
            title: "Labour Inspectorate triage referral to Immigration NZ",
            from: "nz.mbie-labour", to: ["nz.immigration"], type: "referral", purpose: "labour-standards", classification: "IN-CONFIDENCE",
            content: [
                "employer": .object(["name": "Southern Orchard Contracting Ltd", "nzbn": "9429041234567"]),
                "workplace": .object(["region": "Hawke's Bay"]),
                "indicators": .array(["no-time-off", "excessive-hours", "living-at-workplace", "underpayment"]),
                "subject": .object(["family_name": "Ratu", "given_names": "Josefa", "visa_number": "RSE-2291034", "phone": "+64 21 555 0142"]),
                "summary": "Six seasonal workers report 70-hour weeks and deductions for employer housing",
                "informant": .object(["name": "Ana Whaanga", "contact": "+64 27 555 0199"]),
            ]),
        DemoScenario(
            title: "Police referral to Immigration NZ about a suspected victim (held for the privacy officer)",
            from: "nz.police", to: ["nz.immigration"], type: "referral", purpose: "victim-protection", classification: "SENSITIVE",
            content: [
                "subject": .object([
                    "family_name": "Nguyen", "given_names": "Thi Lan", "passport_number": "C4417730", "nationality": "VN",
                    "address": "14 Karaka Street, Papakura",
                ]),
                "victim_status": "suspected-victim",
                "indicators": .array(["passport-or-id-withheld", "debt-bondage", "fear-of-authorities"]),
                "summary": "Passport held by a recruiter; debt of NZD 18,000 for the job",
                "informant": .object(["name": "Detective Sergeant H. Morgan"]),
            ]),
        DemoScenario(
            title: "Police report about a 15-year-old to Oranga Tamariki (s66C)",
            from: "nz.police", to: ["nz.oranga-tamariki"], type: "referral", purpose: "child-protection", classification: "SENSITIVE",
            content: [
                "subject": .object([
                    "family_name": "Tuilagi", "given_names": "Mele", "date_of_birth": "2011-03-09", "is_child": true,
                    "passport_number": "TG0098123",
                ]),
                "indicators": .array(["observed-or-spoken-for", "living-at-workplace", "no-money"]),
                "summary": "Found working nights at a takeaway, spoken for by an adult who is not a parent",
                "informant": .object(["name": "Constable R. Singh"]),
                "health": .object(["concerns": "untreated burn on the forearm"]),
            ]),
        DemoScenario(
            title: "Customs disclosure to the Australian Border Force (Customs and Excise Act s318)",
            from: "nz.customs", to: ["au.abf"], type: "intelligence-request", purpose: "border-security", classification: "SENSITIVE",
            content: [
                "request": .object(["question": "Prior travel of a facilitator linked to a recruitment network", "urgency": "routine"]),
                "subject": .object(["family_name": "Kovac", "given_names": "Marko", "date_of_birth": "1979-11-30", "passport_number": "HR7712094"]),
                "travel": .object(["route": "AKL-SYD-DPS", "craft": "NZ103"]),
                "organisation": .object(["name": "Pacific Staffing Solutions"]),
                "informant": .object(["name": "Customs officer 4471"]),
            ]),
        DemoScenario(
            title: "A message no agreement covers: Labour Inspectorate to Customs",
            from: "nz.mbie-labour", to: ["nz.customs"], type: "referral", purpose: "labour-standards", classification: "IN-CONFIDENCE",
            content: ["employer": .object(["name": "Southern Orchard Contracting Ltd"]), "summary": "Employer under investigation"]),
        DemoScenario(
            title: "A tampered message: recipients changed after signing",
            from: "nz.police", to: ["nz.oranga-tamariki"], type: "referral", purpose: "child-protection", classification: "SENSITIVE",
            content: ["summary": "Genuine content", "subject": .object(["family_name": "Tuilagi"])], twist: .tampered),
    ]
}
