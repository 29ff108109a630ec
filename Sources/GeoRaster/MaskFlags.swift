import CGDAL

/// How GDAL decides which pixels of a band are valid (`GDALGetMaskFlags`).
public struct MaskFlags: OptionSet, Sendable, Hashable, Codable {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// No mask: every pixel is valid.
    public static let allValid = MaskFlags(rawValue: GMF_ALL_VALID)
    /// One mask shared by all bands (a per-dataset mask such as a GeoTIFF internal mask).
    public static let perDataset = MaskFlags(rawValue: GMF_PER_DATASET)
    /// The mask is an alpha band.
    public static let alpha = MaskFlags(rawValue: GMF_ALPHA)
    /// The mask comes from the band's nodata value.
    public static let nodata = MaskFlags(rawValue: GMF_NODATA)

    /// Flag names as `gdalinfo -json` spells them ("ALL_VALID", "PER_DATASET", "ALPHA", "NODATA").
    public var names: [String] {
        var result: [String] = []
        if contains(.allValid) { result.append("ALL_VALID") }
        if contains(.perDataset) { result.append("PER_DATASET") }
        if contains(.alpha) { result.append("ALPHA") }
        if contains(.nodata) { result.append("NODATA") }
        return result
    }
}
