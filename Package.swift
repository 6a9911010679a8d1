// swift-tools-version:6.2
import PackageDescription

/// One set of Swift settings for every target, so that no target builds under looser rules than the rest.
let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "accord",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "accord", targets: ["accord"]),
        .library(name: "AccordCore", targets: ["AccordCore"]),
        .library(name: "AccordCrypto", targets: ["AccordCrypto"]),
        .library(name: "AccordPolicy", targets: ["AccordPolicy"]),
        .library(name: "AccordPolicyFiles", targets: ["AccordPolicyFiles"]),
        .library(name: "AccordAudit", targets: ["AccordAudit"]),
        .library(name: "AccordMessages", targets: ["AccordMessages"]),
        .library(name: "AccordStore", targets: ["AccordStore"]),
        .library(name: "AccordPostgres", targets: ["AccordPostgres"]),
        .library(name: "AccordGateway", targets: ["AccordGateway"]),
        // The server and TLS libraries are products for the HTTP fuzz target (FuzzTesting/).
        .library(name: "AccordTLS", targets: ["AccordTLS"]),
        .library(name: "AccordServer", targets: ["AccordServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.0.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.20.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.0.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
    ],
    targets: [
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        .target(
            name: "AccordPostgres",
            dependencies: ["AccordCore", "CLibPQ"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "AccordCore",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "AccordCrypto",
            dependencies: ["AccordCore", "COpenSSL"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "AccordPolicy",
            dependencies: ["AccordCore", .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "AccordPolicyFiles",
            dependencies: ["AccordCore", "AccordPolicy"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "AccordAudit",
            dependencies: ["AccordCore", "AccordCrypto"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "AccordTLS",
            dependencies: [
                "AccordCore", "COpenSSL",
                "AccordCrypto",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "AccordTLSHummingbird",
            dependencies: [
                "AccordTLS",
                "AccordCrypto",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "AccordClient",
            dependencies: [
                "AccordCore", "AccordTLS",
                "AccordCrypto",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "AccordMessages",
            dependencies: ["AccordCore", "AccordCrypto"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "AccordStore",
            dependencies: ["AccordCore", "AccordAudit", "AccordCrypto", "AccordPostgres", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "AccordGateway",
            dependencies: [
                "AccordCore", "AccordCrypto", "AccordPolicy", "AccordPolicyFiles", "AccordAudit", "AccordMessages", "AccordStore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "AccordServer",
            dependencies: [
                "AccordCore", "AccordGateway", "AccordConsole", "AccordClient", "AccordTLS", "AccordTLSHummingbird", "AccordCrypto", "AccordPolicy", "AccordPolicyFiles", "AccordStore", "AccordAudit", "AccordMessages",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "AccordConsole",
            dependencies: [
                "AccordCore", "AccordMessages", "AccordStore", "AccordAudit", "AccordPolicy", "AccordPolicyFiles", "AccordCrypto", "AccordTLS", "AccordTLSHummingbird",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "accord",
            dependencies: [
                "AccordCore",
                "AccordGateway",
                "AccordServer",
                "AccordClient",
                "AccordConsole",
                "AccordTLS",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                "AccordCrypto",
                "AccordPolicy",
                "AccordPolicyFiles",
                "AccordAudit",
                "AccordMessages",
                "AccordStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "AccordBenchmarks",
            dependencies: [
                "AccordCore",
                "AccordCrypto",
                "AccordPolicy",
                "AccordPolicyFiles",
                "AccordAudit",
                "AccordMessages",
                "AccordStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Benchmarks/Sources/AccordBenchmarks",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "AccordTestSupport",
            path: "Tests/AccordTestSupport",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "AccordStoreTestSupport",
            dependencies: ["AccordCore", "AccordStore", "AccordAudit"],
            path: "Tests/AccordStoreTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AccordCoreTests",
            dependencies: ["AccordCore", "AccordTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AccordCryptoTests",
            dependencies: ["AccordCore", "AccordCrypto", "AccordTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AccordPolicyTests",
            dependencies: ["AccordCore", "AccordPolicy", "AccordPolicyFiles", "AccordCrypto", "AccordTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AccordPolicyFilesTests",
            dependencies: ["AccordCore", "AccordCrypto", "AccordPolicy", "AccordPolicyFiles", "AccordTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AccordAuditTests",
            dependencies: ["AccordCore", "AccordAudit", "AccordCrypto"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AccordTLSTests",
            dependencies: [
                "AccordCore", "AccordTLS", "AccordTLSHummingbird", "AccordCrypto", "AccordTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AccordGatewayTests",
            dependencies: [
                "AccordCore", "AccordGateway", "AccordServer", "AccordClient", "AccordTLS", "AccordCrypto", "AccordPolicy", "AccordPolicyFiles", "AccordStore", "AccordAudit",
                "AccordMessages", "AccordTestSupport", "AccordStoreTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AccordClientTests",
            dependencies: [
                "AccordCore", "AccordClient", "AccordTLS", "AccordTLSHummingbird", "AccordCrypto", "AccordTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AccordMessagesTests",
            dependencies: ["AccordCore", "AccordMessages", "AccordCrypto", "AccordTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AccordStoreTests",
            dependencies: ["AccordCore", "AccordStore", "AccordAudit", "AccordCrypto", "AccordTestSupport", "AccordStoreTestSupport",
                           .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AccordPostgresTests",
            dependencies: ["AccordPostgres", "AccordTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AccordConsoleTests",
            dependencies: [
                "AccordCore", "AccordConsole", "AccordGateway", "AccordServer", "AccordMessages", "AccordStore", "AccordAudit", "AccordPolicy",
                "AccordPolicyFiles", "AccordCrypto", "AccordTLS", "AccordTestSupport", "AccordStoreTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
