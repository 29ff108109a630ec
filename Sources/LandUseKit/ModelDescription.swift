import SegmentationModels

/// What a LandUse model file says about itself: the JSON document stored under the key `landuse` of the
/// safetensors `__metadata__` map. docs/model-format.md documents every key.
public struct ModelDescription: Codable, Equatable, Sendable {
    /// Bumped when a key changes meaning; readers refuse versions newer than they know.
    public static let currentFormatVersion = 1

    public var formatVersion: Int
    /// The network: enough to build it and to check the weight tensors against it.
    public var architecture: PSPNetConfiguration
    /// Output classes in logit order: logit `i` is written to the class raster as `classes[i].value`.
    public var classes: [ClassInfo]
    /// Input bands in model order, with their normalisation.
    public var bands: [BandInfo]
    /// How input pixels that are nodata, NaN or masked are handled.
    public var nodata: NodataPolicy
    /// Recommended chip size and overlap for tiled inference, in pixels.
    public var chipSize: Int
    public var chipOverlap: Int
    /// Where the weights came from: data, iterations, metrics.
    public var provenance: Provenance

    public init(
        architecture: PSPNetConfiguration, classes: [ClassInfo], bands: [BandInfo], nodata: NodataPolicy = .maskedAsMean,
        chipSize: Int = 256, chipOverlap: Int = 64, provenance: Provenance = Provenance()
    ) {
        formatVersion = ModelDescription.currentFormatVersion
        self.architecture = architecture
        self.classes = classes
        self.bands = bands
        self.nodata = nodata
        self.chipSize = chipSize
        self.chipOverlap = chipOverlap
        self.provenance = provenance
    }

    /// Problems that make the description unusable, each phrased as a fix; empty when valid.
    public var problems: [String] {
        var found = architecture.problems
        if formatVersion > ModelDescription.currentFormatVersion {
            found.append("model format version \(formatVersion) is newer than this landuse understands (\(ModelDescription.currentFormatVersion)): upgrade landuse")
        }
        if classes.count != architecture.classCount {
            found.append("the file lists \(classes.count) classes but the network has \(architecture.classCount) outputs: the classes array must have one entry per output")
        }
        if bands.count != architecture.bandCount {
            found.append("the file lists \(bands.count) bands but the network takes \(architecture.bandCount): the bands array must have one entry per input band")
        }
        let values = classes.map(\.value)
        if Set(values).count != values.count { found.append("class values \(values) repeat: give each class its own raster value") }
        if let bad = values.first(where: { $0 < 0 || $0 > 65534 }) {
            found.append("class value \(bad) is outside 0...65534: class rasters are Byte or UInt16 with 65535 kept for nodata")
        }
        if let bad = bands.first(where: { !($0.std > 0) || !$0.std.isFinite || !$0.mean.isFinite }) {
            found.append("band \"\(bad.name)\" has mean \(bad.mean) and std \(bad.std): the std must be a positive finite number")
        }
        if chipSize < 32 || chipOverlap < 0 || chipOverlap >= chipSize / 2 {
            found.append("chip size \(chipSize) with overlap \(chipOverlap): use a chip size of at least 32 and an overlap below half of it")
        }
        return found
    }

    /// The value a class raster uses for nodata: 255 for Byte rasters (class values up to 254), 65535 above.
    public var nodataClassValue: Int { (classes.map(\.value).max() ?? 0) <= 254 ? 255 : 65535 }

    private enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version"
        case architecture, classes, bands, nodata
        case chipSize = "chip_size"
        case chipOverlap = "chip_overlap"
        case provenance
    }
}

/// One output class.
public struct ClassInfo: Codable, Equatable, Sendable {
    /// The value written to the class raster.
    public var value: Int
    public var name: String
    /// Display colour, `[red, green, blue]` in 0...255.
    public var color: [Int]

    public init(value: Int, name: String, color: [Int]) {
        self.value = value
        self.name = name
        self.color = color
    }
}

/// One input band and its normalisation: the model sees `(pixel - mean) / std`.
public struct BandInfo: Codable, Equatable, Sendable {
    public var name: String
    public var mean: Float
    public var std: Float

    public init(name: String, mean: Float, std: Float) {
        self.name = name
        self.mean = mean
        self.std = std
    }
}

/// How pixels that are nodata, NaN or masked in some or all input bands are handled.
public enum NodataPolicy: String, Codable, CaseIterable, Sendable {
    /// A pixel invalid in any band is fed to the network as the band means (0 after normalisation) and is
    /// nodata in every output.
    case maskedAsMean = "masked_as_mean"
    /// A band that is invalid at a pixel is fed as its mean (0 after normalisation); the pixel is nodata
    /// only where every band is invalid. For sensors whose bands drop out independently (a single-band
    /// stripe or dropout should not punch a hole in the map); training sees such pixels the same way.
    case fillMissingBands = "fill_missing_bands"
}

/// Where a model came from.
public struct Provenance: Codable, Equatable, Sendable {
    /// Free-form description of the training data (files, windows, licence).
    public var data: String
    public var iterations: Int
    /// Validation or test metrics, by name (e.g. "val_miou", "east_third_oa").
    public var metrics: [String: Double]
    /// Tool and version that wrote the file.
    public var software: String
    /// ISO 8601 time of writing.
    public var created: String
    /// Anything else worth keeping (command line, seed, notes), by name.
    public var notes: [String: String]

    public init(data: String = "", iterations: Int = 0, metrics: [String: Double] = [:], software: String = "landuse \(LandUseVersion.tool)",
                created: String = "", notes: [String: String] = [:]) {
        self.data = data
        self.iterations = iterations
        self.metrics = metrics
        self.software = software
        self.created = created
        self.notes = notes
    }
}
