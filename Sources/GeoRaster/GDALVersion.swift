import CGDAL
import CPROJ

/// Versions of the GDAL and PROJ libraries this process loaded.
public enum GeoLibraryVersions {
    public static var gdal: String { String(cString: GDALVersionInfo("RELEASE_NAME")) }
    public static var proj: String { String(cString: proj_info().version) }
}
