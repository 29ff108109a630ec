import NeuralNet
import SegmentationModels
import TensorCore

/// One training step of a small segmentation network, the same as `TinyResidualNet` in
/// Benchmarks/train-step_bench.py: stem conv 3x3 (3 -> 64, no bias) + BatchNorm + ReLU, a ResNet basic
/// block at 64 channels (conv-BN-ReLU-conv-BN, identity add, ReLU), a 1x1 classifier (64 -> 6, bias),
/// pixelwise cross-entropy; backward; SGD with momentum 0.9 and weight decay 1e-4 on every parameter.
/// Input `[batch, 64, 64, 3]`; weights drawn as PyTorch's default Conv2d initialisation.
///
/// The update is written out here with NeuralNet's `SGD` semantics because this benchmark target links
/// TensorCore only; it is a memory-bound loop over ~75k parameters, negligible next to the convolutions.
struct TrainStepBenchmark {
    static let size = 64, width = 64, classes = 6

    var weights: [Tensor]
    var momentum: [Tensor?]
    var runningMeans: [Tensor]
    var runningVariances: [Tensor]
    let input: Tensor
    let labels: Tensor

    init(batch: Int, generator: inout RandomGenerator) {
        let width = TrainStepBenchmark.width, classes = TrainStepBenchmark.classes
        // Parameter order: stem conv, stem BN weight, bias, block conv1, BN1 w, b, conv2, BN2 w, b, head w, head b.
        var parameters: [Tensor] = []
        parameters.append(Tensor.kaimingUniform(shape: [width, 3, 3, 3], negativeSlope: Float(5).squareRoot(), generator: &generator))
        parameters += [Tensor(shape: [width], repeating: 1), Tensor(shape: [width], repeating: 0)]
        for _ in 0..<2 {
            parameters.append(Tensor.kaimingUniform(shape: [width, width, 3, 3], negativeSlope: Float(5).squareRoot(), generator: &generator))
            parameters += [Tensor(shape: [width], repeating: 1), Tensor(shape: [width], repeating: 0)]
        }
        parameters.append(Tensor.kaimingUniform(shape: [classes, width, 1, 1], negativeSlope: Float(5).squareRoot(), generator: &generator))
        parameters.append(Tensor(shape: [classes], repeating: 0))
        weights = parameters.map { $0.requiringGradient() }
        momentum = Array(repeating: nil, count: parameters.count)
        runningMeans = Array(repeating: Tensor(shape: [width], repeating: 0), count: 3)
        runningVariances = Array(repeating: Tensor(shape: [width], repeating: 1), count: 3)
        let size = TrainStepBenchmark.size
        input = Tensor.randomNormal(shape: [batch, size, size, 3], generator: &generator)
        labels = Tensor(shape: [batch, size, size]) { output in
            for index in 0..<output.count { output[index] = Float(Int(generator.next() % UInt64(classes))) }
        }
    }

    /// Forward, loss, backward and the SGD update; returns the loss.
    @discardableResult
    mutating func step(learningRate: Float = 0.01) -> Float {
        func normalize(_ x: Tensor, _ index: Int, _ parameter: Int) -> Tensor {
            batchNorm(x, weight: weights[parameter], bias: weights[parameter + 1],
                      runningMean: &runningMeans[index], runningVariance: &runningVariances[index], training: true)
        }
        let stem = relu(normalize(conv2d(input, weight: weights[0], padding: 1), 0, 1))
        let inner = relu(normalize(conv2d(stem, weight: weights[3], padding: 1), 1, 4))
        let block = relu(normalize(conv2d(inner, weight: weights[6], padding: 1), 2, 7) + stem)
        let logits = conv2d(block, weight: weights[9], bias: weights[10])
        let loss = crossEntropy(logits: logits, labels: labels)
        loss.backward()
        for index in weights.indices {
            guard let gradient = weights[index].gradient else { continue }
            weights[index].gradientNode?.zeroGradient()
            var direction = gradient
            direction.withUnsafeMutableBufferPointer { d in
                weights[index].withUnsafeBufferPointer { p in for i in 0..<d.count { d[i] += 1e-4 * p[i] } }
                if momentum[index] != nil {
                    momentum[index]!.withUnsafeMutableBufferPointer { b in
                        for i in 0..<d.count { b[i] = 0.9 * b[i] + d[i]; d[i] = b[i] }
                    }
                } else {
                    momentum[index] = Tensor(shape: gradient.shape, scalars: Array(d))
                }
            }
            weights[index].withUnsafeMutableBufferPointer { p in
                direction.withUnsafeBufferPointer { d in for i in 0..<p.count { p[i] -= learningRate * d[i] } }
            }
        }
        return loss.scalar
    }
}

func runTrainStep(_ options: Options) {
    var generator = RandomGenerator(seed: 1)
    var benchmark = TrainStepBenchmark(batch: options.batch, generator: &generator)
    let firstLoss = benchmark.step()
    var lastLoss = firstLoss
    let time = measure(repeats: options.repeats) { lastLoss = benchmark.step() }
    let size = TrainStepBenchmark.size
    report(["engine": "landuse", "suite": "train-step", "name": "resblock-\(TrainStepBenchmark.width)ch-\(size)x\(size)", "pass": "step",
            "batch": options.batch, "threads": options.threads, "median_ms": time.median, "min_ms": time.minimum,
            "first_loss": firstLoss, "last_loss": lastLoss])
}

/// One training step of PSPNet-ResNet-18 as `landuse train` runs it (the same as `pspnet_step` in
/// Benchmarks/train-step_bench.py): output stride 8, pyramid sizes 1,3,5,6, upsample decoder, aux head with
/// weight 0.4, 6 bands, 7 classes, 256 x 256 chips, dropout 0.1 in training; forward, cross-entropy +
/// 0.4 x aux cross-entropy, backward, NeuralNet's SGD (momentum 0.9, weight decay 1e-4).
func runPSPNetTrainStep(_ options: Options) {
    let size = 256, classes = 7
    let configuration = PSPNetConfiguration(backbone: .resnet18, outputStride: 8, pyramidSizes: [1, 3, 5, 6],
                                            decoder: .upsample, auxWeight: 0.4, classCount: classes, bandCount: 6)
    let model = PSPNet(configuration: configuration, seed: 42)
    model.train()
    let optimizer = SGD(module: model, learningRate: 0.01, momentum: 0.9, weightDecay: 1e-4)
    var generator = RandomGenerator(seed: 7)
    let images = Tensor.randomUniform(shape: [options.batch, size, size, 6], lowerBound: -2, upperBound: 2, generator: &generator)
    let labels = Tensor(shape: [options.batch, size, size]) { output in
        for index in 0..<output.count { output[index] = Float(Int(generator.next() % UInt64(classes))) }
    }
    func step() -> Float {
        model.zeroGradients()
        let (logits, aux) = model.forwardTraining(images)
        let loss = model.loss(logits: logits, aux: aux, labels: labels)
        loss.backward()
        optimizer.step()
        return loss.scalar
    }
    let firstLoss = step()
    var lastLoss = firstLoss
    let time = measure(repeats: options.repeats) { lastLoss = step() }
    report(["engine": "landuse", "suite": "train-step", "name": "pspnet-resnet18-\(size)x\(size)", "pass": "step",
            "batch": options.batch, "threads": options.threads, "median_ms": time.median, "min_ms": time.minimum,
            "first_loss": firstLoss, "last_loss": lastLoss])
}
