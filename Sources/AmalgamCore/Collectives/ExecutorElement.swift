/// An element type the executor can run schedules on. Reductions of 16-bit
/// storage types accumulate each sum in Float32 and round once to storage.
public protocol ExecutorElement: Sendable {
    /// Name for reports (`"float32"`).
    static var typeName: String { get }
    /// Relative rounding error of one reduction step (storage rounding plus, for
    /// 16-bit types, the Float32 addition).
    static var unitRoundoff: Double { get }
    /// The nearest representable value.
    init(fromDouble value: Double)
    var asDouble: Double { get }
    /// `dst[i] += src[i]` for `i < count`.
    static func accumulate(_ dst: UnsafeMutablePointer<Self>, _ src: UnsafePointer<Self>, _ count: Int)
}

extension ExecutorElement {
    /// `dst[i] = src[i]` for `i < count` as one memmove (every conforming type is
    /// plain bits), so copies run at memcpy speed even from unspecialised code.
    @inline(__always)
    static func copy(_ dst: UnsafeMutablePointer<Self>, _ src: UnsafePointer<Self>, _ count: Int) {
        UnsafeMutableRawPointer(dst).copyMemory(from: UnsafeRawPointer(src), byteCount: count * MemoryLayout<Self>.stride)
    }
}

extension Float: ExecutorElement {
    public static var typeName: String { "float32" }
    public static var unitRoundoff: Double { 0x1p-24 }
    public init(fromDouble value: Double) { self = Float(value) }
    public var asDouble: Double { Double(self) }
    @inlinable public static func accumulate(_ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, _ count: Int) {
        for i in 0..<count { dst[i] += src[i] }
    }
}

extension Double: ExecutorElement {
    public static var typeName: String { "float64" }
    public static var unitRoundoff: Double { 0x1p-53 }
    public init(fromDouble value: Double) { self = value }
    public var asDouble: Double { self }
    @inlinable public static func accumulate(_ dst: UnsafeMutablePointer<Double>, _ src: UnsafePointer<Double>, _ count: Int) {
        for i in 0..<count { dst[i] += src[i] }
    }
}

#if !(os(macOS) && arch(x86_64))
extension Float16: ExecutorElement {
    public static var typeName: String { "float16" }
    // (1 + 2^-24)(1 + 2^-11) - 1: the Float32 sum, then rounding to storage.
    public static var unitRoundoff: Double { 0x1p-11 + 0x1p-24 + 0x1p-35 }
    public init(fromDouble value: Double) { self = Float16(Float(value)) }
    public var asDouble: Double { Double(Float(self)) }
    @inlinable public static func accumulate(_ dst: UnsafeMutablePointer<Float16>, _ src: UnsafePointer<Float16>, _ count: Int) {
        for i in 0..<count { dst[i] = Float16(Float(dst[i]) + Float(src[i])) }
    }
}
#endif

/// bfloat16 storage (8 exponent bits, 7 fraction bits): the top half of a Float32,
/// rounded to nearest even.
public struct BFloat16: ExecutorElement, Equatable {
    /// The raw 16 bits.
    public var bits: UInt16
    /// The value with these raw bits.
    public init(bits: UInt16) { self.bits = bits }
    /// Rounds a Float32 to nearest even (NaN stays NaN).
    public init(_ f: Float) {
        if f.isNaN { bits = 0x7FC0; return }
        let b = f.bitPattern
        bits = UInt16(truncatingIfNeeded: (b &+ 0x7FFF &+ ((b >> 16) & 1)) >> 16)
    }
    /// The exact Float32 value.
    public var float: Float { Float(bitPattern: UInt32(bits) << 16) }
    public static var typeName: String { "bfloat16" }
    // (1 + 2^-24)(1 + 2^-8) - 1: the Float32 sum, then rounding to storage.
    public static var unitRoundoff: Double { 0x1p-8 + 0x1p-24 + 0x1p-32 }
    public init(fromDouble value: Double) { self.init(Float(value)) }
    public var asDouble: Double { Double(float) }
    @inlinable public static func accumulate(_ dst: UnsafeMutablePointer<BFloat16>, _ src: UnsafePointer<BFloat16>, _ count: Int) {
        for i in 0..<count { dst[i] = BFloat16(dst[i].float + src[i].float) }
    }
}
