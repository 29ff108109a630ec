import CGDAL
import Foundation

/// Zone polygons from a vector layer (GeoPackage, Shapefile, GeoJSON or any other OGR format), in the grid
/// of one raster, turned into pixel masks a window at a time. Owns the polygons (OGR geometries, in the
/// raster's CRS) and destroys them in `deinit`.
///
/// - Zones: the distinct values of `field` (as text; "" for a null value) in order of first appearance; the
///   features that share a value make one zone. Without a field, each feature is a zone named by its feature id.
/// - CRS: polygons are reprojected to the raster's CRS when the layer's CRS differs (OGR coordinate
///   transformation, x = easting/longitude on both sides). Their edges are first densified in the layer's CRS
///   to half a raster pixel, so an edge that is straight in the layer's CRS stays (to micrometres) where it
///   was. A layer without a CRS is taken to be in the raster's CRS.
/// - Membership: a pixel is in a zone when its centre lies inside one of the zone's polygons (GDAL's
///   rasteriser without `ALL_TOUCHED`; holes excluded). Zones may overlap: a pixel inside two zones is in both
///   masks, so each zone's areas are complete; features of one zone that overlap count a pixel once.
/// - Cost: `masks(in:)` rasterises each zone whose bounding box reaches the window onto an in-memory Byte
///   raster the size of that overlap, so memory follows the window, never the raster.
///
/// Not thread-safe (GDAL geometries): one instance per thread.
public final class ZoneLayer {
    public let url: URL
    /// The layer read.
    public let layerName: String
    /// The attribute that names the zones, or nil when zones are named by feature id.
    public let field: String?
    /// Zone names, indexed by `ZoneMask.zone`.
    public let zoneNames: [String]
    /// The polygons of each zone in the raster's CRS (only those reaching the raster).
    private let geometries: [[OGRGeometryH]]
    /// Per zone, the pixels of the raster its polygons' bounding box covers (nil: it misses the raster).
    private let extents: [Window?]
    private let geoTransform: GeoTransform

    /// Reads the zones of `url` for a raster with `profile`.
    ///
    /// - Parameters:
    ///   - layer: the layer's name; nil takes the only layer (and throws when there are several).
    ///   - field: the attribute whose values name the zones; nil names them by feature id.
    /// Throws `fileNotFound`, `badZones` (not a vector file, unknown layer or field (the message lists the
    /// ones there are), features that are not polygons), `projectionFailed` (raster without a grid or CRS,
    /// polygons that do not reproject).
    public init(url: URL, layer: String? = nil, field: String?, raster profile: RasterProfile) throws {
        GDALRuntime.prepare()
        let path = url.path
        guard let geoTransform = profile.geoTransform, let crs = profile.crs else {
            throw GeoRasterError(
                .projectionFailed,
                "zones need a georeferenced class raster with a CRS: assign them with `gdal_edit.py -a_srs EPSG:n -a_ullr ...`")
        }
        if !path.hasPrefix("/vsi"), !FileManager.default.fileExists(atPath: path) {
            throw GeoRasterError(
                .fileNotFound, "no zones file at \(path): check the path (and the working directory for relative paths)")
        }
        let flags = UInt32(GDAL_OF_VECTOR | GDAL_OF_READONLY | GDAL_OF_VERBOSE_ERROR)
        guard let dataset = GDALOpenEx(path, flags, nil, nil, nil) else {
            throw GeoRasterError.gdal(
                .badZones,
                "\(path) is not a vector file GDAL can read: pass zone polygons as a GeoPackage, Shapefile or GeoJSON "
                    + "(`ogrinfo --formats` lists the others)")
        }
        defer { GDALClose(dataset) }

        let layerHandle = try ZoneLayer.openLayer(dataset, named: layer, path: path)
        let definition = OGR_L_GetLayerDefn(layerHandle)
        let fieldIndex: Int32?
        if let field {
            let index = OGR_FD_GetFieldIndex(definition, field)
            guard index >= 0 else {
                let available = (0..<OGR_FD_GetFieldCount(definition)).map {
                    String(cString: OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(definition, $0)))
                }
                throw GeoRasterError(
                    .badZones,
                    "the zones layer \(String(cString: OGR_L_GetName(layerHandle))) of \(path) has no field \"\(field)\"; "
                        + (available.isEmpty
                            ? "it has no attribute fields: leave out the zone field to name zones by feature id"
                            : "its fields are \(available.joined(separator: ", ")): pass one of them as the zone field (--zone-field)"))
            }
            fieldIndex = index
        } else {
            fieldIndex = nil
        }

        let target = try crs.makeHandle()
        defer { OSRRelease(target) }
        var transformation: OGRCoordinateTransformationH?
        var segmentLength: Double?
        if let source = OGR_L_GetSpatialRef(layerHandle), OSRIsSame(source, target) == 0 {
            guard let sourceCopy = OSRClone(source) else {
                throw GeoRasterError.gdal(.projectionFailed, "could not copy the CRS of \(path)")
            }
            defer { OSRRelease(sourceCopy) }
            // Layers store x = easting/longitude whatever the CRS's official axis order says.
            OSRSetAxisMappingStrategy(sourceCopy, OAMS_TRADITIONAL_GIS_ORDER)
            guard let forward = OCTNewCoordinateTransformation(sourceCopy, target) else {
                throw GeoRasterError.gdal(
                    .projectionFailed,
                    "GDAL cannot reproject the zones of \(path) to the raster's CRS \(crs.name): check the zones' CRS "
                        + "with `ogrinfo -so \(path)` or reproject them with `ogr2ogr -t_srs`")
            }
            transformation = forward
            segmentLength = ZoneLayer.sourceUnitsPerHalfPixel(
                source: sourceCopy, target: target, geoTransform: geoTransform, profile: profile)
        }
        defer { if let transformation { OCTDestroyCoordinateTransformation(transformation) } }

        var names: [String] = []
        var zoneOfName: [String: Int] = [:]
        var geometries: [[OGRGeometryH]] = []
        var envelopes: [OGREnvelope?] = []
        do {
            OGR_L_ResetReading(layerHandle)
            while let feature = OGR_L_GetNextFeature(layerHandle) {
                defer { OGR_F_Destroy(feature) }
                let fid = Int(OGR_F_GetFID(feature))
                let name: String
                if let fieldIndex {
                    name = OGR_F_IsFieldSetAndNotNull(feature, fieldIndex) != 0
                        ? String(cString: OGR_F_GetFieldAsString(feature, fieldIndex)) : ""
                } else {
                    name = "\(fid)"
                }
                let zone: Int
                if let known = zoneOfName[name] {
                    zone = known
                } else {
                    zone = names.count
                    zoneOfName[name] = zone
                    names.append(name)
                    geometries.append([])
                    envelopes.append(nil)
                }
                guard let geometry = try ZoneLayer.polygons(
                    of: feature, fid: fid, path: path, segmentLength: segmentLength, transformation: transformation,
                    crsName: crs.name)
                else { continue }
                geometries[zone].append(geometry)
                var envelope = OGREnvelope()
                OGR_G_GetEnvelope(geometry, &envelope)
                if let previous = envelopes[zone] {
                    envelope.MinX = min(envelope.MinX, previous.MinX)
                    envelope.MaxX = max(envelope.MaxX, previous.MaxX)
                    envelope.MinY = min(envelope.MinY, previous.MinY)
                    envelope.MaxY = max(envelope.MaxY, previous.MaxY)
                }
                envelopes[zone] = envelope
            }
        } catch {
            for geometry in geometries.joined() { OGR_G_DestroyGeometry(geometry) }
            throw error
        }
        let extents = envelopes.map { envelope in
            envelope.flatMap { ZoneLayer.pixelExtent(of: $0, geoTransform: geoTransform, width: profile.width, height: profile.height) }
        }
        // Polygons that miss the raster never reach a mask: drop them now.
        for zone in geometries.indices where extents[zone] == nil {
            for geometry in geometries[zone] { OGR_G_DestroyGeometry(geometry) }
            geometries[zone] = []
        }
        self.url = url
        self.layerName = String(cString: OGR_L_GetName(layerHandle))
        self.field = field
        self.zoneNames = names
        self.geometries = geometries
        self.extents = extents
        self.geoTransform = geoTransform
    }

    deinit {
        for geometry in geometries.joined() { OGR_G_DestroyGeometry(geometry) }
    }

    /// Number of zones.
    public var count: Int { zoneNames.count }

    /// The masks of the zones whose polygons reach into `window` of the raster's grid; zones that miss the
    /// window are left out. Each mask covers only the part of `window` under the zone's bounding box.
    public func masks(in window: Window) throws -> [ZoneMask] {
        var result: [ZoneMask] = []
        for zone in 0..<count {
            guard let extent = extents[zone], let overlap = extent.intersection(window) else { continue }
            result.append(ZoneMask(zone: zone, window: overlap, isInside: try rasterize(zone: zone, window: overlap)))
        }
        return result
    }

    /// Burns the polygons of `zone` into an in-memory Byte raster on the grid of `window`.
    private func rasterize(zone: Int, window: Window) throws -> [Bool] {
        GDALRuntime.prepare()
        guard
            let memory = GDALCreate(
                GDALGetDriverByName("MEM"), "", Int32(window.columnCount), Int32(window.rowCount), 1, GDT_Byte, nil)
        else {
            throw GeoRasterError.gdal(.badZones, "GDAL could not allocate a \(window.columnCount) x \(window.rowCount) zone mask")
        }
        defer { GDALClose(memory) }
        var coefficients = geoTransform.shifted(to: window).coefficients
        GDALSetGeoTransform(memory, &coefficients)
        var bands: [Int32] = [1]
        let shapes: [OGRGeometryH?] = geometries[zone]
        let burnValues = [Double](repeating: 1, count: shapes.count)
        let status = shapes.withUnsafeBufferPointer { pointer in
            GDALRasterizeGeometries(
                memory, 1, &bands, Int32(shapes.count), pointer.baseAddress, nil, nil, burnValues, nil, nil, nil)
        }
        guard status == CE_None else {
            throw GeoRasterError.gdal(.badZones, "GDAL could not rasterise zone \"\(zoneNames[zone])\" of \(url.path)")
        }
        var mask = [UInt8](repeating: 0, count: window.pixelCount)
        let read = mask.withUnsafeMutableBytes { buffer in
            GDALRasterIO(
                GDALGetRasterBand(memory, 1), GF_Read, 0, 0, Int32(window.columnCount), Int32(window.rowCount),
                buffer.baseAddress, Int32(window.columnCount), Int32(window.rowCount), GDT_Byte, 0, 0)
        }
        guard read == CE_None else {
            throw GeoRasterError.gdal(.badZones, "GDAL could not read back the mask of zone \"\(zoneNames[zone])\"")
        }
        return mask.map { $0 != 0 }
    }

    private static func openLayer(_ dataset: GDALDatasetH, named name: String?, path: String) throws -> OGRLayerH {
        let count = GDALDatasetGetLayerCount(dataset)
        let names = (0..<count).compactMap { GDALDatasetGetLayer(dataset, $0) }.map { String(cString: OGR_L_GetName($0)) }
        if let name {
            guard let layer = GDALDatasetGetLayerByName(dataset, name) else {
                throw GeoRasterError(
                    .badZones,
                    "\(path) has no layer \"\(name)\"; its layers are \(names.joined(separator: ", ")): pass one of them as the zone layer (--zone-layer)")
            }
            return layer
        }
        guard count > 0, let layer = GDALDatasetGetLayer(dataset, 0) else {
            throw GeoRasterError(.badZones, "\(path) holds no vector layer: pass a file with zone polygons")
        }
        guard count == 1 else {
            throw GeoRasterError(
                .badZones,
                "\(path) has \(count) layers (\(names.joined(separator: ", "))): choose the zones with the zone layer option (--zone-layer)")
        }
        return layer
    }

    /// A feature's polygons as a new geometry in the raster's CRS, or nil when it has none.
    private static func polygons(
        of feature: OGRFeatureH, fid: Int, path: String, segmentLength: Double?,
        transformation: OGRCoordinateTransformationH?, crsName: String
    ) throws -> OGRGeometryH? {
        guard let original = OGR_F_GetGeometryRef(feature), OGR_G_IsEmpty(original) == 0 else { return nil }
        let type = OGR_GT_Flatten(OGR_G_GetGeometryType(original))
        guard OGR_GT_IsSubClassOf(type, wkbCurvePolygon) != 0 || OGR_GT_IsSubClassOf(type, wkbMultiSurface) != 0 else {
            throw GeoRasterError(
                .badZones,
                "feature \(fid) of \(path) is a \(String(cString: OGRGeometryTypeToName(type))), and zones must be polygons "
                    + "or multipolygons: keep only the polygon features (e.g. `ogr2ogr -nlt MULTIPOLYGON`)")
        }
        // Curved edges become line segments; Z is dropped (areas are 2-D).
        guard let geometry = OGR_GT_IsNonLinear(type) != 0 ? OGR_G_GetLinearGeometry(original, 0, nil) : OGR_G_Clone(original)
        else { return nil }
        OGR_G_FlattenTo2D(geometry)
        if let transformation {
            if let segmentLength { OGR_G_Segmentize(geometry, segmentLength) }
            guard OGR_G_Transform(geometry, transformation) == OGRERR_NONE else {
                OGR_G_DestroyGeometry(geometry)
                throw GeoRasterError.gdal(
                    .projectionFailed,
                    "feature \(fid) of \(path) does not reproject to the raster's CRS \(crsName): "
                        + "check the zones' CRS with `ogrinfo -so` and that they lie near the raster")
            }
        }
        return geometry
    }

    /// Half the size of the raster's central pixel, measured in the layer's CRS units (nil if that point
    /// does not reproject).
    private static func sourceUnitsPerHalfPixel(
        source: OGRSpatialReferenceH, target: OGRSpatialReferenceH, geoTransform: GeoTransform, profile: RasterProfile
    ) -> Double? {
        guard let backward = OCTNewCoordinateTransformation(target, source) else { return nil }
        defer { OCTDestroyCoordinateTransformation(backward) }
        let column = Double(profile.width) / 2, row = Double(profile.height) / 2
        let points = [(column, row), (column + 1, row), (column, row + 1)].map { geoTransform.coordinate(column: $0.0, row: $0.1) }
        var xs = points.map(\.x), ys = points.map(\.y)
        var zs = [Double](repeating: 0, count: 3)
        guard OCTTransform(backward, 3, &xs, &ys, &zs) != 0, xs.allSatisfy(\.isFinite), ys.allSatisfy(\.isFinite) else { return nil }
        let across = hypot(xs[1] - xs[0], ys[1] - ys[0])
        let down = hypot(xs[2] - xs[0], ys[2] - ys[0])
        let length = min(across, down) / 2
        return length > 0 ? length : nil
    }

    /// The pixels whose centres can fall inside `envelope`, clipped to the raster; nil when none.
    private static func pixelExtent(of envelope: OGREnvelope, geoTransform: GeoTransform, width: Int, height: Int) -> Window? {
        let columnA = (envelope.MinX - geoTransform.originX) / geoTransform.pixelWidth
        let columnB = (envelope.MaxX - geoTransform.originX) / geoTransform.pixelWidth
        let rowA = (envelope.MinY - geoTransform.originY) / geoTransform.pixelHeight
        let rowB = (envelope.MaxY - geoTransform.originY) / geoTransform.pixelHeight
        guard [columnA, columnB, rowA, rowB].allSatisfy(\.isFinite) else { return nil }
        // Clamp in Double first: a continent-sized zone over a small raster must not overflow Int.
        func clamp(_ value: Double, _ limit: Int) -> Int { Int(min(max(value, -2), Double(limit) + 2)) }
        let firstColumn = max(0, clamp(min(columnA, columnB).rounded(.down), width) - 1)
        let lastColumn = min(width, clamp(max(columnA, columnB).rounded(.up), width) + 1)
        let firstRow = max(0, clamp(min(rowA, rowB).rounded(.down), height) - 1)
        let lastRow = min(height, clamp(max(rowA, rowB).rounded(.up), height) + 1)
        guard lastColumn > firstColumn, lastRow > firstRow else { return nil }
        return Window(columnOffset: firstColumn, rowOffset: firstRow, columnCount: lastColumn - firstColumn, rowCount: lastRow - firstRow)
    }
}
