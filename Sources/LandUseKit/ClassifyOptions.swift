import Foundation
import GeoRaster
import TensorCore

/// The arithmetic of the model's convolutions: `.float32` or `.bfloat16` (AVX512-BF16 CPUs; see docs/DESIGN.md,
/// "Inference plan", for its accuracy effect). Parsed from "f32" / "bf16".
public typealias ModelPrecision = InferencePrecision

/// Everything `landuse classify` can be told besides the input, the model and the output.
public struct ClassifyOptions: Sendable {
    /// Chip edge in pixels; nil takes the model file's recommendation.
    public var chipSize: Int?
    /// Overlap between neighbouring chips in pixels; nil takes the model file's recommendation.
    public var overlap: Int?
    /// Chips per forward pass.
    public var batchSize: Int
    /// 1-based input bands that feed the model, in model order; nil means the first N when the input has
    /// exactly the model's band count.
    public var bands: [Int]?
    /// Optional extra outputs on the same grid.
    public var probabilitiesURL: URL?
    public var confidenceURL: URL?
    /// Test-time augmentation.
    public var augmentation: TestTimeAugmentation
    /// COG (default) or tiled GeoTIFF, for every raster output.
    public var layout: RasterWriteOptions.Layout
    /// GDAL creation options passed through (KEY=VALUE).
    public var creationOptions: [String: String]
    /// Replace existing outputs.
    public var overwrite: Bool
    /// Classify only this window of the input (outputs cover just the window); nil for the whole raster.
    public var window: Window?
    /// Widest column strip processed at once, in pixels: bounds memory for very wide rasters.
    public var maximumStripWidth: Int
    /// Precision of the model's convolutions.
    public var precision: ModelPrecision
    /// Read and cut the next chips, and write finished rows, on background threads while the classifier runs
    /// (results are bit-identical to the sequential path, `false`, which does one thing at a time). On by
    /// default: with the stage threads at nice +5 it was faster than the sequential path even on 2 cores that
    /// the model fills (docs/benchmarks.md, "Classify end to end").
    public var pipelined: Bool

    public init(
        chipSize: Int? = nil, overlap: Int? = nil, batchSize: Int = 4, bands: [Int]? = nil,
        probabilitiesURL: URL? = nil, confidenceURL: URL? = nil, augmentation: TestTimeAugmentation = .none,
        layout: RasterWriteOptions.Layout = .cloudOptimizedGeoTIFF, creationOptions: [String: String] = [:],
        overwrite: Bool = false, window: Window? = nil, maximumStripWidth: Int = 8192, pipelined: Bool = true,
        precision: ModelPrecision = .float32
    ) {
        self.precision = precision
        self.window = window
        self.chipSize = chipSize
        self.overlap = overlap
        self.batchSize = batchSize
        self.bands = bands
        self.probabilitiesURL = probabilitiesURL
        self.confidenceURL = confidenceURL
        self.augmentation = augmentation
        self.layout = layout
        self.creationOptions = creationOptions
        self.overwrite = overwrite
        self.maximumStripWidth = maximumStripWidth
        self.pipelined = pipelined
    }
}

/// Where a classify run is: for progress bars and log lines.
public struct ClassifyProgress: Sendable {
    public var chipsDone: Int
    public var chipsTotal: Int
    public var secondsElapsed: Double
}

/// What a classify run did: printed as JSON by `landuse classify --json`.
public struct ClassifySummary: Codable, Sendable {
    public var input: String
    public var output: String
    public var width: Int
    public var height: Int
    public var chipSize: Int
    public var overlap: Int
    public var chipsTotal: Int
    public var chipsClassified: Int
    /// Chips skipped because every pixel was nodata.
    public var chipsSkipped: Int
    public var validPixels: Int
    public var nodataPixels: Int
    /// Pixel count per class value (as text keys, for JSON).
    public var classPixels: [String: Int]
    public var seconds: Double
    /// Every file written, main output first.
    public var outputs: [String]

    private enum CodingKeys: String, CodingKey {
        case input, output, width, height
        case chipSize = "chip_size"
        case overlap
        case chipsTotal = "chips_total"
        case chipsClassified = "chips_classified"
        case chipsSkipped = "chips_skipped"
        case validPixels = "valid_pixels"
        case nodataPixels = "nodata_pixels"
        case classPixels = "class_pixels"
        case seconds, outputs
    }
}

/// A pixel window (`COL,ROW,WIDTH,HEIGHT` on the command line), GeoRaster's `Window` under the name
/// LandUseKit's callers use.
public typealias RasterWindow = Window

/// The file format of raster outputs.
public enum RasterFormat: String, CaseIterable, Sendable {
    /// Cloud-Optimized GeoTIFF (default): tiled, DEFLATE, overviews, readable over HTTP range requests.
    case cog
    /// Tiled, DEFLATE-compressed GeoTIFF with overviews.
    case gtiff

    var layout: RasterWriteOptions.Layout { self == .cog ? .cloudOptimizedGeoTIFF : .geoTIFF }
}

extension ClassifyOptions {
    /// The raster output format (sets `layout`).
    public var format: RasterFormat {
        get { layout == .cloudOptimizedGeoTIFF ? .cog : .gtiff }
        set { layout = newValue.layout }
    }
}
