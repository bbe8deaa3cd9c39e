// The Lua bridge; filled in by the foundation work.
public enum AmalgamLuaVersion { public static let string = "0.1.0" }
