import CLua
import CLuaShim

/// A Lua value as Swift sees it, for host functions and jobs submitted from
/// Swift: nil, booleans, integers, floats, strings, arrays and string-keyed
/// maps, nested.
public enum LuaValue: Sendable, Equatable, CustomStringConvertible {
    case `nil`
    case boolean(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    /// A Lua sequence `{v1, v2, ...}` (an empty table reads as an empty array).
    case array([LuaValue])
    /// A Lua table with other keys; number keys are written as strings.
    case table([String: LuaValue])

    public var description: String {
        switch self {
        case .nil: return "nil"
        case .boolean(let value): return String(value)
        case .integer(let value): return String(value)
        case .number(let value): return formatNumber(value)
        case .string(let value): return value
        case .array(let values): return "[" + values.map(\.description).joined(separator: ", ") + "]"
        case .table(let map):
            return "{" + map.sorted { $0.key < $1.key }.map { "\($0.key) = \($0.value)" }.joined(separator: ", ") + "}"
        }
    }

    /// Tables nested deeper than this (or cyclic) are not converted.
    static let maximumDepth = 100
}

/// Why a Lua value could not become a `LuaValue`.
struct LuaValueConversionError: Error, CustomStringConvertible {
    var description: String
}

extension LuaState {
    /// The value at `index` as a `LuaValue`. Uses raw access only.
    func value(at index: Int32, depth: Int = 0) throws -> LuaValue {
        let index = lua_absindex(pointer, index)
        switch type(at: index) {
        case LUA_TNIL, LUA_TNONE: return .nil
        case LUA_TBOOLEAN: return .boolean(boolean(at: index))
        case LUA_TNUMBER:
            // The subtype is kept: 3.0 stays a float (lua_tointegerx would take it as 3).
            if lua_isinteger(pointer, index) != 0 { return .integer(lua_tointegerx(pointer, index, nil)) }
            return .number(lua_tonumberx(pointer, index, nil))
        case LUA_TSTRING: return .string(string(at: index) ?? "")
        case LUA_TTABLE: return try tableValue(at: index, depth: depth)
        default:
            throw LuaValueConversionError(description: "cannot pass a \(typeName(at: index)) to Swift")
        }
    }

    private func tableValue(at index: Int32, depth: Int) throws -> LuaValue {
        guard depth < LuaValue.maximumDepth, lua_checkstack(pointer, 4) != 0 else {
            throw LuaValueConversionError(description: "table nested too deeply (or cyclic) to pass to Swift")
        }
        let length = lua_rawlen(pointer, index)
        var array: [LuaValue] = []
        var map: [String: LuaValue] = [:]
        var count = 0
        pushNil()
        while lua_next(pointer, index) != 0 {
            defer { pop() }
            count += 1
            let item = try value(at: -1, depth: depth + 1)
            if let key = string(at: -2) {
                map[key] = item
            } else if let number = number(at: -2) {
                map[formatNumber(number)] = item
            } else {
                throw LuaValueConversionError(description: "cannot pass a table with \(typeName(at: -2)) keys to Swift")
            }
        }
        if count == Int(length) {
            for position in 1...max(Int(length), 1) where position <= Int(length) {
                array.append(map[String(position)] ?? .nil)
            }
            return .array(array)
        }
        return .table(map)
    }

    /// Pushes `value` (nil for tables nested deeper than the Lua stack
    /// allows). Always exactly one value: the caller made room for it, and a
    /// parent table's successful check left room for its items' nils.
    func push(_ value: LuaValue) {
        guard lua_checkstack(pointer, 4) != 0 else {
            pushNil()
            return
        }
        switch value {
        case .nil: pushNil()
        case .boolean(let flag): push(flag)
        case .integer(let integer): lua_pushinteger(pointer, integer)
        case .number(let number): lua_pushnumber(pointer, number)
        case .string(let text): push(text)
        case .array(let values):
            lua_createtable(pointer, Int32(values.count), 0)
            for (position, item) in values.enumerated() {
                push(item)
                lua_rawseti(pointer, -2, lua_Integer(position + 1))
            }
        case .table(let map):
            lua_createtable(pointer, 0, Int32(map.count))
            for (key, item) in map {
                push(item)
                setRawField(key, ofTableAt: -2)
            }
        }
    }
}
