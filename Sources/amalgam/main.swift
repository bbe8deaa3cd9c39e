import AmalgamLua
import ArgumentParser
import Foundation

/// `amalgam`: runs Lua experiment scripts, an interactive REPL, and prints the catalog and API docs.
struct Amalgam: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "amalgam",
        abstract: "A workbench for training on mixed accelerator clusters, scripted in Lua.",
        discussion: """
        Exit codes: 0 success, 1 script error (message `script.lua:LINE: message` and a traceback \
        on stderr), 2 usage error.
        """,
        version: AmalgamInfo.version,
        subcommands: [Run.self, Repl.self, Catalog.self, Docs.self],
        defaultSubcommand: Run.self
    )
}

/// Options every Lua-running subcommand shares.
struct RuntimeFlags: ParsableArguments {
    @Option(help: "Seed for math.random and the Swift-side generator (default: chosen from the clock; printed on stderr).")
    var seed: UInt64?

    @Option(help: "Directory that relative CSV paths are written under.")
    var out: String = "results"

    @Option(help: "Stop a script (or one REPL statement) after this many seconds.")
    var timeout: Double?

    @Option(name: .customLong("max-memory"), help: "Cap Lua's memory at this many MB; past it the script gets 'not enough memory'.")
    var maxMemory: Int?

    func validate() throws {
        if let t = timeout, !(t > 0) { throw ValidationError("--timeout must be a positive number of seconds") }
        if let m = maxMemory, m <= 0 { throw ValidationError("--max-memory must be a positive number of MB") }
    }

    func makeRuntime() throws -> LuaRuntime {
        let seed = self.seed ?? UInt64(Date().timeIntervalSince1970 * 1000) & 0xFFFF_FFFF
        FileHandle.standardError.write(Data("amalgam: seed \(seed)\n".utf8))
        return try LuaRuntime(options: RuntimeOptions(
            seed: seed, outputDirectory: out,
            maxMemoryBytes: maxMemory.map { $0 << 20 }, timeoutSeconds: timeout))
    }
}

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a Lua script (the default: `amalgam script.lua`), a string (-e), or the REPL when given nothing on a terminal."
    )

    @OptionGroup var flags: RuntimeFlags

    @Option(name: .customShort("e"), help: "Run this Lua code (before the script, if both are given).")
    var execute: [String] = []

    @Argument(help: "The script to run (- for stdin).")
    var script: String?

    @Argument(parsing: .captureForPassthrough, help: "Arguments passed to the script as `...` and in `arg`.")
    var arguments: [String] = []

    func run() throws {
        let rt = try flags.makeRuntime()
        for code in execute {
            if case .failed(let m) = rt.run(string: code) { fail(m) }
        }
        if let script {
            if script != "-" && !FileManager.default.fileExists(atPath: script) {
                FileHandle.standardError.write(Data("amalgam: cannot open \(script): no such file\n".utf8))
                throw ExitCode(2)
            }
            let outcome = script == "-" ? runStdin(rt) : rt.run(file: script, arguments: arguments)
            if case .failed(let m) = outcome { fail(m) }
        } else if execute.isEmpty {
            if isatty(0) != 0 {
                LuaRepl(runtime: rt, interactive: true).run()
            } else if case .failed(let m) = runStdin(rt) {
                fail(m)
            }
        }
    }

    private func runStdin(_ rt: LuaRuntime) -> RunOutcome {
        let data = FileHandle.standardInput.readDataToEndOfFile()
        return rt.run(string: String(decoding: data, as: UTF8.self), name: "=stdin")
    }

    private func fail(_ message: String) -> Never {
        fflush(nil)
        FileHandle.standardError.write(Data((message + "\n").utf8))
        Foundation.exit(1)
    }
}

struct Repl: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Interactive Lua prompt with the amalgam API (plain line reading when stdin is a pipe).")

    @OptionGroup var flags: RuntimeFlags

    func run() throws {
        let rt = try flags.makeRuntime()
        LuaRepl(runtime: rt, interactive: isatty(0) != 0).run()
    }
}

struct Catalog: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the built-in chip catalog as CSV.")

    func run() throws {
        let rt = try LuaRuntime()
        if case .failed(let m) = rt.run(string: "am.csv.write('-', am.catalog_rows())", name: "=catalog") {
            FileHandle.standardError.write(Data((m + "\n").utf8))
            throw ExitCode(1)
        }
    }
}

struct Docs: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the Lua API reference (Markdown), generated from the help registry.")

    func run() throws {
        let rt = try LuaRuntime()
        print(rt.docs.markdown, terminator: "")
    }
}

/// Exit 2 for usage errors (ArgumentParser would use 64).
do {
    var command = try Amalgam.parseAsRoot()
    try command.run()
} catch {
    let code = Amalgam.exitCode(for: error)
    if code == .success {
        Amalgam.exit(withError: error)
    } else if let exit = error as? ExitCode {
        Foundation.exit(exit.rawValue)
    } else {
        FileHandle.standardError.write(Data((Amalgam.fullMessage(for: error) + "\n").utf8))
        FileHandle.standardError.write(Data((Amalgam.usageString() + "\n").utf8))
        Foundation.exit(2)
    }
}
