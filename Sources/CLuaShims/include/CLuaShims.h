// C side of the Lua bridge: Lua's function-like macros as inline functions, the
// trampoline that raises Lua errors only after Swift has returned, the capped
// allocator, the timeout/interrupt hook, and line reading through libedit.
#ifndef AMALGAM_CLUASHIMS_H
#define AMALGAM_CLUASHIMS_H

#include <lua5.4/lua.h>
#include <lua5.4/lauxlib.h>
#include <lua5.4/lualib.h>
#include <stddef.h>
#include <stdint.h>

// ---- macros Swift cannot import -------------------------------------------
static inline void am_pop(lua_State *L, int n) { lua_pop(L, n); }
static inline void am_newtable(lua_State *L) { lua_newtable(L); }
static inline int am_upvalueindex(int i) { return lua_upvalueindex(i); }
static inline int am_registryindex(void) { return LUA_REGISTRYINDEX; }
static inline int am_isnoneornil(lua_State *L, int i) { return lua_isnoneornil(L, i); }
static inline void *am_getextraspace(lua_State *L) { return lua_getextraspace(L); }
static inline int am_gc_collect(lua_State *L) { return lua_gc(L, LUA_GCCOLLECT); }
static inline int am_gc_count_kb(lua_State *L) { return lua_gc(L, LUA_GCCOUNT); }
static inline void am_pushglobaltable(lua_State *L) { lua_pushglobaltable(L); }
static inline void am_insert(lua_State *L, int i) { lua_insert(L, i); }
static inline void am_remove(lua_State *L, int i) { lua_remove(L, i); }
static inline void am_replace(lua_State *L, int i) { lua_replace(L, i); }
static inline void *am_newuserdata(lua_State *L, size_t size) { return lua_newuserdatauv(L, size, 1); }

// ---- the throw-safe call path -------------------------------------------------
// A Swift dispatcher returns n >= 0 results, AM_RAISE (message on the stack top,
// raised with the caller's position), AM_RAISE_RAW (value raised as is) or
// AM_ARGERROR - k for a bad argument #k (message on the stack top, raised through
// luaL_argerror for Lua's standard wording). The C trampoline does the raising,
// so no longjmp ever crosses a Swift frame.
#define AM_RAISE (-1)
#define AM_RAISE_RAW (-2)
#define AM_ARGERROR (-3)

typedef int (*am_dispatch_fn)(lua_State *L, lua_Integer index);

/// Installs the process-wide Swift dispatcher (set once, before any state runs).
void am_set_dispatcher(am_dispatch_fn fn);
/// Pushes a C closure whose call dispatches to Swift function number `index`.
void am_pushswiftfunction(lua_State *L, lua_Integer index);
/// Pushes the trampoline for `index` with `nup` extra upvalues taken from the stack.
void am_pushswiftclosure(lua_State *L, lua_Integer index, int nup);

// ---- states, allocation limits, hooks ------------------------------------------
typedef struct am_limits {
    size_t used;          // bytes currently allocated by the state
    size_t cap;           // 0 = unlimited
    int swift_depth;      // > 0 while a Swift callback runs: never refuse then
    double deadline;      // monotonic seconds; 0 = none
    double timeout_s;     // for the message
    volatile int interrupted;
    void *owner;          // the Swift runtime that owns the state
} am_limits;

/// The limits record stored in the state's extra space.
static inline am_limits *am_limits_of(lua_State *L) { return *(am_limits **)lua_getextraspace(L); }
/// Creates a state with the counting allocator; `limits` must outlive it.
/// The state's extra space holds `limits`.
lua_State *am_newstate(am_limits *limits);
/// The limits record a state was created with.
am_limits *am_state_limits(lua_State *L);
/// Arms the count hook that raises "timeout after N s" once the deadline passes.
void am_set_timeout(lua_State *L, double seconds);
/// Installs a SIGINT handler that makes `L` raise "interrupted!" at its next hook.
void am_catch_sigint(lua_State *L);
/// Restores the default SIGINT action.
void am_release_sigint(void);
/// Monotonic clock in seconds.
double am_monotonic_seconds(void);

// ---- protected calls --------------------------------------------------------------
/// `lua_pcall` with a traceback message handler (as lua.c's msghandler).
int am_pcall_traceback(lua_State *L, int nargs, int nresults);
/// Loads `chunk` and calls it protected with traceback; status as lua_pcall.
int am_dostring(lua_State *L, const char *chunk, size_t len, const char *chunkname, int nresults);
/// Protected `luaL_tolstring` (runs __tostring / __name safely); pushes the string.
int am_safe_tostring(lua_State *L, int index);
/// Protected `luaL_traceback` of the given message onto the stack.
int am_traceback(lua_State *L, const char *msg);

// ---- line editing -----------------------------------------------------------------
/// Reads one line with libedit (prompt shown); NULL at end of input. Caller frees.
char *am_readline(const char *prompt);
/// Adds a line to libedit's history.
void am_add_history(const char *line);

#endif
