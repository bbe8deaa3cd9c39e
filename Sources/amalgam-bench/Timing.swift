import Foundation

/// Wall-clock seconds of the fastest of `repeats` runs of `body`.
func bestSeconds(repeats: Int = 5, _ body: () -> Void) -> Double {
    var best = Double.infinity
    for _ in 0..<max(1, repeats) {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        let end = DispatchTime.now().uptimeNanoseconds
        best = min(best, Double(end - start) * 1e-9)
    }
    return best
}

/// Keeps a value alive so the optimiser cannot delete the work that made it.
@inline(never) func blackHole<T>(_ value: T) { _ = value }
