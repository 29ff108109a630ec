/// What a dataset says about one band.
public struct RasterBandInfo: Sendable, Hashable, Codable {
    /// 1-based band number, as `gdalinfo` and GDAL count bands.
    public let number: Int
    public let dataType: RasterDataType
    /// The nodata value, if the band declares one (may be NaN).
    public let nodata: Double?
    public let maskFlags: MaskFlags
    /// GDAL's colour interpretation name ("Gray", "Red", "Palette", "Alpha", "Undefined", ...).
    public let colorInterpretation: String
    /// The band description ("" when unset).
    public let description: String
    public let blockWidth: Int
    public let blockHeight: Int
    public let overviewCount: Int
    /// Colour table entries indexed by pixel value, if the band has one.
    public let colorTable: [RasterColor]?
    /// Category names indexed by pixel value (empty when unset).
    public let categoryNames: [String]
}
