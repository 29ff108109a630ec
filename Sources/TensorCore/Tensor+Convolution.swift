/// 2-D convolution (cross-correlation, as in PyTorch) of an NHWC batch with OIHW weights, through oneDNN.
///
/// Padding is symmetric and zero-filled; the output size is
/// `(H + 2 * padding - dilation * (KH - 1) - 1) / stride + 1` (rounded down), likewise for the width.
/// The oneDNN primitives for each distinct configuration are compiled once and cached
/// (see `TensorEngine.primitiveCreationCount`). Differentiable in `input`, `weight` and `bias`.
/// - Parameters:
///   - input: `[N, H, W, C]`.
///   - weight: `[O, C, KH, KW]` (PyTorch's layout).
///   - bias: `[O]`, or nil for none.
///   - stride: step between output pixels, in input pixels (>= 1).
///   - padding: zero rows/columns added on each side (>= 0).
///   - dilation: spacing between kernel taps (>= 1; 1 is a dense kernel).
/// - Returns: `[N, OH, OW, O]`.
public func conv2d(_ input: Tensor, weight: Tensor, bias: Tensor? = nil,
                   stride: Int = 1, padding: Int = 0, dilation: Int = 1) -> Tensor {
    checkShapes(input.rank == 4 && weight.rank == 4 && input.shape[3] == weight.shape[1],
                "conv2d: input \(input.shape) must be [N, H, W, C] and weight \(weight.shape) [O, C, KH, KW] with equal C")
    checkShapes(bias == nil || bias!.shape == [weight.shape[0]],
                "conv2d: bias \(bias?.shape ?? []) must be [\(weight.shape[0])] for weight \(weight.shape)")
    checkShapes(stride >= 1 && padding >= 0 && dilation >= 1,
                "conv2d: stride \(stride) and dilation \(dilation) must be >= 1, padding \(padding) >= 0")
    let geometry = ConvolutionGeometry(
        batch: input.shape[0], inputHeight: input.shape[1], inputWidth: input.shape[2], inputChannels: input.shape[3],
        outputChannels: weight.shape[0], kernelHeight: weight.shape[2], kernelWidth: weight.shape[3],
        strideHeight: stride, strideWidth: stride, paddingHeight: padding, paddingWidth: padding,
        dilationHeight: dilation, dilationWidth: dilation, hasBias: bias != nil)
    checkShapes(geometry.outputHeight >= 1 && geometry.outputWidth >= 1,
                "conv2d: input \(input.shape) is smaller than the dilated kernel \(weight.shape) (dilation \(dilation), padding \(padding))")
    let plan = ConvolutionPlan.plan(for: geometry)
    var output = Tensor(shape: geometry.outputShape) { output in
        input.withUnsafeBufferPointer { source in
            if let bias {
                bias.withUnsafeBufferPointer { biasValues in
                    plan.runForward(input: source.baseAddress!, weight: weight.storage,
                                    bias: biasValues.baseAddress!, output: output.baseAddress!)
                }
            } else {
                plan.runForward(input: source.baseAddress!, weight: weight.storage, bias: nil, output: output.baseAddress!)
            }
        }
    }

    let needsInputGradient = input.requiresGradient
    let needsWeightGradient = weight.requiresGradient || (bias?.requiresGradient ?? false)
    // Keep only what backward reads: the input for weight gradients, the weights for the input gradient.
    let savedInput = needsWeightGradient ? input.detached() : nil
    let savedWeight = needsInputGradient ? weight.detached() : nil
    output.recordOperation(inputs: bias.map { [input, weight, $0] } ?? [input, weight]) { outputGradient in
        var inputGradient: Tensor?
        var weightGradient: Tensor?
        var biasGradient: Tensor?
        outputGradient.withUnsafeBufferPointer { gradient in
            if needsInputGradient {
                inputGradient = Tensor(shape: geometry.inputShape) { result in
                    plan.runBackwardData(outputGradient: gradient.baseAddress!, weight: savedWeight!.storage,
                                         inputGradient: result.baseAddress!)
                }
            }
            if needsWeightGradient {
                var biasResult = geometry.hasBias ? Tensor(shape: [geometry.outputChannels]) : nil
                weightGradient = Tensor(shape: geometry.weightShape) { result in
                    savedInput!.withUnsafeBufferPointer { source in
                        if biasResult != nil {
                            biasResult!.withUnsafeMutableBufferPointer { biasValues in
                                plan.runBackwardWeights(input: source.baseAddress!, outputGradient: gradient.baseAddress!,
                                                        weightGradient: result.baseAddress!, biasGradient: biasValues.baseAddress!)
                            }
                        } else {
                            plan.runBackwardWeights(input: source.baseAddress!, outputGradient: gradient.baseAddress!,
                                                    weightGradient: result.baseAddress!, biasGradient: nil)
                        }
                    }
                }
                biasGradient = biasResult
            }
        }
        return geometry.hasBias ? [inputGradient, weightGradient, biasGradient] : [inputGradient, weightGradient]
    }
    return output
}
