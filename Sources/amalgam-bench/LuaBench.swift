import AmalgamLua
import Foundation

/// Cost of calling a bound Swift function from Lua, relative to calling a plain
/// Lua function, measured in the same runtime and run (issue: target ≤ 3×).
func luaBench() {
    let calls = 5_000_000
    guard let rt = try? LuaRuntime() else { print("cannot create runtime"); return }
    rt.function(FunctionDoc("am.bench_noop", "am.bench_noop(x)", "Benchmark no-op.", example: "am.bench_noop(1)")) { call in
        call.push(integer: try call.integer(1))
    }
    func time(_ body: String) -> Double {
        let code = """
        local f = \(body)
        local x = 0
        for i = 1, \(calls) do x = f(i) end
        """
        return bestSeconds(repeats: 5) {
            if case .failed(let m) = rt.run(string: code) { fatalError(m) }
        } / Double(calls) * 1e9
    }
    let loop = bestSeconds(repeats: 5) { _ = rt.run(string: "local x = 0 for i = 1, \(calls) do x = i end") } / Double(calls) * 1e9
    let lua = time("function(i) return i end")
    let swift = time("am.bench_noop")
    let method = bestSeconds(repeats: 5) {
        _ = rt.run(string: "local c = am.chip 'nvidia_a100_sxm4_80g' local n = 0 for i = 1, \(calls) do n = c.bf16_tflops end")
    } / Double(calls) * 1e9
    print(String(format: "empty loop          %6.1f ns/iteration", loop))
    print(String(format: "Lua function call   %6.1f ns/call (baseline)", lua))
    print(String(format: "bound Swift call    %6.1f ns/call  ratio %.2fx (net of loop %.2fx)", swift, swift / lua, (swift - loop) / max(lua - loop, 1e-9)))
    print(String(format: "Chip field read     %6.1f ns/read   ratio %.2fx", method, method / lua))
}
