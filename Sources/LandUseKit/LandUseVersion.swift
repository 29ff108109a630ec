import GeoRaster
import NeuralNet

/// Version banner of the tool and the C libraries it runs on.
public enum LandUseVersion {
    public static let tool = "0.1.0"
    public static var banner: String {
        "landuse \(tool) (GDAL \(GeoLibraryVersions.gdal), PROJ \(GeoLibraryVersions.proj), \(NeuralNetInfo.engine))"
    }
}
