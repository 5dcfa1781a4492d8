import CLua
import CLuaShim

/// Transferable values (SPEC §8) in their byte form: what crosses from one
/// Lua state to another (a task job's `args` and results, the calls of
/// jobs in worker states). The bytes are made and read in C
/// (`transfer.c`), straight from one state's stack to another's, with no
/// Swift value tree on the way; this owns the C buffer they were made in.
final class TransferBytes: @unchecked Sendable {
    /// Never written after `init`: the bytes move between threads as a whole.
    private let data: UnsafeMutablePointer<UInt8>?
    let count: Int

    private init(taking buffer: prio_bytes) {
        data = buffer.data
        count = buffer.length
    }

    deinit {
        var buffer = prio_bytes(data: data, length: count, capacity: count)
        prio_bytes_free(&buffer)
    }

    /// Encodes the `count` values from `first` of `lua`, or says which value
    /// cannot be transferred: `a function at args.cb` (with `root`), or
    /// `a function at [2].cb` (without: return values, numbered from 1).
    /// `refs` lets job objects and task functions through, between the
    /// states of one run.
    static func encode(
        _ lua: LuaState, first: Int32, count: Int32, root: String?, refs: prio_transfer_refs = prio_transfer_refs()
    ) -> Result<TransferBytes, Failure> {
        var out = prio_bytes()
        var refs = refs
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 512) { error in
            let ok: Int32
            if let root {
                ok = root.withCString {
                    prio_transfer_encode(lua.pointer, first, count, 1, $0, &refs, &out, error.baseAddress, error.count)
                }
            } else {
                ok = prio_transfer_encode(
                    lua.pointer, first, count, 1, nil, &refs, &out, error.baseAddress, error.count)
            }
            guard ok != 0 else {
                prio_bytes_free(&out)
                return .failure(Failure(description: String(cString: error.baseAddress!)))
            }
            return .success(TransferBytes(taking: out))
        }
    }

    /// Pushes the values onto `lua` and returns how many, or nil with the
    /// error (out of memory) on top of the stack.
    func push(on lua: LuaState, refs: prio_transfer_refs = prio_transfer_refs()) -> Int32? {
        var count: Int32 = 0
        var refs = refs
        let status = prio_transfer_decode(lua.pointer, data, self.count, &refs, &count)
        return status == LUA_OK ? count : nil
    }

    /// One string value, as `encode` would make it.
    static func string(_ text: String) -> TransferBytes { values(ok: nil, text) }

    /// `false, message`: what a failed suspending call resumes with.
    static func refusal(_ message: String) -> TransferBytes { values(ok: false, message) }

    private static func values(ok: Bool?, _ text: String) -> TransferBytes {
        var out = prio_bytes()
        var copy = text
        let written = copy.withUTF8 {
            prio_transfer_string(ok.map { $0 ? 1 : 0 } ?? -1, $0.baseAddress, $0.count, &out)
        }
        precondition(written != 0, "out of memory")
        return TransferBytes(taking: out)
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }
}

extension LuaState {
    /// Replaces the `count` values from `first` with copies made through
    /// their byte form (what a transfer to another state gives), or
    /// returns why they cannot be transferred and leaves the stack as it was.
    func copyTransferable(first: Int32, count: Int32, root: String?) -> String? {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 512) { error in
            let ok: Int32
            if let root {
                ok = root.withCString { prio_transfer_copy(pointer, first, count, $0, error.baseAddress, error.count) }
            } else {
                ok = prio_transfer_copy(pointer, first, count, nil, error.baseAddress, error.count)
            }
            return ok != 0 ? nil : String(cString: error.baseAddress!)
        }
    }
}
