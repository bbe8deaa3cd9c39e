import AmalgamCore
import CLua
import CLuaShims
import Foundation

/// Settings a runtime is created with.
public struct RuntimeOptions: Sendable {
    /// Seeds `math.random` and `LuaRuntime.random`.
    public var seed: UInt64 = 0
    /// Directory that relative CSV paths are resolved against.
    public var outputDirectory: String = "results"
    /// Allocation cap for Lua in bytes; nil = unlimited.
    public var maxMemoryBytes: Int? = nil
    /// Per-run wall-clock limit in seconds; nil = none.
    public var timeoutSeconds: Double? = nil

    public init(seed: UInt64 = 0, outputDirectory: String = "results", maxMemoryBytes: Int? = nil, timeoutSeconds: Double? = nil) {
        self.seed = seed; self.outputDirectory = outputDirectory
        self.maxMemoryBytes = maxMemoryBytes; self.timeoutSeconds = timeoutSeconds
    }
}

/// The outcome of running a chunk.
public enum RunOutcome: Equatable {
    case ok
    /// The error message (with traceback when one was produced).
    case failed(String)
}

/// One Lua state with the `amalgam` module installed.
///
/// Every call from Swift into Lua is protected (traceback handler); every call
/// from Lua into Swift goes through the throw-safe trampoline. Not thread-safe:
/// use a runtime from one thread at a time.
public final class LuaRuntime {
    /// The raw state, for bindings and tests.
    public let L: OpaquePointer
    public let options: RuntimeOptions
    /// Swift-side generator seeded from `options.seed`.
    public var random: SeededGenerator
    let limits: UnsafeMutablePointer<am_limits>
    /// Bound functions, indexed by the integer upvalue of their trampoline.
    let functions = FunctionTable()
    var functionNames: [String] = []
    /// Documentation of every bound function, by qualified name.
    public internal(set) var docs = DocRegistry()
    /// Streaming CSV writers not yet closed; committed when a run succeeds.
    var openSinks: [Weak<CSVSink>] = []
    /// Measured layer times added by `am.calibrate` / `am.calibrate_csv`: one store per
    /// runtime, applied by every cost query of this runtime's bindings (workload, planner,
    /// simulator), so a script calibrates once and every later figure uses it.
    public var calibration = Calibration()

    /// Creates a state, opens the standard libraries and installs `amalgam`.
    public init(options: RuntimeOptions = RuntimeOptions()) throws {
        LuaRuntime.installDispatcher
        self.options = options
        self.random = SeededGenerator(seed: options.seed)
        limits = .allocate(capacity: 1)
        limits.initialize(to: am_limits())
        guard let state = am_newstate(limits) else {
            limits.deallocate()
            throw LuaError.message("cannot create a Lua state")
        }
        L = state
        limits.pointee.owner = Unmanaged.passUnretained(self).toOpaque()
        luaL_openlibs(L)
        try AmalgamModule.install(into: self)
        if let cap = options.maxMemoryBytes { limits.pointee.cap = max(cap, 1) }
    }

    deinit {
        lua_close(L)
        limits.deinitialize(count: 1)
        limits.deallocate()
    }

    /// The runtime owning state `L`.
    static func owner(of L: OpaquePointer) -> LuaRuntime {
        let raw = am_limits_of(L).unsafelyUnwrapped.pointee.owner.unsafelyUnwrapped
        return Unmanaged<LuaRuntime>.fromOpaque(raw).takeUnretainedValue()
    }

    /// Bytes Lua currently holds.
    public var memoryInUseBytes: Int { limits.pointee.used }

    // MARK: Registering functions

    /// Registers `body` and pushes a Lua function that calls it.
    func pushFunction(named name: String, _ body: @escaping LuaFunction) {
        let index = functions.append(body)
        functionNames.append(name)
        am_pushswiftfunction(L, lua_Integer(index))
    }

    private static let installDispatcher: Void = {
        am_set_dispatcher { state, index in
            let L = state!
            let raw = am_limits_of(L).unsafelyUnwrapped.pointee.owner.unsafelyUnwrapped
            let call = LuaCall(L: L, runtimePointer: raw, functionIndex: Int(index))
            do {
                return try Unmanaged<LuaRuntime>.fromOpaque(raw)._withUnsafeGuaranteedRef {
                    try $0.functions.call(Int(index), call)
                }
            } catch {
                let rt = call.runtime
                switch LuaError.describe(error) {
                case .message(let m):
                    call.push(string: m)
                    return AM_RAISE
                case .argument(let n, let m):
                    if call.argumentOffset == 0 {
                        call.push(string: m)
                        return AM_ARGERROR - Int32(n) + 1
                    }
                    call.push(string: "bad argument #\(n) to '\(rt.functionNames[Int(index)])' (\(m))")
                    return AM_RAISE
                }
            }
        }
    }()

    // MARK: Running code

    /// Runs a file as `lua` does, with `args` as `...` and in the global `arg`.
    public func run(file path: String, arguments: [String] = []) -> RunOutcome {
        setArgTable(script: path, arguments: arguments)
        let status = luaL_loadfilex(L, path, nil)
        if status != LUA_OK { return .failed(popMessage()) }
        for a in arguments { lua_pushstring(L, a) }
        return finishSinks(protectedCall(arguments: Int32(arguments.count), results: 0))
    }

    /// After a whole run: commit the CSV writers a successful script left open,
    /// discard them all if it failed (no half-written files).
    func finishSinks(_ outcome: RunOutcome) -> RunOutcome {
        defer { openSinks.removeAll { $0.value == nil || $0.value!.closed } }
        for sink in openSinks.compactMap(\.value) where !sink.closed {
            if outcome == .ok {
                do { try sink.close() } catch { return .failed("\(error)") }
            } else {
                sink.discard()
            }
        }
        return outcome
    }

    /// Runs a string chunk named `name` (shown in error positions).
    public func run(string code: String, name: String = "=(command line)") -> RunOutcome {
        let status = code.withCString { luaL_loadbufferx(L, $0, strlen($0), name, nil) }
        if status != LUA_OK { return .failed(popMessage()) }
        return finishSinks(protectedCall(arguments: 0, results: 0))
    }

    /// Calls the function below `arguments` values with a traceback handler and the
    /// configured timeout; on failure the message is returned and the stack restored.
    func protectedCall(arguments: Int32, results: Int32) -> RunOutcome {
        if let t = options.timeoutSeconds { am_set_timeout(L, t) }
        let depth = limits.pointee.swift_depth
        limits.pointee.swift_depth = 0
        let status = am_pcall_traceback(L, arguments, results)
        limits.pointee.swift_depth = depth
        if options.timeoutSeconds != nil { am_set_timeout(L, 0) }
        if status == LUA_OK { return .ok }
        var message = popMessage()
        if status == LUA_ERRMEM {
            let cap = options.maxMemoryBytes.map { " (limit --max-memory \($0 / (1 << 20)) MB)" } ?? ""
            message = "not enough memory\(cap)"
            _ = am_gc_collect(L)
        }
        return .failed(message)
    }

    func popMessage() -> String {
        let text = tostring(at: -1)
        am_pop(L, 1)
        return text
    }

    /// `tostring` of the value at `index`, run protected (it may call `__tostring`).
    public func tostring(at index: Int32) -> String {
        if lua_type(L, index) == LUA_TSTRING { return LuaCall.string(L, index) }
        if am_safe_tostring(L, index) == LUA_OK {
            defer { am_pop(L, 1) }
            return LuaCall.string(L, -1)
        }
        am_pop(L, 1)
        return "(error object is not a string)"
    }

    private func setArgTable(script: String, arguments: [String]) {
        lua_createtable(L, Int32(arguments.count), 2)
        lua_pushstring(L, "amalgam"); lua_rawseti(L, -2, -1)
        lua_pushstring(L, script); lua_rawseti(L, -2, 0)
        for (i, a) in arguments.enumerated() { lua_pushstring(L, a); lua_rawseti(L, -2, lua_Integer(i + 1)) }
        lua_setglobal(L, "arg")
    }
}

/// The bound functions of one runtime. Each is boxed in a class so its closure is
/// stored at its natural abstraction (an array of closures stores reabstraction
/// thunks), and the table is a raw buffer so a call retains nothing: both showed
/// up as most of the cost of a Lua->Swift call.
final class FunctionTable {
    final class Entry {
        let body: LuaFunction
        init(_ body: @escaping LuaFunction) { self.body = body }
    }

    private var entries: UnsafeMutablePointer<Unmanaged<Entry>>
    private var capacity = 64
    private(set) var count = 0

    init() { entries = .allocate(capacity: capacity) }

    deinit {
        for i in 0..<count { entries[i].release() }
        entries.deallocate()
    }

    /// Adds `body`; returns its index.
    func append(_ body: @escaping LuaFunction) -> Int {
        if count == capacity {
            let grown = UnsafeMutablePointer<Unmanaged<Entry>>.allocate(capacity: capacity * 2)
            grown.moveInitialize(from: entries, count: count)
            entries.deallocate()
            entries = grown
            capacity *= 2
        }
        entries[count] = Unmanaged.passRetained(Entry(body))
        count += 1
        return count - 1
    }

    @inline(__always)
    func call(_ index: Int, _ call: LuaCall) throws -> Int32 {
        try entries[index]._withUnsafeGuaranteedRef { try $0.body(call) }
    }
}

/// SplitMix64: a small, fast, seedable generator; the same seed gives the same
/// sequence on every platform.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
