/// Ground area of every pixel of a grid, in square metres, correct on the ellipsoid for any CRS.
///
/// Computed once at initialisation and cached (the value is immutable and `Sendable`):
/// - **Equal-area projections** (Albers, Lambert azimuthal and cylindrical equal area, ellipsoidal
///   sinusoidal, Equal Earth): the planar area |pixelWidth x pixelHeight| x (metres per unit)^2, exact.
/// - **Geographic CRSs**: one area per row (it does not vary along a row): the geodesic area, on the CRS's
///   ellipsoid, of the pixel footprint whose parallel edges are densified (at least one vertex per 0.01 degree),
///   so the footprint's true edges (parallels, not geodesics) are followed to about 1e-8 relative.
/// - **Other projections** (UTM and other transverse Mercators, Web Mercator, Lambert conformal, ...): the
///   exact geodesic area of the footprint (each edge densified to 4 segments, vertices taken to lon/lat by
///   PROJ's inverse projection) at nodes of a grid at most 129 x 129 (every pixel of smaller rasters), and a
///   bilinear interpolation between nodes. The area scale factor of these projections is smooth, so the
///   interpolation error is below 1e-6 relative for node spacings under ~10 km.
public struct PixelArea: Sendable {
    /// Which of the three methods this grid uses.
    public enum Method: String, Sendable {
        case planarEqualArea
        case geodesicPerRow
        case geodesicGrid
    }

    /// PROJ method names of projections that are equal-area on the ellipsoid (spherical variants excluded).
    static let equalAreaMethods: Set<String> = [
        "Albers Equal Area", "Lambert Azimuthal Equal Area", "Lambert Cylindrical Equal Area", "Sinusoidal",
        "Equal Earth",
    ]
    static let maximumNodesPerAxis = 129

    public let method: Method
    /// Name of the ellipsoid the areas are measured on ("WGS 84", "GRS 1980").
    public let ellipsoidName: String
    /// PROJ's name of the projection method of a projected CRS ("Transverse Mercator"); nil when geographic.
    public let projectionMethod: String?
    public let width: Int
    public let height: Int
    private let constantArea: Double
    private let rowAreas: [Double]
    private let nodeRows: [Int]
    private let nodeColumns: [Int]
    /// Node areas, row-major `[nodeRows.count, nodeColumns.count]`.
    private let nodeAreas: [Double]

    /// Pixel areas of a dataset's grid. Throws when the raster has no geotransform or CRS.
    public init(profile: RasterProfile) throws {
        guard let geoTransform = profile.geoTransform, let crs = profile.crs else {
            throw GeoRasterError(
                .projectionFailed,
                "pixel areas need a georeferenced raster with a CRS: assign them with "
                    + "`gdal_edit.py -a_srs EPSG:n -a_ullr ...`")
        }
        try self.init(geoTransform: geoTransform, crs: crs, width: profile.width, height: profile.height)
    }

    /// Pixel areas of a `width` x `height` grid with `geoTransform` in `crs`.
    public init(geoTransform: GeoTransform, crs: SpatialReference, width: Int, height: Int) throws {
        precondition(width > 0 && height > 0, "grid size \(width) x \(height)")
        self.width = width
        self.height = height
        let transformer = try GeodeticTransformer(crs: crs)
        ellipsoidName = transformer.ellipsoidName
        projectionMethod = transformer.methodName
        if let name = transformer.methodName, PixelArea.equalAreaMethods.contains(name) {
            method = .planarEqualArea
            let factor = crs.metersPerUnit ?? 1
            constantArea = geoTransform.planarPixelArea * factor * factor
            rowAreas = []
            nodeRows = []
            nodeColumns = []
            nodeAreas = []
        } else if transformer.isGeographic {
            method = .geodesicPerRow
            constantArea = 0
            let parallelSegments = min(1000, max(1, Int((abs(geoTransform.pixelWidth) * 100).rounded(.up))))
            rowAreas = try PixelArea.footprintAreas(
                pixels: (0..<height).map { ($0, 0) }, geoTransform: geoTransform, transformer: transformer,
                horizontalSegments: parallelSegments, verticalSegments: 1)
            nodeRows = []
            nodeColumns = []
            nodeAreas = []
        } else {
            method = .geodesicGrid
            constantArea = 0
            rowAreas = []
            let rows = PixelArea.nodes(count: height)
            let columns = PixelArea.nodes(count: width)
            nodeRows = rows
            nodeColumns = columns
            let pixels = rows.flatMap { row in columns.map { (row, $0) } }
            nodeAreas = try PixelArea.footprintAreas(
                pixels: pixels, geoTransform: geoTransform, transformer: transformer, horizontalSegments: 4,
                verticalSegments: 4)
        }
    }

    /// One sentence for reports saying how the areas were computed, e.g. "geodesic area of each pixel's
    /// footprint on the WGS 84 ellipsoid (PROJ), ...".
    public var methodDescription: String {
        switch method {
        case .planarEqualArea:
            return "planar area of each pixel in the equal-area projection \(projectionMethod ?? "") on the "
                + "\(ellipsoidName) ellipsoid (exact: the projection preserves area)"
        case .geodesicPerRow:
            return "geodesic area of each pixel's footprint on the \(ellipsoidName) ellipsoid (PROJ), one value per row, "
                + "parallels densified to 0.01 degree"
        case .geodesicGrid:
            return "geodesic area of each pixel's footprint on the \(ellipsoidName) ellipsoid (PROJ), exact at a grid of "
                + "at most \(PixelArea.maximumNodesPerAxis) x \(PixelArea.maximumNodesPerAxis) pixels and bilinear in between"
        }
    }

    /// Area in m² of the pixel at (row, column) of the full grid.
    public func area(row: Int, column: Int) -> Double {
        precondition(row >= 0 && row < height && column >= 0 && column < width, "pixel (\(row), \(column)) outside \(height) x \(width)")
        switch method {
        case .planarEqualArea: return constantArea
        case .geodesicPerRow: return rowAreas[row]
        case .geodesicGrid:
            let (r0, r1, tr) = PixelArea.bracket(row, in: nodeRows)
            let (c0, c1, tc) = PixelArea.bracket(column, in: nodeColumns)
            let stride = nodeColumns.count
            let top = nodeAreas[r0 * stride + c0] * (1 - tc) + nodeAreas[r0 * stride + c1] * tc
            let bottom = nodeAreas[r1 * stride + c0] * (1 - tc) + nodeAreas[r1 * stride + c1] * tc
            return top * (1 - tr) + bottom * tr
        }
    }

    /// Areas in m² of the pixels of `row` in `columns`.
    ///
    /// The same numbers as `area(row:column:)`, computed with the row's interpolation weights found once:
    /// report tools call this for every row of rasters with billions of pixels.
    public func areas(row: Int, columns: Range<Int>) -> [Double] {
        precondition(row >= 0 && row < height && columns.lowerBound >= 0 && columns.upperBound <= width, "row \(row), columns \(columns) outside \(height) x \(width)")
        switch method {
        case .planarEqualArea: return [Double](repeating: constantArea, count: columns.count)
        case .geodesicPerRow: return [Double](repeating: rowAreas[row], count: columns.count)
        case .geodesicGrid:
            let (r0, r1, tr) = PixelArea.bracket(row, in: nodeRows)
            let stride = nodeColumns.count
            let step = stride == 1 ? 1 : nodeColumns[1] - nodeColumns[0]
            var result = [Double](repeating: 0, count: columns.count)
            nodeAreas.withUnsafeBufferPointer { nodes in
                nodeColumns.withUnsafeBufferPointer { nodeColumns in
                    for (slot, column) in columns.enumerated() {
                        // As `bracket(column, in: nodeColumns)`, inlined.
                        let c0 = stride == 1 ? 0 : min(column / step, stride - 2)
                        let c1 = stride == 1 ? 0 : c0 + 1
                        let tc = stride == 1 ? 0 : Double(column - nodeColumns[c0]) / Double(nodeColumns[c1] - nodeColumns[c0])
                        let top = nodes[r0 * stride + c0] * (1 - tc) + nodes[r0 * stride + c1] * tc
                        let bottom = nodes[r1 * stride + c0] * (1 - tc) + nodes[r1 * stride + c1] * tc
                        result[slot] = top * (1 - tr) + bottom * tr
                    }
                }
            }
            return result
        }
    }

    /// Total area in m² of the pixels of `window` (those with `isIncluded` true, when given; row-major).
    public func totalArea(window: Window, isIncluded: [Bool]? = nil) -> Double {
        precondition(isIncluded == nil || isIncluded!.count == window.pixelCount, "isIncluded has \(isIncluded!.count) entries for \(window.pixelCount) pixels")
        var total = 0.0
        for row in 0..<window.rowCount {
            for column in 0..<window.columnCount where isIncluded?[row * window.columnCount + column] ?? true {
                total += area(row: window.rowOffset + row, column: window.columnOffset + column)
            }
        }
        return total
    }

    /// Area in m² per class value of a class window (`classes` row-major `[window.rowCount, window.columnCount]`),
    /// skipping pixels whose `isValid` entry is false.
    public func areaByClass<Value: BinaryInteger>(
        _ classes: [Value], window: Window, isValid: [Bool]? = nil
    ) -> [Int: Double] {
        precondition(classes.count == window.pixelCount, "classes has \(classes.count) values for \(window.pixelCount) pixels")
        precondition(isValid == nil || isValid!.count == window.pixelCount, "isValid has \(isValid!.count) entries for \(window.pixelCount) pixels")
        var result: [Int: Double] = [:]
        for row in 0..<window.rowCount {
            let rowAreas = areas(row: window.rowOffset + row, columns: window.columns)
            for column in 0..<window.columnCount {
                let index = row * window.columnCount + column
                guard isValid?[index] ?? true else { continue }
                result[Int(classes[index]), default: 0] += rowAreas[column]
            }
        }
        return result
    }

    private static func nodes(count: Int) -> [Int] {
        let step = max(1, Int((Double(count - 1) / Double(maximumNodesPerAxis - 1)).rounded(.up)))
        var result = Array(stride(from: 0, to: count - 1, by: step))
        result.append(count - 1)
        return result
    }

    /// The nodes around `index` and the interpolation weight of the second one.
    private static func bracket(_ index: Int, in nodes: [Int]) -> (Int, Int, Double) {
        if nodes.count == 1 { return (0, 0, 0) }
        let step = nodes[1] - nodes[0]
        let lower = min(index / step, nodes.count - 2)
        let span = nodes[lower + 1] - nodes[lower]
        return (lower, lower + 1, Double(index - nodes[lower]) / Double(span))
    }

    /// Geodesic areas of pixel footprints, each edge split into the given number of segments.
    private static func footprintAreas(
        pixels: [(row: Int, column: Int)], geoTransform: GeoTransform, transformer: GeodeticTransformer,
        horizontalSegments: Int, verticalSegments: Int
    ) throws -> [Double] {
        // Pixel-space outline of one pixel, counter-clockwise from the top-left corner.
        var outline: [(Double, Double)] = []
        for step in 0..<horizontalSegments { outline.append((Double(step) / Double(horizontalSegments), 0)) }
        for step in 0..<verticalSegments { outline.append((1, Double(step) / Double(verticalSegments))) }
        for step in 0..<horizontalSegments { outline.append((1 - Double(step) / Double(horizontalSegments), 1)) }
        for step in 0..<verticalSegments { outline.append((0, 1 - Double(step) / Double(verticalSegments))) }
        let vertexCount = outline.count
        var xs = [Double](), ys = [Double]()
        xs.reserveCapacity(pixels.count * vertexCount)
        ys.reserveCapacity(pixels.count * vertexCount)
        for pixel in pixels {
            for (dc, dr) in outline {
                let point = geoTransform.coordinate(column: Double(pixel.column) + dc, row: Double(pixel.row) + dr)
                xs.append(point.x)
                ys.append(point.y)
            }
        }
        try transformer.toLonLat(x: &xs, y: &ys)
        return (0..<pixels.count).map { index in
            let range = (index * vertexCount)..<((index + 1) * vertexCount)
            return transformer.geodesicArea(longitudes: Array(xs[range]), latitudes: Array(ys[range]))
        }
    }
}
