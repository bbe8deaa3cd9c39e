/// Reads the text NVIDIA's nccl-tests binaries (`all_reduce_perf`,
/// `all_gather_perf`, `reduce_scatter_perf`, `broadcast_perf`, `reduce_perf`,
/// `alltoall_perf`) print, into a ``MeasuredCollectiveCurve``.
///
/// The format (nccl-tests `src/common.cu`): `#` lines (`# Collective test
/// starting: all_reduce_perf`, `# nThread 1 nGpus 8 minBytes ...`, one `#  Rank  N
/// Group ...` device line per rank, possibly from several processes), a column
/// header `# size count type redop [root] time algbw busbw #wrong time algbw busbw
/// #wrong` (out-of-place group, then in-place; older versions have no `root`
/// column and call `#wrong` `error`), a units line (`(B) (elements) (us) (GB/s)`),
/// one row per size, then `# Out of bounds values : 0 OK` and `# Avg bus
/// bandwidth : ...`. Sizes are bytes, times microseconds, bandwidths GB/s.
///
/// Tolerated: blank lines, CRLF, `N/A` in `#wrong`, NCCL's own log lines
/// (`NCCL INFO`/`NCCL WARN`), any text before the table (an echoed command) and
/// after it. A missing column header is fine when the rows have 12 or 13 columns.
/// Malformed input throws an error naming the line (`line 17: expected 13
/// columns, got 9`); nothing traps.
public enum NcclTestsParser {
    /// nccl-tests binaries whose tables map to a collective Amalgam times.
    public static let collectiveTests: [(test: String, collective: CollectiveKind)] = [
        ("all_reduce_perf", .allReduce), ("all_gather_perf", .allGather), ("reduce_scatter_perf", .reduceScatter),
        ("broadcast_perf", .broadcast), ("reduce_perf", .reduce), ("alltoall_perf", .allToAll),
    ]

    /// The collective a test binary measures (`all_reduce_perf`, also with a path
    /// or an `_mpi` suffix). Point-to-point tests (`sendrecv_perf`,
    /// `hypercube_perf`) and unknown names throw.
    public static func collective(forTest name: String) throws -> CollectiveKind {
        var base = String(name.split(separator: "/").last ?? Substring(name))
        if base.hasSuffix("_mpi") { base.removeLast(4) }
        if let hit = collectiveTests.first(where: { $0.test == base }) { return hit.collective }
        if ["sendrecv_perf", "hypercube_perf", "gather_perf", "scatter_perf"].contains(base) {
            throw AmalgamError("\(base) measures point-to-point transfers, not a collective Amalgam times; give point-to-point figures as measured links instead")
        }
        throw AmalgamError.unknown("nccl-tests test", base, among: collectiveTests.map(\.test))
    }

    /// Where the fields of a row are, from the column header (or the row width).
    struct Layout {
        var columns: Int
        var size = 0, count = 1, type = 2
        var time: (Int, Int), algbw: (Int, Int), busbw: (Int, Int)
        var wrong: (Int, Int)
        /// Whether the wrong-value columns count values (`#wrong`) rather than
        /// print a float error (`error`, old versions).
        var countsWrong: Bool

        /// The layout of nccl-tests rows `columns` wide (12: no root, 13: root).
        init?(width columns: Int) {
            guard columns == 12 || columns == 13 else { return nil }
            let g = columns - 8
            self.columns = columns
            time = (g, g + 4); algbw = (g + 1, g + 5); busbw = (g + 2, g + 6); wrong = (g + 3, g + 7)
            countsWrong = true
        }

        /// The layout a `# size count type ...` header names.
        init(header names: [String], line: Int) throws {
            func two(_ options: [String]) throws -> (Int, Int) {
                let at = names.indices.filter { options.contains(names[$0]) }
                guard at.count == 2 else {
                    throw AmalgamError("line \(line): column header has \(at.count) '\(options[0])' columns, expected 2 (out-of-place and in-place)")
                }
                return (at[0], at[1])
            }
            func one(_ name: String) throws -> Int {
                guard let i = names.firstIndex(of: name) else {
                    throw AmalgamError("line \(line): column header has no '\(name)' column")
                }
                return i
            }
            columns = names.count
            size = try one("size"); count = try one("count"); type = try one("type")
            time = try two(["time"]); algbw = try two(["algbw"]); busbw = try two(["busbw"])
            wrong = try two(["#wrong", "error", "wrong"])
            countsWrong = names[wrong.0] != "error"
        }
    }

    /// Parses nccl-tests output. `collective` is needed when the text does not name
    /// its test (no `# Collective test starting:` line); when both are present they
    /// must agree.
    public static func parse(_ text: String, collective: CollectiveKind? = nil) throws -> MeasuredCollectiveCurve {
        var layout: Layout?
        var testName: String?
        var ranks = Set<Int>()
        var secondsPerUnit = 1e-6
        var inTable = false, afterTable = false
        var points: [MeasuredCollectivePoint] = []
        var lineOfSize: [Double: Int] = [:]
        var average: Double?

        var lineNumber = 0
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: { $0.isNewline }) {
            lineNumber += 1
            let n = lineNumber
            let line = raw.hasPrefix("\u{FEFF}") ? raw.dropFirst() : raw
            let tokens = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard let first = tokens.first else { continue }

            if first.hasPrefix("#") {
                var words = tokens
                if first == "#" { words.removeFirst() } else { words[0].removeFirst() }
                let joined = words.joined(separator: " ")
                if let r = joined.firstRange(of: "Collective test starting:") {
                    testName = joined[r.upperBound...].split(separator: " ").first.map(String.init)
                } else if words.count >= 2, words[0] == "Rank", let r = Int(words[1]) {
                    ranks.insert(r)
                } else if words.contains("size") && words.contains("time") && words.contains("algbw") {
                    layout = try Layout(header: words, line: n)
                    inTable = true
                } else if inTable && words.contains(where: { $0 == "(us)" || $0 == "(ms)" }) {
                    secondsPerUnit = words.contains("(ms)") ? 1e-3 : 1e-6
                } else if joined.hasPrefix("Out of bounds values") {
                    if joined.contains("FAILED") {
                        throw AmalgamError("line \(n): nccl-tests reported a failed run (\(joined)); its figures are not usable")
                    }
                    if inTable || !points.isEmpty { afterTable = true; inTable = false }
                } else if joined.hasPrefix("Avg bus bandwidth") {
                    if let colon = joined.firstIndex(of: ":"),
                       let v = Double(joined[joined.index(after: colon)...].split(separator: " ").first ?? "") {
                        average = v
                    }
                    if inTable || !points.isEmpty { afterTable = true; inTable = false }
                }
                continue
            }
            if line.contains("NCCL INFO") || line.contains("NCCL WARN") { continue }
            guard Double(first) != nil else {
                if inTable {
                    let shown = tokens.joined(separator: " ")
                    let clipped = shown.count > 40 ? String(shown.prefix(40)) + "..." : shown
                    throw AmalgamError("line \(n): unexpected text '\(clipped)' in the results table (expected a row of numbers)")
                }
                continue
            }
            if afterTable {
                throw AmalgamError("line \(n): a result row after the table's closing '# Out of bounds' / '# Avg bus bandwidth' lines (several runs in one file? load one table at a time)")
            }
            if layout == nil {
                guard let l = Layout(width: tokens.count) else {
                    throw AmalgamError("line \(n): expected 12 or 13 columns (size count type redop [root] time algbw busbw #wrong time algbw busbw #wrong), got \(tokens.count)")
                }
                layout = l
            }
            inTable = true
            let point = try row(tokens, layout: layout!, secondsPerUnit: secondsPerUnit, line: n)
            guard point.bytes <= 0x1p53 else { throw AmalgamError("line \(n): size \(tokens[0]) bytes is above 2^53") }
            if let earlier = lineOfSize[point.bytes] {
                throw AmalgamError("line \(n): size \(tokens[0]) bytes was already measured on line \(earlier) (one data type, one reduction op and one run per file)")
            }
            lineOfSize[point.bytes] = n
            points.append(point)
        }

        guard !points.isEmpty else {
            throw AmalgamError("no result rows found (expected nccl-tests output: '#' header lines, then one row per message size)")
        }
        let kind: CollectiveKind
        switch (testName, collective) {
        case (let name?, let given?):
            let named = try Self.collective(forTest: name)
            guard named == given else {
                throw AmalgamError("the output is from \(name) (\(named.rawValue)), but collective '\(given.rawValue)' was given")
            }
            kind = named
        case (let name?, nil): kind = try Self.collective(forTest: name)
        case (nil, let given?): kind = given
        case (nil, nil):
            throw AmalgamError("the output does not name its test (no '# Collective test starting:' line); say which collective it measured")
        }
        points.sort { $0.bytes < $1.bytes }
        return try MeasuredCollectiveCurve(collective: kind, rankCount: ranks.isEmpty ? nil : ranks.count,
                                           points: points, averageBusbwGBs: average)
    }

    /// One result row.
    static func row(_ t: [String], layout l: Layout, secondsPerUnit: Double, line n: Int) throws -> MeasuredCollectivePoint {
        guard t.count == l.columns else {
            throw AmalgamError("line \(n): expected \(l.columns) columns, got \(t.count)")
        }
        guard let size = Int(t[l.size]), size >= 0 else {
            throw AmalgamError("line \(n): size '\(t[l.size])' is not a whole number of bytes")
        }
        guard let count = Int(t[l.count]), count >= 0 else {
            throw AmalgamError("line \(n): count '\(t[l.count])' is not a whole number of elements")
        }
        func number(_ i: Int, _ what: String) throws -> Double {
            guard let v = Double(t[i]), v.isFinite, v >= 0 else {
                throw AmalgamError("line \(n): \(what) '\(t[i])' is not a non-negative number")
            }
            return v
        }
        func group(_ k: Int, _ name: String) throws -> MeasuredTiming {
            let ti = k == 0 ? l.time.0 : l.time.1, ai = k == 0 ? l.algbw.0 : l.algbw.1
            let bi = k == 0 ? l.busbw.0 : l.busbw.1, wi = k == 0 ? l.wrong.0 : l.wrong.1
            let time = try number(ti, "\(name) time")
            if size > 0 && time == 0 {
                throw AmalgamError("line \(n): \(name) time is 0 for \(size) bytes; a measured time must be positive")
            }
            let w = t[wi]
            if l.countsWrong, w != "N/A" {
                guard let wrong = Int(w) else {
                    throw AmalgamError("line \(n): \(name) #wrong '\(w)' is not a count (or N/A)")
                }
                if wrong > 0 {
                    throw AmalgamError("line \(n): nccl-tests counted \(wrong) wrong values (\(name)); the run failed validation")
                }
            }
            return MeasuredTiming(seconds: time * secondsPerUnit, algbwGBs: try number(ai, "\(name) algbw"),
                                  busbwGBs: try number(bi, "\(name) busbw"))
        }
        return MeasuredCollectivePoint(bytes: Double(size), elementCount: count, dataType: t[l.type],
                                       outOfPlace: try group(0, "out-of-place"), inPlace: try group(1, "in-place"))
    }
}
