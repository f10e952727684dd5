// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Cohort",
    products: [
        .library(name: "Cohort", targets: ["Cohort"]),
        .executable(name: "cohort", targets: ["CohortCLI"]),
    ],
    targets: [
        .target(name: "Cohort", path: "Sources/Cohort"),
        .executableTarget(name: "CohortCLI", dependencies: ["Cohort"], path: "Sources/CohortCLI"),
        .executableTarget(name: "cohort-bench", dependencies: ["Cohort"], path: "Benchmarks/CohortBench"),
        .testTarget(
            name: "CohortTests", dependencies: ["Cohort"], path: "Tests/CohortTests",
            // Golden files are read through #filePath, not bundled as resources.
            exclude: ["Compiler/Golden", "Diagnostics/Golden", "CLI/Golden", "LanguageServer/Golden", "RecordCheck/Golden", "REPL/Golden", "Rulesets/Golden", "Semantics/Golden", "Syntax/Golden", "Testing/Golden"]),
    ]
)
