import CPROJ
import Foundation

/// Converts coordinates of a CRS to longitude/latitude (degrees) on the CRS's own geodetic datum, and
/// measures geodesic areas on its ellipsoid. Owns a PROJ context and its objects; frees them in `deinit`.
///
/// Only the inverse projection is involved (no datum shift), so the result is exact to PROJ's precision.
/// Not thread-safe: one instance per thread.
final class GeodeticTransformer {
    private let context: OpaquePointer?
    private let objects: [OpaquePointer]
    private let operation: OpaquePointer
    private var geodesic: geod_geodesic
    /// The PROJ method name of a projected CRS's conversion ("Transverse Mercator", "Albers Equal Area").
    let methodName: String?
    let isGeographic: Bool
    /// The ellipsoid's name ("WGS 84", "GRS 1980").
    let ellipsoidName: String

    init(crs: SpatialReference) throws {
        let context = proj_context_create()
        var owned: [OpaquePointer] = []
        func keep(_ object: OpaquePointer?, _ what: String) throws -> OpaquePointer {
            guard let object else {
                throw GeoRasterError.proj(.projectionFailed, "PROJ could not \(what) for \(crs.name)", context: context)
            }
            owned.append(object)
            return object
        }
        do {
            let source = try keep(proj_create(context, crs.wkt), "read the CRS")
            let type = proj_get_type(source)
            let isGeographic = type == PJ_TYPE_GEOGRAPHIC_2D_CRS || type == PJ_TYPE_GEOGRAPHIC_3D_CRS
            guard isGeographic || type == PJ_TYPE_PROJECTED_CRS else {
                throw GeoRasterError(
                    .projectionFailed,
                    "pixel areas need a geographic or projected CRS, and \(crs.name) is neither: "
                        + "assign the right CRS with `gdal_edit.py -a_srs EPSG:n`")
            }
            var methodName: String?
            if !isGeographic {
                let conversion = try keep(proj_crs_get_coordoperation(context, source), "find the projection")
                var name: UnsafePointer<CChar>?
                proj_coordoperation_get_method_info(context, conversion, &name, nil, nil)
                methodName = name.map { String(cString: $0) }
            }
            let ellipsoid = try keep(proj_get_ellipsoid(context, source), "find the ellipsoid")
            var semiMajor = 0.0, semiMinor = 0.0, inverseFlattening = 0.0
            var computed: Int32 = 0
            guard proj_ellipsoid_get_parameters(context, ellipsoid, &semiMajor, &semiMinor, &computed, &inverseFlattening) != 0
            else {
                throw GeoRasterError.proj(.projectionFailed, "PROJ gave no ellipsoid parameters for \(crs.name)", context: context)
            }
            let ellipsoidName = proj_get_name(ellipsoid).map { String(cString: $0) } ?? "unnamed"
            var geodesic = geod_geodesic()
            geod_init(&geodesic, semiMajor, inverseFlattening == 0 ? 0 : 1 / inverseFlattening)
            // GDAL geotransforms use x = easting/longitude: normalise both ends to that order.
            let normalizedSource = try keep(proj_normalize_for_visualization(context, source), "normalise the axis order")
            let geodetic = try keep(proj_crs_get_geodetic_crs(context, source), "find the geodetic CRS")
            let normalizedGeodetic = try keep(proj_normalize_for_visualization(context, geodetic), "normalise the axis order")
            let operation = try keep(
                proj_create_crs_to_crs_from_pj(context, normalizedSource, normalizedGeodetic, nil, nil),
                "build the inverse projection")
            self.context = context
            self.objects = owned
            self.operation = operation
            self.geodesic = geodesic
            self.methodName = methodName
            self.isGeographic = isGeographic
            self.ellipsoidName = ellipsoidName
        } catch {
            for object in owned.reversed() { proj_destroy(object) }
            proj_context_destroy(context)
            throw error
        }
    }

    deinit {
        for object in objects.reversed() { proj_destroy(object) }
        proj_context_destroy(context)
    }

    /// Converts CRS coordinates in place to longitude (`x`) and latitude (`y`) in degrees.
    func toLonLat(x: inout [Double], y: inout [Double]) throws {
        precondition(x.count == y.count, "x has \(x.count) coordinates, y has \(y.count)")
        let count = x.count
        let stride = MemoryLayout<Double>.stride
        proj_errno_reset(operation)
        _ = x.withUnsafeMutableBufferPointer { xs in
            y.withUnsafeMutableBufferPointer { ys in
                proj_trans_generic(operation, PJ_FWD, xs.baseAddress, stride, count, ys.baseAddress, stride, count, nil, 0, 0, nil, 0, 0)
            }
        }
        for index in 0..<count where !x[index].isFinite || !y[index].isFinite {
            throw GeoRasterError.proj(
                .projectionFailed,
                "a pixel corner lies outside the area where the CRS is defined: crop the raster to the CRS's area of use",
                context: context)
        }
    }

    /// Geodesic area in m² of the polygon with these vertices (degrees), on the CRS's ellipsoid; orientation-free.
    func geodesicArea(longitudes: [Double], latitudes: [Double]) -> Double {
        var lats = latitudes, lons = longitudes
        var area = 0.0, perimeter = 0.0
        geod_polygonarea(&geodesic, &lats, &lons, Int32(lats.count), &area, &perimeter)
        return abs(area)
    }
}
