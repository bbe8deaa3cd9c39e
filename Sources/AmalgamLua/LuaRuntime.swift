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
    var functions: ContiguousArray<LuaFunction> = []
    var functionNames: [String] = []
    /// Documentation of every bound function, by qualified name.
    public internal(set) var docs = DocRegistry()
    /// Streaming CSV writers not yet closed; committed when a run succeeds.
    var openSinks: [Weak<CSVSink>] = []

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
        let raw = am_limits_of(L)!.pointee.owner!
        return Unmanaged<LuaRuntime>.fromOpaque(raw).takeUnretainedValue()
    }

    /// Bytes Lua currently holds.
    public var memoryInUseBytes: Int { limits.pointee.used }

    // MARK: Registering functions

    /// Registers `body` and pushes a Lua function that calls it.
    func pushFunction(named name: String, _ body: @escaping LuaFunction) {
        functions.append(body)
        functionNames.append(name)
        am_pushswiftfunction(L, lua_Integer(functions.count - 1))
    }

    private static let installDispatcher: Void = {
        am_set_dispatcher { state, index in
            let L = state!
            let rt = LuaRuntime.owner(of: L)
            let body = rt.functions[Int(index)]
            let call = LuaCall(L: L, runtime: rt, functionIndex: Int(index))
            do {
                return try body(call)
            } catch {
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
