import PrioCore

/// The hooks a policy table may install (SPEC.md §3 "Policy").
enum PolicyHook: String, CaseIterable {
    case priority
    case onSubmit = "on_submit"
    case onStart = "on_start"
    case onFinish = "on_finish"
    case onError = "on_error"
    case onDeadline = "on_deadline"
}

/// Which hooks are installed: a bit per hook, since `contains` is asked on
/// every submit and `set_priority`.
struct PolicyHookSet {
    private var bits: UInt8 = 0

    private static func bit(_ hook: PolicyHook) -> UInt8 {
        switch hook {
        case .priority: return 1
        case .onSubmit: return 2
        case .onStart: return 4
        case .onFinish: return 8
        case .onError: return 16
        case .onDeadline: return 32
        }
    }

    func contains(_ hook: PolicyHook) -> Bool { bits & Self.bit(hook) != 0 }
    mutating func insert(_ hook: PolicyHook) { bits |= Self.bit(hook) }
}

/// What the installed policy consists of, as the run loop needs it. The
/// hook functions themselves stay in a Lua table (`RegistryRefs.policy`).
struct PolicySettings {
    var hooks = PolicyHookSet()
    /// Seconds between periodic re-evaluations of `priority`, if any.
    var interval: Double?
    var preempt = false
    /// Fair sharing between groups (`fair = {name = weight}`), or nil.
    var fairWeights: [String: Double]?
    /// Hooks whose failure was already reported since the policy was installed.
    var reportedFailures: Set<String> = []
    /// An `interval` timer is set in the core.
    var intervalArmed = false

    static let fields: Set<String> = Set(PolicyHook.allCases.map(\.rawValue)).union(["interval", "preempt", "fair"])
}

/// A periodic rule made by `every(interval, fn)`.
struct Rule {
    var interval: Double
    var nextDue: Double
    var cancelled = false
    var failureReported = false
}

/// Where a budgeted call (policy hook or rule) runs, for error messages.
enum HookContext {
    case hook(PolicyHook)
    case rule(Int)
    case policyFile

    var suspendError: String {
        switch self {
        case .hook: return "cannot suspend inside a policy hook"
        case .rule: return "cannot suspend inside an every rule"
        case .policyFile: return "cannot suspend while a policy file loads"
        }
    }
}
