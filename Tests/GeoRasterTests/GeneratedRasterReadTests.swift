import Foundation
import GeoRaster
import XCTest

/// Rasters of every readable type, generated here, read back value for value and mask for mask.
final class GeneratedRasterReadTests: XCTestCase {
    private let grid = GeoTransform(originX: 500_000, pixelWidth: 10, originY: 4_000_000, pixelHeight: -10)

    /// 3 rows x 4 columns x 2 bands; (row 1, column 2) of band 2 is nodata (-> whole pixel invalid).
    private func samples(nodata: Double, extremes: [Double]) -> [Double] {
        var values: [Double] = []
        for pixel in 0..<12 {
            values.append(pixel < extremes.count ? extremes[pixel] : Double(pixel * 3 + 1))
            values.append(pixel == 6 ? nodata : Double(pixel + 40))
        }
        return values
    }

    func testEveryTypeReadsExactValuesAndNodataMask() throws {
        let folder = try GDALTools.temporaryFolder(self)
        let cases: [(RasterDataType, Double, [Double])] = [
            (.byte, 255, [0, 254]),
            (.uint16, 0, [65535, 1]),
            (.int16, -32768, [-32767, 32767]),
            (.uint32, 4_000_000_000, [16_777_216, 3]),
            (.int32, -2_147_483_648, [-16_777_216, 16_777_215]),
            (.float32, -99999, [-1.5e30, 0.25]),
            (.float64, 1e300, [-3.75, 1e-3]),
        ]
        for (type, nodata, extremes) in cases {
            let url = folder.appendingPathComponent("\(type.rawValue).tif")
            let values = samples(nodata: nodata, extremes: extremes)
            let writer = try RasterWriter(
                url: url, width: 4, height: 3, bandCount: 2, dataType: type, geoTransform: grid,
                crs: try SpatialReference(epsg: 32633), nodata: nodata)
            try writer.write(values, window: Window(width: 4, height: 3))
            try writer.finish()

            // What GDAL itself reads from the file is the reference.
            let reference = try GDALTools.pixel(url, column: 1, row: 0)
            XCTAssertEqual(reference, [values[2], values[3]], "\(type)")

            let dataset = try RasterDataset(url: url)
            XCTAssertEqual(dataset.profile.bands.map(\.dataType), [type, type])
            XCTAssertEqual(dataset.profile.bands[0].nodata, nodata, "\(type)")
            XCTAssertTrue(dataset.profile.bands[0].maskFlags.contains(.nodata))
            let block = try dataset.read()
            XCTAssertEqual(block.values, values.map { Float($0) }, "\(type)")
            var expectedValid = [Bool](repeating: true, count: 12)
            expectedValid[6] = false
            XCTAssertEqual(block.isValid, expectedValid, "\(type)")

            // Band 1 alone has no nodata pixel.
            XCTAssertEqual(try dataset.read(bands: [1]).validCount, 12, "\(type)")
        }
    }

    func testNaNAndNodataInFloatBands() throws {
        let folder = try GDALTools.temporaryFolder(self)
        for type in [RasterDataType.float32, .float64] {
            let url = folder.appendingPathComponent("nan-\(type.rawValue).tif")
            let writer = try RasterWriter(
                url: url, width: 3, height: 2, dataType: type, geoTransform: grid, crs: nil, nodata: -1)
            try writer.write([1.5, .nan, -1, 4, 5, .infinity] as [Double], window: Window(width: 3, height: 2))
            try writer.finish()
            let block = try RasterDataset.withOpened(url) { try $0.read() }
            XCTAssertEqual(block.isValid, [true, false, false, true, true, true], "\(type)")
            XCTAssertEqual(block.values[0], 1.5)
            XCTAssertEqual(block.values[5], .infinity)
        }
    }

    func testNaNNodataValue() throws {
        let url = try GDALTools.temporaryFolder(self).appendingPathComponent("nan-nodata.tif")
        let writer = try RasterWriter(url: url, width: 2, height: 1, dataType: .float32, geoTransform: grid, crs: nil, nodata: .nan)
        try writer.write([Float.nan, 2], window: Window(width: 2, height: 1))
        try writer.finish()
        let dataset = try RasterDataset(url: url)
        XCTAssertTrue(dataset.profile.bands[0].nodata?.isNaN ?? false)
        XCTAssertEqual(try dataset.read().isValid, [false, true])
    }

    /// A per-dataset mask band (GeoTIFF internal mask) and a nodata value on the same band both count.
    func testPerDatasetMaskCombinesWithNodata() throws {
        let folder = try GDALTools.temporaryFolder(self)
        let source = folder.appendingPathComponent("source.tif")
        let writer = try RasterWriter(url: source, width: 3, height: 2, bandCount: 2, dataType: .byte, geoTransform: grid, crs: nil)
        // band 1 data, band 2 becomes the mask (0 = masked).
        try writer.write([10, 255, 7, 255, 30, 0, 40, 255, 50, 255, 60, 0] as [UInt8], window: Window(width: 3, height: 2))
        try writer.finish()
        let masked = folder.appendingPathComponent("masked.tif")
        try GDALTools.run("gdal_translate", ["-q", "-b", "1", "-mask", "2", "-a_nodata", "7", source.path, masked.path])

        let dataset = try RasterDataset(url: masked)
        XCTAssertEqual(dataset.profile.bands[0].maskFlags, .perDataset)
        XCTAssertEqual(dataset.profile.bands[0].nodata, 7)
        let block = try dataset.read()
        XCTAssertEqual(block.values, [10, 7, 30, 40, 50, 60])
        XCTAssertEqual(block.isValid, [true, false, false, true, true, false])
    }

    /// GDAL takes the alpha band as the mask of a gray+alpha (2-band) or RGB+alpha (4-band) raster.
    func testAlphaBandMasksEveryBand() throws {
        let folder = try GDALTools.temporaryFolder(self)
        let source = folder.appendingPathComponent("gray-alpha-source.tif")
        let writer = try RasterWriter(url: source, width: 2, height: 2, bandCount: 2, dataType: .uint16, geoTransform: grid, crs: nil)
        try writer.write([1, 65535, 3, 0, 5, 65535, 7, 300] as [UInt16], window: Window(width: 2, height: 2))
        try writer.finish()
        let alpha = folder.appendingPathComponent("alpha.tif")
        try GDALTools.run("gdal_translate", ["-q", "-colorinterp_2", "alpha", source.path, alpha.path])

        let dataset = try RasterDataset(url: alpha)
        XCTAssertEqual(dataset.profile.bands[0].maskFlags, [.alpha, .perDataset])
        XCTAssertEqual(dataset.profile.bands[1].colorInterpretation, "Alpha")
        let block = try dataset.read(bands: [1])
        XCTAssertEqual(block.values, [1, 3, 5, 7])
        XCTAssertEqual(block.isValid, [true, false, true, true])
    }
}
