// swift-tools-version:6.2
import Foundation
import PackageDescription

/// The libnghttp2 engine's safety harness (scripts/nghttp2-safety, docs/SAFETY.md): a
/// package of its own, built with AddressSanitizer and libFuzzer's coverage instrumentation,
/// so the main build never pays for either. It depends on the main package by path; a path
/// dependency's identity is its directory name, which differs between clones.
///
/// Build it through scripts/nghttp2-safety: the fuzzer links libFuzzer's runtime
/// (`libclang_rt.fuzzer_no_main`), whose path the script finds in the toolchain.
let main = URL(fileURLWithPath: Context.packageDirectory).deletingLastPathComponent().lastPathComponent

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "TenderDialogueSafety",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        .target(name: "CLibFuzzer"),
        .target(
            name: "SafetyService",
            dependencies: [
                .product(name: "Messages", package: main),
                .product(name: "RPC", package: main),
                .product(name: "RPCNGHTTP2", package: main),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "nghttp2-safety-server",
            dependencies: [
                "SafetyService",
                .product(name: "RPC", package: main),
                .product(name: "RPCNGHTTP2", package: main),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "nghttp2-safety-fuzz",
            dependencies: [
                "CLibFuzzer",
                "SafetyService",
                .product(name: "RPC", package: main),
                .product(name: "RPCNGHTTP2", package: main),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
