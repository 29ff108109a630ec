import CGDAL
import Foundation

/// A coordinate reference system as a value: its WKT2 text plus the facts LandUse needs from it.
///
/// Built from a dataset (exactly what GDAL read), from WKT, or from an EPSG code. Writers hand the WKT
/// back to GDAL, so a CRS copied from a source dataset is written unchanged.
public struct SpatialReference: Sendable, Hashable, Codable {
    /// How the CRS places coordinates.
    public enum Kind: String, Sendable, Codable {
        case geographic, projected, other
    }

    /// The CRS name, e.g. "SIRGAS 2000 / UTM zone 25S".
    public let name: String
    /// WKT2 (2019) on one line.
    public let wkt: String
    /// "EPSG:31985" when the CRS as a whole carries an authority code, else nil.
    public let authorityCode: String?
    public let kind: Kind
    /// Name of the linear unit of a projected CRS ("metre", "US survey foot"); "degree" for geographic.
    public let unitName: String
    /// Metres per linear unit of a projected CRS (1 for metre); nil for a geographic CRS.
    public let metersPerUnit: Double?
    /// Semi-major axis of the ellipsoid, metres.
    public let semiMajorAxis: Double
    /// Inverse flattening of the ellipsoid (0 for a sphere).
    public let inverseFlattening: Double

    /// Parses WKT (1 or 2), PROJ strings or "EPSG:n" as GDAL's `OSRSetFromUserInput` does.
    public init(definition: String) throws {
        GDALRuntime.prepare()
        guard let handle = OSRNewSpatialReference(nil) else {
            throw GeoRasterError.gdal(.projectionFailed, "could not allocate a spatial reference")
        }
        defer { OSRDestroySpatialReference(handle) }
        guard OSRSetFromUserInput(handle, definition) == OGRERR_NONE else {
            throw GeoRasterError.gdal(
                .projectionFailed,
                "GDAL does not understand the CRS definition \"\(definition.prefix(80))\": "
                    + "pass WKT, a PROJ string or an authority code such as EPSG:4326")
        }
        try self.init(handle: handle)
    }

    /// The CRS with code `epsg` in PROJ's database.
    public init(epsg: Int) throws {
        try self.init(definition: "EPSG:\(epsg)")
    }

    /// Reads everything from a GDAL spatial reference (which stays owned by the caller).
    init(handle: OGRSpatialReferenceH) throws {
        let options = GDALStringList(["FORMAT=WKT2_2019", "MULTILINE=NO"])
        var text: UnsafeMutablePointer<CChar>?
        guard OSRExportToWktEx(handle, &text, options.constPointer) == OGRERR_NONE, let text else {
            throw GeoRasterError.gdal(
                .projectionFailed, "GDAL could not express the raster's CRS as WKT2: check its CRS with gdalinfo")
        }
        wkt = String(cString: text)
        VSIFree(text)
        name = OSRGetName(handle).map { String(cString: $0) } ?? ""
        if let authority = OSRGetAuthorityName(handle, nil), let code = OSRGetAuthorityCode(handle, nil) {
            authorityCode = "\(String(cString: authority)):\(String(cString: code))"
        } else {
            authorityCode = nil
        }
        if OSRIsGeographic(handle) != 0 {
            kind = .geographic
        } else if OSRIsProjected(handle) != 0 {
            kind = .projected
        } else {
            kind = .other
        }
        if kind == .geographic {
            var unit: UnsafeMutablePointer<CChar>?
            _ = OSRGetAngularUnits(handle, &unit)
            unitName = unit.map { String(cString: $0) } ?? "degree"
            metersPerUnit = nil
        } else {
            var unit: UnsafeMutablePointer<CChar>?
            let factor = OSRGetLinearUnits(handle, &unit)
            unitName = unit.map { String(cString: $0) } ?? "metre"
            metersPerUnit = factor
        }
        semiMajorAxis = OSRGetSemiMajor(handle, nil)
        inverseFlattening = OSRGetInvFlattening(handle, nil)
    }

    /// A new GDAL handle for this CRS, traditional GIS axis order (x = easting/longitude); the caller
    /// releases it with `OSRRelease`.
    func makeHandle() throws -> OGRSpatialReferenceH {
        GDALRuntime.prepare()
        guard let handle = OSRNewSpatialReference(nil) else {
            throw GeoRasterError.gdal(.projectionFailed, "could not allocate a spatial reference")
        }
        guard OSRSetFromUserInput(handle, wkt) == OGRERR_NONE else {
            OSRRelease(handle)
            throw GeoRasterError.gdal(.projectionFailed, "GDAL could not read back the CRS \(name)")
        }
        OSRSetAxisMappingStrategy(handle, OAMS_TRADITIONAL_GIS_ORDER)
        return handle
    }
}
