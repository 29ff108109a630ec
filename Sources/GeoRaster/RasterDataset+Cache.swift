import CGDAL

extension RasterDataset {
    /// Drops the blocks of `band` that GDAL holds in its block cache.
    ///
    /// GDAL keeps every block it decodes until its process-wide cache (`GDAL_CACHEMAX`, by default 5% of RAM)
    /// is full, so a single pass over a large raster grows the process by that much. A reader that has
    /// finished with a row of blocks calls this to keep memory to what it is working on. Reading again later
    /// decodes the blocks again. The dataset is read-only: nothing is written back.
    public func releaseCachedBlocks(band number: Int) {
        GDALRuntime.prepare()
        _ = GDALFlushRasterCache(band(number))
    }
}
