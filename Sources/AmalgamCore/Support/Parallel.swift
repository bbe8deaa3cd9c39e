import Dispatch
import Foundation

/// Runs independent pieces of work on the machine's cores. Results come back in index
/// order whatever the threads' timing, so callers that merge them in that order stay
/// byte-for-byte deterministic.
enum Parallel {
    /// Worker threads used (the process's active cores, at least 1).
    static var width: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    /// `body(0) … body(count − 1)`, run concurrently on up to ``width`` threads.
    /// - Throws: the error of the lowest index that threw (all items still run).
    static func map<T: Sendable>(_ count: Int, _ body: @Sendable (Int) throws -> T) throws -> [T] {
        guard count > 1, width > 1 else { return try (0..<max(count, 0)).map(body) }
        let slots = Slots<T>(count)
        DispatchQueue.concurrentPerform(iterations: count) { i in
            slots.store(i, Result { try body(i) })
        }
        return try slots.results().map { try $0.get() }
    }

    /// One result cell per index, written once each by distinct threads (no two
    /// threads touch the same cell, and the buffer itself never moves), read after
    /// `concurrentPerform` has joined them all.
    private final class Slots<T>: @unchecked Sendable {
        private let base: UnsafeMutablePointer<Result<T, Error>?>
        private let count: Int

        init(_ count: Int) {
            self.count = count
            base = .allocate(capacity: count)
            base.initialize(repeating: nil, count: count)
        }

        deinit {
            base.deinitialize(count: count)
            base.deallocate()
        }

        func store(_ i: Int, _ r: Result<T, Error>) { base[i] = r }

        func results() -> [Result<T, Error>] { (0..<count).map { base[$0]! } }
    }
}
