// swift-tools-version:6.0
// A service that embeds Cohort, as a separate package using it by path: it sees only the
// public API (`import Cohort`), as a service depending on a release would.
import PackageDescription

let package = Package(
    name: "FlagService",
    dependencies: [.package(name: "Cohort", path: "../..")],
    targets: [
        .executableTarget(name: "FlagService", dependencies: [.product(name: "Cohort", package: "Cohort")]),
    ]
)
