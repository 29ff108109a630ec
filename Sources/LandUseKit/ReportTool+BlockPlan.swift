import GeoRaster

extension ReportTool {
    /// How a report walks a raster: strips of rows, each cut into windows of at most `blockPixels` pixels,
    /// aligned with the raster's storage blocks so that every block is decoded once.
    ///
    /// - Blocks of a few rows (striped GeoTIFF), or tiles when a whole row of tiles fits: full-width strips
    ///   of whole block rows.
    /// - Tiles when a row of tiles is larger than `blockPixels`: strips one tile high, cut into windows of
    ///   whole tiles.
    /// - Blocks larger than `blockPixels` (formats that store the raster as one block): full-width strips of
    ///   `blockPixels / width` rows (at least one); then GDAL's cache is kept, since dropping it would decode
    ///   the huge block again for every strip.
    struct BlockPlan {
        let width: Int
        let height: Int
        let stripRows: Int
        let windowColumns: Int
        /// Whether the strip's blocks are finished with when the strip is (so the cache may drop them).
        let releasesBlocks: Bool

        init(profile: RasterProfile, band: Int, blockPixels: Int) {
            width = profile.width
            height = profile.height
            let info = profile.bands[band - 1]
            let blockWidth = max(1, min(info.blockWidth, width))
            let blockHeight = max(1, min(info.blockHeight, height))
            if blockHeight * width <= blockPixels {
                stripRows = blockHeight * (blockPixels / (blockHeight * width))
                windowColumns = width
                releasesBlocks = true
            } else if blockHeight * blockWidth <= blockPixels {
                stripRows = blockHeight
                windowColumns = blockWidth * (blockPixels / (blockHeight * blockWidth))
                releasesBlocks = true
            } else {
                stripRows = max(1, blockPixels / width)
                windowColumns = width
                releasesBlocks = false
            }
        }

        /// Full-width windows of `stripRows` rows (the last one shorter).
        var strips: [Window] {
            stride(from: 0, to: height, by: stripRows).map {
                Window(columnOffset: 0, rowOffset: $0, columnCount: width, rowCount: min(stripRows, height - $0))
            }
        }

        /// The windows of one strip, left to right.
        func windows(in strip: Window) -> [Window] {
            stride(from: 0, to: width, by: windowColumns).map {
                Window(columnOffset: $0, rowOffset: strip.rowOffset, columnCount: min(windowColumns, width - $0), rowCount: strip.rowCount)
            }
        }
    }
}
