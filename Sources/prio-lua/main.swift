import ArgumentParser
import Foundation
import PrioLua

// Parse like any ArgumentParser command, but report errors as `lua` does
// ("prio-lua: message") and use exit status 64 for every bad command line.
do {
    let arguments = Array(CommandLine.arguments.dropFirst())
    let rawArguments = (1..<Int(CommandLine.argc)).map { index in
        Array(UnsafeBufferPointer(start: CommandLine.unsafeArgv[index], count: strlen(CommandLine.unsafeArgv[index]!)))
            .map { UInt8(bitPattern: $0) }
    }
    if rawArguments.count == arguments.count {
        PrioLuaCommand.rawScriptAndArguments = Array(rawArguments[PrioLuaCommand.scriptIndex(arguments)...])
    }
    let command = try PrioLuaCommand.parseNamingUnknownOptions(PrioLuaCommand.commandLineArguments(arguments))
    exit(command.execute())
} catch {
    let code = PrioLuaCommand.exitCode(for: error)
    if code == .success {
        print(PrioLuaCommand.fullMessage(for: error))
        exit(0)
    }
    RunOptions.writeToStandardError(
        "prio-lua: \(PrioLuaCommand.message(for: error))\nusage: prio-lua [options] SCRIPT [ARGS...] (see --help)\n")
    exit(64)
}
