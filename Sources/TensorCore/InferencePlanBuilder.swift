import CDNNL

/// Records the operations of an inference network on `PlanValue`s and compiles them into an
/// `InferencePlan`: every oneDNN primitive created once, weights reordered once, activations in plan-owned
/// buffers that operations with disjoint lifetimes share.
///
/// The builder knows no model; a model-specific compiler (e.g. SegmentationModels' `PSPNetInferencePlan`)
/// folds its layers into these operations. Activations are NHWC; convolutions read dense values and write
/// dense values, while copies, resizes and pooling may read or write channel ranges of a buffer
/// (`channels(_:_:)`), which is how a concatenation is assembled without a separate pass.
///
/// ```swift
/// let builder = try InferencePlanBuilder(precision: .float32)
/// let x = builder.input(shape: [1, 64, 64, 3])
/// let y = builder.convolution(x, weight: w, bias: b, padding: 1, relu: true)
/// let plan = builder.compile(output: builder.floatOutput(y))
/// ```
public final class InferencePlanBuilder {
    public let precision: InferencePrecision
    /// Ask oneDNN for Winograd kernels for Float32 3x3 stride-1 undilated convolutions (kept only where
    /// oneDNN has them; see docs/DESIGN.md, "Inference plan").
    public var prefersWinograd = false
    /// Where convolutions given a `weightOwner` take their reordered weights from, shared with the other
    /// plans of the same model (`PlanWeightCache`); nil: every convolution keeps its own.
    public var weightCache: PlanWeightCache?

    var records: [PlanBufferRecord] = []
    private var versions: [Int] = []
    var operations: [PendingOperation] = []
    private var inputValue: PlanValue?

    /// An operation before buffers have memory: which buffers it touches and how to build its step once
    /// they do.
    struct PendingOperation {
        var buffers: [Int]
        var build: (PlanCompilation) -> PlanStep
    }

    /// - Throws: `InferencePlanError` when this CPU cannot run `precision` natively.
    public init(precision: InferencePrecision) throws {
        guard precision.isSupportedOnThisCPU else { throw InferencePlanError.unsupportedPrecision(precision) }
        self.precision = precision
    }

    /// Element type of convolution inputs and of the activations between them.
    var activationType: PlanElementType { precision == .float32 ? .float32 : .bfloat16 }

    // MARK: Values

    private func newBuffer(shape: [Int], type: PlanElementType, role: PlanBufferRecord.Role = .owned) -> PlanValue {
        precondition(shape.count == 4 && shape.allSatisfy { $0 >= 1 }, "InferencePlanBuilder: value shape \(shape) must be [N, H, W, C], all >= 1")
        records.append(PlanBufferRecord(elementCount: shape.reduce(1, *), type: type, role: role))
        versions.append(0)
        return PlanValue(shape: shape, buffer: records.count - 1, version: 0, channelOffset: 0, pixelStride: shape[3], type: type)
    }

    /// The plan's input: the caller's Float32 `[N, H, W, C]` tensor, read in place (never written).
    public func input(shape: [Int]) -> PlanValue {
        precondition(inputValue == nil, "InferencePlanBuilder: a plan has one input")
        let value = newBuffer(shape: shape, type: .float32, role: .input)
        inputValue = value
        return value
    }

    /// A new activation buffer of `shape` (the plan's activation type), to be filled through `channels(_:_:)`
    /// views, e.g. a concatenation.
    public func buffer(shape: [Int]) -> PlanValue { newBuffer(shape: shape, type: activationType) }

    /// Channels `range` of a dense `value`, as a value of its own (shares the buffer).
    public func channels(_ value: PlanValue, _ range: Range<Int>) -> PlanValue {
        precondition(value.isDense && range.lowerBound >= 0 && range.upperBound <= value.channels && !range.isEmpty,
                     "InferencePlanBuilder.channels: range \(range) of a value with shape \(value.shape) (dense: \(value.isDense))")
        return PlanValue(shape: [value.batch, value.height, value.width, range.count], buffer: value.buffer,
                         version: value.version, channelOffset: range.lowerBound, pixelStride: value.pixelStride, type: value.type)
    }

    /// The value in the plan's activation type: itself, or a converted copy (the Float32 input in bfloat16 plans).
    public func activation(_ value: PlanValue) -> PlanValue {
        guard value.type != activationType else { return value }
        let result = newBuffer(shape: value.shape, type: activationType)
        copy(value, into: result)
        return result
    }

    /// Traps when `value` is stale: its buffer was written in place (a fused residual sum) after the value was made.
    private func check(_ value: PlanValue, _ operation: String) {
        guard versions[value.buffer] == value.version else {
            fatalError("InferencePlanBuilder.\(operation): value \(value.shape) was overwritten in place by a later operation; keep a separate buffer for it")
        }
    }

    private func append(_ buffers: [Int], _ build: @escaping (PlanCompilation) -> PlanStep) {
        for buffer in buffers { records[buffer].noteUse(at: operations.count) }
        operations.append(PendingOperation(buffers: buffers, build: build))
    }

    // MARK: Operations

    /// A convolution with BatchNorm already folded into `weight` and `bias`, then optionally the residual
    /// sum and ReLU, as one oneDNN primitive.
    /// - Parameters:
    ///   - input: dense `[N, H, W, C]`.
    ///   - weight: `[O, C, KH, KW]` Float32; `bias`: `[O]` Float32.
    ///   - accumulatingInto: a dense `[N, OH, OW, O]` value (the shortcut) that the result is added into,
    ///     in place; the value passed becomes stale, use the returned one.
    ///   - floatOutput: write Float32 even in a bfloat16 plan (for the logits).
    ///   - weightOwner: the object whose weights these are (e.g. the layer), for sharing them through
    ///     `weightCache`; the same owner must always come with the same `weight`.
    /// - Returns: `[N, OH, OW, O]`, `OH = (H + 2p - d(KH-1) - 1) / s + 1`.
    public func convolution(_ input: PlanValue, weight: Tensor, bias: Tensor, stride: Int = 1, padding: Int = 0,
                            dilation: Int = 1, relu: Bool, accumulatingInto shortcut: PlanValue? = nil,
                            floatOutput: Bool = false, weightOwner: AnyObject? = nil) -> PlanValue {
        check(input, "convolution")
        precondition(input.isDense && input.type == activationType,
                     "InferencePlanBuilder.convolution: input \(input.shape) must be a dense activation (use activation(_:))")
        precondition(weight.rank == 4 && weight.shape[1] == input.channels && bias.shape == [weight.shape[0]],
                     "InferencePlanBuilder.convolution: input \(input.shape), weight \(weight.shape) [O, C, KH, KW], bias \(bias.shape) [O]")
        let outputHeight = (input.height + 2 * padding - dilation * (weight.shape[2] - 1) - 1) / stride + 1
        let outputWidth = (input.width + 2 * padding - dilation * (weight.shape[3] - 1) - 1) / stride + 1
        let outputShape = [input.batch, outputHeight, outputWidth, weight.shape[0]]
        let output: PlanValue
        if let shortcut {
            check(shortcut, "convolution(accumulatingInto:)")
            precondition(shortcut.shape == outputShape && shortcut.isDense && records[shortcut.buffer].role == .owned,
                         "InferencePlanBuilder.convolution: shortcut \(shortcut.shape) must be a dense plan buffer of the output shape \(outputShape)")
            versions[shortcut.buffer] += 1
            output = PlanValue(shape: outputShape, buffer: shortcut.buffer, version: versions[shortcut.buffer],
                               channelOffset: 0, pixelStride: outputShape[3], type: shortcut.type)
        } else {
            output = newBuffer(shape: outputShape, type: floatOutput ? .float32 : activationType)
        }
        let computeType = activationType
        let winograd = prefersWinograd && precision == .float32 && weight.shape[2] == 3 && weight.shape[3] == 3
            && stride == 1 && dilation == 1
        let sum = shortcut != nil
        let sharedWeights = weightCache.flatMap { cache in weightOwner.map { (cache: cache, owner: $0) } }
        append([input.buffer, output.buffer]) { compilation in
            let convolution = FusedConvolution(
                input: input.shape, outputShape: outputShape, weight: weight, bias: bias, stride: stride, padding: padding,
                dilation: dilation, computeType: computeType, outputType: output.type, sum: sum, relu: relu, tryWinograd: winograd,
                sharedWeights: sharedWeights)
            let fixed = [(OneDNNArgument.weights, convolution.weightsMemory), (OneDNNArgument.bias, convolution.biasMemory)]
            let note = convolution.usesWinograd ? "winograd" : nil
            guard let blocked = convolution.blocked else {
                return compilation.primitiveStep(convolution.primitive, kind: .convolution, flops: convolution.floatingPointOperations,
                                                 owner: convolution, arguments: [
                    (OneDNNArgument.source, convolution.sourceDescriptor, input),
                    (OneDNNArgument.destination, convolution.destinationDescriptor, output),
                ], fixed: fixed, note: note)
            }
            return .group([
                compilation.primitiveStep(blocked.sourceReorder, kind: .other, flops: 0, owner: blocked, arguments: [
                    (OneDNNArgument.source, convolution.sourceDescriptor, input)],
                    fixed: [(OneDNNArgument.destination, blocked.sourceMemory)], note: nil),
                compilation.primitiveStep(convolution.primitive, kind: .convolution, flops: convolution.floatingPointOperations,
                                          owner: convolution, arguments: [],
                                          fixed: fixed + [(OneDNNArgument.source, blocked.sourceMemory),
                                                          (OneDNNArgument.destination, blocked.destinationMemory)], note: note),
                compilation.primitiveStep(blocked.destinationReorder, kind: .other, flops: 0, owner: blocked, arguments: [
                    (OneDNNArgument.destination, convolution.destinationDescriptor, output)],
                    fixed: [(OneDNNArgument.source, blocked.destinationMemory)], note: nil),
            ])
        }
        return output
    }

    /// Max pooling (padding never wins, as in PyTorch). - Returns: `[N, OH, OW, C]`, `OH = (H + 2p - k) / s + 1`.
    public func maxPool(_ input: PlanValue, kernelSize: Int, stride: Int, padding: Int) -> PlanValue {
        check(input, "maxPool")
        precondition(input.isDense, "InferencePlanBuilder.maxPool: input \(input.shape) must be dense")
        let outputShape = [input.batch, (input.height + 2 * padding - kernelSize) / stride + 1,
                           (input.width + 2 * padding - kernelSize) / stride + 1, input.channels]
        let output = newBuffer(shape: outputShape, type: input.type)
        append([input.buffer, output.buffer]) { compilation in
            let pooling = PlanMaxPooling(input: input.shape, outputShape: outputShape, type: input.type,
                                         kernelSize: kernelSize, stride: stride, padding: padding)
            return compilation.primitiveStep(pooling.primitive, kind: .other, flops: 0, owner: pooling, arguments: [
                (OneDNNArgument.source, pooling.sourceDescriptor, input),
                (OneDNNArgument.destination, pooling.destinationDescriptor, output),
            ], fixed: [], note: nil)
        }
        return output
    }

    /// PyTorch's adaptive average pooling to `size` x `size`. - Returns: `[N, size, size, C]`.
    public func adaptiveAveragePool(_ input: PlanValue, size: Int) -> PlanValue {
        check(input, "adaptiveAveragePool")
        let output = newBuffer(shape: [input.batch, size, size, input.channels], type: activationType)
        append([input.buffer, output.buffer]) { compilation in
            let kernel = PlanAdaptiveAveragePoolKernel(
                source: compilation.address(input), destination: compilation.address(output), batch: input.batch,
                inputHeight: input.height, inputWidth: input.width, size: size, channels: input.channels)
            return .kernel(planKernel(kernel, source: input.type, destination: output.type))
        }
        return output
    }

    /// PyTorch's bilinear resize (align corners false) of `input` into `destination` (a value or a channel
    /// range of one, `[N, height, width, C]`).
    public func resizeBilinear(_ input: PlanValue, into destination: PlanValue) {
        check(input, "resizeBilinear")
        check(destination, "resizeBilinear(into:)")
        precondition(input.batch == destination.batch && input.channels == destination.channels,
                     "InferencePlanBuilder.resizeBilinear: \(input.shape) into \(destination.shape): batch and channels must match")
        append([input.buffer, destination.buffer]) { compilation in
            let kernel = PlanResizeKernel(
                source: compilation.address(input), destination: compilation.address(destination), batch: input.batch,
                inputHeight: input.height, inputWidth: input.width, height: destination.height, width: destination.width,
                channels: input.channels)
            return .kernel(planKernel(kernel, source: input.type, destination: destination.type))
        }
    }

    /// Copies (converting the element type) `input` into `destination` of the same shape.
    public func copy(_ input: PlanValue, into destination: PlanValue) {
        check(input, "copy")
        check(destination, "copy(into:)")
        precondition(input.shape == destination.shape, "InferencePlanBuilder.copy: \(input.shape) into \(destination.shape)")
        append([input.buffer, destination.buffer]) { compilation in
            let kernel = PlanCopyKernel(source: compilation.address(input), destination: compilation.address(destination),
                                        pixels: input.pixelCount, channels: input.channels)
            return .kernel(planKernel(kernel, source: input.type, destination: destination.type))
        }
    }

    /// A Float32 buffer for the plan's result, `[N, H, W, C]`; fill it with `resizeBilinear(into:)`, `copy(into:)`
    /// or make a convolution write it (`convolution(floatOutput: true)` returns such a value already).
    public func floatBuffer(shape: [Int]) -> PlanValue { newBuffer(shape: shape, type: .float32) }

    /// Softmax over the channels of a dense Float32 value, in place. - Returns: the updated value.
    public func softmaxInPlace(_ value: PlanValue) -> PlanValue {
        check(value, "softmaxInPlace")
        precondition(value.isDense && value.type == .float32, "InferencePlanBuilder.softmaxInPlace: \(value.shape) must be dense Float32")
        versions[value.buffer] += 1
        let result = PlanValue(shape: value.shape, buffer: value.buffer, version: versions[value.buffer],
                               channelOffset: 0, pixelStride: value.pixelStride, type: .float32)
        append([value.buffer]) { compilation in
            .kernel(PlanSoftmaxKernel(value: compilation.address(result), pixels: value.pixelCount, channels: value.channels).make())
        }
        return result
    }

    /// Compiles the recorded operations; `output` (a dense Float32 value) is what `InferencePlan.run` returns.
    public func compile(output: PlanValue) -> InferencePlan {
        check(output, "compile(output:)")
        guard let inputValue else { fatalError("InferencePlanBuilder.compile: the plan has no input (call input(shape:))") }
        precondition(output.isDense && output.type == .float32 && records[output.buffer].role == .owned,
                     "InferencePlanBuilder.compile: output \(output.shape) must be a dense Float32 buffer made by the plan")
        records[output.buffer].role = .output
        return InferencePlan(builder: self, input: inputValue, output: output)
    }
}
