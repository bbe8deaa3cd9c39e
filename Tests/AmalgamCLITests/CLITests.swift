import Foundation
import XCTest

/// Drives the built `amalgam` executable as a user would.
final class CLITests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Result { var status: Int32; var stdout: String; var stderr: String; var seconds: Double }

    func amalgam(_ args: [String], stdin: String? = nil, cwd: URL? = nil) throws -> Result {
        let binary = CLITests.root.appendingPathComponent(".build/debug/amalgam")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw XCTSkip("build the executable first (make test does): \(binary.path)")
        }
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        p.currentDirectoryURL = cwd ?? CLITests.root
        let out = Pipe(), err = Pipe(), input = Pipe()
        p.standardOutput = out; p.standardError = err; p.standardInput = input
        let start = Date()
        try p.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                      stderr: String(decoding: e, as: UTF8.self), seconds: Date().timeIntervalSince(start))
    }

    func tempDir() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("amalgam-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    func testEvalPrints() throws {
        let r = try amalgam(["-e", "print(1+1)"])
        XCTAssertEqual(r.status, 0)
        XCTAssertEqual(r.stdout, "2\n")
        XCTAssertTrue(r.stderr.contains("seed"), "the seed used is printed on stderr")
    }

    func testPipedReplEvaluatesExpressionsAndMultiLineStatements() throws {
        let r = try amalgam(["repl"], stdin: "x = 20\nx + 22\nfor i = 1, 3 do\n  print(i * 10)\nend\nlocal s = 0\n")
        XCTAssertEqual(r.status, 0)
        XCTAssertEqual(r.stdout, "42\n10\n20\n30\n")
    }

    func testReplSurvivesErrors() throws {
        let r = try amalgam(["repl"], stdin: "error('first')\nprint('still here')\nx = 1 +\n2\nprint(x)\n")
        XCTAssertEqual(r.stdout, "still here\n3\n")
        XCTAssertTrue(r.stderr.contains("first"))
    }

    func testScriptErrorReportsFileLineAndTraceback() throws {
        let dir = try tempDir()
        let script = dir.appendingPathComponent("broken.lua")
        try "local am = require 'amalgam'\n-- 2\n-- 3\n-- 4\n-- 5\nlocal x = 1\nlocal y = x .. nil\n".write(to: script, atomically: true, encoding: .utf8)
        let r = try amalgam(["run", script.path])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("broken.lua:7:"), r.stderr)
        XCTAssertTrue(r.stderr.contains("stack traceback"), r.stderr)
    }

    func testScriptArgumentsReachArgAndVarargs() throws {
        let dir = try tempDir()
        let script = dir.appendingPathComponent("args.lua")
        try "local a, b = ...\nprint(arg[0]:match('args.lua'), arg[1], arg[2], a, b, #arg)\n".write(to: script, atomically: true, encoding: .utf8)
        let r = try amalgam([script.path, "one", "--two"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, "args.lua\tone\t--two\tone\t--two\t2\n")
    }

    func testBadArgumentMessage() throws {
        let r = try amalgam(["-e", "am.csv.write(1, {})"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("bad argument #1 to 'write' (string expected, got number)"), r.stderr)
    }

    func testUsageErrorsExitTwo() throws {
        XCTAssertEqual(try amalgam(["--no-such-flag"]).status, 2)
        XCTAssertEqual(try amalgam(["run", "/no/such/script.lua"]).status, 2)
        XCTAssertEqual(try amalgam(["--timeout", "-1", "-e", "x=1"]).status, 2)
    }

    func testTimeoutStopsInfiniteLoop() throws {
        let r = try amalgam(["--timeout", "1", "-e", "while true do end"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("timeout after 1"), r.stderr)
        XCTAssertLessThan(r.seconds, 10, "stopped about a second in (generous bound for a loaded machine)")
    }

    func testMaxMemoryStopsGrowingTableAndReplSurvives() throws {
        let grow = "local t = {} while true do t[#t + 1] = ('x'):rep(100) .. #t end"
        let r = try amalgam(["--max-memory", "64", "-e", grow])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("not enough memory"), r.stderr)
        let repl = try amalgam(["repl", "--max-memory", "64"], stdin: grow + "\nprint('alive')\n")
        XCTAssertTrue(repl.stderr.contains("not enough memory"), repl.stderr)
        XCTAssertEqual(repl.stdout, "alive\n")
    }

    func testSameSeedSameCSVDifferentSeedDifferentRandom() throws {
        let dir = try tempDir()
        let code = "local rows = {} for i = 1, 20 do rows[i] = { i = i, r = math.random() } end am.csv.write('r.csv', rows, {columns = {'i', 'r'}})"
        func run(_ seed: String, _ sub: String) throws -> Data {
            let r = try amalgam(["--seed", seed, "--out", dir.appendingPathComponent(sub).path, "-e", code])
            XCTAssertEqual(r.status, 0, r.stderr)
            return try Data(contentsOf: dir.appendingPathComponent(sub).appendingPathComponent("r.csv"))
        }
        let a = try run("11", "a"), b = try run("11", "b"), c = try run("12", "c")
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, c)
    }

    func testCtrlCInterruptsAStatementAndTheReplGoesOn() throws {
        let binary = CLITests.root.appendingPathComponent(".build/debug/amalgam")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else { throw XCTSkip("build first") }
        let p = Process()
        p.executableURL = binary
        p.arguments = ["repl"]
        let out = Pipe(), err = Pipe(), input = Pipe()
        p.standardOutput = out; p.standardError = err; p.standardInput = input
        try p.run()
        input.fileHandleForWriting.write(Data("while true do end\n".utf8))
        Thread.sleep(forTimeInterval: 1.0)
        p.interrupt()
        input.fileHandleForWriting.write(Data("print('after')\n".utf8))
        try input.fileHandleForWriting.close()
        let o = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let e = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertTrue(e.contains("interrupted!"), e)
        XCTAssertEqual(o, "after\n")
        XCTAssertEqual(p.terminationStatus, 0)
    }

    func testVersionAndHelp() throws {
        let v = try amalgam(["--version"])
        XCTAssertEqual(v.status, 0)
        XCTAssertFalse(v.stdout.isEmpty)
        XCTAssertEqual(try amalgam(["--help"]).status, 0)
    }

    func testCatalogPrintsCSVWithUnitColumns() throws {
        let r = try amalgam(["catalog"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines.first.map(String.init),
                       "id,vendor,name,bf16_tflops,fp16_tflops,fp32_tflops,fp8_tflops,mem_gb,mem_bw_gbs,intra_link_gbs,intra_topology,chips_per_node,nic_gbps,tdp_w,efficiency,confidence,assumed_fields,efficiency_source,scale_up_efficiency,scale_up_efficiency_source,nvls,nvls_source,source")
        // One line per catalog chip plus the header and the final newline's empty tail
        // (no field of the catalog holds a newline).
        let count = try amalgam(["-e", "print(#am.chips())"])
        XCTAssertEqual(lines.count, Int(count.stdout.trimmingCharacters(in: .whitespacesAndNewlines)).map { $0 + 2 })
        XCTAssertTrue(r.stdout.contains("\nhuawei_ascend_910b2,Huawei (HiSilicon),Ascend 910B2 (Atlas 800T A2 '376T' SKU),353.9,376,11,,64,1600,392,full_mesh,8,200,400,"), r.stdout)
        XCTAssertFalse(r.stdout.contains("seed"), "stdout stays clean CSV")
    }

    func testClusterTourScriptWritesItsCSVs() throws {
        let out = try tempDir()
        let r = try amalgam(["--out", out.path, "scripts/cluster_tour.lua", "16", "32", "100", "5"])
        XCTAssertEqual(r.status, 0, r.stderr)
        // 16 A100 + 16 x 8 H20 + 32 Ascend + 4 x 8 derived Ascend = 208 chips.
        XCTAssertTrue(r.stdout.contains("208 chips"), r.stdout)
        // WAN 100 Gb/s = 12.5 GB/s is the bottleneck (NICs 400 and 200 Gb/s).
        XCTAssertTrue(r.stdout.contains("beijing -> guiyang (WAN)         12.5 GB/s"), r.stdout)
        let links = try String(contentsOf: out.appendingPathComponent("cluster_links.csv"), encoding: .utf8)
        XCTAssertTrue(links.hasPrefix("name,kind,gbs,latency_s\n"))
        XCTAssertTrue(links.contains("\nwan:beijing->guiyang,wan,12.5,0.005\n"), links)
        let summary = try String(contentsOf: out.appendingPathComponent("cluster_summary.csv"), encoding: .utf8)
        XCTAssertEqual(summary.split(separator: "\n").first, "chip,vendor,count,total_bf16_tflops,total_mem_gb")
        XCTAssertTrue(summary.contains("\nascend_910b_280t,Huawei (HiSilicon),32,8960,2048\n"), summary)
    }

    func testModelCostsScriptWritesLayerAndMemoryCSVs() throws {
        let out = try tempDir()
        let r = try amalgam(["--out", out.path, "scripts/model_costs.lua", "llama2-7b", "nvidia_a100_sxm4_80g"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("Model(llama2-7b: 32 blocks"), r.stdout)
        let layers = try String(contentsOf: out.appendingPathComponent("model_layers.csv"), encoding: .utf8)
        let layerLines = layers.split(separator: "\n")
        // Header + embedding + 32 blocks + LM head, in the core's column order.
        XCTAssertEqual(layerLines.count, 1 + 34)
        XCTAssertTrue(layers.hasPrefix("layer,kind,params,fwd_flop,bwd_flop,recompute_flop,fwd_mem_bytes,"), layers)
        // Embedding: 32000 x 4096 parameters; LM head the same plus the final RMSNorm.
        XCTAssertTrue(layerLines[1].hasPrefix("0,embedding,131072000,"), String(layerLines[1]))
        XCTAssertTrue(layerLines[34].hasPrefix("33,lm_head,131076096,"), String(layerLines[34]))
        let memory = try String(contentsOf: out.appendingPathComponent("model_memory.csv"), encoding: .utf8)
        let memLines = memory.split(separator: "\n")
        XCTAssertEqual(memLines.first, "tp,pp,worst_stage,params,weights_gb,grads_gb,optimizer_gb,activations_gb,overhead_gb,total_gb,capacity_gb,fits")
        XCTAssertEqual(memLines.count, 1 + 16, memory)   // tp x pp in {1,2,4,8}^2
        // tp = 1, pp = 1: the whole model, 2 bytes per parameter of weights (6738415616 parameters).
        XCTAssertTrue(memLines[1].hasPrefix("1,1,0,6738415616,13.476831232,13.476831232,80.860987392,"), String(memLines[1]))
        XCTAssertTrue(memLines[1].hasSuffix(",80,false"), String(memLines[1]))
    }

    func testAllReduceSweepScriptWritesItsCSV() throws {
        let out = try tempDir()
        let r = try amalgam(["--out", out.path, "scripts/allreduce_sweep.lua", "65536", "ring,auto"])
        XCTAssertEqual(r.status, 0, r.stderr)
        // 1 KiB .. 64 KiB doubling = 7 sizes, x 2 algorithms x 4 clusters.
        XCTAssertTrue(r.stdout.contains("56 points written to allreduce_sweep.csv"), r.stdout)
        let text = try String(contentsOf: out.appendingPathComponent("allreduce_sweep.csv"), encoding: .utf8)
        let lines = text.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "cluster,ranks,algo,chosen,size_bytes,time_s,algbw_gbs,busbw_gbs,published_busbw_gbs,published_source")
        XCTAssertEqual(lines.count, 57)
        // The Azure ND A100 v4 sweep has 0.04 GB/s at 1 KiB; the H100 ring rows only cover 2-4 GiB.
        XCTAssertTrue(lines[1].hasPrefix("8x A100 NVSwitch,8,ring,ring,1024,"), lines[1])
        XCTAssertTrue(lines[1].contains(",0.04,Azure/AI-benchmarking-guide"), lines[1])
        let h100 = lines.filter { $0.hasPrefix("8x H100 NVSwitch,8,ring,ring,65536,") }
        XCTAssertEqual(h100.count, 1)
        XCTAssertTrue(h100.first?.hasSuffix(",,") ?? false, h100.first ?? "")
        XCTAssertTrue(lines.contains { $0.hasPrefix("A100 + Ascend 910B2, two sites,16,auto,") } == false,
                      "names with commas are quoted")
        XCTAssertTrue(lines.contains { $0.hasPrefix("\"A100 + Ascend 910B2, two sites\",16,auto,") })
        for line in lines.dropFirst() where line.contains(",auto,") {
            XCTAssertFalse(line.contains(",auto,auto,"), "auto reports the algorithm it chose: \(line)")
        }
    }
    /// scripts/validate_nccl.lua on the published NCCL bus bandwidths: every row is
    /// either run or says why not; every run row with a target (±10% at >= 64 MiB,
    /// ±25% from 1 MiB) is within it or names a documented cause (no "unexplained");
    /// the counts guard against regressions (see the script's outside_reason).
    func testNcclValidationHoldsEveryExpressibleRow() throws {
        let out = try tempDir()
        let r = try amalgam(["--out", out.path, "scripts/validate_nccl.lua"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let text = try String(contentsOf: out.appendingPathComponent("nccl_validation.csv"), encoding: .utf8)
        var lines = text.split(separator: "\n").map(String.init)
        let header = Self.splitCSV(lines.removeFirst())
        XCTAssertEqual(header, ["row", "system", "gpu", "nodes", "total_gpus", "nics_per_node", "nic_type", "algorithm",
                                "size_bytes", "model_algo", "protocol", "predicted_busbw_gbs", "published_min_gbs",
                                "published_max_gbs", "error_pct", "target_pct", "within", "why"])
        XCTAssertEqual(lines.count, 101)
        var run = 0, within10 = 0, target10 = 0, within25 = 0, target25 = 0
        for line in lines {
            let f = Dictionary(uniqueKeysWithValues: zip(header, Self.splitCSV(line)))
            guard let predicted = Double(f["predicted_busbw_gbs"] ?? "") else {
                XCTAssertFalse(f["why"]?.isEmpty ?? true, "row \(f["row"] ?? "") not run without a reason")
                continue
            }
            run += 1
            XCTAssertGreaterThan(predicted, 0)
            let inside = f["within"] == "yes"
            if f["target_pct"] == "10" { target10 += 1; if inside { within10 += 1 } }
            if f["target_pct"] == "25" { target25 += 1; if inside { within25 += 1 } }
            if f["within"] == "no" {
                let why = f["why"] ?? ""
                XCTAssertTrue(why.contains("outside target: ") && !why.contains("unexplained"), "row \(f["row"] ?? ""): \(why)")
            }
        }
        // Rows 86-87 give "1 or 2" nodes: ambiguous, not run.
        XCTAssertEqual(run, 99)
        XCTAssertEqual(target10, 51)
        XCTAssertGreaterThanOrEqual(within10, 39, "rows within 10% at >= 64 MiB")
        XCTAssertEqual(target25, 18)
        XCTAssertGreaterThanOrEqual(within25, 3, "rows within 25% from 1 MiB to 64 MiB")
    }

    /// Minimal RFC 4180 split (quoted fields hold commas; "" is a quote).
    static func splitCSV(_ line: String) -> [String] {
        var out: [String] = [], field = "", quoted = false
        let chars = Array(line)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "\"" {
                if quoted && i + 1 < chars.count && chars[i + 1] == "\"" { field.append("\""); i += 2; continue }
                quoted.toggle()
            } else if c == "," && !quoted {
                out.append(field); field = ""
            } else {
                field.append(c)
            }
            i += 1
        }
        out.append(field)
        return out
    }
}
