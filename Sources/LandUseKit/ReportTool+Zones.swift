import Foundation

extension ReportTool {
    /// Where an area report finds its zone polygons (`landuse report --zones --zone-field --zone-layer`).
    public struct Zones: Sendable, Equatable {
        /// A vector file OGR reads: GeoPackage, Shapefile, GeoJSON, ...
        public var url: URL
        /// The attribute whose values name the zones; nil names each feature by its feature id.
        public var field: String?
        /// The layer to read; nil takes the file's only layer.
        public var layer: String?

        public init(url: URL, field: String? = nil, layer: String? = nil) {
            self.url = url
            self.field = field
            self.layer = layer
        }
    }
}
