// Benchmarks, run in release mode: `swift run -c release amalgam-bench [suite ...]`.
// Each suite prints its figures as ratios against a baseline measured in the same run.
let suites: [(name: String, run: () -> Void)] = [
    ("lua", luaBench),
    ("hardware", hardwareBench),
    ("workload", workloadBench),
    ("collectives", collectivesBench),
    ("network", networkBench),
    ("planner", plannerKernelBench),
    ("simulator", simulatorBench),
]

let requested = Array(CommandLine.arguments.dropFirst())
for suite in suites where requested.isEmpty || requested.contains(suite.name) {
    print("== \(suite.name)")
    suite.run()
}
