import TensorCore

/// The engine this layer library runs on, for `landuse --version` style reports.
public enum NeuralNetInfo {
    public static var engine: String { "oneDNN \(OneDNNVersion.string)" }
}
