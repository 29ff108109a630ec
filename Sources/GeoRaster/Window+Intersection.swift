extension Window {
    /// The pixels this window shares with `other`, or nil when they do not overlap.
    public func intersection(_ other: Window) -> Window? {
        let firstColumn = max(columnOffset, other.columnOffset)
        let lastColumn = min(columnOffset + columnCount, other.columnOffset + other.columnCount)
        let firstRow = max(rowOffset, other.rowOffset)
        let lastRow = min(rowOffset + rowCount, other.rowOffset + other.rowCount)
        guard lastColumn > firstColumn, lastRow > firstRow else { return nil }
        return Window(columnOffset: firstColumn, rowOffset: firstRow, columnCount: lastColumn - firstColumn, rowCount: lastRow - firstRow)
    }
}
