// swift-tools-version:6.2
import Foundation
import PackageDescription

/// The benchmark suite (docs/BENCHMARKS.md): a package of its own, so the main build and CI
/// never compile gRPC or the load generators. It depends on the main package by path; a
/// path dependency's identity is its directory name, which differs between clones.
let main = URL(fileURLWithPath: Context.packageDirectory).deletingLastPathComponent().lastPathComponent

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "TenderDialogueBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/grpc/grpc-swift-2.git", exact: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", exact: "2.9.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
    ],
    targets: [
        .target(
            name: "BenchSupport",
            dependencies: [
                .product(name: "Messages", package: main),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "bench-rpc-server",
            dependencies: [
                "BenchSupport",
                .product(name: "RPCNGHTTP2", package: main),
                .product(name: "Messages", package: main),
                .product(name: "RPC", package: main),
                .product(name: "ServiceKit", package: main),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdHTTP2", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "bench-rpc-client",
            dependencies: [
                "BenchSupport",
                .product(name: "Messages", package: main),
                .product(name: "RPC", package: main),
                .product(name: "RPCNGHTTP2", package: main),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "bench-evaluation",
            dependencies: [
                .product(name: "Messages", package: main),
                .product(name: "Evaluation", package: main),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "bench-records",
            dependencies: [
                "BenchSupport",
                .product(name: "Messages", package: main),
                .product(name: "RPC", package: main),
                .product(name: "ServiceKit", package: main),
                .product(name: "Records", package: main),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
