import Foundation

/// Hectares per class of a class raster: what `landuse report` and `landuse classify --report` write.
///
/// JSON keys are part of the CLI contract (docs/cli.md): a top-level `classes` array of
/// `{value, name, pixels, area_m2, area_ha, fraction}`, `total`, `nodata_pixels`, `crs`, `area_method`,
/// and with zones a `zones` array holding the same per zone. `fraction` is of the valid (non-nodata) area.
public struct AreaReport: Codable, Equatable, Sendable {
    /// The class raster the numbers come from (as given).
    public var raster: String
    /// The raster's CRS as an authority code when there is one (e.g. "EPSG:32725"), else its name.
    public var crs: String
    /// How pixel areas were computed (geodesic on which ellipsoid, or planar for equal-area projections).
    public var areaMethod: String
    public var classes: [ClassArea]
    public var total: AreaTotal
    public var nodataPixels: Int
    /// Per zone polygon, when zones were given.
    public var zones: [ZoneArea]?

    public init(raster: String, crs: String, areaMethod: String, classes: [ClassArea], nodataPixels: Int, zones: [ZoneArea]? = nil) {
        self.raster = raster
        self.crs = crs
        self.areaMethod = areaMethod
        self.classes = classes
        self.total = AreaTotal(classes: classes)
        self.nodataPixels = nodataPixels
        self.zones = zones
    }

    private enum CodingKeys: String, CodingKey {
        case raster, crs
        case areaMethod = "area_method"
        case classes, total
        case nodataPixels = "nodata_pixels"
        case zones
    }
}

/// One class's share of a raster or zone.
public struct ClassArea: Codable, Equatable, Sendable {
    public var value: Int
    public var name: String
    public var pixels: Int
    public var areaSquareMetres: Double
    public var areaHectares: Double { areaSquareMetres / 10_000 }
    /// Share of the valid area, 0...1.
    public var fraction: Double

    public init(value: Int, name: String, pixels: Int, areaSquareMetres: Double, fraction: Double) {
        self.value = value
        self.name = name
        self.pixels = pixels
        self.areaSquareMetres = areaSquareMetres
        self.fraction = fraction
    }

    private enum CodingKeys: String, CodingKey {
        case value, name, pixels
        case areaSquareMetres = "area_m2"
        case areaHectares = "area_ha"
        case fraction
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        value = try container.decode(Int.self, forKey: .value)
        name = try container.decode(String.self, forKey: .name)
        pixels = try container.decode(Int.self, forKey: .pixels)
        areaSquareMetres = try container.decode(Double.self, forKey: .areaSquareMetres)
        fraction = try container.decode(Double.self, forKey: .fraction)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(value, forKey: .value)
        try container.encode(name, forKey: .name)
        try container.encode(pixels, forKey: .pixels)
        try container.encode(areaSquareMetres, forKey: .areaSquareMetres)
        try container.encode(areaHectares, forKey: .areaHectares)
        try container.encode(fraction, forKey: .fraction)
    }
}

/// Sum over the classes of a raster or zone.
public struct AreaTotal: Codable, Equatable, Sendable {
    public var pixels: Int
    public var areaSquareMetres: Double
    public var areaHectares: Double

    public init(classes: [ClassArea]) {
        pixels = classes.reduce(0) { $0 + $1.pixels }
        areaSquareMetres = classes.reduce(0) { $0 + $1.areaSquareMetres }
        areaHectares = areaSquareMetres / 10_000
    }

    private enum CodingKeys: String, CodingKey {
        case pixels
        case areaSquareMetres = "area_m2"
        case areaHectares = "area_ha"
    }
}

/// The per-class areas inside one zone polygon.
public struct ZoneArea: Codable, Equatable, Sendable {
    /// The zone's value of the `--zone-field` attribute (as text), or its feature id.
    public var zone: String
    public var classes: [ClassArea]
    public var total: AreaTotal
    public var nodataPixels: Int

    public init(zone: String, classes: [ClassArea], nodataPixels: Int) {
        self.zone = zone
        self.classes = classes
        self.total = AreaTotal(classes: classes)
        self.nodataPixels = nodataPixels
    }

    private enum CodingKeys: String, CodingKey {
        case zone, classes, total
        case nodataPixels = "nodata_pixels"
    }
}
