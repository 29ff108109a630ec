/// Resampling used to build overviews.
public enum OverviewResampling: String, Sendable, Hashable {
    case nearest = "NEAREST"
    /// The most frequent value: for class rasters.
    case mode = "MODE"
    /// The mean: for continuous data (reflectance, probabilities).
    case average = "AVERAGE"
}
