import CGDAL
import Foundation

/// Turns a class raster into polygons in a GeoPackage layer (GDAL's polygonize).
///
/// One polygon per connected region of equal value (4-connected by default), pixels that GDAL's mask band
/// marks invalid (nodata) left out. Fields: `class_value` (integer), `class_name` (text, "" when unnamed)
/// and, unless disabled, `area_m2`: the geodesic area on the CRS's ellipsoid of the polygon (rings densified
/// to one vertex per pixel edge, taken to lon/lat by PROJ, holes subtracted). The GeoPackage is written under a
/// temporary name and renamed when complete.
public struct ClassPolygonizer: Sendable {
    /// Which neighbours join pixels into one region.
    public enum Connectivity: Sendable {
        /// Edge neighbours only.
        case four
        /// Edge and corner neighbours.
        case eight
    }

    public var layerName: String
    public var connectivity: Connectivity
    public var includeArea: Bool
    public var overwrite: Bool

    public init(layerName: String = "classes", connectivity: Connectivity = .four, includeArea: Bool = true, overwrite: Bool = false) {
        self.layerName = layerName
        self.connectivity = connectivity
        self.includeArea = includeArea
        self.overwrite = overwrite
    }

    /// Vectorizes `band` of `dataset` into the GeoPackage at `url`; returns the number of polygons written.
    ///
    /// - Parameter classNames: names by class value; when empty, the band's category names are used.
    public func polygonize(
        _ dataset: RasterDataset, band: Int = 1, classNames: [Int: String] = [:], to url: URL
    ) throws -> Int {
        let profile = dataset.profile
        guard band >= 1, band <= profile.bandCount else {
            throw GeoRasterError(.badBands, "band \(band) does not exist: use 1...\(profile.bandCount)")
        }
        guard profile.bands[band - 1].dataType.isInteger else {
            throw GeoRasterError(
                .unsupportedDataType,
                "polygons come from class rasters with integer values, and band \(band) is "
                    + "\(profile.bands[band - 1].dataType.rawValue): convert it with `gdal_translate -ot Int32`")
        }
        var names = classNames
        if names.isEmpty {
            for (value, name) in profile.bands[band - 1].categoryNames.enumerated() where !name.isEmpty {
                names[value] = name
            }
        }
        let transformer: GeodeticTransformer? =
            includeArea ? try profile.crs.map { try GeodeticTransformer(crs: $0) } : nil
        if includeArea, transformer == nil || profile.geoTransform == nil {
            throw GeoRasterError(
                .projectionFailed,
                "polygon areas need a georeferenced raster with a CRS: assign one with `gdal_edit.py -a_srs EPSG:n`, "
                    + "or leave out the area field")
        }
        let output = try AtomicOutput(target: url, overwrite: overwrite)
        do {
            let count = try write(dataset, band: band, names: names, transformer: transformer, to: output.temporary)
            try output.commit()
            return count
        } catch {
            output.discard()
            throw error
        }
    }

    private func write(
        _ dataset: RasterDataset, band number: Int, names: [Int: String], transformer: GeodeticTransformer?,
        to path: URL
    ) throws -> Int {
        GDALRuntime.prepare()
        let source = dataset.band(number)
        guard let memory = GDALCreate(GDALGetDriverByName("Memory"), "", 0, 0, 0, GDT_Unknown, nil),
            let gpkg = GDALCreate(GDALGetDriverByName("GPKG"), path.path, 0, 0, 0, GDT_Unknown, nil)
        else {
            throw GeoRasterError.gdal(.unwritableOutput, "GDAL could not create \(path.path): check the folder is writable")
        }
        defer { GDALClose(memory) }
        var gpkgOpen = true
        defer { if gpkgOpen { GDALClose(gpkg) } }

        let srs = try dataset.profile.crs.map { try $0.makeHandle() }
        defer { if let srs { OSRRelease(srs) } }
        guard let regions = GDALDatasetCreateLayer(memory, "regions", srs, wkbPolygon, nil),
            let layer = GDALDatasetCreateLayer(gpkg, layerName, srs, wkbPolygon, nil)
        else {
            throw GeoRasterError.gdal(.vectorizeFailed, "GDAL could not create the layer \(layerName)")
        }
        try addField("class_value", OFTInteger, to: regions)
        try addField("class_value", OFTInteger, to: layer)
        try addField("class_name", OFTString, to: layer)
        if transformer != nil { try addField("area_m2", OFTReal, to: layer) }

        let flags = MaskFlags(rawValue: GDALGetMaskFlags(source))
        let mask = flags.contains(.allValid) ? nil : GDALGetMaskBand(source)
        let options = GDALStringList(connectivity == .eight ? ["8CONNECTED=8"] : [])
        GDALRuntime.prepare()
        guard GDALPolygonize(source, mask, regions, 0, options.pointer, nil, nil) == CE_None else {
            throw GeoRasterError.gdal(.vectorizeFailed, "GDAL's polygonize failed on band \(number) of \(dataset.url.path)")
        }

        let segmentLength = dataset.profile.geoTransform.map { min(abs($0.pixelWidth), abs($0.pixelHeight)) }
        _ = GDALDatasetStartTransaction(gpkg, 0)
        let definition = OGR_L_GetLayerDefn(layer)
        var count = 0
        OGR_L_ResetReading(regions)
        while let region = OGR_L_GetNextFeature(regions) {
            defer { OGR_F_Destroy(region) }
            let value = Int(OGR_F_GetFieldAsInteger(region, 0))
            let feature = OGR_F_Create(definition)
            defer { OGR_F_Destroy(feature) }
            OGR_F_SetFieldInteger(feature, 0, Int32(value))
            OGR_F_SetFieldString(feature, 1, names[value] ?? "")
            let geometry = OGR_F_GetGeometryRef(region)
            if let transformer, let geometry, let segmentLength {
                OGR_F_SetFieldDouble(
                    feature, 2, try ClassPolygonizer.geodesicArea(geometry, segmentLength: segmentLength, transformer: transformer))
            }
            OGR_F_SetGeometry(feature, geometry)
            guard OGR_L_CreateFeature(layer, feature) == OGRERR_NONE else {
                throw GeoRasterError.gdal(.vectorizeFailed, "writing polygon \(count + 1) to \(path.path) failed")
            }
            count += 1
        }
        guard GDALDatasetCommitTransaction(gpkg) == OGRERR_NONE else {
            throw GeoRasterError.gdal(.vectorizeFailed, "committing the polygons to \(path.path) failed: check free disk space")
        }
        gpkgOpen = false
        CPLErrorReset()
        GDALClose(gpkg)
        if CPLGetLastErrorType() == CE_Failure {
            throw GeoRasterError.gdal(.vectorizeFailed, "closing \(path.path) failed: check free disk space")
        }
        return count
    }

    private func addField(_ name: String, _ type: OGRFieldType, to layer: OGRLayerH) throws {
        let field = OGR_Fld_Create(name, type)
        defer { OGR_Fld_Destroy(field) }
        guard OGR_L_CreateField(layer, field, 1) == OGRERR_NONE else {
            throw GeoRasterError.gdal(.vectorizeFailed, "GDAL could not add the field \(name)")
        }
    }

    /// Geodesic area in m² of a polygon in the raster's CRS: outer ring minus holes.
    static func geodesicArea(_ polygon: OGRGeometryH, segmentLength: Double, transformer: GeodeticTransformer) throws -> Double {
        guard let dense = OGR_G_Clone(polygon) else { return 0 }
        defer { OGR_G_DestroyGeometry(dense) }
        OGR_G_Segmentize(dense, segmentLength * 1.000001)
        var total = 0.0
        for index in 0..<OGR_G_GetGeometryCount(dense) {
            let ring = OGR_G_GetGeometryRef(dense, index)
            let count = Int(OGR_G_GetPointCount(ring))
            guard count >= 4 else { continue }
            // The closing point repeats the first; geod_polygonarea closes rings itself.
            var xs = (0..<(count - 1)).map { OGR_G_GetX(ring, Int32($0)) }
            var ys = (0..<(count - 1)).map { OGR_G_GetY(ring, Int32($0)) }
            try transformer.toLonLat(x: &xs, y: &ys)
            let area = transformer.geodesicArea(longitudes: xs, latitudes: ys)
            total += index == 0 ? area : -area
        }
        return total
    }
}
