// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "pg-ssl-wizard",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "pg-ssl-wizard", targets: ["pg-ssl-wizard"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
    ],
    targets: [
        // C libraries, imported only by their wrappers (PostgresClient, WizardApp's terminal, HostIO's process runner).
        // libpq is loaded when first called (Sources/CLibPQ/lazy_libpq.c), not linked.
        .target(name: "CLibPQ", path: "Sources/CLibPQ"),
        .systemLibrary(name: "CNCursesW", pkgConfig: "ncursesw", providers: [.apt(["libncursesw5-dev"])]),
        // Loads libpq before main for the commands that connect (the wizard's executable only).
        .target(name: "CWizardStart", dependencies: ["CLibPQ"]),
        // glibc's posix_spawn closefrom action, for HostIO's process runner.
        .systemLibrary(name: "CPosixSpawn"),

        // Pure value types describing a cluster as read, and the status verdict.
        .target(name: "ClusterFacts"),
        // Pure pg_hba.conf engine: tokenize -> parse -> match, lossless printer, rewrite, lint.
        .target(name: "HBA", dependencies: ["ClusterFacts"]),
        // Certificates: inspect, check against PostgreSQL's rules, generate (pure; files come in as values).
        .target(name: "Certificates", dependencies: [
            "ClusterFacts",
            .product(name: "X509", package: "swift-certificates"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "_CryptoExtras", package: "swift-crypto"),
            .product(name: "SwiftASN1", package: "swift-asn1"),
        ]),
        // The SQL the wizard runs, per server version, in one catalogue: what it reads and what it changes.
        .target(name: "SQLCatalogue", dependencies: ["ClusterFacts"]),
        // Pure enforcement core: steps, planner, lock-out guard, reduce(state, event) -> [Effect].
        .target(name: "Enforcement", dependencies: ["ClusterFacts", "HBA", "SQLCatalogue"]),
        // Pure: connection lines out of the server's log (stderr, csvlog, jsonlog).
        .target(name: "ServerLog", dependencies: ["ClusterFacts"]),
        // libpq wrapper and version-aware inspection.
        .target(name: "PostgresClient", dependencies: ["CLibPQ", "ClusterFacts", "SQLCatalogue"]),
        // Host I/O: child processes, OS users, the postmaster, files written atomically and read through descriptors.
        .target(name: "HostIO", dependencies: ["CPosixSpawn", "ClusterFacts", .product(name: "Crypto", package: "swift-crypto")]),
        // Reading what a plan needs: the server, its files as its OS user, the certificates, the TLS it serves, its log.
        .target(name: "PlanningInputs", dependencies: ["HostIO", "SQLCatalogue", "ClusterFacts", "HBA", "Certificates", "Enforcement", "PostgresClient", "ServerLog"]),
        // The run engine: the driver, the effects on the server and its files, the journal, the watchdog, the report.
        .target(name: "Executor", dependencies: ["HostIO", "SQLCatalogue", "PlanningInputs", "ClusterFacts", "HBA", "Certificates", "Enforcement", "PostgresClient"]),
        // The wizard: Model/Update/View over an in-memory cell grid (pure).
        .target(name: "WizardUI", dependencies: ["ClusterFacts", "Enforcement"]),
        // The wizard's texts under Resources/ (explanation panels), shipped as a resource bundle.
        .target(name: "WizardTexts", path: "Resources", exclude: [], sources: ["WizardTexts.swift"], resources: [.copy("explanations"), .copy("scenarios")]),
        // The wizard's runtime: the ncurses backend, the input loop, the run worker and the live session view over the executor.
        .target(name: "WizardApp", dependencies: ["CNCursesW", "ClusterFacts", "Certificates", "Enforcement", "PlanningInputs", "Executor", "HostIO", "PostgresClient", "WizardUI", "WizardTexts"]),
        // Practice clusters (also the test fixture's clusters).
        .target(name: "Sandbox", dependencies: ["ClusterFacts", "Certificates", "PostgresClient", "HostIO", "Executor"]),
        // The executable: argument parsing and wiring only.
        .executableTarget(name: "pg-ssl-wizard", dependencies: [
            "ClusterFacts", "HBA", "Certificates", "Enforcement", "PostgresClient", "HostIO", "PlanningInputs", "Executor", "Sandbox", "WizardApp",
            "CWizardStart",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Test support: real-server fixture, network namespaces, snapshots.
        .target(name: "TestSupport", dependencies: ["ClusterFacts", "HBA", "PostgresClient", "HostIO", "Executor", "Sandbox", "SQLCatalogue"],
                path: "Tests/TestSupport"),
        // A client for tests to run inside network namespaces.
        .executableTarget(name: "pgsw-probe", dependencies: ["PostgresClient"], path: "Tests/TestProbe"),
        // The pg_hba.conf fuzz target (make fuzz); a corpus runner in normal builds.
        .target(name: "FuzzCorpus", path: "Tests/Fuzz/FuzzCorpus"),
        .executableTarget(name: "hba-fuzz", dependencies: ["HBA", "FuzzCorpus"], path: "Tests/Fuzz/HBAFuzz"),
        // The connection-string fuzz target (make fuzz FUZZ=conninfo); a corpus runner in normal builds.
        .executableTarget(name: "conninfo-fuzz", dependencies: ["PostgresClient", "ClusterFacts", "FuzzCorpus"], path: "Tests/Fuzz/ConninfoFuzz"),
        // `make bench`: benchmarks, each with a baseline measured in the same run.
        .executableTarget(name: "pgsw-bench", dependencies: ["ClusterFacts", "HBA", "Enforcement", "HostIO", "SQLCatalogue", "Executor", "PostgresClient", "ServerLog", "TestSupport"],
                          path: "Benchmarks/PgswBench"),
        .testTarget(name: "ClusterFactsTests", dependencies: ["ClusterFacts", "TestSupport"]),
        .testTarget(name: "ServerLogTests", dependencies: ["ServerLog", "ClusterFacts"]),
        .testTarget(name: "HBATests", dependencies: ["HBA", "ClusterFacts", "HostIO", "PlanningInputs", "PostgresClient", "TestSupport", "pgsw-probe"],
                    exclude: ["Corpus"]),
        .testTarget(name: "CertificatesTests", dependencies: ["Certificates", "HostIO", "Executor", "PostgresClient", "TestSupport"]),
        // Planner inputs as values, shared by the planner's and the wizard's tests.
        .target(name: "PlanFixtures", dependencies: ["ClusterFacts", "Enforcement", "HBA"], path: "Tests/PlanFixtures"),
        .testTarget(name: "EnforcementTests", dependencies: ["SQLCatalogue", "Enforcement", "ClusterFacts", "HBA", "PlanFixtures"]),
        .testTarget(name: "HostIOTests", dependencies: ["HostIO", "TestSupport"]),
        .testTarget(name: "PlanningInputsTests", dependencies: ["SQLCatalogue", "PlanningInputs", "Executor", "Enforcement", "ClusterFacts", "HBA", "Certificates", "HostIO",
                                                               "PostgresClient", "TestSupport"]),
        .testTarget(name: "ExecutorTests", dependencies: ["SQLCatalogue", "HostIO", "PlanningInputs", "Executor", "Enforcement", "ClusterFacts", "HBA", "Certificates", "PostgresClient", "TestSupport"]),
        .testTarget(name: "PostgresClientTests", dependencies: ["PostgresClient", "ClusterFacts", "HostIO", "TestSupport"],
                    exclude: ["ConninfoCorpus"]),
        .testTarget(name: "WizardAppTests", dependencies: ["WizardApp", "WizardUI", "TestSupport"]),
        .testTarget(name: "WizardUITests", dependencies: ["WizardUI", "WizardTexts", "Enforcement", "ClusterFacts", "PlanFixtures"],
                    exclude: ["Golden"]),
        .testTarget(name: "CLITests", dependencies: ["TestSupport", "ClusterFacts", "Certificates", "HostIO", "Executor", "PostgresClient", "Sandbox"],
                    exclude: ["Adversarial/hostile-role.sql", "Adversarial/hostile-role-setup.sql"]),
    ]
)
