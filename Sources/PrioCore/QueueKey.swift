/// A job's place in a priority queue: lower `priority` first, then lower
/// `order`. `order` comes from one rising counter (renumbered now and then,
/// keeping every relative order), so equal priorities keep FIFO order; a job that gives way takes a new (later) order, which is what
/// makes equals round-robin. The order survives priority changes, so a job
/// keeps its place in submission order among its new equals.
///
/// The order is 32 bits so that a heap entry (key and job) is 16 bytes: a
/// million queued jobs are a third less heap to walk. The scheduler
/// renumbers the orders of all its jobs before its counter runs out
/// (`Scheduler.renumberOrders`); jobs resuming from an await take orders
/// below zero, ahead of every newcomer.
public struct QueueKey: Comparable, Sendable {
    public var priority: Double
    public var order: Int32

    public init(priority: Double, order: Int32) {
        self.priority = priority
        self.order = order
    }

    @inlinable
    public static func < (lhs: QueueKey, rhs: QueueKey) -> Bool {
        if lhs.priority != rhs.priority { return lhs.priority < rhs.priority }
        return lhs.order < rhs.order
    }
}
