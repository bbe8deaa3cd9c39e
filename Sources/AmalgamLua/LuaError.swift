import AmalgamCore
import AmalgamIO

/// An error a bound Swift function throws; the C trampoline raises it in Lua
/// after the Swift frame has returned.
public enum LuaError: Error, Equatable {
    /// Raised as `chunk:line: message` (the position of the Lua caller).
    case message(String)
    /// Raised with Lua's standard wording: `bad argument #n to 'f' (message)`.
    case argument(Int, String)

    /// The text of any error a binding may see.
    static func describe(_ error: Error) -> LuaError {
        switch error {
        case let e as LuaError: return e
        case let e as AmalgamError: return .message(e.message)
        case let e as CustomStringConvertible: return .message(e.description)
        default: return .message(String(describing: error))
        }
    }
}

/// A Swift function callable from Lua. It reads its arguments from `call`,
/// pushes its results and returns how many it pushed.
public typealias LuaFunction = (LuaCall) throws -> Int32
