import Foundation

/// Files that appear whole or not at all: contents go to a temporary file in the
/// target's directory, which is renamed over the target only when complete.
public final class AtomicFileWriter {
    /// Where the file will appear.
    public let path: String
    private let tempPath: String
    private var handle: FileHandle?
    private var buffer: [UInt8] = []

    /// Opens a temporary file beside `path`, creating parent directories.
    public init(path: String) throws {
        self.path = path
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        tempPath = dir.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp").path
        guard FileManager.default.createFile(atPath: tempPath, contents: nil) else {
            throw IOFailure("cannot create '\(tempPath)'")
        }
        handle = FileHandle(forWritingAtPath: tempPath)
        if handle == nil { throw IOFailure("cannot open '\(tempPath)' for writing") }
    }

    /// Appends text (buffered).
    public func write(_ text: String) throws {
        guard handle != nil else { throw IOFailure("file '\(path)' is already closed") }
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 16 { try flush() }
    }

    private func flush() throws {
        guard let h = handle, !buffer.isEmpty else { return }
        try h.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    /// Whether `commit` or `discard` has run.
    public var isClosed: Bool { handle == nil }

    /// Flushes and renames the temporary file over the target.
    public func commit() throws {
        guard let h = handle else { return }
        try flush()
        try h.close()
        handle = nil
        if rename(tempPath, path) != 0 {
            let err = String(cString: strerror(errno))
            unlink(tempPath)
            throw IOFailure("cannot write '\(path)': \(err)")
        }
    }

    /// Removes the temporary file; the target is left as it was.
    public func discard() {
        guard let h = handle else { return }
        try? h.close()
        handle = nil
        unlink(tempPath)
    }

    deinit { discard() }

    /// Writes `text` to `path` atomically in one go.
    public static func write(_ text: String, to path: String) throws {
        let w = try AtomicFileWriter(path: path)
        do {
            try w.write(text)
            try w.commit()
        } catch {
            w.discard()
            throw error
        }
    }
}

/// An I/O failure with a message for the user.
public struct IOFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ message: String) { description = message }
}
