import CLua
import CLuaShims
import Foundation

/// The interactive prompt, with `lua.c` semantics: an expression prints its values,
/// a statement runs, incomplete input continues on a `>> ` prompt, and the whole
/// chunk goes to history. Line editing (libedit) only when stdin is a terminal;
/// from a pipe it reads plain lines and prints no prompts, so tests can drive it.
public final class LuaRepl {
    let rt: LuaRuntime
    let interactive: Bool

    public init(runtime: LuaRuntime, interactive: Bool) {
        rt = runtime
        self.interactive = interactive
    }

    /// Reads and runs chunks until end of input. Returns the number of chunks that failed.
    @discardableResult
    public func run() -> Int {
        var failures = 0
        if interactive {
            FileHandle.standardError.write(Data("Amalgam \(AmalgamModule.version) (Lua 5.4) — help() lists the API, Ctrl-D quits\n".utf8))
        }
        while let first = readLine(prompt: "> ") {
            if first.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            var chunk = first
            var status = load(chunk)
            while status == .incomplete {
                guard let more = readLine(prompt: ">> ") else { break }
                chunk += "\n" + more
                status = load(chunk)
            }
            if interactive { am_add_history(chunk) }
            switch status {
            case .loaded:
                if !execute() { failures += 1 }
            case .syntaxError(let message), .incompleteAtEOF(let message):
                report(message)
                failures += 1
            case .incomplete:
                break
            }
        }
        if interactive { print("") }
        return failures
    }

    enum LoadStatus: Equatable {
        case loaded, incomplete, syntaxError(String), incompleteAtEOF(String)
    }

    /// Compiles `return <line>;` first (so expressions print), else the line as a statement.
    func load(_ chunk: String) -> LoadStatus {
        let L = rt.L
        let asExpression = "return " + chunk + ";"
        if compile(asExpression) == LUA_OK { return .loaded }
        am_pop(L, 1)
        let status = compile(chunk)
        if status == LUA_OK { return .loaded }
        let message = rt.popMessage()
        if status == LUA_ERRSYNTAX && message.hasSuffix("<eof>") { return .incomplete }
        return .syntaxError(message)
    }

    private func compile(_ code: String) -> Int32 {
        code.withCString { luaL_loadbufferx(rt.L, $0, strlen($0), "=stdin", nil) }
    }

    /// Runs the loaded chunk and prints its results through the global `print`.
    private func execute() -> Bool {
        let L = rt.L
        let base = lua_gettop(L) - 1
        am_catch_sigint(L)
        let outcome = rt.protectedCall(arguments: 0, results: LUA_MULTRET)
        am_release_sigint()
        if case .failed(let message) = outcome {
            report(message)
            return false
        }
        let results = lua_gettop(L) - base
        if results > 0 {
            lua_getglobal(L, "print")
            am_insert(L, base + 1)
            if case .failed(let message) = rt.protectedCall(arguments: results, results: 0) {
                report("error calling 'print' (\(message))")
                return false
            }
        }
        lua_settop(L, base)
        return true
    }

    private func report(_ message: String) {
        fflush(nil)
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }

    private func readLine(prompt: String) -> String? {
        if interactive {
            guard let raw = am_readline(prompt) else { return nil }
            defer { free(raw) }
            return String(cString: raw)
        }
        return Swift.readLine(strippingNewline: true)
    }
}
