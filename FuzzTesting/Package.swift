// swift-tools-version:6.2
import PackageDescription

/// libFuzzer targets for the parsers that face the network, in a package of their own so that
/// the root package's build is untouched by the sanitizer flags (docs/testing.md, "Fuzzing").
/// Build: `swift build -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library`; run: `.ci/fuzz`.
let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "accord-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "accord", path: ".."),
    ],
    targets: [
        .target(name: "CFuzzDriver"),
        .target(
            name: "FuzzShared",
            dependencies: ["CFuzzDriver"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ShippedAgreements",
            dependencies: ["FuzzShared", .product(name: "AccordPolicy", package: "accord")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "FuzzJSON",
            dependencies: ["FuzzShared", .product(name: "AccordCore", package: "accord")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "FuzzSDJWT",
            dependencies: [
                "FuzzShared",
                .product(name: "AccordCore", package: "accord"),
                .product(name: "AccordCrypto", package: "accord"),
                .product(name: "AccordMessages", package: "accord"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "FuzzAgreementYAML",
            dependencies: [
                "FuzzShared", "ShippedAgreements",
                .product(name: "AccordCrypto", package: "accord"),
                .product(name: "AccordPolicy", package: "accord"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "FuzzRegistryYAML",
            dependencies: [
                "FuzzShared", "ShippedAgreements",
                .product(name: "AccordCrypto", package: "accord"),
                .product(name: "AccordPolicy", package: "accord"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "FuzzCheckpoint",
            dependencies: [
                "FuzzShared",
                .product(name: "AccordCrypto", package: "accord"),
                .product(name: "AccordAudit", package: "accord"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "FuzzInboxCursor",
            dependencies: ["FuzzShared", .product(name: "AccordGateway", package: "accord")],
            swiftSettings: swiftSettings
        ),
    ]
)
