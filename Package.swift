// swift-tools-version:6.0
// Veche — the voting engine behind official house chats.
// No package dependencies: the toolchain plus Debian's libcrypto, libsqlite3 (and later libpq).
import PackageDescription

let package = Package(
    name: "Veche",
    products: [
        .executable(name: "veche", targets: ["veche"]),
        .library(name: "VecheCore", targets: ["VecheCore"]),
        .library(name: "VecheLedger", targets: ["VecheLedger"]),
    ],
    targets: [
        // System C libraries, each wrapped by exactly one Swift target.
        .systemLibrary(
            name: "COpenSSL", path: "Sources/COpenSSL", pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]),
        .systemLibrary(
            name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]),
        // epoll and eventfd from glibc (missing from Swift's Glibc module map); header-only.
        .systemLibrary(name: "CEpoll", path: "Sources/CEpoll"),

        // Domain, exact arithmetic, counting. No C, no I/O.
        .target(name: "VecheCore"),
        // Hashes, signatures, keys (over OpenSSL libcrypto).
        .target(name: "VecheCrypto", dependencies: ["COpenSSL"]),
        // Canonical JSON, commands, entries, Merkle tree, checkpoints, state machine, verification.
        .target(name: "VecheLedger", dependencies: ["VecheCore", "VecheCrypto"]),
        // Durable store (SQLite) and the ingest pipeline.
        .target(name: "VecheStore", dependencies: ["VecheLedger", "VecheCrypto", "VecheCore", "CSQLite"]),
        // HTTP/1.1 server on POSIX sockets; knows nothing of Veche.
        .target(name: "VecheHTTP", dependencies: ["CEpoll"]),
        // Protocol documents and charts.
        .target(name: "VecheReport", dependencies: ["VecheLedger", "VecheCore"]),
        // The Veche HTTP API over the store.
        .target(
            name: "VecheServer",
            dependencies: ["VecheStore", "VecheHTTP", "VecheReport", "VecheLedger", "VecheCrypto", "VecheCore"],
            resources: [.copy("Web")]),
        // The CLI verbs as a library so tests can call them in-process.
        .target(
            name: "VecheCLI",
            dependencies: ["VecheServer", "VecheStore", "VecheReport", "VecheLedger", "VecheCrypto", "VecheCore", "VecheHTTP"],
            resources: [.copy("Samples")]),
        .executableTarget(name: "veche", dependencies: ["VecheCLI"]),

        // Helpers shared by the test targets.
        .target(name: "VecheTestSupport", dependencies: ["VecheCore", "VecheCrypto", "VecheLedger", "VecheHTTP"]),

        .testTarget(name: "VecheCoreTests", dependencies: ["VecheCore", "VecheTestSupport"]),
        .testTarget(name: "VecheCryptoTests", dependencies: ["VecheCrypto", "VecheTestSupport"]),
        .testTarget(name: "VecheLedgerTests", dependencies: ["VecheLedger", "VecheCrypto", "VecheCore", "VecheTestSupport"]),
        .testTarget(name: "VecheStoreTests", dependencies: ["VecheStore", "VecheLedger", "VecheCrypto", "VecheCore", "VecheTestSupport"]),
        .testTarget(name: "VecheHTTPTests", dependencies: ["VecheHTTP", "VecheTestSupport"]),
        .testTarget(name: "VecheServerTests", dependencies: ["VecheServer", "VecheStore", "VecheLedger", "VecheCrypto", "VecheCore", "VecheHTTP", "VecheTestSupport"]),
        .testTarget(name: "VecheReportTests", dependencies: ["VecheReport", "VecheLedger", "VecheCrypto", "VecheCore", "VecheTestSupport"]),
        .testTarget(name: "VecheWebTests", dependencies: ["VecheTestSupport", "VecheServer", "VecheStore", "VecheReport", "VecheCLI", "VecheLedger", "VecheCrypto", "VecheCore", "VecheHTTP"]),
        .testTarget(name: "VecheCLITests", dependencies: ["VecheCLI", "VecheLedger", "VecheCrypto", "VecheCore", "VecheTestSupport"]),
        // Kills and restarts the real `veche serve` (SwiftPM builds the executable for it).
        .testTarget(name: "VecheCrashTests", dependencies: ["veche", "VecheTestSupport", "VecheLedger", "VecheCrypto", "VecheCore", "VecheHTTP"]),
    ]
)

// Strictness for every Swift target, in one place.
for target in package.targets where target.type != .system {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("InternalImportsByDefault"))
    target.swiftSettings = settings
}
