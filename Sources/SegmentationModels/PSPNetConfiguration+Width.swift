extension PSPNetConfiguration {
    /// The width multipliers a configuration may have. Below 0.25 most layers would hit the 8-channel floor.
    public static let widthRange: ClosedRange<Float> = 0.25...1

    /// Fewest channels a scaled layer keeps (narrow FPN laterals would otherwise vanish).
    public static let minimumScaledChannels = 8

    /// `channels` of the standard (width 1) network scaled by `width`: round(channels x width), computed in
    /// Float32 and rounded half away from zero, at least `minimumScaledChannels`. Width 1 returns `channels`
    /// unchanged (for any `channels` of at least 8). `python/landuse_pspnet.py`'s `scaled` applies the same rule
    /// in float32, so both sides agree for every width.
    public static func scaledChannels(_ channels: Int, width: Float) -> Int {
        max(minimumScaledChannels, Int((Float(channels) * width).rounded(.toNearestOrAwayFromZero)))
    }

    /// `channels` of the standard network scaled by this configuration's `width`.
    public func scaledChannels(_ channels: Int) -> Int { PSPNetConfiguration.scaledChannels(channels, width: width) }
}
