#include "CLuaShims.h"
#include <editline/readline.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static am_dispatch_fn g_dispatch = NULL;

void am_set_dispatcher(am_dispatch_fn fn) { g_dispatch = fn; }

static int am_trampoline(lua_State *L) {
    am_limits *lim = am_state_limits(L);
    lua_Integer index = lua_tointeger(L, lua_upvalueindex(1));
    if (lim) lim->swift_depth++;
    int r = g_dispatch(L, index);
    if (lim) lim->swift_depth--;
    if (r >= 0) return r;
    if (r == AM_RAISE) {
        // Prefix "chunk:line:" of the Lua caller, as luaL_error does.
        luaL_where(L, 1);
        lua_insert(L, -2);
        lua_concat(L, 2);
        return lua_error(L);
    }
    if (r == AM_RAISE_RAW) return lua_error(L);
    int arg = AM_ARGERROR - r + 1;
    const char *msg = lua_tostring(L, -1);
    return luaL_argerror(L, arg, msg);
}

void am_pushswiftfunction(lua_State *L, lua_Integer index) {
    lua_pushinteger(L, index);
    lua_pushcclosure(L, am_trampoline, 1);
}

void am_pushswiftclosure(lua_State *L, lua_Integer index, int nup) {
    lua_pushinteger(L, index);
    lua_insert(L, -(nup + 1));
    lua_pushcclosure(L, am_trampoline, nup + 1);
}

// ---- allocator -------------------------------------------------------------------
static void *am_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    am_limits *lim = (am_limits *)ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        free(ptr);
        lim->used -= old;
        return NULL;
    }
    // Refuse growth past the cap only while Lua code runs: a refusal inside a
    // Swift callback would longjmp across Swift frames.
    if (lim->cap && lim->swift_depth == 0 && nsize > old && lim->used - old + nsize > lim->cap)
        return NULL;
    void *p = realloc(ptr, nsize);
    if (p) lim->used = lim->used - old + nsize;
    return p;
}

static int am_panic(lua_State *L) {
    const char *msg = lua_tostring(L, -1);
    const char text[] = "amalgam: unprotected Lua error: ";
    (void)!write(2, text, sizeof text - 1);
    if (msg) (void)!write(2, msg, strlen(msg));
    (void)!write(2, "\n", 1);
    return 0;
}

lua_State *am_newstate(am_limits *limits) {
    lua_State *L = lua_newstate(am_alloc, limits);
    if (!L) return NULL;
    lua_atpanic(L, am_panic);
    *(am_limits **)lua_getextraspace(L) = limits;
    lua_setwarnf(L, NULL, NULL);
    return L;
}

am_limits *am_state_limits(lua_State *L) { return *(am_limits **)lua_getextraspace(L); }

double am_monotonic_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

// ---- hooks -----------------------------------------------------------------------
static lua_State *volatile g_sigint_state = NULL;

static void am_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    am_limits *lim = am_state_limits(L);
    if (!lim) return;
    if (lim->interrupted) {
        lim->interrupted = 0;
        if (lim->deadline > 0) lua_sethook(L, am_hook, LUA_MASKCOUNT, 10000);
        else lua_sethook(L, NULL, 0, 0);
        luaL_error(L, "interrupted!");
    }
    if (lim->deadline > 0 && am_monotonic_seconds() > lim->deadline) {
        lim->deadline = 0;
        lua_sethook(L, NULL, 0, 0);
        luaL_error(L, "timeout after %f s", (lua_Number)lim->timeout_s);
    }
}

void am_set_timeout(lua_State *L, double seconds) {
    am_limits *lim = am_state_limits(L);
    if (seconds <= 0) {
        lim->deadline = 0;
        lua_sethook(L, NULL, 0, 0);
        return;
    }
    lim->timeout_s = seconds;
    lim->deadline = am_monotonic_seconds() + seconds;
    lua_sethook(L, am_hook, LUA_MASKCOUNT, 10000);
}

static void am_on_sigint(int sig) {
    (void)sig;
    lua_State *L = g_sigint_state;
    if (!L) return;
    am_limits *lim = am_state_limits(L);
    if (lim) lim->interrupted = 1;
    // lua_sethook is signal-safe (lua.c relies on it).
    lua_sethook(L, am_hook, LUA_MASKCALL | LUA_MASKRET | LUA_MASKLINE | LUA_MASKCOUNT, 1);
}

void am_catch_sigint(lua_State *L) {
    g_sigint_state = L;
    signal(SIGINT, am_on_sigint);
}

void am_release_sigint(void) {
    signal(SIGINT, SIG_DFL);
    g_sigint_state = NULL;
}

// ---- protected calls ---------------------------------------------------------------
static int am_msghandler(lua_State *L) {
    const char *msg = lua_tostring(L, 1);
    if (msg == NULL) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING) return 1;
        msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    }
    luaL_traceback(L, L, msg, 1);
    return 1;
}

int am_pcall_traceback(lua_State *L, int nargs, int nresults) {
    int base = lua_gettop(L) - nargs;
    lua_pushcfunction(L, am_msghandler);
    lua_insert(L, base);
    int status = lua_pcall(L, nargs, nresults, base);
    lua_remove(L, base);
    return status;
}

int am_dostring(lua_State *L, const char *chunk, size_t len, const char *chunkname, int nresults) {
    int status = luaL_loadbuffer(L, chunk, len, chunkname);
    if (status != LUA_OK) return status;
    return am_pcall_traceback(L, 0, nresults);
}

static int am_tostring_k(lua_State *L) {
    luaL_tolstring(L, 1, NULL);
    return 1;
}

int am_safe_tostring(lua_State *L, int index) {
    index = lua_absindex(L, index);
    lua_pushcfunction(L, am_tostring_k);
    lua_pushvalue(L, index);
    return lua_pcall(L, 1, 1, 0);
}

static int am_traceback_k(lua_State *L) {
    const char *msg = lua_tostring(L, 1);
    luaL_traceback(L, L, msg, 1);
    return 1;
}

int am_traceback(lua_State *L, const char *msg) {
    lua_pushcfunction(L, am_traceback_k);
    lua_pushstring(L, msg);
    return lua_pcall(L, 1, 1, 0);
}

// ---- line editing ------------------------------------------------------------------
char *am_readline(const char *prompt) { return readline(prompt); }
void am_add_history(const char *line) { add_history(line); }
