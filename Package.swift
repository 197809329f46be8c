// swift-tools-version:6.2
import PackageDescription

/// Strict settings, after Hummingbird's own Package.swift.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "TenderDialogue",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Messages", targets: ["Messages"]),
        .library(name: "RPC", targets: ["RPC"]),
        .library(name: "ServiceKit", targets: ["ServiceKit"]),
        .library(name: "Records", targets: ["Records"]),
        .library(name: "Evaluation", targets: ["Evaluation"]),
        .library(name: "Negotiation", targets: ["Negotiation"]),
        .library(name: "RPCNGHTTP2", targets: ["RPCNGHTTP2"]),
        .executable(name: "tenderctl", targets: ["tenderctl"]),
        .executable(name: "tender-records", targets: ["tender-records"]),
        .executable(name: "tender-vault", targets: ["tender-vault"]),
        .executable(name: "tender-intake", targets: ["tender-intake"]),
        .executable(name: "tender-evaluation", targets: ["tender-evaluation"]),
        .executable(name: "tender-negotiation", targets: ["tender-negotiation"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-http2.git", from: "1.46.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.8.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/postgres-kit.git", from: "2.17.0"),
        .package(url: "https://github.com/vapor/sqlite-nio.git", from: "1.13.2"),
        .package(url: "https://github.com/vapor/async-kit.git", from: "1.22.0"),
    ],
    targets: [
        .target(
            name: "Messages",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Shared/Messages",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "RPC",
            dependencies: [
                "Messages",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdHTTP2", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOHPACK", package: "swift-nio-http2"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Shared/RPC",
            swiftSettings: swiftSettings
        ),
        .systemLibrary(
            name: "CNGHTTP2",
            path: "Shared/CNGHTTP2",
            pkgConfig: "libnghttp2",
            providers: [.apt(["libnghttp2-dev"])]
        ),
        .target(
            name: "RPCNGHTTP2",
            dependencies: [
                "RPC",
                "CNGHTTP2",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Shared/RPCNGHTTP2",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ServiceKit",
            dependencies: [
                "Messages",
                "RPC",
                "RPCNGHTTP2",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "AsyncKit", package: "async-kit"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Shared/ServiceKit",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Records",
            dependencies: [
                "Messages", "RPC", "ServiceKit",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Services/Records/Records",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Vault",
            dependencies: [
                "Messages", "RPC", "ServiceKit",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Services/Vault/Vault",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "tender-vault",
            dependencies: ["Vault", "ServiceKit"],
            path: "Services/Vault/tender-vault",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Intake",
            dependencies: [
                "Messages", "RPC", "ServiceKit",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Services/Intake/Intake",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Evaluation",
            dependencies: [
                "Messages", "RPC", "ServiceKit",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Services/Evaluation/Evaluation",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "tender-evaluation",
            dependencies: ["Evaluation", "ServiceKit"],
            path: "Services/Evaluation/tender-evaluation",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Negotiation",
            dependencies: [
                "Messages", "RPC", "ServiceKit",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Services/Negotiation/Negotiation",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "tender-negotiation",
            dependencies: ["Negotiation", "ServiceKit"],
            path: "Services/Negotiation/tender-negotiation",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "tender-intake",
            dependencies: ["Intake", "ServiceKit"],
            path: "Services/Intake/tender-intake",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "tender-records",
            dependencies: ["Records", "ServiceKit"],
            path: "Services/Records/tender-records",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "tenderctl",
            dependencies: [
                "Messages",
                "RPC",
                "ServiceKit",
                "Records",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SQLKit", package: "sql-kit"),
            ],
            path: "Tools/tenderctl",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TestServiceKit",
            dependencies: ["Messages", "RPC", "ServiceKit", .product(name: "SQLKit", package: "sql-kit"), .product(name: "Logging", package: "swift-log")],
            path: "Tests/Support/TestServiceKit",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "tender-testservice",
            dependencies: ["RPC", "ServiceKit", "TestServiceKit"],
            path: "Tests/Support/TestService",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MessagesTests",
            dependencies: ["Messages"],
            path: "Tests/MessagesTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RPCTests",
            dependencies: [
                "Messages", "RPC", "RPCNGHTTP2", "ServiceKit", "TestServiceKit",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "SQLKit", package: "sql-kit"),
            ],
            path: "Tests/RPCTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RPCNGHTTP2Tests",
            dependencies: [
                "RPCNGHTTP2", "RPC", "Messages", "ServiceKit", "TestServiceKit",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/RPCNGHTTP2Tests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ServiceKitTests",
            dependencies: [
                "Messages", "RPC", "ServiceKit", "TestServiceKit",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Tests/ServiceKitTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RecordsTests",
            dependencies: [
                "Messages", "RPC", "ServiceKit", "Records", "TestServiceKit",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/RecordsTests",
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "VaultTests",
            dependencies: [
                "Messages", "RPC", "ServiceKit", "Vault", "TestServiceKit",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/VaultTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "EvaluationTests",
            dependencies: [
                "Messages", "RPC", "ServiceKit", "Evaluation", "TestServiceKit",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/EvaluationTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "NegotiationTests",
            dependencies: [
                "Messages", "RPC", "ServiceKit", "Negotiation", "Vault", "TestServiceKit",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/NegotiationTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "IntakeTests",
            dependencies: [
                "Messages", "RPC", "ServiceKit", "Intake", "TestServiceKit",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/IntakeTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SystemTests",
            dependencies: [
                "Messages", "RPC", "ServiceKit", "TestServiceKit",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SQLKit", package: "sql-kit"),
            ],
            path: "Tests/SystemTests",
            swiftSettings: swiftSettings
        ),
    ]
)
