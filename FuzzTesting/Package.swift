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
        // The same packages the root resolves; named here because the HTTP target uses them directly.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.20.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.20.0"),
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
            name: "FuzzHTTPRequest",
            dependencies: [
                "FuzzShared",
                .product(name: "AccordCore", package: "accord"),
                .product(name: "AccordCrypto", package: "accord"),
                .product(name: "AccordGateway", package: "accord"),
                .product(name: "AccordPolicy", package: "accord"),
                .product(name: "AccordPolicyFiles", package: "accord"),
                .product(name: "AccordServer", package: "accord"),
                .product(name: "AccordTLS", package: "accord"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
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
