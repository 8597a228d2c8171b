// swift-tools-version:6.0
import PackageDescription

// Targets follow the pipeline of DESIGN.md; each imports only what is listed before it.
let package = Package(
    name: "SeqLab",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "SeqLab", targets: ["Core", "Kernels", "Graph", "Autodiff", "Engine", "NN", "Models", "Optim", "Text", "Data", "Spec", "Runs", "Planner", "Training"]),
        .executable(name: "runner", targets: ["runner"]),
        .executable(name: "seqlab-bench", targets: ["Bench"]),
    ],
    targets: [
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .target(name: "Core"),
        .target(name: "Kernels", dependencies: ["Core", "CBLAS"]),
        .target(name: "Graph", dependencies: ["Core"]),
        .target(name: "Autodiff", dependencies: ["Graph"]),
        .target(name: "Engine", dependencies: ["Graph", "Kernels"]),
        .target(name: "NN", dependencies: ["Graph"]),
        .target(name: "Models", dependencies: ["NN"]),
        .target(name: "Optim", dependencies: ["Core"]),
        .target(name: "Text"),
        .target(name: "Data", dependencies: ["Text", "Core"]),
        .target(name: "Spec", dependencies: ["CYAML", "Core"]),
        .target(name: "Runs", dependencies: ["Core"]),
        .target(name: "Planner", dependencies: ["Spec", "Models", "NN", "Optim", "Data", "Autodiff"]),
        .target(name: "Training", dependencies: ["Planner", "Engine", "Runs", "Data", "Text", "Spec", "Optim"]),
        .target(name: "TestSupport", dependencies: ["Core", "Graph", "Autodiff", "Engine"]),
        .executableTarget(name: "runner", dependencies: ["Training"]),
        .executableTarget(name: "Bench", dependencies: ["Kernels", "Engine", "Autodiff", "Models", "Optim", "Text", "Data"]),
        .testTarget(name: "CoreTests", dependencies: ["Core", "TestSupport"]),
        .testTarget(name: "KernelsTests", dependencies: ["Kernels", "TestSupport"]),
        .testTarget(name: "GraphTests", dependencies: ["Graph", "Autodiff", "Engine", "TestSupport"]),
        .testTarget(name: "NNTests", dependencies: ["NN", "Autodiff", "Engine", "Optim", "TestSupport"],
                    resources: [.copy("Golden")]),
        .testTarget(name: "OptimTests", dependencies: ["Optim", "TestSupport"]),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "Autodiff", "Engine", "TestSupport"]),
        .testTarget(name: "TextTests", dependencies: ["Text"]),
        .testTarget(name: "DataTests", dependencies: ["Data", "Text"]),
        .testTarget(name: "SpecTests", dependencies: ["Spec"]),
        .testTarget(name: "RunsTests", dependencies: ["Runs"]),
        .testTarget(name: "PlannerTests", dependencies: ["Planner", "Engine", "TestSupport"]),
        .testTarget(name: "RunnerTests", dependencies: ["runner"], resources: [.copy("Snapshots")]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "Runs", "Spec", "Data", "Core"]),
    ],
    swiftLanguageModes: [.v6]
)
