// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "prio-lua",
    products: [
        .library(name: "PrioLua", targets: ["PrioLua"]),
        .executable(name: "prio-lua", targets: ["prio-lua"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-system", from: "1.4.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.1.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CLua",
            pkgConfig: "lua5.4",
            providers: [.apt(["liblua5.4-dev"])]
        ),
        .target(name: "CLuaShim", dependencies: ["CLua"], linkerSettings: [.linkedLibrary("m")]),
        .target(name: "CPrefetch"),
        .target(name: "PrioCore", dependencies: ["CPrefetch"]),
        .target(
            name: "PrioLua",
            dependencies: [
                "CLuaShim", "CLua", "PrioCore",
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        .executableTarget(
            name: "prio-lua",
            dependencies: [
                "PrioLua",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "embed-example", dependencies: ["PrioLua"]),
        .testTarget(name: "PrioCoreTests", dependencies: ["PrioCore"]),
        .testTarget(name: "PrioLuaTests", dependencies: ["PrioLua"]),
        .testTarget(name: "CLITests", dependencies: ["PrioLua"]),
    ],
    swiftLanguageModes: [.v6]
)
