// swift-tools-version:6.0
import PackageDescription

// Module layout and dependency arrows: see docs/DESIGN.md.
// Only TensorCore imports CDNNL; only GeoRaster imports CGDAL/CPROJ; GeoRaster never imports TensorCore.

let package = Package(
    name: "LandUse",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "LandUseKit", targets: ["LandUseKit"]),
        .library(name: "GeoRaster", targets: ["GeoRaster"]),
        .library(name: "SegmentationModels", targets: ["SegmentationModels"]),
        .library(name: "NeuralNet", targets: ["NeuralNet"]),
        .library(name: "TensorCore", targets: ["TensorCore"]),
        .executable(name: "landuse", targets: ["landuse"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(name: "CGDAL", pkgConfig: "gdal", providers: [.apt(["libgdal-dev"])]),
        .systemLibrary(name: "CPROJ", pkgConfig: "proj", providers: [.apt(["libproj-dev"])]),
        // Debian's libdnnl-dev ships no .pc file; headers live in /usr/include/oneapi/dnnl.
        .systemLibrary(name: "CDNNL", providers: [.apt(["libdnnl-dev"])]),

        .target(name: "TensorCore", dependencies: ["CDNNL"]),
        .target(name: "NeuralNet", dependencies: ["TensorCore"]),
        .target(name: "SegmentationModels", dependencies: ["NeuralNet", "TensorCore"]),
        .target(name: "GeoRaster", dependencies: ["CGDAL", "CPROJ"]),
        .target(
            name: "LandUseKit",
            dependencies: ["GeoRaster", "SegmentationModels", "NeuralNet", "TensorCore"]),
        .executableTarget(
            name: "landuse",
            dependencies: ["LandUseKit", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        // Side-by-side benchmarks against PyTorch: Benchmarks/run.sh, docs/benchmarks.md.
        .executableTarget(name: "LandUseBenchmarks", dependencies: ["TensorCore", "NeuralNet", "SegmentationModels"], path: "Benchmarks/Sources/LandUseBenchmarks"),
        // Classify end to end against the classifier alone, and random-weight model files for
        // Benchmarks/classify_memory.sh (docs/benchmarks.md).
        .executableTarget(
            name: "ClassifyBenchmark", dependencies: ["LandUseKit", "GeoRaster", "SegmentationModels", "TensorCore"],
            path: "Benchmarks/Sources/ClassifyBenchmark"),

        // A sample program that scripts LandUseKit like Samples/classify_folder.sh scripts the CLI;
        // built by `make test`, so it cannot rot.
        .executableTarget(name: "classify-folder", dependencies: ["LandUseKit"], path: "Samples/ClassifyFolder"),

        .testTarget(name: "TensorCoreTests", dependencies: ["TensorCore"]),
        .testTarget(name: "NeuralNetTests", dependencies: ["NeuralNet", "TensorCore"]),
        .testTarget(name: "SegmentationModelsTests", dependencies: ["SegmentationModels"]),
        .testTarget(name: "GeoRasterTests", dependencies: ["GeoRaster"]),
        .testTarget(name: "LandUseKitTests", dependencies: ["LandUseKit", "GeoRaster", "CPROJ"]),
        .testTarget(name: "landuseTests", dependencies: ["landuse", "classify-folder", "LandUseKit", "SegmentationModels", "GeoRaster"]),
    ],
    swiftLanguageModes: [.v5]
)
