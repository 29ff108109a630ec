/// Which pixels of a window of a raster grid lie in one zone (see `ZoneLayer`).
public struct ZoneMask: Sendable, Equatable {
    /// Index of the zone in `ZoneLayer.zoneNames`.
    public let zone: Int
    /// The part of the requested window that the zone's bounding box covers, in the full raster's grid.
    public let window: Window
    /// Row-major `[window.rowCount, window.columnCount]`: true where the pixel centre lies in the zone.
    public let isInside: [Bool]

    public init(zone: Int, window: Window, isInside: [Bool]) {
        precondition(isInside.count == window.pixelCount, "isInside has \(isInside.count) entries for \(window.pixelCount) pixels")
        self.zone = zone
        self.window = window
        self.isInside = isInside
    }

    /// Number of pixels inside the zone.
    public var insideCount: Int { isInside.reduce(0) { $0 + ($1 ? 1 : 0) } }
}
