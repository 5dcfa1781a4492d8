import ArgumentParser
import Foundation
import PrioLua

// Parse like any ArgumentParser command, but report errors as `lua` does
// ("prio-lua: message") and use exit status 64 for every bad command line.
do {
    let command = try PrioLuaCommand.parse(
        PrioLuaCommand.commandLineArguments(Array(CommandLine.arguments.dropFirst())))
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
