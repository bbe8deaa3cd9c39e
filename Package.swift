// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Amalgam",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "amalgam", targets: ["amalgam"]),
        .library(name: "AmalgamCore", targets: ["AmalgamCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
    ],
    targets: [
        // Lua 5.4 from Debian's liblua5.4-dev, found through pkg-config.
        .systemLibrary(
            name: "CLua",
            pkgConfig: "lua5.4",
            providers: [.apt(["liblua5.4-dev"])]
        ),
        // C shims for Lua's macros, the throw-safe trampoline, the capped allocator,
        // the timeout/interrupt hook and libedit line reading.
        .target(
            name: "CLuaShims",
            dependencies: ["CLua"],
            linkerSettings: [.linkedLibrary("edit")]
        ),
        // The model: hardware, workload, collectives, planner, simulator. No Lua, no I/O.
        .target(
            name: "AmalgamCore",
            dependencies: [.product(name: "Collections", package: "swift-collections")],
            // The planner, network model and simulator run 30-40x slower unoptimised; tests
            // and `make test`'s script runs use debug builds, so the core is always optimised.
            swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]
        ),
        // CSV and JSON encoding, atomic file writes.
        .target(name: "AmalgamIO"),
        // The Lua bridge and the `amalgam` module's bindings.
        .target(
            name: "AmalgamLua",
            dependencies: ["CLua", "CLuaShims", "AmalgamCore", "AmalgamIO"],
            // One Lua state is used from one thread; Swift 5 mode spares the bridge's
            // static class descriptors from Sendable ceremony.
            swiftSettings: [
                .swiftLanguageMode(.v5),
                // The dispatcher reads the function table on every Lua->Swift call;
                // dynamic exclusivity checks on it cost more than the call itself.
                .unsafeFlags(["-enforce-exclusivity=unchecked"]),
            ]
        ),
        .executableTarget(
            name: "amalgam",
            dependencies: [
                "AmalgamLua",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "amalgam-bench",
            dependencies: [
                "AmalgamLua", "AmalgamCore", "AmalgamIO", "CLua", "CLuaShims",
                .product(name: "Collections", package: "swift-collections"),
            ]
        ),
        .testTarget(name: "AmalgamCoreTests", dependencies: ["AmalgamCore"], exclude: ["Fixtures"]),
        .testTarget(name: "AmalgamLuaTests", dependencies: ["AmalgamLua", "AmalgamIO", "AmalgamCore", "CLua", "CLuaShims"]),
        .testTarget(name: "AmalgamCLITests", dependencies: ["AmalgamIO"]),
    ]
)
