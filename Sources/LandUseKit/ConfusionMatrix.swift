/// Counts of (reference class, predicted class) pairs over the pixels where both exist.
public struct ConfusionMatrix: Sendable, Equatable {
    public let classCount: Int
    /// `counts[reference * classCount + predicted]`.
    public private(set) var counts: [Int]

    public init(classCount: Int) {
        self.classCount = classCount
        counts = [Int](repeating: 0, count: classCount * classCount)
    }

    /// Counts one pixel; class indices must be in 0..<classCount.
    public mutating func add(reference: Int, predicted: Int, count: Int = 1) {
        counts[reference * classCount + predicted] += count
    }

    public mutating func merge(_ other: ConfusionMatrix) {
        precondition(other.classCount == classCount, "merging confusion matrices of \(other.classCount) and \(classCount) classes")
        for index in counts.indices { counts[index] += other.counts[index] }
    }

    public func count(reference: Int, predicted: Int) -> Int { counts[reference * classCount + predicted] }

    /// Pixels whose reference is class `k` (row sum).
    public func referenceTotal(_ k: Int) -> Int { (0..<classCount).reduce(0) { $0 + count(reference: k, predicted: $1) } }
    /// Pixels predicted as class `k` (column sum).
    public func predictedTotal(_ k: Int) -> Int { (0..<classCount).reduce(0) { $0 + count(reference: $1, predicted: k) } }
    public var total: Int { counts.reduce(0, +) }
    public var correct: Int { (0..<classCount).reduce(0) { $0 + count(reference: $1, predicted: $1) } }
}

/// Accuracy figures of a classification against reference labels.
public struct SegmentationMetrics: Codable, Sendable, Equatable {
    public struct PerClass: Codable, Sendable, Equatable {
        public var value: Int
        public var name: String
        /// Pixels of this class in the reference and in the prediction.
        public var referencePixels: Int
        public var predictedPixels: Int
        /// nil where undefined (no predicted pixels for precision, no reference pixels for recall).
        public var precision: Double?
        public var recall: Double?
        public var f1: Double?
        /// TP / (TP + FP + FN); nil when the class appears in neither.
        public var iou: Double?

        private enum CodingKeys: String, CodingKey {
            case value, name
            case referencePixels = "reference_pixels"
            case predictedPixels = "predicted_pixels"
            case precision, recall, f1, iou
        }
    }

    public var classes: [PerClass]
    /// Share of evaluated pixels classified correctly.
    public var overallAccuracy: Double
    /// Mean IoU over the classes present in the reference.
    public var meanIoU: Double
    /// Values of the classes `meanIoU` averages over.
    public var meanIoUClasses: [Int]
    public var kappa: Double
    /// Pixels with both a reference class and a prediction.
    public var evaluatedPixels: Int
    /// `confusion[reference][predicted]` in class order.
    public var confusion: [[Int]]

    private enum CodingKeys: String, CodingKey {
        case classes
        case overallAccuracy = "overall_accuracy"
        case meanIoU = "miou"
        case meanIoUClasses = "miou_classes"
        case kappa
        case evaluatedPixels = "evaluated_pixels"
        case confusion
    }

    public init(matrix: ConfusionMatrix, classes: [ClassInfo]) {
        precondition(classes.count == matrix.classCount, "\(classes.count) class names for a \(matrix.classCount)-class matrix")
        let total = Double(matrix.total)
        var perClass: [PerClass] = []
        var presentIoUs: [Double] = []
        var present: [Int] = []
        var chance = 0.0
        for k in 0..<matrix.classCount {
            let truePositives = Double(matrix.count(reference: k, predicted: k))
            let reference = matrix.referenceTotal(k), predicted = matrix.predictedTotal(k)
            let precision = predicted > 0 ? truePositives / Double(predicted) : nil
            let recall = reference > 0 ? truePositives / Double(reference) : nil
            var f1: Double?
            if let precision, let recall { f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0 }
            let union = Double(reference + predicted) - truePositives
            let iou = union > 0 ? truePositives / union : nil
            if reference > 0, let iou {
                presentIoUs.append(iou)
                present.append(classes[k].value)
            }
            chance += Double(reference) * Double(predicted)
            perClass.append(PerClass(value: classes[k].value, name: classes[k].name, referencePixels: reference, predictedPixels: predicted,
                                     precision: precision, recall: recall, f1: f1, iou: iou))
        }
        self.classes = perClass
        overallAccuracy = total > 0 ? Double(matrix.correct) / total : 0
        meanIoU = presentIoUs.isEmpty ? 0 : presentIoUs.reduce(0, +) / Double(presentIoUs.count)
        meanIoUClasses = present
        let expected = total > 0 ? chance / (total * total) : 0
        kappa = expected < 1 ? (overallAccuracy - expected) / (1 - expected) : 0
        evaluatedPixels = matrix.total
        confusion = (0..<matrix.classCount).map { r in (0..<matrix.classCount).map { matrix.count(reference: r, predicted: $0) } }
    }

    /// The metrics as Markdown: summary, per-class table, confusion matrix with class names.
    public func markdown() -> String {
        func figure(_ value: Double?) -> String { value.map { String(format: "%.4f", $0) } ?? "-" }
        var lines = [
            "| metric | value |", "|---|---:|",
            "| overall accuracy | \(figure(overallAccuracy)) |",
            "| mIoU (classes \(meanIoUClasses.map(String.init).joined(separator: ","))) | \(figure(meanIoU)) |",
            "| Cohen's kappa | \(figure(kappa)) |",
            "| evaluated pixels | \(evaluatedPixels) |", "",
            "| value | class | reference px | predicted px | precision | recall | F1 | IoU |",
            "|---:|---|---:|---:|---:|---:|---:|---:|",
        ]
        for item in classes {
            lines.append("| \(item.value) | \(item.name) | \(item.referencePixels) | \(item.predictedPixels) | \(figure(item.precision)) | \(figure(item.recall)) | \(figure(item.f1)) | \(figure(item.iou)) |")
        }
        lines += ["", "Confusion matrix (rows: reference, columns: predicted):", ""]
        lines.append("| reference \\ predicted | " + classes.map(\.name).joined(separator: " | ") + " |")
        lines.append("|---|" + String(repeating: "---:|", count: classes.count))
        for (index, row) in confusion.enumerated() {
            lines.append("| \(classes[index].name) | " + row.map(String.init).joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
