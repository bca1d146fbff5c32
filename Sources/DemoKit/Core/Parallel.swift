import Foundation

/// `transform` applied to every item on every core, items taken in `order` (default:
/// as given) by whichever core is free; results come back in the items' order.
/// `workers`: how many run at once; by default one per core.
func parallelMap<Item, Result>(
    _ items: [Item], order: [Int]? = nil, workers: Int = ProcessInfo.processInfo.activeProcessorCount,
    _ transform: @escaping (Item) -> Result
) -> [Result] {
    let order = order ?? Array(items.indices)
    let results = UncheckedResults<Result>(count: items.count)
    let cursor = WorkCursor()
    let work = Unchecked(transform)
    let box = Unchecked(items)
    runWorkers(max(1, min(workers, items.count))) {
        while true {
            let position = cursor.take()
            guard position < order.count else { return }
            let index = order[position]
            results.set(index, work.value(box.value[index]))
        }
    }
    return results.values.map { $0! }
}

/// Runs `body` on `count` workers at once and waits for them. Up to one per core,
/// Dispatch's pool; beyond that, threads of their own: `concurrentPerform` never runs
/// more than one worker per core, which leaves a disk-bound pass waiting on one
/// request at a time per core.
func runWorkers(_ count: Int, _ body: @escaping @Sendable () -> Void) {
    if count <= ProcessInfo.processInfo.activeProcessorCount {
        DispatchQueue.concurrentPerform(iterations: count) { _ in body() }
        return
    }
    let group = DispatchGroup()
    for _ in 0..<count {
        group.enter()
        let thread = Thread {
            body()
            group.leave()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }
    group.wait()
}

/// Work done on a thread of its own while the caller goes on; `wait()` for it
/// (and its error) before relying on what it did.
final class BackgroundWork: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<Void, any Error> = .success(())
    private var waited = false

    init(_ work: @escaping @Sendable () throws -> Void) {
        let thread = Thread { [self] in
            result = Result { try work() }
            done.signal()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// Returns once the work is done: nil, or the error it threw.
    @discardableResult
    func wait() -> (any Error)? {
        if !waited {
            done.wait()
            waited = true
        }
        if case let .failure(error) = result { return error }
        return nil
    }
}

/// A value made on a thread of its own while the caller goes on; `value` waits for it.
final class BackgroundValue<Value>: @unchecked Sendable {
    private final class Slot: @unchecked Sendable { var value: Value? }
    private let slot = Slot()
    private let work: BackgroundWork

    init(_ make: @escaping @Sendable () -> Value) {
        let slot = slot
        work = BackgroundWork { slot.value = make() }
    }

    var value: Value {
        work.wait()
        return slot.value!
    }
}

/// Workers for work that waits on the disk rather than the CPU: `stat` and small
/// reads of thousands of files whose metadata is not in memory yet (a rebuild after
/// a reboot). The disk serves several requests at once; one per core leaves it idle.
let diskWorkers = 8

/// Slots filled by parallel workers, each slot by one worker only.
final class UncheckedResults<T>: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var values: [T?]

    init(count: Int) {
        values = Array(repeating: nil, count: count)
    }

    func set(_ index: Int, _ value: T) {
        lock.withLock { values[index] = value }
    }
}

/// Hands out 0, 1, 2… to parallel workers.
final class WorkCursor: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0

    func take() -> Int {
        lock.withLock {
            defer { next += 1 }
            return next
        }
    }
}

/// Hands a value that is only read to parallel workers (template contexts are
/// `[String: Any]`, closures capture them: Swift cannot prove them safe to share).
final class Unchecked<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// Runs `jobs` on every core, each taken in the given order by whichever core is free
/// (put the longest first: the cores then finish together). Throws the first error
/// in the jobs' order, once all are done.
func concurrentJobs(_ jobs: [() throws -> Void]) throws {
    let errors = UncheckedResults<(any Error)?>(count: jobs.count)
    let cursor = WorkCursor()
    let box = Unchecked(jobs)
    runWorkers(max(1, min(ProcessInfo.processInfo.activeProcessorCount, jobs.count))) {
        while true {
            let index = cursor.take()
            guard index < box.value.count else { return }
            do { try box.value[index]() } catch { errors.set(index, error) }
        }
    }
    if let error = errors.values.lazy.compactMap({ $0 ?? nil }).first { throw error }
}

/// Runs `side` on a thread of its own while `main` runs on the caller's, and returns
/// both results once both are done: neither outlives the call. Throws `main`'s error
/// first, then `side`'s. For work that waits on different things (the disk, the
/// cores): a thread, not Dispatch's pool, where a parallel loop nested in another
/// runs on one core.
func alongside<A, B>(_ side: @escaping () throws -> A, _ main: () throws -> B) throws -> (A, B) {
    let job = Unchecked(side)
    let background = BackgroundValue { Unchecked(Result { try job.value() }) }
    let mainResult = Result { try main() }
    let sideResult = background.value.value
    let b = try mainResult.get()
    return (try sideResult.get(), b)
}
