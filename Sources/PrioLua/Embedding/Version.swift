/// The version `prio-lua --version` prints.
public enum PrioLuaVersion {
    public static let string = "0.1.0"
}
