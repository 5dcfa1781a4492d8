/*
 * Coverage-guided differential fuzzing of Sources/CLuaShim/patterns.c
 * (libFuzzer): every input is a call of string.find, match, gmatch or gsub,
 * run once with Lua 5.4.4's own functions and once with prio-lua's copy,
 * which must answer the same (values or error message). ASan watches both.
 *
 * Input: byte 0 picks the function and the init position, then subject,
 * pattern and (gsub) replacement separated by NUL bytes.
 */
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int prio_open_patterns(lua_State *L);

/* The checkpoint prio-lua's shim provides: here it bounds the work, so that
   a catastrophic pattern is skipped (before the stock matcher, which has no
   such bound, is given it). */
static long checkpoints;
void prio_pattern_checkpoint(lua_State *L) {
    if (++checkpoints > 2000) luaL_error(L, "fuzz: step budget spent");
}

static lua_State *stock, *ours;

static lua_State *new_state(int with_ours) {
    lua_State *L = luaL_newstate();
    luaL_openlibs(L);
    if (with_ours) {
        lua_pushcfunction(L, prio_open_patterns);
        lua_call(L, 0, 0);
    }
    /* The calls, with their results flattened into one comparable string. */
    luaL_dostring(L,
        "function probe(kind, s, p, init, r)\n"
        "  local out = {}\n"
        "  local function add(...) for i = 1, select('#', ...) do out[#out + 1] = tostring((select(i, ...))) end end\n"
        "  local ok, err = pcall(function()\n"
        "    if kind == 0 then add(string.find(s, p, init))\n"
        "    elseif kind == 1 then add(string.find(s, p, init, true))\n"
        "    elseif kind == 2 then add(string.match(s, p, init))\n"
        "    elseif kind == 3 then local n = 0 for a, b in string.gmatch(s, p, init) do add(a, b) n = n + 1 if n > 50 then break end end\n"
        "    elseif kind == 4 then add(string.gsub(s, p, r, init % 4))\n"
        "    elseif kind == 5 then add(string.gsub(s, p, {a = 1, b = true, c = 'x'}))\n"
        "    else add(string.gsub(s, p, function(x, ...) return x end)) end\n"
        "  end)\n"
        "  if not ok then return 'error: ' .. tostring(err) end\n"
        "  return table.concat(out, '\\1')\n"
        "end\n");
    return L;
}

static const char *run(lua_State *L, int kind, const char *s, size_t sn, const char *p, size_t pn, int init,
                       const char *r, size_t rn) {
    lua_settop(L, 0);
    lua_getglobal(L, "probe");
    lua_pushinteger(L, kind);
    lua_pushlstring(L, s, sn);
    lua_pushlstring(L, p, pn);
    lua_pushinteger(L, init);
    lua_pushlstring(L, r, rn);
    if (lua_pcall(L, 5, 1, 0) != LUA_OK) return lua_tostring(L, -1);
    return lua_tostring(L, -1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2 || size > 200) return 0;
    if (stock == NULL) {
        stock = new_state(0);
        ours = new_state(1);
    }
    int kind = data[0] % 7;
    int init = (int)(int8_t)data[1] % 40;
    const char *rest = (const char *)data + 2;
    size_t n = size - 2;
    const char *pattern = memchr(rest, 0, n);
    size_t subject_len = pattern ? (size_t)(pattern - rest) : n;
    const char *p = pattern ? pattern + 1 : "";
    size_t pn = pattern ? n - subject_len - 1 : 0;
    const char *rep = memchr(p, 0, pn);
    size_t pattern_len = rep ? (size_t)(rep - p) : pn;
    const char *r = rep ? rep + 1 : "";
    size_t rn = rep ? pn - pattern_len - 1 : 0;

    checkpoints = 0;
    const char *mine = run(ours, kind, rest, subject_len, p, pattern_len, init, r, rn);
    if (mine && strstr(mine, "fuzz: step budget spent")) return 0;
    const char *theirs = run(stock, kind, rest, subject_len, p, pattern_len, init, r, rn);
    if ((mine == NULL) != (theirs == NULL) || (mine && strcmp(mine, theirs) != 0)) {
        fprintf(stderr, "MISMATCH kind=%d init=%d\n  stock: %s\n  prio:  %s\n", kind, init, theirs ? theirs : "(null)",
                mine ? mine : "(null)");
        abort();
    }
    lua_gc(stock, LUA_GCSTEP, 0);
    lua_gc(ours, LUA_GCSTEP, 0);
    return 0;
}
