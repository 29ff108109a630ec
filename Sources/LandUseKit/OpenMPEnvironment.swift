import Foundation

/// OpenMP settings that have to be in the environment before libgomp loads.
///
/// oneDNN (Debian's build) runs its primitives on libgomp threads, and LandUse's Swift kernels run on
/// Dispatch threads between them. With libgomp's default wait policy its idle workers spin for a while after
/// every primitive, taking the cores the Swift kernels need: a training step measured 1.8x slower in wall
/// time. `OMP_WAIT_POLICY=PASSIVE` makes idle workers sleep. libgomp reads the variable when it is loaded,
/// before `main` runs, so the `landuse` executable sets it and re-executes itself once.
public enum OpenMPEnvironment {
    /// Re-executes the current process with `OMP_WAIT_POLICY=PASSIVE` unless the variable is already set
    /// (a user's own choice is kept). Returns only when no re-execution was needed or it failed.
    public static func ensurePassiveWaitPolicy() {
        guard ProcessInfo.processInfo.environment["OMP_WAIT_POLICY"] == nil else { return }
        setenv("OMP_WAIT_POLICY", "PASSIVE", 1)
        let arguments = CommandLine.arguments
        var pointers: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        pointers.append(nil)
        execv("/proc/self/exe", pointers)
        // execv returns only on failure: carry on with the default policy.
        for pointer in pointers { free(pointer) }
    }
}
